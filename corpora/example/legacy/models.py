from django.db import models


class LegacyCustomer(models.Model):
    """Customer record imported from the old shop system (read-only archive)."""

    customer_no = models.CharField(max_length=20, unique=True)
    email = models.EmailField()
    full_name = models.CharField(max_length=200)
    imported_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.customer_no} {self.full_name}"
