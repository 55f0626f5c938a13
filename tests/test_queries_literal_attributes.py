"""A class attribute bound only to a literal value, a method or a nested class is never a field:
ModelBase gives the model what has ``contribute_to_class`` (a GenericRelation), and a literal,
a function or a class has none. social_core's ``CodeMixin.verified = False`` beside the model
field ``verified`` had left ``Code.objects.filter(verified=...)`` unjudged once the field was
renamed. An attribute bound by a call djstate does not follow may still be such a field, and in
``prefetch_related`` any attribute may be a prefetcher (a property returning a related manager)."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.statements import assert_marked_lines_fail

TREE = {
    "auth2/__init__.py": "",
    "auth2/apps.py": "from django.apps import AppConfig\n\n\nclass Auth2Config(AppConfig):\n    name = 'auth2'\n",
    "auth2/mixins.py": textwrap.dedent('''\
        from django.contrib.contenttypes.fields import GenericRelation


        def relation():
            return GenericRelation("auth2.Tag")


        class CodeMixin:
            verified = False
            kinds = ("email", "sms")

            def expired(self):
                return False

            class Rules:
                pass
        '''),
    "auth2/models.py": textwrap.dedent('''\
        from django.contrib.contenttypes.fields import GenericForeignKey
        from django.contrib.contenttypes.models import ContentType
        from django.db import models

        from auth2.mixins import CodeMixin, relation


        class Tag(models.Model):
            content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
            object_id = models.PositiveIntegerField()
            target = GenericForeignKey("content_type", "object_id")


        class Code(models.Model, CodeMixin):
            email = models.EmailField()
            is_verified = models.BooleanField(default=False)
            tags = relation()

            @property
            def tagged(self):
                return self.tags(manager="objects")  # pretix's OrderPosition.checkins: a related manager
        '''),
    "auth2/queries.py": textwrap.dedent('''\
        from auth2.models import Code


        def good():
            Code.objects.filter(is_verified=False, email="x").count()
            Code.objects.filter(tags__object_id=1).count()  # the GenericRelation a call builds: unjudged
            list(Code.objects.prefetch_related("tagged"))  # a property may give a prefetcher: unjudged


        def bad():
            Code.objects.filter(verified=False).count()  # expect: DJS501
            Code.objects.filter(kinds="email").count()  # expect: DJS501
            Code.objects.filter(expired=True).count()  # expect: DJS501
            Code.objects.filter(rules=1).count()  # expect: DJS501
            Code.objects.filter(tagged=1).count()  # expect: DJS501
        '''),
}
APPS = ["django.contrib.contenttypes", "auth2"]


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["auth2"])
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    assert any(u.reason == "query-unknown" and "tags" in u.detail for u in result.project.unjudged)


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["auth2"])
    assert_marked_lines_fail(root, "auth2.queries", APPS, 5)
