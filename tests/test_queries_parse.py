"""The parse layer's query facts (djstate/parse/queries.py) on the query anchor."""

from __future__ import annotations

from pathlib import Path

from djstate.parse import parse_file

SHOP = Path(__file__).resolve().parent / "data" / "queryshop" / "shop"


def facts(name: str, source: str | None = None):
    data = source.encode() if source is not None else (SHOP / f"{name}.py").read_bytes()
    return parse_file(f"shop/{name}.py", f"shop.{name}", data, "queries").queries


def test_manager_chains_with_their_names_and_roles():
    chains = facts("queries").chains
    by_line = {c.span.line: c for c in chains if c.root == "manager"}
    titel = by_line[17]
    assert (titel.attribute, titel.source.path) == ("objects", "shop.models.Book")
    assert [(n.text, n.role) for n in titel.calls[0].names] == [("titel__icontains", "filter")]
    q_names = [(n.text, n.role) for n in by_line[114].calls[0].names]
    assert q_names == [("titel__startswith", "filter"), ("price__lt", "filter")]  # inside Q() | Q()
    count = by_line[126].calls
    assert [c.method for c in count] == ["annotate", "filter", "order_by"]
    assert count[0].introduces == ("n",) and [n.text for n in count[0].names] == ["reviews"]
    assert [n.text for n in by_line[154].calls[0].names] == ["titel"]  # **{"titel": ...}
    assert [(n.text, n.role) for n in by_line[186].calls[0].names] == [("reviewz", "prefetch")]  # Prefetch("reviewz")


def test_instances_loops_and_related_managers():
    found = facts("queries")
    first, related = found.chains[0], found.chains[1]
    assert (first.attribute, first.calls[0].method) == ("published", "first")
    assert (related.root, related.attribute, related.source.chain) == ("related", "book_set", 0)
    loop_uses = [u for u in found.uses if u.attributes == ("publisher", "name") and u.in_loop_body]
    assert {u.span.line for u in loop_uses} == {39, 76, 82, 223}


def test_views_queryset_and_get_queryset():
    views = facts("views").views
    assert [(v.view, v.serializer) for v in views] == [
        ("BookViewSet", "shop.serializers.BookSerializer"),
        ("FastBookViewSet", "shop.serializers.BookSerializer"),
        ("RecentBookViewSet", "shop.serializers.BookSerializer"),
    ]


def test_computed_arguments_make_a_call_incomplete_and_locals_shadow():
    found = facts("x", (
        "from shop.models import Book\n"
        "def f(lookups, Book2):\n"
        "    Book.objects.filter(**lookups)\n"
        "    Book.objects.annotate(**lookups).filter(x=1)\n"
        "    Book = None\n"
        "    Book.objects.filter(y=1)\n"
    ))  # fmt: skip
    first, second = found.chains
    assert not first.calls[0].complete
    assert second.calls[0].introduces == ("*",)
    assert len(found.chains) == 2  # a local Book is not the model


def test_branches_forget_what_they_disagree_on_and_views_type_get_object():
    found = facts("x", (
        "from rest_framework import viewsets\n"
        "from shop.models import Book, Publisher\n"
        "def f(x):\n"
        "    qs = Book.objects.all()\n"
        "    if x:\n"
        "        qs = qs.annotate(n=1)\n"
        "    qs.filter(n=1)\n"
        "class PublisherViewSet(viewsets.ModelViewSet):\n"
        "    queryset = Publisher.published.all()\n"
        "    def books(self, request):\n"
        "        publisher = self.get_object()\n"
        "        return publisher.book_set.all()\n"
    ))  # fmt: skip
    roots = [(c.root, c.span.line) for c in found.chains]
    assert ("queryset", 7) not in roots  # qs differs between the branches: not followed
    use = next(u for u in found.uses if u.attributes == ("book_set",))
    assert found.chains[use.source.chain].source.path == "shop.models.Publisher"
