"""Query recall without false errors (issue 13, DJS5xx):

- a manager built by ``from_queryset(QS)`` whose get_queryset() instantiates QS itself (wagtail's
  BaseCollectionManager, PageRevisionsManager) adds no name: QS is one of the classes judged;
- a ``related_query_name`` written on a relation whose model djstate can name (a
  GenericRelation, a relation to a model outside the tree) may name that model only, not any;
- prefetch_related's last name is looked up on the rows' class (Django's get_prefetcher): an
  attribute code sets on instances (``obj.x = ...``, setattr) is no prefetcher, so where the rows
  are certainly the model's own objects such code does not keep the name unjudged. A queryset
  class with a method that may swap the rows (``_iterable_class``), or a manager djstate does not
  read, leaves it unjudged.

Every line marked ``# expect:`` is run against Django with SQLite and must raise, every other
line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.statements import run_statements

SHELF = {
    "shelf/__init__.py": "",
    "shelf/apps.py": "from django.apps import AppConfig\n\n\nclass ShelfConfig(AppConfig):\n    name = 'shelf'\n",
    "shelf/managers.py": textwrap.dedent('''\
        from django.db import models
        from django.db.models.query import ValuesListIterable


        class ShelfQuerySet(models.QuerySet):
            def lit(self):
                return self.filter(lit=True)


        class BaseShelfManager(models.Manager):
            """wagtail's BaseCollectionManager: builds the queryset class from_queryset() adds."""

            def get_queryset(self):
                return ShelfQuerySet(self.model, using=self._db).order_by("label")


        def scoped_manager():
            """pretix's ActivePositionManager(): a manager class built in a function, not read."""

            class Inner(models.Manager):
                pass

            return Inner()


        class CrateQuerySet(models.QuerySet):
            def as_pairs(self):
                """Another iterable class: its rows are tuples, not Crate objects."""
                clone = self._chain()
                clone._iterable_class = ValuesListIterable
                return clone
        '''),
    "shelf/models.py": textwrap.dedent('''\
        from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
        from django.contrib.contenttypes.models import ContentType
        from django.db import models

        from shelf.managers import BaseShelfManager, CrateQuerySet, ShelfQuerySet, scoped_manager


        class Note(models.Model):
            content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
            object_id = models.PositiveIntegerField()
            content_object = GenericForeignKey("content_type", "object_id")
            text = models.CharField(max_length=50)


        class Shelf(models.Model):
            label = models.CharField(max_length=50)
            lit = models.BooleanField(default=False)
            notes = GenericRelation(Note, related_query_name="shelf")

            objects = BaseShelfManager.from_queryset(ShelfQuerySet)()


        class Book(models.Model):
            title = models.CharField(max_length=50)
            shelf = models.ForeignKey(Shelf, models.CASCADE, related_name="books")


        class Crate(models.Model):
            label = models.CharField(max_length=50)

            objects = models.Manager.from_queryset(CrateQuerySet)()


        class Tray(models.Model):
            label = models.CharField(max_length=50)

            objects = scoped_manager()
        '''),
    "shelf/migrations/__init__.py": "",
    "shelf/migrations/0001_initial.py": textwrap.dedent('''\
        import django.db.models.deletion
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = [("contenttypes", "0002_remove_content_type_name")]
            operations = [
                migrations.CreateModel(
                    name="Note",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("object_id", models.PositiveIntegerField()),
                        ("text", models.CharField(max_length=50)),
                        ("content_type", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="contenttypes.contenttype")),
                    ],
                ),
                migrations.CreateModel(
                    name="Shelf",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
                        ("lit", models.BooleanField(default=False)),
                    ],
                ),
                migrations.CreateModel(
                    name="Book",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=50)),
                        ("shelf", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="books", to="shelf.shelf")),
                    ],
                ),
                migrations.CreateModel(
                    name="Crate",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
                    ],
                ),
                migrations.CreateModel(
                    name="Tray",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
                    ],
                ),
            ]
        '''),
    "shelf/queries.py": textwrap.dedent('''\
        from shelf.models import Book, Crate, Note, Shelf, Tray


        def remember(shelf, key, value):
            shelf.chapters = []  # attributes of instances: none is a prefetcher
            setattr(shelf, key, value)


        def good():
            Book.objects.create(title="t", shelf=Shelf.objects.create(label="a"))
            Crate.objects.create(label="c")
            Tray.objects.create(label="t")
            Shelf.objects.filter(label="x").exists()
            Shelf.objects.lit().filter(label="x").exists()
            Note.objects.filter(shelf__label="x").exists()
            list(Shelf.objects.prefetch_related("books", "notes"))
            list(Book.objects.prefetch_related("shelf"))


        def bad():
            Shelf.objects.filter(lable="x")  # expect: DJS501
            Shelf.objects.lit().exclude(lable="x")  # expect: DJS501
            Crate.objects.filter(shelf__label="x")  # expect: DJS501
            list(Shelf.objects.prefetch_related("chapters"))  # expect: DJS501
            list(Shelf.objects.filter(lit=False).prefetch_related("chapter"))  # expect: DJS501


        def unjudged():
            list(Crate.objects.prefetch_related("chapters"))  # its rows may be no Crate objects
            Note.objects.filter(shelf__lable="x")  # a GenericRelation's query name: not placed
            list(Tray.objects.prefetch_related("chapters"))  # its manager is not read: nor are its rows
        '''),
}

APPS = ["django.contrib.contenttypes", "shelf"]


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, SHELF)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}


def test_the_unjudged_lines_are_counted_unverified(tmp_path):
    root = write_project(tmp_path, SHELF)
    result = run_scan(root)
    lines = {u.line for u in result.project.unjudged if u.reason == "query-unknown" and u.path == "shelf/queries.py"}
    source = (root / "shelf/queries.py").read_text().splitlines()
    start = source.index("def unjudged():") + 1
    assert {start + 1, start + 2, start + 3} <= lines


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, SHELF)
    outcome = run_statements(root, "shelf.queries", APPS)
    marked = {line for path, line, _ in expected_markers(root) if path == "shelf/queries.py"}
    for line, error in outcome.items():
        if line in marked:
            assert error in ("FieldError", "AttributeError"), (line, error)
        else:
            assert error is None, (line, error)
    assert len(marked) == 5 and marked <= set(outcome)


def test_unjudged_lines_fail_in_django_too(tmp_path):
    """What stays unjudged is a real error here too: silence is djstate's not knowing."""
    root = write_project(tmp_path, SHELF)
    outcome = run_statements(root, "shelf.queries", APPS, functions=("good", "unjudged"))
    source = (root / "shelf/queries.py").read_text().splitlines()
    start = source.index("def unjudged():") + 1
    assert [outcome[start + n] for n in (1, 2, 3)] == ["AttributeError", "FieldError", "AttributeError"]
