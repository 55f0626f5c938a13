from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """Bookshop customer or staff member."""

    phone_number = models.CharField(max_length=20, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    newsletter_opt_in = models.BooleanField(default=False)

    def __str__(self):
        return self.get_full_name() or self.username
