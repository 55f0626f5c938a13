"""Oracle for drift (DJS210-213): djstate's operations equal Django's autodetector's.

Each case starts from a small app whose migrations match its models exactly (the
migrations below were written by Django 5.2's ``makemigrations`` and are embedded
verbatim), then makes ONE edit to ``models.py``. The project is written into ``tmp_path``
and judged twice:

- Django, in a subprocess with ``tmp_path`` on ``PYTHONPATH``, runs
  ``MigrationAutodetector(loader.project_state(), ProjectState.from_apps(apps),
  NonInteractiveMigrationQuestioner(...)).changes(graph=loader.graph)``, exactly what
  ``makemigrations --dry-run`` computes, and reports each operation as
  ``(class name, model name lowercased, field name or None)``;
- djstate scans the same folder; every DJS210-213 finding names the operation after
  "makemigrations would write " (DJS213's "RemoveIndex+AddIndex" counts as both), with the
  finding's model and field.

The two sets must be equal. On top of that every drift finding of a case must have the
severity the rule docs give it: "error" for what changes the database, "warning" for
what only changes Django's state (defaults, help texts, choices, Meta options, managers,
proxy and unmanaged models).

A case where djstate and Django disagree stays in the table, marked
``xfail(strict=True)`` with the exact difference as its reason, until djstate is fixed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import SETTINGS

pytestmark = pytest.mark.oracle

DRIFT_CODES = ("DJS210", "DJS211", "DJS212", "DJS213")
OPERATION = re.compile(r"makemigrations would write ([A-Za-z+]+)")

# --- the oracle: Django's autodetector in a subprocess ---------------------------------------

AUTODETECT = SETTINGS + r'''
import json

from django.apps import apps
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.operations.fields import FieldOperation
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState

labels = {config.label for config in apps.get_app_configs() if config.name in modules}
loader = MigrationLoader(None, ignore_no_migrations=True)
questioner = NonInteractiveMigrationQuestioner(specified_apps=labels, dry_run=True)
autodetector = MigrationAutodetector(
    loader.project_state(), ProjectState.from_apps(apps), questioner
)
changes = autodetector.changes(graph=loader.graph, trim_to_apps=labels)

operations = []
for migrations in changes.values():
    for migration in migrations:
        for op in migration.operations:
            if isinstance(op, FieldOperation):
                operations.append([type(op).__name__, op.model_name.lower(), op.name])
            elif hasattr(op, "model_name"):  # indexes and constraints
                operations.append([type(op).__name__, op.model_name.lower(), None])
            else:  # model operations
                operations.append([type(op).__name__, op.name.lower(), None])
json.dump(operations, sys.stdout)
'''


def django_operations(root: Path, modules: list[str]) -> set[tuple[str, str, str | None]]:
    """What ``makemigrations`` would write for the project at ``root``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(root), env.get("PYTHONPATH", "")) if p)
    command = [sys.executable, "-c", AUTODETECT, *modules]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=root)
    if proc.returncode != 0:
        raise RuntimeError(f"the autodetector failed:\n{proc.stderr[-4000:]}")
    return {tuple(op) for op in json.loads(proc.stdout)}


def djstate_operations(root: Path) -> tuple[set[tuple[str, str, str | None]], list, int]:
    """djstate's drift findings as operations, the findings themselves, and its unverified count."""
    result = run_scan(root)
    findings = [f for f in result.findings if f.code in DRIFT_CODES]
    operations = set()
    for finding in findings:
        match = OPERATION.search(finding.message)
        assert match, f"drift finding without an operation: {finding.message}"
        for name in match.group(1).split("+"):
            operations.add((name, (finding.model or "").lower(), finding.field))
    return operations, findings, result.project.unverified


# --- the starting apps, exactly as makemigrations wrote them ----------------------------------


def apps_py(module: str) -> str:
    return (
        "from django.apps import AppConfig\n\n\n"
        f"class {module.title()}Config(AppConfig):\n"
        '    default_auto_field = "django.db.models.BigAutoField"\n'
        f'    name = "{module}"\n'
    )


SHOP_MODELS = '''\
from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField()
    bio = models.TextField(blank=True, default="")


class Publisher(models.Model):
    name = models.CharField(max_length=100, unique=True)
    country = models.CharField(max_length=2, blank=True)


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)


class Book(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"

    title = models.CharField(max_length=200)
    isbn = models.CharField(max_length=13)
    pages = models.IntegerField(default=0)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    editor = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, blank=True, related_name="edited_books")
    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT)
    tags = models.ManyToManyField(Tag, blank=True)
    published_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["title"]
        indexes = [models.Index(fields=["status", "published_on"], name="book_status_idx")]
        constraints = [
            models.UniqueConstraint(fields=["isbn"], name="book_isbn_unique"),
            models.CheckConstraint(condition=models.Q(pages__gte=0), name="book_pages_gte_0"),
        ]


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    reviewer = models.CharField(max_length=50, default="")
    rating = models.PositiveSmallIntegerField()
    text = models.TextField(blank=True)

    class Meta:
        unique_together = [("book", "reviewer")]
'''

SHOP_0001 = '''\
# Generated by Django 5.2.19 on 2026-11-26 15:53

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100)),
                ('email', models.EmailField(max_length=254)),
                ('bio', models.TextField(blank=True, default='')),
            ],
        ),
        migrations.CreateModel(
            name='Publisher',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=100, unique=True)),
                ('country', models.CharField(blank=True, max_length=2)),
            ],
        ),
        migrations.CreateModel(
            name='Book',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=200)),
                ('isbn', models.CharField(max_length=13)),
                ('pages', models.IntegerField(default=0)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('published', 'Published')], default='draft', max_length=20)),
                ('published_on', models.DateField(blank=True, null=True)),
                ('author', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='books', to='shop.author')),
                ('publisher', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, to='shop.publisher')),
            ],
            options={
                'ordering': ['title'],
            },
        ),
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rating', models.PositiveSmallIntegerField()),
                ('text', models.TextField(blank=True)),
                ('book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='shop.book')),
            ],
        ),
    ]
'''

SHOP_0002 = '''\
# Generated by Django 5.2.19 on 2026-11-26 15:53

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('shop', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='Tag',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.SlugField(unique=True)),
            ],
        ),
        migrations.AddField(
            model_name='book',
            name='editor',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='edited_books', to='shop.author'),
        ),
        migrations.AddField(
            model_name='review',
            name='reviewer',
            field=models.CharField(default='', max_length=50),
        ),
        migrations.AlterUniqueTogether(
            name='review',
            unique_together={('book', 'reviewer')},
        ),
        migrations.AddField(
            model_name='book',
            name='tags',
            field=models.ManyToManyField(blank=True, to='shop.tag'),
        ),
        migrations.AddIndex(
            model_name='book',
            index=models.Index(fields=['status', 'published_on'], name='book_status_idx'),
        ),
        migrations.AddConstraint(
            model_name='book',
            constraint=models.UniqueConstraint(fields=('isbn',), name='book_isbn_unique'),
        ),
        migrations.AddConstraint(
            model_name='book',
            constraint=models.CheckConstraint(condition=models.Q(('pages__gte', 0)), name='book_pages_gte_0'),
        ),
    ]
'''

BLOG_MODELS = '''\
from django.db import models


class PublishedManager(models.Manager):
    use_in_migrations = True

    def get_queryset(self):
        return super().get_queryset().filter(is_published=True)


class PlainManager(models.Manager):
    pass


class Timestamped(models.Model):
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True


class Post(Timestamped):
    title = models.CharField(max_length=100)
    slug = models.SlugField(unique=True)
    is_published = models.BooleanField(default=False)


class Comment(Timestamped):
    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()


class LegacyAccount(models.Model):
    username = models.CharField(max_length=30)

    class Meta:
        managed = False
        db_table = "legacy_account"
'''

BLOG_0001 = '''\
# Generated by Django 5.2.19 on 2026-11-26 15:53

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='LegacyAccount',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('username', models.CharField(max_length=30)),
            ],
            options={
                'db_table': 'legacy_account',
                'managed': False,
            },
        ),
        migrations.CreateModel(
            name='Post',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('title', models.CharField(max_length=100)),
                ('slug', models.SlugField(unique=True)),
                ('is_published', models.BooleanField(default=False)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Comment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created', models.DateTimeField(auto_now_add=True)),
                ('body', models.TextField()),
                ('post', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='comments', to='blog.post')),
            ],
            options={
                'abstract': False,
            },
        ),
    ]
'''

BASES = {
    "shop": {
        "shop/__init__.py": "",
        "shop/apps.py": apps_py("shop"),
        "shop/models.py": SHOP_MODELS,
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": SHOP_0001,
        "shop/migrations/0002_tag_book_editor_review_reviewer_and_more.py": SHOP_0002,
    },
    "blog": {
        "blog/__init__.py": "",
        "blog/apps.py": apps_py("blog"),
        "blog/models.py": BLOG_MODELS,
        "blog/migrations/__init__.py": "",
        "blog/migrations/0001_initial.py": BLOG_0001,
    },
}


# --- the cases: one edit to models.py each ---------------------------------------------------


@dataclass(frozen=True)
class Edit:
    app: str  # "shop" or "blog": the starting app
    old: str  # a snippet of its models.py that occurs exactly once
    new: str  # what replaces it
    severity: str | None  # the severity of every drift finding; None: no change expected

    def files(self) -> dict[str, str]:
        files = dict(BASES[self.app])
        models = files[f"{self.app}/models.py"]
        if models.count(self.old) != 1:  # not an assertion: a stale snippet must not pass as an xfail
            raise ValueError(f"the edit's snippet must occur exactly once: {self.old!r}")
        files[f"{self.app}/models.py"] = models.replace(self.old, self.new)
        return files


CASES: list = []



def case(
    name: str, app: str, old: str, new: str, severity: str | None, xfail: str | None = None
) -> None:
    """Register a case; ``xfail`` is the exact difference djstate still has on it (only a failed
    assertion counts: a case that cannot be built or run by Django is an error)."""
    marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=xfail)] if xfail else []
    CASES.append(pytest.param(Edit(app, old, new, severity), id=name, marks=marks))


# fmt: off
# fields: added, removed, renamed

case("add_field", "shop",
     "    isbn = models.CharField(max_length=13)\n",
     "    isbn = models.CharField(max_length=13)\n    subtitle = models.CharField(max_length=200, blank=True)\n",
     "error")
case("add_nullable_foreign_key", "shop",
     "    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT)\n",
     "    publisher = models.ForeignKey(Publisher, on_delete=models.PROTECT)\n"
     "    translator = models.ForeignKey(Author, on_delete=models.SET_NULL, null=True, related_name=\"translations\")\n",
     "error")
case("add_many_to_many", "shop",
     "    bio = models.TextField(blank=True, default=\"\")\n",
     "    bio = models.TextField(blank=True, default=\"\")\n    favourite_tags = models.ManyToManyField(\"Tag\", blank=True)\n",
     "error")
case("remove_field", "shop", "    text = models.TextField(blank=True)\n", "", "error")
case("remove_many_to_many", "shop", "    tags = models.ManyToManyField(Tag, blank=True)\n", "", "error")
case("add_field_callable_default", "shop",
     "    email = models.EmailField()\n",
     "    email = models.EmailField()\n    preferences = models.JSONField(default=dict, blank=True)\n",
     "error")
case("rename_field_is_remove_and_add", "shop",  # the non-interactive questioner never assumes a rename
     "    bio = models.TextField(blank=True, default=\"\")\n",
     "    biography = models.TextField(blank=True, default=\"\")\n",
     "error")

# fields: altered in the database

case("max_length", "shop", "title = models.CharField(max_length=200)", "title = models.CharField(max_length=255)", "error")
case("null", "shop", "rating = models.PositiveSmallIntegerField()", "rating = models.PositiveSmallIntegerField(null=True)",
     "error")
case("unique", "shop", "email = models.EmailField()", "email = models.EmailField(unique=True)", "error")
case("db_index", "shop", "title = models.CharField(max_length=200)", "title = models.CharField(max_length=200, db_index=True)",
     "error")
case("db_column", "shop", "    name = models.CharField(max_length=100)\n",
     "    name = models.CharField(max_length=100, db_column=\"full_name\")\n", "error")
case("field_class", "shop", "pages = models.IntegerField(default=0)", "pages = models.BigIntegerField(default=0)", "error")
case("foreign_key_on_delete", "shop", "ForeignKey(Publisher, on_delete=models.PROTECT)",
     "ForeignKey(Publisher, on_delete=models.CASCADE)", "error")
case("foreign_key_target", "shop",
     "editor = models.ForeignKey(Author, on_delete=models.SET_NULL",
     "editor = models.ForeignKey(Publisher, on_delete=models.SET_NULL", "error")
case("foreign_key_to_one_to_one", "shop",
     "book = models.ForeignKey(Book, on_delete=models.CASCADE)",
     "book = models.OneToOneField(Book, on_delete=models.CASCADE)", "error")

# fields: altered in Django's state only

case("default", "shop", 'bio = models.TextField(blank=True, default="")', 'bio = models.TextField(blank=True, default="tbd")',
     "warning")
case("default_enum_member", "shop", "default=Status.DRAFT)", "default=Status.PUBLISHED)", "warning")
case("help_text", "shop", "country = models.CharField(max_length=2, blank=True)",
     'country = models.CharField(max_length=2, blank=True, help_text="ISO 3166-1 alpha-2")', "warning")
case("verbose_name", "shop", "isbn = models.CharField(max_length=13)",
     'isbn = models.CharField(max_length=13, verbose_name="ISBN")', "warning")
case("verbose_name_positional", "shop", "title = models.CharField(max_length=200)",
     'title = models.CharField("book title", max_length=200)', "warning")
case("choices", "shop", "rating = models.PositiveSmallIntegerField()",
     'rating = models.PositiveSmallIntegerField(choices=[(1, "Poor"), (2, "Fair"), (3, "Good")])', "warning")
case("text_choices_enum_changed", "shop",
     '        PUBLISHED = "published", "Published"\n',
     '        PUBLISHED = "published", "Published"\n        ARCHIVED = "archived", "Archived"\n', "warning")
case("blank", "shop", "isbn = models.CharField(max_length=13)", "isbn = models.CharField(max_length=13, blank=True)",
     "warning")
case("related_name", "shop", 'related_name="books")', 'related_name="written_books")', "warning")

# fields: written differently, the same for Django

case("email_field_explicit_max_length", "shop", "email = models.EmailField()", "email = models.EmailField(max_length=254)",
     None)
case("foreign_key_explicit_db_index", "shop", "ForeignKey(Publisher, on_delete=models.PROTECT)",
     "ForeignKey(Publisher, on_delete=models.PROTECT, db_index=True)", None)
case("slug_field_explicit_max_length", "shop", "name = models.SlugField(max_length=50, unique=True)",
     "name = models.SlugField(unique=True)", None)
case("foreign_key_target_as_string", "shop", "ForeignKey(Publisher, on_delete=models.PROTECT)",
     'ForeignKey("shop.Publisher", on_delete=models.PROTECT)', None)
case("fields_reordered", "shop",
     "    reviewer = models.CharField(max_length=50, default=\"\")\n    rating = models.PositiveSmallIntegerField()\n",
     "    rating = models.PositiveSmallIntegerField()\n    reviewer = models.CharField(max_length=50, default=\"\")\n", None)

# models

case("add_model", "shop", "\n\nclass Review(models.Model):",
     '\n\nclass Coupon(models.Model):\n    code = models.CharField(max_length=20, unique=True)\n'
     '    book = models.ForeignKey(Book, on_delete=models.CASCADE)\n\n\nclass Review(models.Model):',
     "error")
case("remove_model", "shop", SHOP_MODELS[SHOP_MODELS.index("\n\nclass Review("):], "\n", "error")
case("add_proxy_model", "shop", "\n\nclass Publisher(models.Model):",
     '\n\nclass Contributor(Author):\n    class Meta:\n        proxy = True\n        ordering = ["name"]\n\n\n'
     "class Publisher(models.Model):",
     "warning")
case("add_unmanaged_model", "shop", "\n\nclass Tag(models.Model):",
     '\n\nclass Warehouse(models.Model):\n    city = models.CharField(max_length=50)\n\n'
     '    class Meta:\n        managed = False\n        db_table = "erp_warehouse"\n\n\nclass Tag(models.Model):',
     "warning")
case("add_multi_table_child", "blog", "\n\nclass Comment(Timestamped):",
     "\n\nclass FeaturedPost(Post):\n    rank = models.PositiveIntegerField(default=0)\n\n\nclass Comment(Timestamped):",
     "error")
case("abstract_base_gains_field", "blog",
     "    created = models.DateTimeField(auto_now_add=True)\n",
     "    created = models.DateTimeField(auto_now_add=True)\n    updated = models.DateTimeField(auto_now=True)\n",
     "error")
case("abstract_base_gains_ordering", "blog", "        abstract = True\n",
     '        abstract = True\n        ordering = ["-created"]\n', "warning")
case("unmanaged_model_field_changed", "blog", "username = models.CharField(max_length=30)",
     "username = models.CharField(max_length=60)", None)

# Meta

case("meta_ordering", "shop", 'ordering = ["title"]', 'ordering = ["-published_on", "title"]', "warning")
case("meta_verbose_name", "shop", "    country = models.CharField(max_length=2, blank=True)\n",
     '    country = models.CharField(max_length=2, blank=True)\n\n    class Meta:\n'
     '        verbose_name = "publishing house"\n', "warning")
case("db_table", "shop", "    name = models.SlugField(max_length=50, unique=True)\n",
     '    name = models.SlugField(max_length=50, unique=True)\n\n    class Meta:\n        db_table = "shop_tags"\n',
     "error")
# AlterModelTable.database_forwards skips unmanaged models (allow_migrate_model): no SQL runs
case("unmanaged_db_table", "blog", 'db_table = "legacy_account"', 'db_table = "legacy_accounts"', "warning")
case("unique_together", "shop", 'unique_together = [("book", "reviewer")]', 'unique_together = [("book", "reviewer", "rating")]',
     "error")
case("unique_together_flat_tuple", "shop", 'unique_together = [("book", "reviewer")]',
     'unique_together = ("book", "reviewer")', None)
case("ordering_list_to_tuple", "shop",  # Django compares option values as they are: ["title"] != ("title",)
     'ordering = ["title"]', 'ordering = ("title",)', "warning")
case("add_index", "shop", "    bio = models.TextField(blank=True, default=\"\")\n",
     '    bio = models.TextField(blank=True, default="")\n\n    class Meta:\n'
     '        indexes = [models.Index(fields=["name"], name="author_name_idx")]\n', "error")
case("remove_index", "shop",
     '        indexes = [models.Index(fields=["status", "published_on"], name="book_status_idx")]\n', "", "error")
case("change_index", "shop", 'models.Index(fields=["status", "published_on"]', 'models.Index(fields=["status"]', "error")
case("add_unique_constraint", "shop", "    country = models.CharField(max_length=2, blank=True)\n",
     '    country = models.CharField(max_length=2, blank=True)\n\n    class Meta:\n        constraints = [\n'
     '            models.UniqueConstraint(fields=["name", "country"], name="publisher_name_country_unique"),\n'
     "        ]\n", "error")
case("remove_unique_constraint", "shop",
     '            models.UniqueConstraint(fields=["isbn"], name="book_isbn_unique"),\n', "", "error")
case("add_check_constraint", "shop", 'unique_together = [("book", "reviewer")]\n',
     'unique_together = [("book", "reviewer")]\n'
     '        constraints = [models.CheckConstraint(condition=models.Q(rating__lte=5), name="review_rating_lte_5")]\n',
     "error")
case("remove_check_constraint", "shop",
     '            models.CheckConstraint(condition=models.Q(pages__gte=0), name="book_pages_gte_0"),\n', "", "error")

# managers

case("manager_use_in_migrations", "blog", "    is_published = models.BooleanField(default=False)\n",
     "    is_published = models.BooleanField(default=False)\n\n    published = PublishedManager()\n", "warning")
case("default_manager_renamed", "blog", "    body = models.TextField()\n",
     "    body = models.TextField()\n\n    entries = models.Manager()\n", "warning")
case("plain_manager_as_objects", "blog", "    is_published = models.BooleanField(default=False)\n",
     "    is_published = models.BooleanField(default=False)\n\n    objects = PlainManager()\n", None)
# fmt: on


# --- the tests --------------------------------------------------------------------------------


@pytest.mark.parametrize("app", sorted(BASES))
def test_starting_app_has_no_drift(tmp_path, app):
    """The embedded migrations match their models: Django writes nothing, djstate finds nothing."""
    write_project(tmp_path, BASES[app])
    assert django_operations(tmp_path, [app]) == set()
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set()
    assert unverified == 0, "djstate left part of a static app unverified: silence proves nothing"


@pytest.mark.parametrize("edit", CASES)
def test_drift_equals_django(tmp_path, edit: Edit):
    write_project(tmp_path, edit.files())
    expected = django_operations(tmp_path, [edit.app])
    operations, findings, unverified = djstate_operations(tmp_path)
    missing, extra = sorted(expected - operations, key=str), sorted(operations - expected, key=str)
    assert operations == expected, f"missing: {missing}, extra: {extra}"
    assert bool(expected) == (edit.severity is not None), "the case's severity contradicts Django"
    severities = {(f.code, f.model, f.field): f.severity for f in findings}
    assert set(severities.values()) <= {edit.severity}, f"expected {edit.severity}: {severities}"
    if not expected:
        assert unverified == 0, "djstate found no drift by leaving something unverified"
