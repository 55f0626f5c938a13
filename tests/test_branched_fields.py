"""A migration whose import-time branches add one field differently leaves only that field unjudged.

label-studio's projects 0029 adds ``search_vector`` as a GeneratedField on PostgreSQL and as a
TextField elsewhere: Django's state depends on the database, but only in that field. The model,
its other fields and the relations to it are replayed and judged; the branched field is listed
unjudged. A relation added differently keeps the whole model unjudged (its reverse accessor and
target would be uncertain too).

Django's autodetector is the oracle (SQLite: the ``else`` branch runs).
"""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

MODELS = '''\
from django.db import models


class Project(models.Model):
    title = models.CharField(max_length=40)
    description = models.TextField(blank=True)


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    data = models.TextField()
'''
BRANCHED = '''\
from django.db import connection, migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    if connection.vendor == "postgresql":
        operations = [
            migrations.AddField(
                model_name="project",
                name="search_vector",
                field=models.GeneratedField(
                    db_persist=True,
                    expression=models.functions.Upper("title"),
                    output_field=models.TextField(),
                ),
            )
        ]
    else:
        operations = [
            migrations.AddField(model_name="project", name="search_vector", field=models.TextField(blank=True, null=True)),
        ]
'''
FIELD = "    search_vector = models.TextField(blank=True, null=True)\n"


def _project(tmp_path, branched: str = BRANCHED) -> None:
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("    description = models.TextField(blank=True)\n", "    description = models.TextField(blank=True)\n" + FIELD))
    (tmp_path / "shop" / "migrations" / "0002_search_vector.py").write_text(branched)


def test_the_branched_field_alone_is_unjudged(tmp_path):
    _project(tmp_path)
    assert django_operations(tmp_path, ["shop"]) == set()
    operations, _, _ = djstate_operations(tmp_path)
    assert operations == set()
    units = {u.unit for u in run_scan(tmp_path).project.unjudged}
    assert "field shop.Project.search_vector" in units
    assert not any(u.startswith(("model shop.", "relation shop.")) for u in units), units


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("max_length=40", "max_length=60"), id="alter_max_length"),
        pytest.param(("TextField(blank=True)\n", "TextField(blank=True, null=True)\n"), id="alter_null"),
        pytest.param((FIELD, FIELD + "    slug = models.SlugField(default='')\n"), id="add_field"),
        pytest.param(("on_delete=models.CASCADE", "on_delete=models.PROTECT"), id="alter_on_delete_to_it"),
    ],
)
def test_the_other_fields_are_judged(tmp_path, edit):
    _project(tmp_path)
    models = tmp_path / "shop" / "models.py"
    assert edit[0] in models.read_text()
    models.write_text(models.read_text().replace(*edit, 1))
    expected = django_operations(tmp_path, ["shop"])
    assert expected, "the edit must be a change Django migrates"
    assert djstate_operations(tmp_path)[0] == expected


def test_a_change_of_the_branched_field_is_not_claimed(tmp_path):
    """Django sees the TextField of SQLite's branch change; on PostgreSQL it would be another field."""
    _project(tmp_path)
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace(FIELD, FIELD.replace("null=True", "null=False, default=''")))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "project", "search_vector")}
    assert djstate_operations(tmp_path)[0] == set()


def test_a_branched_relation_keeps_the_model_unjudged(tmp_path):
    relation = BRANCHED.replace(
        'models.TextField(blank=True, null=True)),',
        'models.ForeignKey("shop.Task", null=True, on_delete=models.SET_NULL, related_name="+")),')
    _project(tmp_path, relation)
    units = {u.unit for u in run_scan(tmp_path).project.unjudged}
    assert "model shop.Project" in units


STATE_SQL = '''\
from django.db import connection, migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    db_engine = connection.settings_dict["ENGINE"]
    if "sqlite3" in db_engine:
        operations = []
    else:
        operations = [
            migrations.RunSQL(
                sql="ALTER TABLE shop_task ADD CONSTRAINT fk_project FOREIGN KEY (project_id) REFERENCES shop_project (id)",
                reverse_sql="ALTER TABLE shop_task DROP CONSTRAINT fk_project",
                state_operations=[
                    migrations.AlterField(
                        model_name="task",
                        name="project",
                        field=models.ForeignKey(null=True, on_delete=models.deletion.CASCADE, to="shop.project"),
                    ),
                ],
            ),
        ]
'''


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("max_length=40", "max_length=60"), id="other_model_alter_max_length"),
        pytest.param(("TextField(blank=True)\n", "TextField(blank=True, null=True)\n"), id="other_model_alter_null"),
    ],
)
def test_a_branched_state_operation_leaves_the_other_models_judged(tmp_path, edit):
    """edx-enterprise 0231: a RunSQL whose state_operations alter one model's relation on
    PostgreSQL and MySQL only: that model is unjudged, the app's other models are compared."""
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    (tmp_path / "shop" / "migrations" / "0002_fk.py").write_text(STATE_SQL)
    assert django_operations(tmp_path, ["shop"]) == set()
    units = {u.unit for u in run_scan(tmp_path).project.unjudged}
    assert "model shop.Task" in units and "model shop.Project" not in units
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace(*edit, 1))
    expected = django_operations(tmp_path, ["shop"])
    assert expected and all(op[1] == "project" for op in expected)
    assert djstate_operations(tmp_path)[0] == expected
