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
RATED_SERIALIZERS = (
    "from django.db.models import Avg\n"
    "from rest_framework import serializers\n\n"
    "from .models import Book\n\n\n"
    "class CountedBookSerializer(serializers.ModelSerializer):\n"
    "    review_count = serializers.SerializerMethodField()\n\n"
    "    class Meta:\n"
    "        model = Book\n"
    "        fields = ['id', 'title', 'review_count']\n\n"
    "    def get_review_count(self, obj):\n"
    "        return obj.reviews.count()\n\n\n"
    "class RatedBookSerializer(serializers.ModelSerializer):\n"
    "    rating = serializers.SerializerMethodField()\n\n"
    "    class Meta:\n"
    "        model = Book\n"
    "        fields = ['id', 'title', 'rating']\n\n"
    "    def get_rating(self, obj):\n"
    "        return obj.reviews.aggregate(avg=Avg('rating'))['avg']  # expect: DJS506\n"
)
RATED_VIEWS = (
    "from rest_framework import generics\n\n"
    "from .models import Book\n"
    "from .serializers import CountedBookSerializer, RatedBookSerializer\n\n\n"
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
    a nested serializer on a relation, and what a ``SerializerMethodField``'s method reads on
    the object (``obj.publisher.name``, ``obj.reviews.count()``). Each one the queryset neither
    ``select_related`` nor ``prefetch_related`` is reported at the queryset. A method that runs
    a query on a related manager (``obj.reviews.aggregate(...)``, ``.filter(...)``) queries once
    per object whatever was prefetched: it is reported at the method. Only views that list (``ListAPIView``,
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
    many-valued relations). For a query in a method field, annotate the value in the view's
    queryset (``.annotate(avg=Avg("reviews__rating"))``) and read it in the method.
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
        # a method field's count() of the reviews, served by prefetch_related's cache
        query_case("", **{
            "shop/serializers.py": RATED_SERIALIZERS.split("\n\n\nclass RatedBookSerializer")[0] + "\n",
            "shop/views.py": RATED_VIEWS.replace(", RatedBookSerializer", "") + (
                "class CountedBookList(generics.ListAPIView):\n"
                "    queryset = Book.objects.prefetch_related('reviews')\n"
                "    serializer_class = CountedBookSerializer\n"
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
        # a method field's aggregate: one query per book, prefetched or not; a count() of the
        # reviews without prefetch_related
        query_case("", **{
            "shop/serializers.py": RATED_SERIALIZERS,
            "shop/views.py": RATED_VIEWS + (
                "class RatedBookList(generics.ListAPIView):\n"
                "    queryset = Book.objects.prefetch_related('reviews')\n"
                "    serializer_class = RatedBookSerializer\n\n\n"
                "class CountedBookList(generics.ListAPIView):\n"
                "    queryset = Book.objects.all()  # expect: DJS506\n"
                "    serializer_class = CountedBookSerializer\n"
            ),
        }),  # fmt: skip
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
