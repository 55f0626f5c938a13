"""The bundled example's query bugs (issue 13), confirmed by running them with the installed Django
and DRF against SQLite, and tied to their markers and to tools/compare_mypy_bugs.toml.

A subprocess configures settings with the example's apps, creates their tables from the models
(`MIGRATION_MODULES` None: the example's migration history is broken on purpose elsewhere), adds
rows, then calls each function of bookshop/reports.py and the example's views, recording the
exception each raises and the queries it makes (CaptureQueriesContext); the DJS507 query (no
error) must return rows that StockItem's default manager hides, and that manager must not be
migration state (Django's ModelState leaves it out, so the example needs no migration). The
example makes one mistake per place; where a view also hits another of its deliberate mistakes
(BookSerializer's stale `summary`, DJS401), the runner fixes that one in memory so that only the
query bug is run, as the example's README does with a clean copy per mistake."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"
MANIFEST = ROOT / "tools" / "compare_mypy_bugs.toml"
ROWS = 5  # rows per model; an N+1 makes at least one query per row
MARKER = re.compile(r"#\s*djstate:\s*(expect|future)\s+(DJS\d{3})")

RUNNER = r'''
import datetime, inspect, json, re, sys
from collections import Counter
import django
from django.conf import settings

APPS = ["accounts", "catalog", "orders", "reviews", "inventory"]
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework",
                    "accounts", "catalog", "orders.apps.OrdersConfig", "reviews", "inventory"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.BigAutoField",
    AUTH_USER_MODEL="accounts.User",
    USE_TZ=True,
    MIGRATION_MODULES={label: None for label in ["contenttypes", "auth", "accounts", "catalog", "shop_orders",
                                                 "reviews", "inventory"]},
    REST_FRAMEWORK={"DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination", "PAGE_SIZE": 20},
)
django.setup()
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

call_command("migrate", run_syncdb=True, verbosity=0)
from accounts.models import User
from catalog.models import Author, Book, BookAuthor, Genre, Publisher
from inventory.models import StockItem, Warehouse
from orders.models import Order, OrderLine
from reviews.models import Review

rows = int(sys.argv[1])
staff = User.objects.create_user("staff", is_staff=True)
for i in range(rows):
    publisher = Publisher.objects.create(name=f"P{i}", slug=f"p{i}")
    author = Author.objects.create(first_name=f"F{i}", last_name=f"A{i}")
    genre = Genre.objects.create(name=f"G{i}", slug=f"g{i}")
    book = Book.objects.create(title=f"B{i}", isbn=f"{i:013d}", price=10 + i,
                               published_on=datetime.date(2000 + i, 1, 1), publisher=publisher)
    BookAuthor.objects.create(book=book, author=author)
    book.genres.add(genre)
    Review.objects.create(book=book, author=staff if i == 0 else User.objects.create_user(f"u{i}"), rating=3)
    order = Order.objects.create(customer=staff, status="paid", shipping_address="1 Main St")
    OrderLine.objects.create(order=order, book=book, quantity=1, unit_price=9 + i)
    warehouse = Warehouse.objects.create(code=f"W{i}", name=f"W{i}")
    StockItem.objects.create(warehouse=warehouse, book=book, quantity=2)

TABLE = re.compile(r'FROM "(\w+)"')


def run(call):
    out = {"error": None, "message": "", "queries": 0, "tables": {}}
    with CaptureQueriesContext(connection) as queries:
        try:
            with transaction.atomic():
                result = call()
                if isinstance(result, QuerySet):
                    list(result)
                transaction.set_rollback(True)
        except Exception as exc:
            out["error"], out["message"] = type(exc).__name__, str(exc)[:300]
    # the savepoint of the atomic block is not the code's
    sql = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))]
    out["queries"] = len(sql)
    out["tables"] = dict(Counter(m.group(1) for s in sql for m in [TABLE.search(s)] if m))
    return out


# an empty shelf: StockItem's default manager (OnShelfManager) hides it
StockItem.all_rows.filter(warehouse__code="W0").update(quantity=0)
ARGS = {"term": "B", "last_name": "A0", "letter": "B", "day": datetime.date(2000, 1, 1), "slug": "g0", "limit": 10,
        "code": "W0"}
from bookshop import reports
results = {}
for name, func in inspect.getmembers(reports, inspect.isfunction):
    if func.__module__ == reports.__name__:
        params = inspect.signature(func).parameters
        results[name] = run(lambda: func(**{p: ARGS[p] for p in params if p in ARGS}))

from rest_framework.test import APIRequestFactory, force_authenticate
from catalog.serializers import BookSerializer
from catalog.views import BookViewSet, NewReleasesView, PublisherViewSet
from orders.views import OrderLineViewSet, OrderViewSet

# BookSerializer's stale `summary` (DJS401) would fail before any query: run the query bug alone
BookSerializer.Meta.fields = ["description" if f == "summary" else f for f in BookSerializer.Meta.fields]
factory = APIRequestFactory()


def get(view, **kwargs):
    request = factory.get("/")
    force_authenticate(request, user=staff)
    return view(request, **kwargs).render()


results["PublisherViewSet.books"] = run(lambda: get(PublisherViewSet.as_view({"get": "books"}), slug="p0"))
results["NewReleasesView"] = run(lambda: get(NewReleasesView.as_view()))
results["OrderLineViewSet"] = run(lambda: get(OrderLineViewSet.as_view({"get": "list"})))
results["BookViewSet"] = run(lambda: get(BookViewSet.as_view({"get": "list"})))
results["OrderViewSet"] = run(lambda: get(OrderViewSet.as_view({"get": "list"})))
# DJS507 is not an error: the query sees rows the default manager hides
shown = reports.sellable_isbns("W0")
hidden = sorted(StockItem.all_rows.filter(warehouse__code="W0").exclude(
    pk__in=StockItem.objects.values("pk")).values_list("book__isbn", flat=True))
results["sellable_isbns"]["hidden_rows_shown"] = bool(hidden) and set(hidden) <= set(shown)
# the manager the example added to StockItem is not migration state: makemigrations writes nothing for it
from django.db.migrations.state import ModelState
results["stockitem_migration_managers"] = [name for name, _ in ModelState.from_model(StockItem).managers]
print(json.dumps(results))
'''

# what Django does at each bug: (exception, part of its message), or ("n+1", table read once per row)
EXPECTED_BUGS = {
    "search_titles": ("FieldError", "Cannot resolve keyword 'titel' into field"),
    "reviews_of_author": ("FieldError", "Unsupported lookup 'autors__last_name' for ForeignKey"),
    "titles_starting_with": ("FieldError", "Unsupported lookup 'startwith' for CharField"),
    "paid_lines": ("FieldError", "Cannot resolve keyword 'qty' into field"),
    "latest_reviews": ("FieldError", "Cannot resolve keyword 'created' into field"),
    "lines_sold_below_list_price": ("FieldError", "Cannot resolve keyword 'prise' into field"),
    "search_books": ("FieldError", "Cannot resolve keyword 'summary' into field"),
    "items_per_warehouse": ("FieldError", "Cannot resolve keyword 'stock_items' into field"),
    "orders_since": ("FieldError", "Cannot resolve keyword 'created' into field"),
    "PublisherViewSet.books": ("AttributeError", "'Publisher' object has no attribute 'book_set'"),
    "publishers_of_genre": ("FieldError", "Cannot resolve keyword 'book' into field"),
    "books_on_sale": ("AttributeError", "type object 'Book' has no attribute 'published'"),
    "in_print_catalogue": ("AttributeError", "'InPrintManager' object has no attribute 'published'"),
    "book_cards": ("FieldError", "Invalid field name(s) given in select_related: 'authors'"),
    "order_line_sheet": ("FieldError", "Non-relational field given in select_related: 'title'"),
    "stock_sheet": ("FieldError", "Non-relational field given in select_related: 'city'"),
    "warehouse_directory": ("ValueError", "'city' does not resolve to an item that supports prefetching"),
    "poor_reviews": ("n+1", "catalog_book"),
    "items_in_stock": ("n+1", "inventory_stockitem"),
    "NewReleasesView": ("n+1", "catalog_author"),
    "OrderLineViewSet": ("n+1", "catalog_book"),
    "BookViewSet": ("n+1", "reviews_review"),  # BookSerializer.get_average_rating: obj.reviews.aggregate()
    "sellable_isbns": ("hidden rows", "StockItem.objects hides them"),
}
CORRECT = {"top_rated_books", "books_per_publisher", "stock_value_by_warehouse", "revenue_since", "OrderViewSet"}


@pytest.fixture(scope="module")
def runtime() -> dict:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(EXAMPLE), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, "-c", RUNNER, str(ROWS)], capture_output=True, text=True, env=env,
                          cwd=EXAMPLE, timeout=300, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-4000:]
    return json.loads(proc.stdout)


def manifest() -> list[dict]:
    return tomllib.loads(MANIFEST.read_text())["bug"]


def test_every_bug_fails_at_runtime_as_claimed(runtime):
    for name, (error, detail) in EXPECTED_BUGS.items():
        got = runtime[name]
        if error == "hidden rows":
            assert got["error"] is None and got["hidden_rows_shown"] is True, (name, got)
        elif error == "n+1":
            assert got["error"] is None, (name, got)
            assert got["tables"].get(detail, 0) >= ROWS, (name, got)  # the relation's table, once per row
        else:
            assert (got["error"], detail in got["message"]) == (error, True), (name, got)


def test_every_correct_twin_runs_without_error_or_n_plus_one(runtime):
    assert set(runtime) == set(EXPECTED_BUGS) | CORRECT | {"stockitem_migration_managers"}  # none left unjudged
    assert runtime["stockitem_migration_managers"] == []  # OnShelfManager needs no migration
    for name in CORRECT:
        assert runtime[name]["error"] is None, (name, runtime[name])
        assert max(runtime[name]["tables"].values(), default=0) < ROWS, (name, runtime[name])  # no table per row


def test_manifest_is_every_confirmed_bug_on_its_marked_line():
    bugs = manifest()
    assert sorted(b["runtime"] for b in bugs) == sorted(EXPECTED_BUGS)
    for bug in bugs:
        line = (EXAMPLE / bug["path"]).read_text().splitlines()[bug["line"] - 1]
        marker = MARKER.search(line)
        assert marker and marker.group(2) == bug["code"], (bug, line)


def test_every_query_marker_of_the_example_is_in_the_manifest():
    listed = {(b["path"], b["line"]) for b in manifest()}
    marked = set()
    for path in EXAMPLE.rglob("*.py"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            marker = MARKER.search(line)
            if marker and marker.group(2).startswith("DJS5"):
                marked.add((path.relative_to(EXAMPLE).as_posix(), number))
    assert marked == listed
