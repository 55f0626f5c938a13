"""The query anchor (tests/data/queryshop): every bug the fixture marks is confirmed by running
it with the installed Django and DRF against SQLite, and every correct twin runs cleanly.

A subprocess configures settings, applies the fixture's migration (Django wrote it), adds rows,
then calls each function of shop/queries.py and each viewset of shop/views.py, recording the
exception it raises and the number of queries it makes (CaptureQueriesContext)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SHOP = Path(__file__).resolve().parent / "data" / "queryshop"
ROWS = 5  # books; an N+1 makes at least one query per book

RUNNER = r'''
import inspect, json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                    "UNAUTHENTICATED_USER": None},
)
django.setup()
import datetime
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

call_command("migrate", verbosity=0)
from shop.models import Author, Book, Publisher, Review, Tag

rows = int(sys.argv[1])
for i in range(rows):
    publisher = Publisher.published.create(name=f"P{i}")
    author = Author.objects.create(name=f"A{i}")
    book = Book.objects.create(title=f"B{i}", price=i, published_on=datetime.date(2000 + i, 1, 1),
                               publisher=publisher, author=author)
    book.tags.add(Tag.objects.create(label=f"T{i}"))
    Review.objects.create(book=book, rating=3)


def run(call):
    out = {"error": None, "message": "", "queries": 0}
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                call()
                transaction.set_rollback(True)
        except Exception as exc:
            out["error"], out["message"] = type(exc).__name__, str(exc)[:300]
    # the savepoint of the atomic block is not the code's
    out["queries"] = sum(1 for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")))
    return out


from shop import queries, views
from rest_framework.test import APIRequestFactory

results = {}
for name, func in inspect.getmembers(queries, inspect.isfunction):
    if func.__module__ == queries.__name__:
        results[name] = run(func)
factory = APIRequestFactory()
for name, view in inspect.getmembers(views, inspect.isclass):
    if view.__module__ == views.__name__:
        handler = view.as_view({"get": "list"})
        results[name] = run(lambda: handler(factory.get("/")).render())
print(json.dumps(results))
'''

# what Django does with each function: the exception it raises, or "n+1" (one query per row)
EXPECTED_BUGS = {
    "bug_reverse_default_name": ("AttributeError", "has no attribute 'book_set'"),
    "bug_lookup_unknown_field": ("FieldError", "Cannot resolve keyword 'titel'"),
    "bug_lookup_bad_hop": ("FieldError", "Unsupported lookup 'nmae' for ForeignKey"),
    "bug_lookup_order_by": ("FieldError", "Cannot resolve keyword 'published'"),
    "bug_default_manager_missing": ("AttributeError", "has no attribute 'objects'"),
    "bug_select_related_m2m": ("FieldError", "Invalid field name(s) given in select_related: 'tags'"),
    "bug_n_plus_one_loop": ("n+1", ""),
    "BookViewSet": ("n+1", ""),
    "bug_values_list": ("FieldError", "Cannot resolve keyword 'titel'"),
    "bug_values_hop": ("FieldError", "Cannot resolve keyword 'titel'"),
    "bug_f_expression": ("FieldError", "Cannot resolve keyword 'prise'"),
    "bug_q_object": ("FieldError", "Cannot resolve keyword 'titel'"),
    "bug_count_name": ("FieldError", "Cannot resolve keyword 'reviewz'"),
    "bug_annotation_name": ("FieldError", "Cannot resolve keyword 'nn'"),
    "bug_second_hop": ("FieldError", "Unsupported lookup 'autor__name' for ForeignKey"),
    "bug_lookup_suffix": ("FieldError", "Unsupported lookup 'startwith' for CharField"),
    "bug_transform_wrong_type": ("FieldError", "Unsupported lookup 'year' for CharField"),
    "bug_kwargs_dict": ("FieldError", "Cannot resolve keyword 'titel'"),
    "bug_related_query_name": ("FieldError", "Cannot resolve keyword 'book'"),
    "bug_hidden_reverse": ("FieldError", "Cannot resolve keyword 'author'"),
    "bug_get_or_create": ("FieldError", "Cannot resolve keyword 'ratin'"),
    "bug_prefetch_name": ("AttributeError", "Cannot find 'reviewz' on Book object"),
    "bug_prefetch_object": ("AttributeError", "Cannot find 'reviewz' on Book object"),
    "bug_aggregate": ("FieldError", "Cannot resolve keyword 'ratng'"),
    "bug_select_related_plain_field": ("FieldError", "Non-relational field given in select_related: 'country'"),
    "bug_select_related_reverse_fk": ("FieldError", "Invalid field name(s) given in select_related: 'books'"),
    "bug_only": ("FieldDoesNotExist", "Book has no field named 'titel'"),
    "bug_after_custom_method": ("FieldError", "Cannot resolve keyword 'titel'"),
    "bug_n_plus_one_comprehension": ("n+1", ""),
    "bug_n_plus_one_reverse_count": ("n+1", ""),
}

# the eight anchor bugs of issue 13, and the rule that must report each
ANCHORS = {
    "bug_reverse_default_name": "DJS502",
    "bug_lookup_unknown_field": "DJS501",
    "bug_lookup_bad_hop": "DJS501",
    "bug_lookup_order_by": "DJS501",
    "bug_default_manager_missing": "DJS503",
    "bug_select_related_m2m": "DJS504",
    "bug_n_plus_one_loop": "DJS505",
    "BookViewSet": "DJS506",
}


@pytest.fixture(scope="module")
def runtime() -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(SHOP), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(ROWS)], capture_output=True, text=True, env=env,
                          cwd=SHOP, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def marked_units() -> dict[str, list[str]]:
    """Function or class name -> the codes marked inside it (# djstate: expect CODE)."""
    out: dict[str, list[str]] = {}
    for path in (SHOP / "shop").glob("*.py"):
        unit = None
        for line in path.read_text().splitlines():
            match = re.match(r"(?:def|class) (\w+)", line)
            if match:
                unit = match.group(1)
                out.setdefault(unit, [])
            marker = re.search(r"# djstate: expect (DJS\d+)", line)
            if marker and unit:
                out[unit].append(marker.group(1))
    return out


def test_every_bug_fails_at_runtime_as_claimed(runtime):
    for name, (error, message) in EXPECTED_BUGS.items():
        got = runtime[name]
        if error == "n+1":
            assert got["error"] is None, (name, got)
            assert got["queries"] > ROWS, (name, got)  # at least one query per row
        else:
            assert (got["error"], message in got["message"]) == (error, True), (name, got)


def test_every_correct_twin_runs_without_error_or_n_plus_one(runtime):
    correct = [name for name in runtime if name not in EXPECTED_BUGS]
    assert len(correct) >= 20
    for name in correct:
        assert runtime[name]["error"] is None, (name, runtime[name])
        assert runtime[name]["queries"] < ROWS, (name, runtime[name])


def test_markers_are_exactly_the_confirmed_bugs():
    marked = {name: codes for name, codes in marked_units().items() if codes}
    assert set(marked) == set(EXPECTED_BUGS)
    assert all(len(codes) == 1 for codes in marked.values()), marked
    assert {n: marked[n][0] for n in ANCHORS} == ANCHORS


def test_djstate_reports_exactly_the_marked_bugs_statically():
    """The anchor table: every marked bug found by its rule, nothing else reported."""
    from tests.conftest import expected_markers, run_scan

    result = run_scan(SHOP)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    expected = expected_markers(SHOP)
    assert expected - got == set(), sorted(expected - got)
    assert got - expected == set(), sorted(got - expected)
    assert not [f for f in result.findings if f.code == "DJS000"]
