from django.conf import settings
from django.db import models


class LoyaltyTier(models.Model):
    name = models.CharField(max_length=50, unique=True)
    min_points = models.PositiveIntegerField(default=0)
    discount_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["min_points"]

    def __str__(self):
        return self.name


class LoyaltyAccount(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="loyalty_account"
    )
    tier = models.ForeignKey(LoyaltyTier, on_delete=models.PROTECT, related_name="accounts")
    points = models.PositiveIntegerField(default=0)
    signup_promotion = models.ForeignKey(
        "promotions.Promotion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="loyalty_signups",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} ({self.points} pts)"
