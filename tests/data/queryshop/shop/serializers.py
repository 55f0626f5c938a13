from rest_framework import serializers

from .models import Book


class BookSerializer(serializers.ModelSerializer):
    publisher_name = serializers.CharField(source="publisher.name", read_only=True)

    class Meta:
        model = Book
        fields = ["id", "title", "publisher_name"]
