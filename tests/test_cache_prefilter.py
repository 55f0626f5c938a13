"""The 'queries' prefilter (djstate.markers.may_hold_queries): a module whose bytes cannot hold
a query chain, an attribute use or a custom lookup is not parsed, and parsing it would have
given nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

import djstate.cache as cache
from djstate.cache import FactsStore, Request
from djstate.discover import walk
from djstate.markers import may_hold_queries
from djstate.parse import parse_file

REPO = Path(__file__).resolve().parent.parent

HOLDING = {
    "manager chain": "from shop.models import Book\n\n\ndef f():\n    return Book.objects.filter(title='x')\n",
    "chain over lines": "from shop.models import Book\n\nqs = (\n    Book  # the model\n    .objects\n    .all()\n)\n",
    "continued line": "from shop.models import Book\n\nqs = Book.objects \\\n    .filter(title='x')\n",
    "annotated parameter": "from shop.models import Book\n\n\ndef f(book: Book):\n    return book.titel\n",
    "get_object_or_404": (
        "from django.shortcuts import get_object_or_404\nfrom shop.models import Book\n\n\n"
        "def f(pk):\n    book = get_object_or_404(Book, pk=pk)\n    return book.titel\n"
    ),
    "custom lookup": "from django.db.models import CharField\n\nCharField.register_lookup(Lower)\n",
}
EMPTY = {
    "constants": "PAGE_SIZE = 20\nNAMES = ['a', 'b']\n",
    "imports only": "from shop.models import Book  # noqa\n\n__all__ = ['Book']\n",
    "plain functions": "import os\n\n\ndef path(name):\n    return os.path.join('x', name.lower())\n",
}


@pytest.mark.parametrize("name", sorted(HOLDING))
def test_a_module_with_something_to_read_is_parsed(name):
    data = HOLDING[name].encode()
    assert may_hold_queries(data)
    queries = parse_file("shop/views.py", "shop.views", data, "queries").queries
    assert queries.chains or queries.uses or queries.registers_lookups


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_a_module_without_is_skipped_and_would_give_nothing(name, tmp_path, monkeypatch):
    data = EMPTY[name].encode()
    assert not may_hold_queries(data)
    parsed = parse_file("shop/util.py", "shop.util", data, "queries").queries
    assert not (parsed.chains or parsed.uses or parsed.views or parsed.registers_lookups)
    (tmp_path / "util.py").write_bytes(data)
    calls = []
    monkeypatch.setattr(cache, "_parse", lambda args: calls.append(args) or pytest.fail("parsed"))
    store = FactsStore(tmp_path, None, jobs=1)
    facts = store.facts([Request("util.py", "util", "queries")])["util.py"]
    assert calls == [] and store.stats.skipped == 1
    assert facts.queries is not None and not (facts.queries.chains or facts.queries.uses or facts.queries.views)


def test_non_ascii_source_is_always_parsed():
    assert may_hold_queries("Ärger = 1\n".encode())


def test_no_module_of_the_repository_corpora_loses_anything():
    """Every module of the example project and the test fixtures the prefilter skips gives no
    chain, use, view or lookup when parsed."""
    checked = 0
    for root in (REPO / "corpora" / "example", REPO / "tests" / "fixtures"):
        tree = walk(root)
        for module, path in tree.modules.items():
            data = (root / path).read_bytes()
            if "/migrations/" in f"/{path}" or may_hold_queries(data):
                continue
            queries = parse_file(path, module, data, "queries").queries
            if queries is None:
                continue  # not Python that parses: nothing either way
            assert not (queries.chains or queries.uses or queries.views or queries.registers_lookups), path
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("data", [
    b"X = 1  #" + b"#" * 40 + b"\n",  # a run of '#' once split in exponentially many ways
    b"DATA = '" + b"A" * 50_000 + b"'\n",  # a long capitalised word once took quadratic time
    b"Foo." + b"# x\n" * 5_000,
])
def test_the_prefilter_is_linear_on_pathological_text(data):
    import time

    from djstate.markers import may_hold_queries

    start = time.perf_counter()
    may_hold_queries(data)
    assert time.perf_counter() - start < 0.5
