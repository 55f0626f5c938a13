"""A manager class defined inside the model's class body (edx-submissions 4.0.2:
``class SoftDeletedManager(models.Manager)`` in ``Submission``, then ``objects =
SoftDeletedManager()`` and ``_objects = models.Manager()``) is followed as that class. djstate
had not found the nested class, so it took ``_objects`` for the default manager and reported a
false AlterModelManagers (DJS213); Django's autodetector writes nothing. Its get_queryset() is
read too, so queries on ``Submission.objects`` are judged (Django raises FieldError on the marked
line)."""

from __future__ import annotations

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.statements import run_statements
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.db import models


class Submission(models.Model):
    status = models.CharField(max_length=1, default="A")

    class SoftDeletedManager(models.Manager):
        def get_queryset(self):
            return super().get_queryset().exclude(status="D")

    objects = SoftDeletedManager()
    _objects = models.Manager()
'''
QUERIES = '''\
from subs.models import Submission


def good():
    Submission._objects.all().count()


def bad():
    Submission.objects.filter(statu="D").count()  # expect: DJS501
'''


def test_a_nested_manager_class_is_the_default_manager(tmp_path):
    root = write_project(tmp_path, {"subs/__init__.py": "", "subs/apps.py": apps_py("subs"),
                                    "subs/models.py": MODELS, "subs/queries.py": QUERIES})  # fmt: skip
    make_migrations(root, ["subs"])
    ours, findings, _ = djstate_operations(root)
    assert django_operations(root, ["subs"]) == ours == set()
    result = run_scan(root)
    # `_objects` is a second manager that skips the nested default manager's filter
    assert [(f.code, f.line) for f in result.findings if f.code == "DJS507"] == [("DJS507", 5)]
    # the nested manager's get_queryset() keeps Django's names: its queries are judged
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50") and f.code != "DJS507"}
    assert got == {m for m in expected_markers(root) if m[2] == "DJS501"}
    outcome = run_statements(root, "subs.queries", ["subs"])
    assert outcome == {5: None, 9: "FieldError"}
