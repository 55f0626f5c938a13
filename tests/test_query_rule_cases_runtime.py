"""DJS501-DJS506's own cases run with Django and DRF against SQLite: every statement a case
marks fails (or makes one query per row) as the rule claims, and every valid statement runs.

The cases are read from the rule classes, so a new case is checked by this test too. Each
case's project is written to a temporary folder; a subprocess configures settings, applies
the migrations the case carries (Django wrote them), adds ``ROWS`` rows to every model (each
row with its own related rows), then runs every top-level statement of every function of
every ``queries.py`` alone (after the assignments before it in that function), and requests
every view of every ``views.py``. A queryset a statement gives is evaluated (``list``), so
``select_related``/``prefetch_related`` resolve. It records the exception raised and the
queries made (CaptureQueriesContext), then adds ``ROWS`` more rows and runs everything again:
an N+1 makes more queries with more rows."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.rules.djs501_unresolved_lookup import UnresolvedLookup
from djstate.rules.djs502_wrong_reverse_name import WrongReverseName
from djstate.rules.djs503_unknown_manager import UnknownManager
from djstate.rules.djs504_bad_related_lookup import BadRelatedLookup
from djstate.rules.djs505_n_plus_one_loop import NPlusOneLoop
from djstate.rules.djs506_n_plus_one_drf import NPlusOneDRF
from tests.conftest import EXPECT, write_project

pytestmark = pytest.mark.oracle

ROWS = 3  # rows per model; the second run has twice as many

RUNNER = r'''
import ast, contextlib, datetime, importlib, io, json, sys
from pathlib import Path
import django
from django.conf import settings

root = Path.cwd()
apps_here = sorted(p.parent.name for p in root.glob("*/models.py"))
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "django.contrib.postgres", "rest_framework",
                    *apps_here],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                    "UNAUTHENTICATED_USER": None},
)
django.setup()
from django.apps import apps
from django.core.management import call_command
from django.db import connection, models, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

call_command("migrate", verbosity=0)
rows = int(sys.argv[1])
app_models = [m for name in apps_here for m in apps.get_app_config(name).get_models()]


def value_for(field, i):
    if isinstance(field, (models.ForeignKey, models.OneToOneField)):
        if field.remote_field.model is field.model:
            return None  # a self relation (nullable here): the first rows have nothing to point at
        return list(field.remote_field.model._base_manager.order_by("pk"))[i]
    if isinstance(field, models.DateField):
        return datetime.date(2000 + i, 1, 1)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        return i + 1
    return f"{field.name}{i}"[: field.max_length or 50]


def add_rows(start, stop):
    """Rows start..stop-1 of every model, each pointing at row i of the model it relates to."""
    done = set()
    while len(done) < len(app_models):
        for model in app_models:
            targets = {f.remote_field.model for f in model._meta.concrete_fields
                       if f.is_relation and f.remote_field.model is not model}
            if model in done or not targets <= done:
                continue
            for i in range(start, stop):
                values = {f.name: value_for(f, i) for f in model._meta.concrete_fields if not f.auto_created}
                obj = model._base_manager.create(**values)
                for m2m in model._meta.many_to_many:
                    getattr(obj, m2m.name).add(list(m2m.remote_field.model._base_manager.order_by("pk"))[i])
            done.add(model)


def measure(call):
    out = {"error": None, "message": "", "queries": 0}
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic(), contextlib.redirect_stdout(io.StringIO()):
                call()
                transaction.set_rollback(True)
        except Exception as exc:
            out["error"], out["message"] = type(exc).__name__, str(exc)[:300]
    # the transaction of the atomic block is not the case's
    out["queries"] = sum(1 for q in queries.captured_queries
                         if not q["sql"].startswith(("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK")))
    return out


def force(value):
    """Evaluate what a statement gives: a queryset runs (and prefetches) only when iterated."""
    if isinstance(value, QuerySet):
        list(value)
    elif isinstance(value, (list, tuple, set)):
        for item in value:
            force(item)


def argument(node):
    """A value for a function parameter: the first row of its annotated model, else a pk."""
    name = node.annotation.id if isinstance(node.annotation, ast.Name) else None
    for m in app_models:
        if m.__name__ == name:
            return m._base_manager.order_by("pk").first()
    return 1


def statement_units(module_name, path):
    """(first line, last line, call) for every top-level statement of every function."""
    module = importlib.import_module(module_name)
    tree = ast.parse(path.read_text())
    units = []
    for func in tree.body:
        if not isinstance(func, ast.FunctionDef):
            continue
        for index, stmt in enumerate(func.body):
            setup = [s for s in func.body[:index] if isinstance(s, (ast.Assign, ast.AnnAssign))]

            def call(func=func, stmt=stmt, setup=setup):
                scope = dict(vars(module))
                scope.update({a.arg: argument(a) for a in func.args.args})
                if setup:
                    exec(compile(ast.Module(body=setup, type_ignores=[]), str(path), "exec"), scope)
                if isinstance(stmt, (ast.Expr, ast.Return, ast.Assign)) and stmt.value is not None:
                    force(eval(compile(ast.Expression(stmt.value), str(path), "eval"), scope))
                else:
                    exec(compile(ast.Module(body=[stmt], type_ignores=[]), str(path), "exec"), scope)

            units.append((stmt.lineno, stmt.end_lineno, call))
    return units


def view_units(module_name, path):
    """(first line, last line, call) for every view class: a GET of its list, or of row 1."""
    from rest_framework.mixins import ListModelMixin
    from rest_framework.test import APIRequestFactory
    from rest_framework.viewsets import ViewSetMixin

    module = importlib.import_module(module_name)
    factory = APIRequestFactory()
    units = []
    for node in ast.parse(path.read_text()).body:
        if not isinstance(node, ast.ClassDef):
            continue
        view = getattr(module, node.name)
        lists = issubclass(view, ListModelMixin) or "get" in vars(view)
        if issubclass(view, ViewSetMixin):
            handler = view.as_view({"get": "list" if lists else "retrieve"})
        else:
            handler = view.as_view()

        def call(handler=handler, lists=lists):
            response = handler(factory.get("/")) if lists else handler(factory.get("/"), pk=1)
            response.render()
            assert response.status_code == 200, (response.status_code, response.data)

        units.append((node.lineno, node.end_lineno, call))
    return units


units = {}
for path in sorted(root.glob("*/queries.py")) + sorted(root.glob("*/views.py")):
    module_name = f"{path.parent.name}.{path.stem}"
    make = statement_units if path.stem == "queries" else view_units
    for first, last, call in make(module_name, path):
        units[f"{path.relative_to(root).as_posix()}:{first}:{last}"] = call

add_rows(0, rows)
before = {key: measure(call) for key, call in units.items()}
add_rows(rows, 2 * rows)
after = {key: measure(call) for key, call in units.items()}
print(json.dumps({key: {**before[key], "queries_more_rows": after[key]["queries"]} for key in units}))
'''

# what Django raises for the statements each rule marks: exception name -> message pattern
RAISES = {
    "DJS501": {
        "FieldError": r"Cannot resolve keyword '\w+' into field|Unsupported lookup '\w+' for \w+",
        "AttributeError": r"Cannot find '\w+' on \w+ object, '\w+' is an invalid parameter to prefetch_related",
        "FieldDoesNotExist": r"\w+ has no field named '\w+'",
    },
    "DJS502": {
        "AttributeError": r"'\w+' object has no attribute '\w+_set'",
        "FieldError": r"Cannot resolve keyword '\w+' into field",
    },
    # no such manager on the class, or no such method on the manager
    "DJS503": {"AttributeError": r"type object '\w+' has no attribute '\w+'|'\w+' object has no attribute '\w+'"},
    "DJS504": {
        "FieldError": r"Invalid field name\(s\) given in select_related: '\w+'|Non-relational field given in select_related: '\w+'",
        "ValueError": r"'\w+' does not resolve to an item that supports prefetching",
    },
}
N_PLUS_ONE = {"DJS505", "DJS506"}
# a valid statement whose names Django resolves (django.contrib.postgres is installed, so
# `unaccent` is a registered lookup) and whose SQL it builds, but SQLite has no such function
POSTGRES_ONLY = ("OperationalError", re.compile(r"no such function: (UNACCENT|SIMILARITY|WORD_SIMILARITY)"))
RULES = [UnresolvedLookup, WrongReverseName, UnknownManager, BadRelatedLookup, NPlusOneLoop, NPlusOneDRF]
CASES = [
    pytest.param(rule, kind, case, id=f"{rule.code}-{kind}-{index}")
    for rule in RULES
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


def run_case(root: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(ROWS)], capture_output=True, text=True, env=env,
                          cwd=root, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _codes(lines: list[str]) -> set[str]:
    return {code.strip() for line in lines for match in [EXPECT.search(line)] if match
            for code in match.group(1).split(",")}  # fmt: skip


def _serializer_codes(files: dict) -> dict[str, set[str]]:
    """Serializer class name -> the codes marked in its body (a method field's per-object query
    is reported there; the view that lists with it is what makes the queries)."""
    out: dict[str, set[str]] = {}
    for path, text in files.items():
        if path.endswith("serializers.py"):
            for block in re.split(r"\n(?=class )", text):
                match = re.match(r"class (\w+)", block)
                if match:
                    out[match.group(1)] = _codes(block.splitlines())
    return out


def marked_codes(files: dict, key: str) -> set[str]:
    """The codes marked on the lines of one statement or view (`path:first:last`), with those
    marked in the serializer class a view names."""
    path, first, last = key.rsplit(":", 2)
    lines = files[path].splitlines()[int(first) - 1 : int(last)]
    codes = _codes(lines)
    if path.endswith("views.py"):
        serializers = _serializer_codes(files)
        for line in lines:
            match = re.search(r"serializer_class\s*=\s*(\w+)", line)
            codes |= serializers.get(match.group(1), set()) if match else set()
    return codes


@pytest.mark.parametrize("rule,kind,case", CASES)
def test_case_holds_at_runtime(tmp_path, rule, kind, case):
    results = run_case(write_project(tmp_path, case.files))
    confirmed = 0
    for key, got in results.items():
        claimed = rule.code in marked_codes(case.files, key)
        assert not (claimed and kind == "valid"), f"{key}: a valid case marks {rule.code}"
        if claimed and rule.code in N_PLUS_ONE:
            # at least one query per row: ROWS more rows make at least ROWS more queries
            assert got["error"] is None, (key, got)
            assert got["queries"] >= ROWS and got["queries_more_rows"] - got["queries"] >= ROWS, (key, got)
        elif claimed:
            pattern = RAISES[rule.code].get(got["error"])
            assert pattern and re.search(pattern, got["message"]), (key, got)
        else:
            postgres_only = got["error"] == POSTGRES_ONLY[0] and POSTGRES_ONLY[1].search(got["message"])
            assert got["error"] is None or postgres_only, (key, got)
            if rule.code in N_PLUS_ONE:
                assert got["queries_more_rows"] == got["queries"], (key, "queries grow with the rows", got)
        confirmed += claimed
    if kind == "invalid":
        marked = sum(line.count(rule.code) for text in case.files.values() for line in text.splitlines()
                     if EXPECT.search(line))  # fmt: skip
        assert confirmed == marked and marked, f"{marked} marked, {confirmed} confirmed statements"
