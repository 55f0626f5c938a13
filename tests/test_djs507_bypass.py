"""DJS507's cases run with Django against SQLite: every query a case marks sees rows the
model's default manager hides, and every query of a valid case sees no more rows than it.

A subprocess configures settings for the cases' ``notes`` app, applies its migration (Django
wrote it), adds one live and one deleted row to every model, then calls each function of
notes/queries.py and counts, for every queryset it returns, the rows it sees and the rows
``Model._default_manager`` sees. The unit tests of the manager model are below."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.rules.djs507_bypassed_default_manager import BypassedDefaultManager
from tests.conftest import run_scan, write_project

RUNNER = r"""
import importlib, inspect, json
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "notes"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
)
django.setup()
from django.apps import apps
from django.core.management import call_command

call_command("migrate", verbosity=0)
for model in apps.get_app_config("notes").get_models():
    model._base_manager.create(deleted=False)
    model._base_manager.create(deleted=True)
queries = importlib.import_module("notes.queries")
out = {}
for name, func in inspect.getmembers(queries, inspect.isfunction):
    if func.__module__ == queries.__name__:
        result = func()
        out[name] = [(qs.model.__name__, qs.count(), qs.model._default_manager.count())
                     for qs in (result if isinstance(result, list) else [result])]
print(json.dumps(out))
"""


def run_case(tmp_path: Path, files: dict) -> dict:
    root = write_project(tmp_path, files)
    env = {**os.environ, "PYTHONPATH": str(root)}
    proc = subprocess.run([sys.executable, "-c", RUNNER], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def marked_functions(source: str) -> set[str]:
    """Functions of a case's queries.py with a `# expect: DJS507` line."""
    marked, current = set(), None
    for line in source.splitlines():
        match = re.match(r"def (\w+)\(", line)
        current = match.group(1) if match else current
        if "# expect: DJS507" in line:
            marked.add(current)
    return marked


@pytest.mark.parametrize("kind", ["invalid", "valid"])
def test_cases_hold_at_runtime(tmp_path, kind):
    cases = BypassedDefaultManager.INVALID if kind == "invalid" else BypassedDefaultManager.VALID
    for index, case in enumerate(cases):
        counts = run_case(tmp_path / str(index), case.files)
        marked = marked_functions(case.files["notes/queries.py"])
        assert (kind == "invalid") == bool(marked) and marked <= set(counts)
        for function, querysets in counts.items():
            for model, seen, by_default in querysets:
                if function in marked:
                    assert seen > by_default, f"{function}: {model} sees no row its default manager hides"
                else:
                    assert seen <= by_default, f"{function}: {model} sees rows its default manager hides"


# ---- the manager model: shapes that are judged, and shapes that are not -------------------

SOFT_DELETE = """from django.db import models


class ActiveManager(models.Manager):
{body}


class Note(models.Model):
    deleted = models.BooleanField(default=False)

    objects = ActiveManager()
    all_objects = models.Manager()
"""
QUERY = "from .models import Note\n\n\ndef f():\n    return Note.all_objects.all()\n"


def scan_with(tmp_path: Path, body: str, query: str = QUERY):
    files = {"notes/__init__.py": "", "notes/models.py": SOFT_DELETE.format(body=body), "notes/queries.py": query}
    result = run_scan(write_project(tmp_path, files))
    findings = [f for f in result.findings if f.code == "DJS507"]
    unjudged = [u for u in result.project.unjudged if "bypasses the default manager" in u.detail]
    return findings, unjudged


@pytest.mark.parametrize("body", [
    "    def get_queryset(self):\n        return super().get_queryset().filter(deleted=False)",
    "    def get_queryset(self):\n        return super(ActiveManager, self).get_queryset().exclude(deleted=True)",
    "    def get_queryset(self):\n        '''Live rows.'''\n        qs = super().get_queryset()\n        return qs.filter(deleted=False).select_related()",
    "    def get_queryset(self):\n        return super().get_queryset().none()",
])  # fmt: skip
def test_filtering_default_managers_are_judged(tmp_path, body):
    findings, unjudged = scan_with(tmp_path, body)
    assert [(f.path, f.line) for f in findings] == [("notes/queries.py", 5)] and unjudged == []
    assert "default manager 'objects'" in findings[0].message and findings[0].severity == "info"


@pytest.mark.parametrize("body", [
    "    def get_queryset(self):\n        return super().get_queryset().select_related()",
    "    def get_queryset(self):\n        return super().get_queryset().filter()",
    "    pass",
])  # fmt: skip
def test_default_managers_that_keep_every_row_are_not_a_bypass(tmp_path, body):
    assert scan_with(tmp_path, body) == ([], [])


@pytest.mark.parametrize("body", [
    "    def get_queryset(self):\n        if self.model.strict:\n            return super().get_queryset().filter(deleted=False)\n"
    "        return super().get_queryset()",
    "    def get_queryset(self):\n        return super().get_queryset().filter(**self.filters)",
    "    def get_queryset(self):\n        return super().get_queryset().live()",
    "    def get_queryset(self):\n        return Note.objects.filter(deleted=False)",
])  # fmt: skip
def test_unclear_get_queryset_is_unjudged_not_reported(tmp_path, body):
    findings, unjudged = scan_with(tmp_path, body)
    assert findings == [] and [u.line for u in unjudged] == [5]
    assert "whether the default manager 'objects' filters rows is unknown" in unjudged[0].detail


def test_manager_outside_the_tree_is_unjudged(tmp_path):
    body = "    def get_queryset(self):\n        return super().get_queryset().filter(deleted=False)"
    query = "from .models import Note\n\n\ndef f():\n    return Note.all_objects.all()\n"
    files = {"notes/__init__.py": "", "notes/queries.py": query,
             "notes/models.py": SOFT_DELETE.format(body=body).replace("objects = ActiveManager()",
                                                                       "objects = ScopedManager()")
             .replace("from django.db import models", "from django.db import models\nfrom scopes import ScopedManager")}  # fmt: skip
    result = run_scan(write_project(tmp_path, files))
    assert [f for f in result.findings if f.code == "DJS507"] == []
    assert [u.line for u in result.project.unjudged if "bypasses the default manager" in u.detail] == [5]


def test_mixin_after_django_manager_is_not_reached(tmp_path):
    """``class M(models.Manager, Mixin)``: Manager.get_queryset comes first in the MRO and does
    not call super(), so the mixin's filter never runs: not judged as filtering."""
    models = SOFT_DELETE.format(body="    pass").replace(
        "class ActiveManager(models.Manager):",
        "class LiveMixin:\n    def get_queryset(self):\n        return super().get_queryset().filter(deleted=False)\n\n\n"
        "class ActiveManager(models.Manager, LiveMixin):",
    )
    files = {"notes/__init__.py": "", "notes/models.py": models, "notes/queries.py": QUERY}
    result = run_scan(write_project(tmp_path, files))
    assert [f for f in result.findings if f.code == "DJS507"] == []
    assert [u.line for u in result.project.unjudged if "bypasses the default manager" in u.detail] == [5]


def test_what_comes_before_the_first_manager(tmp_path):
    """A field class outside the tree (named *Field) or an in-tree class that is no manager
    cannot be the default manager; a call to a function might return one."""
    body = "    def get_queryset(self):\n        return super().get_queryset().filter(deleted=False)"
    before = {
        "    secret = EncryptedCharField(max_length=10)\n    flag = Flag()\n    _local = threading.local()\n"
        "    choices = get_setting('TEMPLATES')\n    history = HistoricalRecords()\n": True,
        "    helper = make_manager()\n": False,
    }
    for index, (attributes, judged) in enumerate(before.items()):
        models = SOFT_DELETE.format(body=body).replace("    objects = ActiveManager()", attributes + "    objects = ActiveManager()")
        models = models.replace("from django.db import models\n", "from django.db import models\nfrom fernet_fields import "
                                "EncryptedCharField\nfrom managers import get_setting, make_manager\nfrom simple_history.models import HistoricalRecords\nimport threading\n\n\nclass Flag:\n    pass\n")
        files = {"notes/__init__.py": "", "notes/models.py": models, "notes/queries.py": QUERY}
        result = run_scan(write_project(tmp_path / str(index), files))
        assert len([f for f in result.findings if f.code == "DJS507"]) == (1 if judged else 0)


def test_the_default_manager_of_a_model_with_an_outside_base_is_not_unjudged(tmp_path):
    """Own managers come before any parent's (Options.managers sorts by MRO depth): with a
    Meta of its own, the first one it declares is the default even when a base is unknown."""
    body = "    def get_queryset(self):\n        return super().get_queryset().filter(deleted=False)"
    models = SOFT_DELETE.format(body=body).replace("class Note(models.Model):", "class Note(OutsideModel):").replace(
        "from django.db import models\n", "from django.db import models\nfrom outside import OutsideModel\n")
    query = QUERY + "\n\ndef g():\n    return Note.objects.all()\n"
    for index, meta in enumerate(["\n    class Meta:\n        ordering = ['id']\n", ""]):
        files = {"notes/__init__.py": "", "notes/models.py": models + meta, "notes/queries.py": query}
        result = run_scan(write_project(tmp_path / str(index), files))
        unjudged = [u.line for u in result.project.unjudged if "bypasses the default manager" in u.detail]
        found = [f.line for f in result.findings if f.code == "DJS507"]
        # without a Meta of its own, the outside parent's Meta may name another default (or none)
        assert (found, unjudged) == (([5], []) if meta else ([], [5, 9]))


def test_the_only_visible_manager_of_a_model_with_outside_parents_records_nothing(tmp_path):
    models = ("from django.db import models\nfrom outside import OutsideModel\n\n\n"
              "class Note(OutsideModel):\n    deleted = models.BooleanField(default=False)\n\n    objects = models.Manager()\n")
    query = "from .models import Note\n\n\ndef f():\n    return Note.objects.all(), Note._base_manager.all()\n"
    files = {"notes/__init__.py": "", "notes/models.py": models, "notes/queries.py": query}
    result = run_scan(write_project(tmp_path, files))
    assert [f for f in result.findings if f.code == "DJS507"] == []
    # _base_manager may still skip an outside parent's filtering default: that one is recorded
    assert [(u.line, u.detail.split(" bypasses")[0]) for u in result.project.unjudged
            if "bypasses the default manager" in u.detail] == [(5, "whether Note._base_manager")]  # fmt: skip


def test_c3_merge_gives_pythons_mro():
    """Random class hierarchies (those Python accepts): the merge djstate uses for model
    parents orders classes as Python's own MRO does."""
    import random
    from types import SimpleNamespace

    from djstate.state.managers import _c3_merge

    rng = random.Random(507)
    for _ in range(300):
        classes, bases_of = [], {}
        for index in range(rng.randint(1, 7)):
            bases = rng.sample(classes, rng.randint(0, min(3, len(classes)))) if classes else []
            try:
                cls = type(f"C{index}", tuple(bases) or (object,), {})
            except TypeError:
                continue
            classes.append(cls)
            bases_of[cls] = bases
        node = {cls: SimpleNamespace(path=cls.__name__) for cls in classes}

        def mro(cls):
            merged = _c3_merge([*[mro(b) for b in bases_of[cls]], [node[b] for b in bases_of[cls]]])
            return [node[cls], *merged]

        for cls in classes:
            assert [c.path for c in mro(cls)] == [c.__name__ for c in cls.__mro__ if c is not object]
