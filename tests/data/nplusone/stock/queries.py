"""Loops over items: each function is run against SQLite by tests/test_n_plus_one_runtime.py."""

from .models import Item


def shelves_through_selecting_manager():
    return [item.shelf.name for item in Item.objects.all()]  # the manager's get_queryset selects shelf


def shelves_through_plain_manager():
    return [item.shelf.name for item in Item.plain.all()]  # djstate: expect DJS505


def shelves_selected():
    return [item.shelf.name for item in Item.plain.select_related("shelf")]
