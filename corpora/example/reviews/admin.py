from django.contrib import admin

from .models import Review


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("book", "author", "rating", "is_verified_purchase", "created_at")
    list_filter = ("rating", "is_verified_purchase")
    raw_id_fields = ("book", "author")
