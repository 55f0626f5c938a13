"""A class attribute set under an ``if`` whose every value is a field that is no relation hides
no reverse accessor on other models.

label-studio's Project binds ``search_vector`` to a GeneratedField on PostgreSQL and to a
TextField elsewhere. Project is then only partly known (which field, djstate cannot say), but
neither value is a relation, so no model gets a ``project`` accessor from it: a query naming
``project`` on a model that has none is a FieldError. Before, every partial model's name was
taken as a possible hidden reverse accessor everywhere, which left such queries unjudged.
A value that may be a ForeignKey still hides its accessor.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.statements import run_statements

MODELS = textwrap.dedent('''\
    from django.db import connection, models


    class Tag(models.Model):
        name = models.CharField(max_length=20)


    class Project(models.Model):
        title = models.CharField(max_length=50)

        if connection.vendor == "postgresql":
            search_vector = models.GeneratedField(
                expression=models.functions.Lower("title"), output_field=models.TextField(), db_persist=True,
            )
        else:
            search_vector = models.TextField(null=True, blank=True)


    class Member(models.Model):
        project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")


    class Board(models.Model):
        title = models.CharField(max_length=50)

        if connection.vendor == "postgresql":
            owner = models.ForeignKey(Tag, null=True, on_delete=models.CASCADE)
        else:
            owner = None
    ''')

TREE = {
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/models.py": MODELS,
    "shop/queries.py": textwrap.dedent('''\
        from shop.models import Member, Project, Tag


        def good():
            Member.objects.filter(project__title="x").count()
            Project.objects.filter(members__id=1, search_vector="x").count()


        def bad():
            Tag.objects.filter(project=1).count()  # expect: DJS501
            Member.objects.filter(project__titel="x").count()  # expect: DJS501


        def unjudged():
            Tag.objects.filter(board=1).count()  # Board.owner may be a ForeignKey to Tag
        '''),
}


def _migrated(root):
    from tests.oracle.makemigrations import make_migrations

    make_migrations(root, ["shop"])
    return root


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = _migrated(write_project(tmp_path, TREE))
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    state = result.project.models_state
    assert ("shop", "project") in state.partial_without_relations
    assert ("shop", "board") in state.partial_models and ("shop", "board") not in state.partial_without_relations
    assert any(u.reason == "query-unknown" and "board" in u.detail for u in result.project.unjudged)


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = _migrated(write_project(tmp_path, TREE))
    outcome = run_statements(root, "shop.queries", ["shop"])
    marked = {line for path, line, _ in expected_markers(root) if path == "shop/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 2 and marked <= set(outcome)
