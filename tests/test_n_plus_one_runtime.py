"""DJS505/DJS506 against Django: what the N+1 rules claim, measured with CaptureQueriesContext.

- The bundled example's DJS506 (``NewReleasesView`` serializes ``BookSerializer``, whose nested
  ``authors`` its queryset does not prefetch) is a real N+1: the list makes one more query per
  book than the same view with ``.prefetch_related("authors")``.
- Each precision fix of the rules has a twin that Django runs (tests/data/nplusone): what the
  rules now stay silent on makes no query per row, and what they still report does.

A subprocess configures settings with an in-memory SQLite database and creates the tables from
the models (the example's migrations are broken on purpose), adds rows and counts queries.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"

EXAMPLE_RUNNER = r'''
import json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "rest_framework",
                    "accounts", "catalog", "orders.apps.OrdersConfig", "reviews", "inventory", "loyalty",
                    "promotions", "legacy", "scratch"],
    AUTH_USER_MODEL="accounts.User",
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    USE_TZ=True,
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                    "UNAUTHENTICATED_USER": None},
)
django.setup()
import datetime
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

with connection.schema_editor() as editor:  # the models' tables (the example's migrations are broken on purpose)
    for model in apps.get_models():
        editor.create_model(model)

from catalog import serializers, views
from catalog.models import Author, Book, BookAuthor, Publisher

# the example's other planted bug (DJS401: "summary" is no field of Book) makes DRF raise
# ImproperlyConfigured before any row is read; without it the view runs
serializers.BookSerializer.Meta.fields.remove("summary")

rows = int(sys.argv[1])
for i in range(rows):
    publisher = Publisher.objects.create(name=f"P{i}", slug=f"p{i}")
    book = Book.objects.create(title=f"B{i}", isbn=f"{i:013d}", price=1, published_on=datetime.date(2000 + i, 1, 1),
                               publisher=publisher)
    BookAuthor.objects.create(book=book, author=Author.objects.create(first_name="A", last_name=str(i)))


def count(view_class):
    handler = view_class.as_view()
    with CaptureQueriesContext(connection) as queries:
        response = handler(APIRequestFactory().get("/"))
        response.render()
    assert response.status_code == 200, response.data
    return len(queries.captured_queries), len(response.data)


class Prefetched(views.NewReleasesView):
    def get_queryset(self):
        return super().get_queryset().prefetch_related("authors")


as_is, listed = count(views.NewReleasesView)
prefetched, _ = count(Prefetched)
print(json.dumps({"as_is": as_is, "prefetched": prefetched, "listed": listed}))
'''


def run(script: str, cwd: Path, *args: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(cwd), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("rows", [3, 6])
def test_example_djs506_is_one_query_per_book(rows):
    got = run(EXAMPLE_RUNNER, EXAMPLE, str(rows))
    assert got["listed"] == rows
    # the authors of each book: one query per row, which a single prefetch query replaces
    assert got["as_is"] - got["prefetched"] == rows - 1, got


def test_djstate_reports_the_example_djs506_on_that_view():
    from tests.conftest import run_scan

    found = [f for f in run_scan(EXAMPLE).findings if f.code == "DJS506" and f.path == "catalog/views.py"]
    assert [("NewReleasesView" in f.message, "'authors'" in f.message) for f in found] == [(True, True)]


NPLUSONE = ROOT / "tests" / "data" / "nplusone"
ROWS = 5

FIXTURE_RUNNER = r'''
import inspect, json, sys
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "stock"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    USE_TZ=True,
    REST_FRAMEWORK={"DEFAULT_AUTHENTICATION_CLASSES": [], "DEFAULT_PERMISSION_CLASSES": [],
                    "UNAUTHENTICATED_USER": None},
)
django.setup()
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework import viewsets
from rest_framework.test import APIRequestFactory

call_command("migrate", verbosity=0)
from stock import queries, views
from stock.models import Item, Shelf

for i in range(int(sys.argv[1])):
    Item.plain.create(name=f"I{i}", shelf=Shelf.objects.create(name=f"S{i}"))


def count(call):
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries.captured_queries)


def get(view):
    """GET the view as a client would: a list, or the first object of a detail view."""
    if issubclass(view, viewsets.ViewSetMixin):
        handler, kwargs = view.as_view({"get": "list"}), {}
    else:
        detail = hasattr(view, "retrieve") and not hasattr(view, "list")
        handler, kwargs = view.as_view(), ({"pk": Item.plain.first().pk} if detail else {})
    response = handler(APIRequestFactory().get("/"), **kwargs)
    response.render()
    assert response.status_code == 200, (view, response.data)


results = {}
for name, func in inspect.getmembers(queries, inspect.isfunction):
    if func.__module__ == queries.__name__:
        results[name] = count(func)
for name, view in inspect.getmembers(views, inspect.isclass):
    if view.__module__ == views.__name__:
        results[name] = count(lambda: get(view))
print(json.dumps(results))
'''


def fixture_markers() -> dict[str, str | None]:
    """Function or class of stock/queries.py and stock/views.py -> the code marked in it."""
    import re

    out: dict[str, str | None] = {}
    for name in ("queries.py", "views.py"):
        unit = None
        for line in (NPLUSONE / "stock" / name).read_text().splitlines():
            match = re.match(r"(?:def|class) (\w+)", line)
            if match:
                unit = match.group(1)
                out[unit] = None
            marker = re.search(r"# djstate: expect (DJS50[56])", line)
            if marker and unit:
                out[unit] = marker.group(1)
    return out


@pytest.fixture(scope="module")
def fixture_queries() -> dict:
    return run(FIXTURE_RUNNER, NPLUSONE, str(ROWS))


def test_fixture_marked_units_make_a_query_per_row_and_the_others_do_not(fixture_queries):
    markers = fixture_markers()
    assert set(markers) == set(fixture_queries)
    assert sorted(n for n, code in markers.items() if code) == ["ItemList", "ItemMixinViewSet", "shelves_through_plain_manager"]
    for name, code in markers.items():
        if code:
            assert fixture_queries[name] > ROWS, (name, fixture_queries[name])
        else:
            assert fixture_queries[name] < ROWS, (name, fixture_queries[name])


def test_djstate_reports_exactly_the_fixture_markers():
    from tests.conftest import expected_markers, run_scan

    got = {(f.path, f.line, f.code) for f in run_scan(NPLUSONE).findings if f.code in ("DJS505", "DJS506")}
    assert got == {m for m in expected_markers(NPLUSONE) if m[2] in ("DJS505", "DJS506")}
