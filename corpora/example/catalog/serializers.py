from django.db.models import Avg
from rest_framework import serializers

from .models import Author, Book, Genre, Publisher


class PublisherSerializer(serializers.ModelSerializer):
    class Meta:
        model = Publisher
        fields = ["id", "name", "slug", "website"]


class AuthorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Author
        fields = ["id", "first_name", "last_name", "bio"]


class GenreSerializer(serializers.ModelSerializer):
    class Meta:
        model = Genre
        fields = ["id", "name", "slug"]


class BookSerializer(serializers.ModelSerializer):
    publisher = serializers.SlugRelatedField(slug_field="slug", queryset=Publisher.objects.all())
    authors = AuthorSerializer(many=True, read_only=True)
    genres = serializers.SlugRelatedField(
        slug_field="slug", many=True, queryset=Genre.objects.all(), required=False
    )
    average_rating = serializers.SerializerMethodField()

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "isbn",
            "summary",  # djstate: expect DJS401 (the model field was renamed to Book.description)
            "format",
            "price",
            "published_on",
            "publisher",
            "authors",
            "genres",
            "average_rating",
        ]

    def get_average_rating(self, obj):
        return obj.reviews.aggregate(avg=Avg("rating"))["avg"]  # djstate: expect DJS506 one aggregate query per book in BookViewSet's list (annotate Avg in get_queryset)
