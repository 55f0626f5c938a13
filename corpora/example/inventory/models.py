from django.db import models


class Warehouse(models.Model):
    code = models.CharField(max_length=10, unique=True)
    name = models.CharField(max_length=100)
    city = models.CharField(max_length=100, blank=True)

    def __str__(self):
        return f"{self.code} ({self.name})"


class OnShelfManager(models.Manager):
    """Stock rows with copies on the shelf: what the shop can sell."""

    def get_queryset(self):
        return super().get_queryset().filter(quantity__gt=0)


class StockItem(models.Model):
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="stock")
    book = models.ForeignKey("catalog.Book", on_delete=models.CASCADE, related_name="stock_items")
    quantity = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OnShelfManager()
    all_rows = models.Manager()  # stocktaking sees the empty shelves too

    class Meta:
        unique_together = [("warehouse", "book")]

    def __str__(self):
        return f"{self.book} @ {self.warehouse.code}: {self.quantity}"


class RestockOrder(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENT = "sent", "Sent to publisher"
        RECEIVED = "received", "Received"

    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="restock_orders")
    publisher = models.ForeignKey(  # djstate: expect DJS212 (the migration's `to` has the Publsher typo)
        "catalog.Publisher", on_delete=models.PROTECT, related_name="restock_orders"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    received_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Restock #{self.pk} from {self.publisher}"
