"""A model base named by a setting and imported with ``import_string`` is followed.

label-studio builds Project, Task, User and four more models on mixins its settings name::

    PROJECT_MIXIN = "projects.mixins.ProjectMixin"          # core/settings/base.py
    ProjectMixin = load_func(settings.PROJECT_MIXIN)         # load_func -> import_string
    class Project(ProjectMixin, models.Model): ...

djstate reads the settings module manage.py names (and the modules it star-imports) for its
string constants, and a function of the tree whose returns only pass its parameter to
``import_string`` (or to another such function) as importing that path. Such a model is then
compared like any other. A setting set under an ``if`` or by a call stays unknown, and so does
the model built on it.

Django is the oracle: its makemigrations, run with the project's own settings module, writes the
migrations and says with ``--check`` whether the models drifted from them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import run_scan, write_project
from tests.test_oracle_drift import apps_py

UTILS = '''\
from django.utils.module_loading import import_string


def import_from_string(func_string):
    try:
        return import_string(func_string)
    except ImportError as e:
        raise ImportError(f"Could not import {func_string} from settings: {e}")


def load_func(func_string):
    if func_string is None:
        return None
    elif isinstance(func_string, str):
        return import_from_string(func_string)
    return func_string
'''

MIXINS = '''\
from django.db import models


class ProjectMixin(models.Model):
    budget = models.IntegerField(default=0)

    class Meta:
        abstract = True


class EnterpriseMixin(models.Model):
    seats = models.IntegerField(default=1)

    class Meta:
        abstract = True
'''

MODELS = '''\
from django.conf import settings
from django.db import models

from shop.utils import load_func

ProjectMixin = load_func(settings.PROJECT_MIXIN)


class Project(ProjectMixin, models.Model):
    title = models.CharField(max_length=40)
'''

BASE_SETTINGS = '''\
INSTALLED_APPS = ["django.contrib.contenttypes", "django.contrib.auth", "shop"]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
USE_TZ = True
PROJECT_MIXIN = "shop.mixins.ProjectMixin"
'''


def _project(root: Path, settings: str) -> Path:
    write_project(root, {
        "manage.py": 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
        "proj/__init__.py": "", "proj/base.py": BASE_SETTINGS, "proj/settings.py": settings,
        "shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/utils.py": UTILS,
        "shop/mixins.py": MIXINS, "shop/models.py": MODELS,
    })  # fmt: skip
    return root


def _django(root: Path, *args: str) -> subprocess.CompletedProcess:
    """makemigrations under the project's own settings module."""
    script = "import sys, django\ndjango.setup()\nfrom django.core.management import call_command\ncall_command(*sys.argv[1:])"
    env = {**os.environ, "PYTHONPATH": str(root), "DJANGO_SETTINGS_MODULE": "proj.settings"}
    return subprocess.run([sys.executable, "-c", script, "makemigrations", "shop", *args, "--verbosity", "0"],
                          capture_output=True, text=True, timeout=120, cwd=root, env=env, check=False)  # fmt: skip


def _drift(root: Path) -> tuple[list, set[str]]:
    result = run_scan(root)
    return [f for f in result.findings if f.code.startswith("DJS2")], {u.unit for u in result.project.unjudged}


@pytest.mark.oracle
@pytest.mark.parametrize("settings, field", [
    ("from proj.base import *\n", "budget"),
    # the settings module overrides the base's value: Django imports the other mixin
    ('from proj.base import *\n\nPROJECT_MIXIN = "shop.mixins.EnterpriseMixin"\n', "seats"),
])  # fmt: skip
def test_a_base_named_by_a_setting_is_compared(tmp_path, settings, field):
    root = _project(tmp_path, settings)
    assert _django(root).returncode == 0
    migration = (root / "shop" / "migrations" / "0001_initial.py").read_text()
    assert f"'{field}'" in migration.replace('"', "'")  # Django built Project on that mixin
    findings, unjudged = _drift(root)
    assert findings == [] and "model shop.Project" not in unjudged

    mixins = root / "shop" / "mixins.py"
    mixins.write_text(mixins.read_text().replace(f"    {field} = models.IntegerField(", f"    {field} = models.BigIntegerField("))
    assert _django(root, "--check", "--dry-run").returncode == 1  # Django sees the change
    findings, _ = _drift(root)
    assert [(f.model, f.field) for f in findings] == [("Project", field)]


def _migrated_then_changed(root: Path) -> None:
    """Django writes the migrations under the readable settings, then ProjectMixin's field changes:
    a model djstate judged would now give a drift finding."""
    settings = (root / "proj" / "settings.py").read_text()
    (root / "proj" / "settings.py").write_text("from proj.base import *\n")
    assert _django(root).returncode == 0
    (root / "proj" / "settings.py").write_text(settings)
    mixins = root / "shop" / "mixins.py"
    mixins.write_text(mixins.read_text().replace("budget = models.IntegerField(", "budget = models.BigIntegerField("))


@pytest.mark.oracle
@pytest.mark.parametrize("settings", [
    'from proj.base import *\nimport os\n\nif os.environ.get("ENTERPRISE"):\n    PROJECT_MIXIN = "shop.mixins.EnterpriseMixin"\n',
    'from proj.base import *\nimport os\n\nPROJECT_MIXIN = os.environ.get("MIXIN", "shop.mixins.ProjectMixin")\n',
])  # fmt: skip
def test_a_setting_djstate_cannot_read_leaves_the_model_unjudged(tmp_path, settings):
    root = _project(tmp_path, settings)
    _migrated_then_changed(root)
    findings, unjudged = _drift(root)
    assert findings == [] and "model shop.Project" in unjudged


@pytest.mark.oracle
def test_a_function_that_may_return_something_else_is_not_an_importer(tmp_path):
    root = _project(tmp_path, "from proj.base import *\n")
    _migrated_then_changed(root)
    utils = root / "shop" / "utils.py"
    utils.write_text(UTILS.replace("    return func_string\n", "    return default_mixin()\n") + "\n\ndef default_mixin():\n    return object\n")
    findings, unjudged = _drift(root)
    assert findings == [] and "model shop.Project" in unjudged
    utils.write_text(UTILS)  # the importer again: the change is seen
    assert [(f.model, f.field) for f in _drift(root)[0]] == [("Project", "budget")]
