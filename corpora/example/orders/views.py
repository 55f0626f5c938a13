from django.db import transaction
from rest_framework import permissions, viewsets

from .models import Order, OrderLine
from .serializers import OrderLineSerializer, OrderSerializer


class OrderViewSet(viewsets.ModelViewSet):
    serializer_class = OrderSerializer
    permission_classes = [permissions.IsAuthenticated]

    def get_queryset(self):
        return (
            Order.objects.filter(customer=self.request.user)
            .prefetch_related("lines__book")
            .order_by("-created_at")
        )

    @transaction.atomic
    def perform_create(self, serializer):
        serializer.save(customer=self.request.user)


class OrderLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Every order line, newest first: the warehouse team's picking list."""

    queryset = OrderLine.objects.order_by("-order__created_at")  # djstate: expect DJS506 (book_title reads line.book, not selected)
    serializer_class = OrderLineSerializer
    permission_classes = [permissions.IsAdminUser]
