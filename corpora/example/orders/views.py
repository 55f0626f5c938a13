from django.db import transaction
from rest_framework import permissions, viewsets

from .models import Order
from .serializers import OrderSerializer


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
