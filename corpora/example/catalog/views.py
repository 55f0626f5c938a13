from rest_framework import generics, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from .models import Author, Book, Genre, Publisher
from .serializers import AuthorSerializer, BookSerializer, GenreSerializer, PublisherSerializer


class PublisherViewSet(viewsets.ModelViewSet):
    queryset = Publisher.objects.all()
    serializer_class = PublisherSerializer
    lookup_field = "slug"

    @action(detail=True)
    def books(self, request, slug=None):
        publisher = self.get_object()
        books = publisher.book_set.order_by("-published_on")  # djstate: expect DJS502 (default reverse name used, related_name is "books")
        page = self.paginate_queryset(books)
        serializer = BookSerializer(page, many=True, context={"request": request})
        return self.get_paginated_response(serializer.data)


class AuthorViewSet(viewsets.ModelViewSet):
    queryset = Author.objects.with_books()
    serializer_class = AuthorSerializer


class GenreViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Genre.objects.order_by("name")
    serializer_class = GenreSerializer
    lookup_field = "slug"


class BookViewSet(viewsets.ModelViewSet):
    serializer_class = BookSerializer

    def get_queryset(self):
        queryset = Book.objects.select_related("publisher").prefetch_related("authors", "genres")
        publisher = self.request.query_params.get("publisher")
        if publisher:
            queryset = queryset.filter(publisher__slug=publisher)
        return queryset

    @action(detail=False)
    def featured(self, request):
        books = self.get_queryset().published().order_by("-published_on")[:10]
        return Response(self.get_serializer(books, many=True).data)


class NewReleasesView(generics.ListAPIView):
    """Latest books that can be ordered right now."""

    serializer_class = BookSerializer

    def get_queryset(self):
        return Book.objects.filter(published_on__isnull=False).order_by("-published_on")  # djstate: expect DJS506 (authors not prefetched); future: query on .objects where the custom manager Book.in_print is intended
