from django.db import models


class Shelf(models.Model):
    name = models.CharField(max_length=50)


class WithShelf(models.Manager):
    """Every item comes with its shelf: the manager selects it."""

    def get_queryset(self):
        return super().get_queryset().select_related("shelf")


class Item(models.Model):
    name = models.CharField(max_length=50)
    shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE, related_name="items")

    objects = WithShelf()
    plain = models.Manager()
