"""Queries on models whose class decorators only register the class (nautobot's
``@extras_features(...)``): the query judge asks the catalogue whether a decorator may change
the model's names (djstate.parse.class_decorators), as the model layer does, instead of leaving
every decorated model unjudged. A decorator that sets attributes by literal names (six's
``python_2_unicode_compatible``: ``klass.__unicode__ = klass.__str__``) adds only those, which are
no fields: its model is judged. A decorator that sets a computed name leaves its model unjudged.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.oracle.statements import run_statements
from tests.conftest import expected_markers, run_scan, write_project

SHELF = {
    "shelf/__init__.py": "",
    "shelf/apps.py": "from django.apps import AppConfig\n\n\nclass ShelfConfig(AppConfig):\n    name = 'shelf'\n",
    "shelf/registry.py": textwrap.dedent('''\
        registry = {}


        def extras_features(*features):
            """nautobot's: stores the class under each feature and returns it unchanged."""

            def wrapper(model_class):
                for feature in features:
                    registry.setdefault(feature, []).append(model_class)
                return model_class

            return wrapper


        def register(cls):
            registry.setdefault("all", []).append(cls)
            return cls


        def with_label(cls):
            """Gives the class an attribute, which is no field: its model is judged."""
            cls.shelf_label = "x"
            return cls


        PY2 = False


        def python_2_unicode_compatible(klass):
            """six's (shuup's models): only dunder names, and only under Python 2."""
            if PY2:
                if "__str__" not in klass.__dict__:
                    raise ValueError("cannot be applied to %s" % klass.__name__)
                klass.__unicode__ = klass.__str__
                klass.__str__ = lambda self: self.__unicode__().encode("utf-8")
            return klass


        def with_computed(cls):
            """Sets a name djstate cannot read: its model stays unjudged."""
            setattr(cls, cls.__name__.lower() + "_label", "x")
            return cls
        '''),
    "shelf/models.py": textwrap.dedent('''\
        from django.db import models

        from shelf.registry import extras_features, python_2_unicode_compatible, register, with_computed, with_label


        @extras_features("graphql", "webhooks")
        class Shelf(models.Model):
            label = models.CharField(max_length=50)


        @register
        class Book(models.Model):
            title = models.CharField(max_length=50)
            shelf = models.ForeignKey(Shelf, models.CASCADE, related_name="books")


        @with_label
        class Note(models.Model):
            text = models.CharField(max_length=50)


        @python_2_unicode_compatible
        class Card(models.Model):
            title = models.CharField(max_length=50)

            def __str__(self):
                return self.title


        @with_computed
        class Tag(models.Model):
            name = models.CharField(max_length=50)
        '''),
    "shelf/migrations/__init__.py": "",
    "shelf/migrations/0001_initial.py": textwrap.dedent('''\
        import django.db.models.deletion
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Shelf",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
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
                    name="Note",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("text", models.CharField(max_length=50)),
                    ],
                ),
                migrations.CreateModel(
                    name="Card",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=50)),
                    ],
                ),
                migrations.CreateModel(
                    name="Tag",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=50)),
                    ],
                ),
            ]
        '''),
    "shelf/queries.py": textwrap.dedent('''\
        from shelf.models import Book, Card, Note, Shelf, Tag


        def good():
            Shelf.objects.filter(label="x", books__title="y")
            Book.objects.filter(shelf__label="x").order_by("-title")
            Book.objects.values("shelf__books__title")
            Note.objects.filter(text="x")
            Card.objects.filter(title="x").order_by("title")
            Tag.objects.filter(name="x")


        def bad():
            Shelf.objects.filter(lable="x")  # expect: DJS501
            Shelf.objects.filter(book__title="x")  # expect: DJS502
            Book.objects.filter(shelf__djsmuthop__label="x")  # expect: DJS501
            Book.objects.order_by("-titel")  # expect: DJS501
            Note.objects.filter(txt="x")  # expect: DJS501
            Card.objects.filter(titel="x")  # expect: DJS501


        def unjudged():
            Tag.objects.filter(nme="x")  # Django raises; djstate cannot tell what with_computed set
            Note.objects.filter(shelf_label="x")  # an attribute, so no field; djstate leaves it (a private field may be one)
        '''),
}

def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, SHELF)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}


def test_a_decorator_that_sets_a_computed_name_leaves_its_model_unjudged(tmp_path):
    root = write_project(tmp_path, SHELF)
    result = run_scan(root)
    notes = [u for u in result.project.unjudged if u.reason == "query-unknown" and u.unit == "query shelf.Tag"]
    assert notes and all("decorator" in u.detail for u in notes)
    assert not [u for u in result.project.unjudged if u.unit in ("query shelf.Card",) or "decorator" in u.detail and "Note" in u.unit]
    outcome = run_statements(root, "shelf.queries", ["shelf"], functions=("unjudged",))
    assert sorted(outcome.values()) == ["FieldError", "FieldError"]  # unjudged, not valid


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, SHELF)
    outcome = run_statements(root, "shelf.queries", ["shelf"])
    marked = {line for path, line, _ in expected_markers(root) if path == "shelf/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 6 and marked <= set(outcome)
