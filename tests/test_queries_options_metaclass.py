"""A metaclass that changes only options of fields ModelBase built (netbox's LtreeModelBase sets
``sort_path``'s db_collation from ``name``'s) leaves every name of the model as it is: queries
on it are judged, while drift on the field it touches stays unjudged. Before, such a model's
queries were all unjudged (1,500 on netbox).

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.statements import run_statements

TREE = {
    "tree/__init__.py": "",
    "tree/apps.py": "from django.apps import AppConfig\n\n\nclass TreeConfig(AppConfig):\n    name = 'tree'\n",
    "tree/models.py": textwrap.dedent('''\
        from django.core.exceptions import FieldDoesNotExist
        from django.db import models


        class LabelledBase(models.base.ModelBase):
            def __new__(mcs, name, bases, namespace, **kwargs):
                cls = super().__new__(mcs, name, bases, namespace, **kwargs)
                if cls._meta.abstract:
                    return cls
                try:
                    sort_field = cls._meta.get_field("sort")
                except FieldDoesNotExist:
                    return cls
                if not sort_field.help_text:
                    sort_field.help_text = "kept in step with name"
                return cls


        class Labelled(models.Model, metaclass=LabelledBase):
            class Meta:
                abstract = True


        class Node(Labelled):
            name = models.CharField(max_length=50)
            sort = models.TextField(default="")
            parent = models.ForeignKey("self", null=True, on_delete=models.CASCADE, related_name="children")
        '''),
    "tree/migrations/__init__.py": "",
    "tree/migrations/0001_initial.py": textwrap.dedent('''\
        import django.db.models.deletion
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Node",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("name", models.CharField(max_length=50)),
                        ("sort", models.TextField(default="", help_text="kept in step with name")),
                        ("parent", models.ForeignKey(null=True, on_delete=django.db.models.deletion.CASCADE,
                                                     related_name="children", to="tree.node")),
                    ],
                    options={"abstract": False},
                ),
            ]
        '''),
    "tree/queries.py": textwrap.dedent('''\
        from tree.models import Node


        def good():
            Node.objects.filter(name="x", sort__startswith="a").count()
            Node.objects.filter(children__name="x").count()
            Node.objects.select_related("parent").order_by("-sort").count()


        def bad():
            Node.objects.filter(nam="x").count()  # expect: DJS501
            Node.objects.filter(node__name="x").count()  # expect: DJS502
            list(Node.objects.select_related("sort"))  # expect: DJS504
        '''),
}


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, TREE)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}
    assert not [u for u in result.project.unjudged if u.reason == "query-unknown"]
    # the schema side leaves only the option the metaclass sets unjudged (sort's help_text)
    assert not any(u.unit == "model tree.Node" for u in result.project.unjudged)
    assert [d for d in result.findings if d.code.startswith("DJS2")] == []


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, TREE)
    outcome = run_statements(root, "tree.queries", ["tree"])
    marked = {line for path, line, _ in expected_markers(root) if path == "tree/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 3 and marked <= set(outcome)
