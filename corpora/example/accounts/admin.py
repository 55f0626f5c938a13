from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = BaseUserAdmin.fieldsets + (
        ("Bookshop", {"fields": ("phone_number", "date_of_birth", "newsletter_opt_in")}),
    )
    list_display = ("username", "email", "first_name", "last_name", "newsletter_opt_in", "is_staff")
