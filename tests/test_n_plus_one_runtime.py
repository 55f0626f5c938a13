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
