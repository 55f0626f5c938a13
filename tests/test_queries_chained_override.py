"""A QuerySet override that passes every name to ``super()`` and then chains a method that keeps
names and rows: django-spirit's ``CommentQuerySet.filter`` is
``return super().filter(*args, **kwargs).select_related("user__st")``. The names still reach
Django's filter, so a wrong one raises FieldError and djstate judges them; an override that
chains something else (``.annotate(...)``, which adds names) keeps the chain unjudged."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.statements import assert_marked_lines_fail

TREE = {
    "forum/__init__.py": "",
    "forum/apps.py": "from django.apps import AppConfig\n\n\nclass ForumConfig(AppConfig):\n    name = 'forum'\n",
    "forum/models.py": textwrap.dedent('''\
        from django.db import models


        class CommentQuerySet(models.QuerySet):
            def filter(self, *args, **kwargs):
                return super().filter(*args, **kwargs).select_related("author").order_by("-id")

            def visible(self):
                return self.filter(hidden=False)


        class CountingQuerySet(models.QuerySet):
            def filter(self, *args, **kwargs):
                return super().filter(*args, **kwargs).annotate(n=models.Count("id"))


        class Author(models.Model):
            name = models.CharField(max_length=20)


        class Comment(models.Model):
            author = models.ForeignKey(Author, on_delete=models.CASCADE)
            hidden = models.BooleanField(default=False)

            objects = CommentQuerySet.as_manager()


        class Note(models.Model):
            text = models.CharField(max_length=20)

            objects = CountingQuerySet.as_manager()
        '''),
    "forum/queries.py": textwrap.dedent('''\
        from forum.models import Comment, Note


        def good():
            Comment.objects.filter(author__name="x").count()
            Comment.objects.visible().filter(hidden=True).count()
            Note.objects.filter(text="x").filter(n=1).count()  # `n` comes from the override's annotate


        def bad():
            Comment.objects.filter(author__nme="x").count()  # expect: DJS501
            Comment.objects.visible().filter(hiden=True).count()  # expect: DJS501
        '''),
}


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["forum"])
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    assert any(u.reason == "query-unknown" and u.unit == "query forum.Note" for u in result.project.unjudged)


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["forum"])
    assert_marked_lines_fail(root, "forum.queries", ["forum"], 2)
