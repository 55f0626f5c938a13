from rest_framework import serializers

from .models import Order, OrderLine


class OrderLineSerializer(serializers.ModelSerializer):
    book_title = serializers.CharField(source="book.title", read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "book", "book_title", "quantity", "unit_price"]
        read_only_fields = ["unit_price"]


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    line_count = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id",
            "status",
            "shipping_address",
            "gift_note",
            "coupon_code",
            "total",
            "lines",
            "line_count",
            "created_at",
        ]
        read_only_fields = ["status", "total", "created_at"]

    def get_line_count(self, obj):
        return obj.lines.count()
