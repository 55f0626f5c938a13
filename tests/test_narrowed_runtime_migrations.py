"""Migrations that choose part of themselves at runtime leave only that part unjudged.

- hyperkitty 0013: ``class MailingListPrimaryKey(migrations.AlterField)`` names its model in
  ``__init__`` and edits ``state.models[app_label, self.model_name_lower]`` in its own
  ``state_forwards``: that model is uncertain, the app's other models are judged.
- django-import-export's test app: ``def apply(...)`` does ``self.operations =
  self.operations + self.pg_only_operations`` on PostgreSQL: only the models those
  operations touch are uncertain.
- simplejwt 0011: ``__init__`` sets ``self.dependencies = [...]`` and inserts one found with
  ``os.listdir``: the literal part places it in its app, whose state is replayed.
- allauth account 0001: ``if not UNIQUE_EMAIL: operations += [...]``: the operations before
  the ``if`` run either way and stay judged.
- activity-stream 0002: ``if not USE_JSONFIELD: operations = [RemoveField(...)]`` of a plain
  field: only that field is unjudged.
- api-key 0004: ``dependencies = DEPENDENCIES``, a module constant, is read; weblate 0084:
  ``dependencies = get_dependencies()``, a function that appends one when an app is installed.

Django's autodetector is the oracle (SQLite; ``apply`` never runs for makemigrations).
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

    class Meta:
        verbose_name = "venture"


class Task(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE)
    data = models.TextField(default="")
    note = models.CharField(max_length=20)
'''

CUSTOM_ALTER = '''\
from django.db import migrations, models


class ProjectTitle(migrations.AlterField):
    def __init__(self):
        super(ProjectTitle, self).__init__("project", "title", field=models.CharField(max_length=40))

    def state_forwards(self, app_label, state):
        state.models[app_label, self.model_name_lower].options["verbose_name"] = "venture"
        super(ProjectTitle, self).state_forwards(app_label, state)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [ProjectTitle()]
'''

# the same class reaching another model: the app stays uncertain
CUSTOM_ALTER_WIDE = CUSTOM_ALTER.replace(
    'state.models[app_label, self.model_name_lower].options["verbose_name"] = "venture"',
    'state.models[app_label, "task"].options["verbose_name"] = "venture"',
)

PG_ONLY = '''\
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = []

    pg_only_operations = [
        migrations.CreateModel(
            name="Chapters",
            fields=[("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID"))],
        ),
    ]

    def apply(self, project_state, schema_editor, collect_sql=False):
        if schema_editor.connection.vendor.startswith("postgres"):
            self.operations = self.operations + self.pg_only_operations
        return super().apply(project_state, schema_editor, collect_sql)
'''

LINEARIZED = '''\
import fnmatch
import os
from pathlib import Path

from django.db import migrations

parent_dir = Path(__file__).resolve(strict=True).parent


class Migration(migrations.Migration):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dependencies = [("shop", "0001_initial")]
        _m = sorted(fnmatch.filter(os.listdir(parent_dir), "000*.py"))
        if len(_m) == 9:
            self.dependencies.insert(0, ("shop", os.path.splitext(_m[8])[0]))

    operations = []
'''

NOTE_LENGTH = '''\
from django.db import migrations, models

DEPENDENCIES = [("shop", "0002_runtime")]


class Migration(migrations.Migration):
    dependencies = DEPENDENCIES

    operations = [
        migrations.AlterField(model_name="task", name="note", field=models.CharField(max_length=30)),
    ]
'''

# allauth account 0001/0002: `operations += [...]` under a setting; what precedes it always runs
AUGMENTED = '''\
from django.conf import settings
from django.db import migrations, models

UNIQUE_TITLE = getattr(settings, "SHOP_UNIQUE_TITLE", False)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    operations = [
        migrations.AlterField(model_name="task", name="note", field=models.CharField(max_length=25)),
    ]

    if UNIQUE_TITLE:
        operations += [
            migrations.AlterUniqueTogether(name="project", unique_together={("title",)}),
        ]
'''

# weblate trans 0084: a function of the migration module returns the dependencies
NOTE_LENGTH_CALLED = NOTE_LENGTH.replace(
    'DEPENDENCIES = [("shop", "0002_runtime")]\n',
    "from django.conf import settings\n\n\n"
    "def get_dependencies():\n"
    '    dependencies = [("shop", "0002_runtime")]\n'
    '    if "billing" in settings.INSTALLED_APPS:\n'
    '        dependencies.append(("billing", "0011_workspace"))\n'
    "    return dependencies\n",
).replace("dependencies = DEPENDENCIES", "dependencies = get_dependencies()")

REMOVED_UNDER_SETTING = '''\
from django.conf import settings
from django.db import migrations

KEEP_DATA = getattr(settings, "SHOP_KEEP_DATA", False)


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    if not KEEP_DATA:
        operations = [migrations.RemoveField(model_name="task", name="data")]
'''


def _project(tmp_path, second: str, third: str | None = None) -> None:
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    (tmp_path / "shop" / "migrations" / "0002_runtime.py").write_text(second)
    if third is not None:
        (tmp_path / "shop" / "migrations" / "0003_note.py").write_text(third)
        _edit(tmp_path, "max_length=20", "max_length=30")


def _edit(tmp_path, old: str, new: str) -> None:
    models = tmp_path / "shop" / "models.py"
    text = models.read_text()
    assert old in text
    models.write_text(text.replace(old, new))


def _units(tmp_path) -> set[str]:
    return {u.unit for u in run_scan(tmp_path).project.unjudged}


@pytest.mark.parametrize(
    "second", [CUSTOM_ALTER, PG_ONLY, LINEARIZED, AUGMENTED],
    ids=["custom-state-forwards", "apply-adds", "init-dependencies", "augmented-under-setting"],
)
def test_clean_project_and_a_drift_on_another_model(tmp_path, second):
    _project(tmp_path, second, NOTE_LENGTH)
    assert django_operations(tmp_path, ["shop"]) == set()
    assert djstate_operations(tmp_path)[0] == set()
    _edit(tmp_path, "max_length=30", "max_length=50")  # Task.note drifts
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "task", "note")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "task", "note")}


def test_dependencies_returned_by_a_function(tmp_path):
    _project(tmp_path, CUSTOM_ALTER, NOTE_LENGTH_CALLED)
    assert django_operations(tmp_path, ["shop"]) == set()
    assert djstate_operations(tmp_path)[0] == set()
    _edit(tmp_path, "max_length=30", "max_length=50")
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "task", "note")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "task", "note")}
    assert not any(u.startswith("app shop") for u in _units(tmp_path))
    assert not [f for f in run_scan(tmp_path).findings if f.code.startswith("DJS1")]  # no graph finding


def test_custom_state_forwards_leaves_its_model_uncertain(tmp_path):
    _project(tmp_path, CUSTOM_ALTER)
    units = _units(tmp_path)
    assert "shop.project" in units
    assert "app shop" not in units


def test_custom_state_forwards_reaching_another_model_keeps_the_app_uncertain(tmp_path):
    _project(tmp_path, CUSTOM_ALTER_WIDE)
    _edit(tmp_path, "max_length=20", "max_length=50")
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "task", "note"), ("AlterModelOptions", "task", None)}
    assert djstate_operations(tmp_path)[0] == set()  # the app is not judged
    assert "app shop" in _units(tmp_path)


def test_a_field_removed_under_a_setting_alone_is_unjudged(tmp_path):
    _project(tmp_path, REMOVED_UNDER_SETTING)
    _edit(tmp_path, "max_length=20", "max_length=50")
    # the setting's default removes Task.data; with SHOP_KEEP_DATA = True the model would match
    assert django_operations(tmp_path, ["shop"]) == {("AddField", "task", "data"), ("AlterField", "task", "note")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "task", "note")}
    units = _units(tmp_path)
    assert "field shop.Task.data" in units
    assert not any(u.startswith("model shop.") or u == "shop.task" for u in units), units
    _edit(tmp_path, '    data = models.TextField(default="")\n', "")
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "task", "note")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "task", "note")}
