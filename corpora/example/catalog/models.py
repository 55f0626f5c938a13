from django.db import models
from django.db.models import Q
from django.utils import timezone


class Publisher(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    website = models.URLField(blank=True)

    def __str__(self):
        return self.name


class AuthorQuerySet(models.QuerySet):
    def with_books(self):
        return self.filter(books__isnull=False).distinct()


class Author(models.Model):
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    bio = models.TextField(blank=True)

    objects = AuthorQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]
        unique_together = [("first_name", "last_name")]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"


class Genre(models.Model):
    name = models.CharField(max_length=80, unique=True)  # djstate: expect DJS212 (max_length 50 in migrations)
    slug = models.SlugField(unique=True)

    def __str__(self):
        return self.name


class BookQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_on__isnull=False)

    def by_publisher(self, publisher):
        return self.filter(publisher=publisher)


class InPrintManager(models.Manager):
    """Books whose publication date has been reached (no pre-orders)."""

    def get_queryset(self):
        return super().get_queryset().filter(published_on__lte=timezone.localdate())


class Book(models.Model):  # djstate: expect DJS211 (migrations still have `subtitle`, from the broken 0010)
    class Format(models.TextChoices):
        HARDCOVER = "hardcover", "Hardcover"
        PAPERBACK = "paperback", "Paperback"
        EBOOK = "ebook", "E-book"
        AUDIOBOOK = "audiobook", "Audiobook"

    title = models.CharField(max_length=255)
    isbn = models.CharField("ISBN", max_length=13, unique=True)
    description = models.TextField(blank=True)
    format = models.CharField(max_length=20, choices=Format.choices, default=Format.PAPERBACK)
    price = models.DecimalField(max_digits=8, decimal_places=2)
    published_on = models.DateField(null=True, blank=True)
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT, related_name="books")
    authors = models.ManyToManyField(Author, through="BookAuthor", related_name="books")
    genres = models.ManyToManyField(Genre, related_name="books", blank=True)
    is_featured = models.BooleanField(default=False)  # djstate: expect DJS211 (no migration adds it)

    objects = BookQuerySet.as_manager()
    in_print = InPrintManager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["published_on"], name="catalog_book_pub_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="catalog_book_price_gte_0"),
        ]

    def __str__(self):
        return self.title


class BookAuthor(models.Model):
    """Explicit through table for Book.authors (keeps the original M2M table)."""

    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        db_table = "catalog_book_authors"
        ordering = ["position"]
        unique_together = [("book", "author")]
