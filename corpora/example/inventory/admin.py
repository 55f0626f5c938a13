from django.contrib import admin

from .models import RestockOrder, StockItem, Warehouse


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "city")


@admin.register(StockItem)
class StockItemAdmin(admin.ModelAdmin):
    list_display = ("book", "warehouse", "quantity", "updated_at")
    list_filter = ("warehouse",)
    raw_id_fields = ("book",)


@admin.register(RestockOrder)
class RestockOrderAdmin(admin.ModelAdmin):
    list_display = ("id", "publisher", "warehouse", "status", "created_at")
    list_filter = ("status", "warehouse")
