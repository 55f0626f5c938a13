from rest_framework import serializers

from .models import Item


class ItemSerializer(serializers.ModelSerializer):
    shelf_name = serializers.CharField(source="shelf.name", read_only=True)

    class Meta:
        model = Item
        fields = ["id", "name", "shelf_name"]
