from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.djs505_n_plus_one_loop import SELECTING_MANAGER_APP
from djstate.rules.query_cases import query_case

SERIALIZERS = (
    "from rest_framework import serializers\n\n"
    "from .models import Book, Publisher\n\n\n"
    "class PublisherSerializer(serializers.ModelSerializer):\n"
    "    class Meta:\n"
    "        model = Publisher\n"
    "        fields = ['id', 'name']\n\n\n"
    "class BookSerializer(serializers.ModelSerializer):\n"
    "    publisher_name = serializers.CharField(source='publisher.name', read_only=True)\n\n"
    "    class Meta:\n"
    "        model = Book\n"
    "        fields = ['id', 'title', 'publisher_name']\n\n\n"
    "class NestedBookSerializer(serializers.ModelSerializer):\n"
    "    publisher = PublisherSerializer(read_only=True)\n\n"
    "    class Meta:\n"
    "        model = Book\n"
    "        fields = ['id', 'title', 'publisher']\n"
)
VIEWS_HEADER = (
    "from rest_framework import generics, viewsets\n\n"
    "from .models import Book\n"
    "from .serializers import BookSerializer, NestedBookSerializer\n\n\n"
)


class NPlusOneDRF(Rule):
    """A DRF view whose serializer reads a relation its queryset does not load.

    ## What it does
    For a view or viewset built directly on DRF's classes with ``queryset = Model.<manager>...``
    (or a ``get_queryset`` that returns one such chain) and a plain ``serializer_class``, it
    finds the relations the serializer walks for every object: a declared field with a
    dotted ``source`` through a foreign key or one-to-one relation (``source="publisher.name"``)
    and a nested serializer on a relation. Each one the queryset neither ``select_related``
    nor ``prefetch_related`` is reported at the queryset. Only views that list (``ListAPIView``,
    ``ListCreateAPIView``, ``ModelViewSet``, ``ReadOnlyModelViewSet``, ``ListModelMixin``) are
    judged: a retrieve, update or create view serializes one object. Views that override
    ``get``, ``get_serializer_class``, ``list``, ``get_object`` and the like, chains with custom
    methods or computed arguments, and chains on a manager with a ``get_queryset()`` of its own
    (it may select the relation) are not judged.

    ## Why it matters
    A list endpoint then makes one query per object for each such relation: fine in tests
    with three rows, slow in production with a page of a hundred.

    ## Example
    ```python
    class BookSerializer(serializers.ModelSerializer):
        publisher_name = serializers.CharField(source="publisher.name")

    class BookViewSet(viewsets.ReadOnlyModelViewSet):
        queryset = Book.objects.all()          # one publisher query per book
        serializer_class = BookSerializer
    ```

    ## Fix
    ``queryset = Book.objects.select_related("publisher")`` (``prefetch_related`` for
    many-valued relations).
    """

    code = "DJS506"
    name = "n-plus-one-drf"
    severity = "warning"
    needs_models = True
    needs_serializers = True
    needs_queries = True

    VALID = [
        query_case("", **{
            "shop/serializers.py": SERIALIZERS,
            "shop/views.py": VIEWS_HEADER + (
                "class BookViewSet(viewsets.ReadOnlyModelViewSet):\n"
                "    queryset = Book.objects.select_related('publisher')\n"
                "    serializer_class = BookSerializer\n\n\n"
                "class NestedBookList(generics.ListAPIView):\n"
                "    serializer_class = NestedBookSerializer\n\n"
                "    def get_queryset(self):\n"
                "        return Book.objects.select_related('publisher').order_by('title')\n"
                "\n\n"
                "class BookDetail(generics.RetrieveUpdateAPIView):  # one object per request: no N+1\n"
                "    queryset = Book.objects.all()\n"
                "    serializer_class = BookSerializer\n\n\n"
                "class BookListOwnGet(generics.ListAPIView):  # its own get() may not list\n"
                "    queryset = Book.objects.all()\n"
                "    serializer_class = BookSerializer\n\n"
                "    def get(self, request):\n"
                "        from rest_framework.response import Response\n\n"
                "        return Response(self.get_serializer(self.get_queryset().first()).data)\n"
            ),
        }),  # fmt: skip
        # the default manager's get_queryset() selects the shelf
        query_case("", **SELECTING_MANAGER_APP, **{
            "stock/serializers.py": (
                "from rest_framework import serializers\n\n"
                "from .models import Item\n\n\n"
                "class ItemSerializer(serializers.ModelSerializer):\n"
                "    shelf_name = serializers.CharField(source='shelf.name', read_only=True)\n\n"
                "    class Meta:\n"
                "        model = Item\n"
                "        fields = ['id', 'name', 'shelf_name']\n"
            ),
            "stock/views.py": (
                "from rest_framework import generics\n\n"
                "from .models import Item\n"
                "from .serializers import ItemSerializer\n\n\n"
                "class ItemList(generics.ListAPIView):\n"
                "    queryset = Item.objects.all()\n"
                "    serializer_class = ItemSerializer\n"
            ),
        }),  # fmt: skip
    ]
    INVALID = [
        query_case("", **{
            "shop/serializers.py": SERIALIZERS,
            "shop/views.py": VIEWS_HEADER + (
                "class BookViewSet(viewsets.ReadOnlyModelViewSet):\n"
                "    queryset = Book.objects.all()  # expect: DJS506\n"
                "    serializer_class = BookSerializer\n\n\n"
                "class NestedBookList(generics.ListAPIView):\n"
                "    serializer_class = NestedBookSerializer\n\n"
                "    def get_queryset(self):\n"
                "        return Book.objects.order_by('title')  # expect: DJS506\n"
            ),
        }),  # fmt: skip
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
