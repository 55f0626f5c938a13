"""DRF views on items: each is run against SQLite by tests/test_n_plus_one_runtime.py."""

from rest_framework import generics, mixins, viewsets

from .models import Item
from .serializers import ItemSerializer


class ItemList(generics.ListAPIView):
    queryset = Item.plain.all()  # djstate: expect DJS506
    serializer_class = ItemSerializer


class ItemMixinViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = Item.plain.order_by("name")  # djstate: expect DJS506
    serializer_class = ItemSerializer


class ItemDetail(generics.RetrieveUpdateAPIView):
    queryset = Item.plain.all()  # one object per request: its shelf is one query, not one per row
    serializer_class = ItemSerializer


class SelectedItemList(generics.ListAPIView):
    queryset = Item.objects.all()  # the manager's get_queryset selects shelf
    serializer_class = ItemSerializer
