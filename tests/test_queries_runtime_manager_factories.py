"""Managers built by a function that returns an instance of a class it defines (django-scopes'
``ScopedManager(**scopes)``, pretix's ``ActivePositionManager``, whose class is built on
``ScopedManager(**scope).__class__``): the local class and the bases the call binds are followed,
so queries through ``all_objects = ScopedManager(...)`` are judged like any manager's (issue 13:
pretix's ``OrderPosition.all``, pretalx's ``Submission.all_objects`` were not judged). A
factory whose class annotates in get_queryset() leaves its queries unjudged.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.statements import run_statements

SHELF = {
    "shelf/__init__.py": "",
    "shelf/apps.py": "from django.apps import AppConfig\n\n\nclass ShelfConfig(AppConfig):\n    name = 'shelf'\n",
    "shelf/managers.py": textwrap.dedent('''\
        import copy

        from django.db import models


        class QuietQuerySet(models.QuerySet):
            def __init__(self, *args, **kwargs):
                self.missing = kwargs.pop("missing", None)
                super().__init__(*args, **kwargs)


        def ScopedManager(_manager_class=models.Manager, **scopes):
            required = set(scopes)

            class Manager(_manager_class):
                def __init__(self):
                    super().__init__()

                def with_scope(self, **scope):
                    cloned = copy.copy(self)
                    cloned.scope = scope
                    return cloned

                def get_queryset(self):
                    if not required:
                        return QuietQuerySet(self.model, using=self._db, missing=set())
                    return super().get_queryset().filter(**{scopes[k] + "__isnull": False for k in required})

                def all(self):
                    a = super().all()
                    if isinstance(a, QuietQuerySet):
                        a = a.all()
                    return a

            return Manager()


        def ActiveManager(**scope):
            class Inner(ScopedManager(**scope).__class__):
                def get_queryset(self):
                    return super().get_queryset().filter(archived=False)

            return Inner()


        def CountingManager():
            class Manager(models.Manager):
                def get_queryset(self):
                    return super().get_queryset().annotate(n=models.Count("id"))

            return Manager()
        '''),
    "shelf/models.py": textwrap.dedent('''\
        from django.db import models

        from shelf.managers import ActiveManager, CountingManager, ScopedManager


        class Shelf(models.Model):
            name = models.CharField(max_length=50)


        class Book(models.Model):
            title = models.CharField(max_length=50)
            archived = models.BooleanField(default=False)
            shelf = models.ForeignKey(Shelf, on_delete=models.CASCADE)

            all_objects = ScopedManager(shelf="shelf")
            objects = ActiveManager(shelf="shelf")
            counted = CountingManager()
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
                        ("name", models.CharField(max_length=50)),
                    ],
                ),
                migrations.CreateModel(
                    name="Book",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=50)),
                        ("archived", models.BooleanField(default=False)),
                        ("shelf", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="shelf.shelf")),
                    ],
                ),
            ]
        '''),
    "shelf/queries.py": textwrap.dedent('''\
        from shelf.models import Book


        def good():
            Book.all_objects.filter(title="x").exclude(archived=True)
            Book.objects.filter(shelf__name="x").order_by("-title")
            Book.objects.with_scope(shelf=1).filter(title="x")
            Book.all_objects.all().values("title", "shelf__name")
            Book.counted.filter(n=1)  # annotated by its get_queryset(): not judged
            Book.objects.prefetch_related("shelf")


        def bad():
            Book.all_objects.filter(titel="x")  # expect: DJS501
            Book.objects.exclude(shelf__nme="x")  # expect: DJS501
            Book.objects.with_scope(shelf=1).order_by("-titel")  # expect: DJS501
            Book.all_objects.all().values("archivd")  # expect: DJS501
        '''),
}


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, SHELF)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    unjudged = [u for u in result.project.unjudged if u.reason == "query-unknown" and u.path == "shelf/queries.py"]
    source = (root / "shelf/queries.py").read_text().splitlines()
    counted = next(i for i, line in enumerate(source, 1) if "Book.counted" in line)
    assert [u.line for u in unjudged] == [counted], unjudged


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, SHELF)
    outcome = run_statements(root, "shelf.queries", ["shelf"])
    marked = {line for path, line, _ in expected_markers(root) if path == "shelf/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 4 and marked <= set(outcome)
