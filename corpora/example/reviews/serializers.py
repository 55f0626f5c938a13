from rest_framework import serializers

from .models import Review


class ReviewSerializer(serializers.ModelSerializer):
    author = serializers.HiddenField(default=serializers.CurrentUserDefault())
    author_name = serializers.SerializerMethodField()  # djstate: expect DJS408 (no get_author_name method)
    book_title = serializers.CharField(source="book.title", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "book",
            "book_title",
            "author",
            "author_name",
            "rating",
            "title",
            "body",
            "is_verified_purchase",
            "created_at",
        ]
        read_only_fields = ["is_verified_purchase", "created_at"]
