from django.apps import AppConfig


class ScratchConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "scratch"
    verbose_name = "Scratch notes"
