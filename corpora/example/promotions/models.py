from django.db import models


class Promotion(models.Model):
    code = models.CharField(max_length=30, unique=True)
    description = models.CharField(max_length=255, blank=True)
    discount_percent = models.PositiveSmallIntegerField()
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    required_tier = models.ForeignKey(
        "loyalty.LoyaltyTier",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotions",
        help_text="Only members of this tier (or higher) may use the code.",
    )

    def __str__(self):
        return self.code
