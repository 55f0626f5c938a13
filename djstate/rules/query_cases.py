"""The small shop the DJS5xx rules' embedded cases run on (tests/data/queryshop's models, with
the migration Django wrote for them)."""

from __future__ import annotations

from djstate.rules.base import Case

MODELS = """from django.db import models


class Publisher(models.Model):
    name = models.CharField(max_length=100)
    country = models.CharField(max_length=2, blank=True)

    published = models.Manager()  # the only manager: Django adds no `objects`


class Author(models.Model):
    name = models.CharField(max_length=100)
    mentor = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")


class Tag(models.Model):
    label = models.CharField(max_length=50)


class BookQuerySet(models.QuerySet):
    def cheap(self):
        return self.filter(price__lt=10)

    def rated(self):
        return self.annotate(stars=models.Avg("reviews__rating"))


class Book(models.Model):
    title = models.CharField(max_length=200)
    price = models.DecimalField(max_digits=6, decimal_places=2)
    published_on = models.DateField()
    publisher = models.ForeignKey(Publisher, on_delete=models.CASCADE, related_name="books")
    # the accessor stays author.book_set; in queries the relation is called "work"
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_query_name="work")
    tags = models.ManyToManyField(Tag, related_name="books", blank=True)

    objects = BookQuerySet.as_manager()


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="reviews")
    rating = models.PositiveSmallIntegerField()
    body = models.TextField(blank=True)
"""

MIGRATION = """
import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Publisher',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('country', models.CharField(blank=True, max_length=2)),
            ],
            managers=[
                ('published', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('label', models.CharField(max_length=50)),
            ],
        ),
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('mentor', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='shop.author')),
            ],
        ),
        migrations.CreateModel(
            name='Book',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('price', models.DecimalField(decimal_places=2, max_digits=6)),
                ('published_on', models.DateField()),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_query_name='work', to='shop.author')),
                ('publisher', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='books', to='shop.publisher')),
                ('tags', models.ManyToManyField(blank=True, related_name='books', to='shop.tag')),
            ],
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rating', models.PositiveSmallIntegerField()),
                ('body', models.TextField(blank=True)),
                ('book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='shop.book')),
            ],
        ),
    ]
"""

APPS = "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n"

HEADER = (
    "from django.db.models import Avg, Count, F, Prefetch, Q\n"
    "from django.shortcuts import get_object_or_404\n\n"
    "from .models import Author, Book, Publisher, Review, Tag\n\n\n"
)


def query_case(source: str, **extra: str) -> Case:
    """The shop app with ``source`` as its queries.py (after the imports)."""
    return Case({"shop/__init__.py": "", "shop/apps.py": APPS, "shop/models.py": MODELS,
                 "shop/migrations/__init__.py": "", "shop/migrations/0001_initial.py": MIGRATION,
                 "shop/queries.py": HEADER + source, **extra})  # fmt: skip
