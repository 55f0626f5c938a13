"""``operations = helper(...)``: a migration whose operations a function of the project returns.

Django imports the migration and applies whatever list the call returned. A function whose
body binds literal lists of operations (its parameters among the items), chooses between them
under import-time conditions and returns one is read as its possible lists: when they all
leave the state alike (label-studio's trigram_migration_operations: a CREATE EXTENSION and
the RunPython it is given, or the RunPython alone, or nothing), the migration is replayed and
the app compared; where they differ in plain fields (io_storages' get_operations: RunPython
on PostgreSQL, AlterField on SQLite), those fields are unjudged. Each fixture's claim about
Django is checked with Django's autodetector (on SQLite)."""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations

pytestmark = pytest.mark.oracle

MODELS = '''\
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=50)
    code = models.CharField(max_length=10)
'''

HELPERS = '''\
import os

from django.db import migrations, models


def extension_then(next_step):
    ops = [
        migrations.RunSQL("SELECT 1", migrations.RunSQL.noop),
        next_step,
    ]
    SKIP = os.environ.get("SKIP_EXTENSION")
    if SKIP == "1":
        ops = [next_step]
    if SKIP == "full":
        ops = []
    return ops


def with_extra_field(next_step):
    return [migrations.AddField("item", "extra", models.IntegerField(default=0)), next_step]
'''

SECOND = '''\
from django.db import migrations

from shop.helpers import {helper}


def forwards(apps, schema_editor):
    pass


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = {helper}(migrations.RunPython(forwards, migrations.RunPython.noop))
'''

LOCAL = '''\
from django.db import connection, migrations, models

IS_SQLITE = connection.vendor == "sqlite"
TABLES = [{"model_name": "item", "length": 80}]


def forwards(apps, schema_editor):
    pass


def get_operations():
    if not IS_SQLITE:
        return [migrations.RunPython(forwards, migrations.RunPython.noop)]
    operations = []
    for table in TABLES:
        operations.append(
            migrations.AlterField(
                model_name=table["model_name"], name="name", field=models.CharField(max_length=table["length"])
            )
        )
    return operations


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = get_operations()
'''


def _project(tmp_path, second: str, models: str = MODELS):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/helpers.py": HELPERS, "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    (tmp_path / "shop/migrations/0002_second.py").write_text(second)
    (tmp_path / "shop/models.py").write_text(models)


def _drift(result):
    return sorted((f.code, f.model, f.field) for f in result.findings if f.code.startswith("DJS2"))


def _computed(result):
    return [u for u in result.project.unjudged if "computes operations" in u.detail or "import-time" in u.detail]


def test_an_imported_helper_whose_lists_leave_the_state_alike_is_replayed(tmp_path):
    _project(tmp_path, SECOND.format(helper="extension_then"))
    assert django_operations(tmp_path, ["shop"]) == set()  # Django: nothing to migrate
    result = run_scan(tmp_path)
    assert _drift(result) == []
    assert _computed(result) == []
    assert "shop" not in result.project.state.uncertain_apps


def test_the_app_of_such_a_migration_is_compared(tmp_path):
    _project(tmp_path, SECOND.format(helper="extension_then"), MODELS.replace("max_length=10", "max_length=12"))
    assert ("AlterField", "item", "code") in django_operations(tmp_path, ["shop"])
    assert _drift(run_scan(tmp_path)) == [("DJS212", "Item", "code")]


def test_the_operations_a_helper_adds_are_in_the_state(tmp_path):
    _project(tmp_path, SECOND.format(helper="with_extra_field"))
    # the helper's AddField is applied: the model lacks the field, Django would remove it
    assert django_operations(tmp_path, ["shop"]) == {("RemoveField", "item", "extra")}
    found = _drift(run_scan(tmp_path))
    assert [(model, field) for _, model, field in found] == [("Item", "extra")]


def test_a_local_function_whose_lists_differ_leaves_those_fields_unjudged(tmp_path):
    # on SQLite the AlterField runs (the model says 80: nothing to migrate); on PostgreSQL only
    # the RunPython, and Django would then write AlterField(max_length=80)
    _project(tmp_path, LOCAL, MODELS.replace("max_length=50", "max_length=80"))
    assert django_operations(tmp_path, ["shop"]) == set()
    result = run_scan(tmp_path)
    assert _drift(result) == []
    assert "shop" not in result.project.state.uncertain_apps
    assert not [u for u in result.project.unjudged if "computes operations" in u.detail]
    assert ("shop", "item", "name") in result.project.state.uncertain_fields


def test_the_other_fields_of_that_app_are_compared(tmp_path):
    models = MODELS.replace("max_length=50", "max_length=80").replace("max_length=10", "max_length=12")
    _project(tmp_path, LOCAL, models)
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "item", "code")}
    assert _drift(run_scan(tmp_path)) == [("DJS212", "Item", "code")]


def test_a_helper_of_another_shape_keeps_the_operations_computed(tmp_path):
    helpers = HELPERS + '''

def built_in_a_loop(next_step):
    ops = []
    while len(ops) < 1:
        ops.append(next_step)
    return ops
'''
    _project(tmp_path, SECOND.format(helper="built_in_a_loop"))
    (tmp_path / "shop/helpers.py").write_text(helpers)
    assert django_operations(tmp_path, ["shop"]) == set()
    result = run_scan(tmp_path)
    assert _drift(result) == []
    assert any("computes operations" in u.detail for u in result.project.unjudged)
    assert "shop" in result.project.state.uncertain_apps


STAR_RUNPYTHON = '''\
from django.db import migrations

from shop.sql import sql_steps


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [migrations.RunPython(*sql_steps("CREATE INDEX ...", "DROP INDEX ..."))]
'''

SQL_STEPS = '''\
def sql_steps(forwards_sql, backwards_sql):
    def forwards(apps, schema_editor):
        pass

    def backwards(apps, schema_editor):
        pass

    return forwards, backwards
'''


def test_a_runpython_given_star_arguments_leaves_the_state_alone(tmp_path):
    # label-studio's RunPython(*make_sql_migration(...)): RunPython has no state parameter
    models = MODELS.replace("max_length=10", "max_length=12")
    _project(tmp_path, STAR_RUNPYTHON, models)
    (tmp_path / "shop/sql.py").write_text(SQL_STEPS)
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "item", "code")}
    result = run_scan(tmp_path)
    assert "shop" not in result.project.state.uncertain_apps
    assert _drift(result) == [("DJS212", "Item", "code")]


def test_a_helper_imported_through_the_folder_manage_py_runs_from(tmp_path):
    # `python site/manage.py` puts site/ first on sys.path: `shop.helpers` is the tree's
    # site.shop.helpers (label-studio's `core.utils.common` in label_studio/)
    site = tmp_path / "site"
    site.mkdir()
    (site / "__init__.py").write_text("")
    (site / "manage.py").write_text("import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n")
    _project(site, SECOND.format(helper="with_extra_field"))
    assert django_operations(site, ["shop"]) == {("RemoveField", "item", "extra")}
    found = _drift(run_scan(tmp_path))
    assert [(model, field) for _, model, field in found] == [("Item", "extra")]


def test_only_djangos_own_runpython_given_star_arguments_is_state_free():
    from djstate.parse import parse_file

    source = b'''\
from django.db import migrations

ARGS = helper()


class LocalSQL(migrations.RunSQL):
    pass


class Migration(migrations.Migration):
    dependencies = []
    operations = [migrations.RunPython(*ARGS), LocalSQL(*ARGS)]
'''
    migration = parse_file("shop/migrations/0002_x.py", "shop.migrations.0002_x", source, "migration").migration
    runpython, local_sql = migration.operations
    assert (runpython.kind, runpython.known) == ("RunPython", True)
    assert local_sql.known is False  # RunSQL's third parameter is state_operations
