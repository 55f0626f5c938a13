from rest_framework import viewsets

from .models import Book
from .serializers import BookSerializer


class BookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.all()  # djstate: expect DJS506
    serializer_class = BookSerializer


class FastBookViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Book.objects.select_related("publisher")
    serializer_class = BookSerializer


class RecentBookViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = BookSerializer

    def get_queryset(self):
        return Book.objects.select_related("publisher").order_by("-published_on")
