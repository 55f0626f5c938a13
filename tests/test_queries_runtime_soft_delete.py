"""Managers whose get_queryset() builds a queryset of the model itself (edx-enterprise's
SoftDeletionManager: ``return SoftDeletionQuerySet(self.model, using=self._db).filter(deleted_at=None)``):
when that queryset class adds no name (no override of a name-taking method) and the chain after
it keeps the names, queries through the manager are judged. One that annotates stays unjudged.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.statements import run_statements

ARCHIVE = {
    "archive/__init__.py": "",
    "archive/apps.py": "from django.apps import AppConfig\n\n\nclass ArchiveConfig(AppConfig):\n    name = 'archive'\n",
    "archive/models.py": textwrap.dedent('''\
        from django.db import models


        class SoftQuerySet(models.QuerySet):
            def delete(self):
                return super().update(gone=True)

            def revive(self):
                return super().update(gone=False)


        class SoftManager(models.Manager):
            def __init__(self, *args, **kwargs):
                self.alive_only = kwargs.pop("alive_only", True)
                super().__init__(*args, **kwargs)

            def get_queryset(self):
                if self.alive_only:
                    return SoftQuerySet(self.model, using=self._db, hints=self._hints).filter(gone=False)
                return SoftQuerySet(self.model)


        class ScoredManager(models.Manager):
            def get_queryset(self):
                return models.QuerySet(self.model, using=self._db).annotate(score=models.Value(1))


        class Doc(models.Model):
            title = models.CharField(max_length=50)
            gone = models.BooleanField(default=False)

            objects = SoftManager()
            all_objects = SoftManager(alive_only=False)


        class Rated(models.Model):
            title = models.CharField(max_length=50)

            objects = ScoredManager()
        '''),
    "archive/migrations/__init__.py": "",
    "archive/migrations/0001_initial.py": textwrap.dedent('''\
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Doc",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=50)),
                        ("gone", models.BooleanField(default=False)),
                    ],
                ),
                migrations.CreateModel(
                    name="Rated",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=50)),
                    ],
                ),
            ]
        '''),
    "archive/queries.py": textwrap.dedent('''\
        from archive.models import Doc, Rated


        def good():
            Doc.objects.filter(title="x").exists()
            Doc.all_objects.exclude(gone=True).order_by("-title").count()
            Doc.objects.values("title", "gone")
            Rated.objects.filter(score=1, title="x").count()  # annotated by the manager: not judged


        def bad():
            Doc.objects.filter(titel="x")  # expect: DJS501
            Doc.all_objects.values("gon")  # expect: DJS501
            Doc.objects.get(title__startwith="x")  # expect: DJS501
        '''),
}


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, ARCHIVE)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code in ("DJS501", "DJS502", "DJS503")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    rated = [u for u in result.project.unjudged if u.reason == "query-unknown" and u.unit == "query archive.Rated"]
    assert rated and all("may add names" in u.detail for u in rated)


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, ARCHIVE)
    outcome = run_statements(root, "archive.queries", ["archive"])
    marked = {line for path, line, _ in expected_markers(root) if path == "archive/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 3 and marked <= set(outcome)
