"""Settings named by a manage.py that lies in a package folder (label-studio's
``label_studio/manage.py`` sets ``core.settings.label_studio``): ``python label_studio/manage.py``
puts that folder first on sys.path, so the module is the tree's
``label_studio.core.settings.label_studio``, and its ``from .base import *`` the tree's
``label_studio.core.settings.base``. Read there, DEFAULT_AUTO_FIELD decides the implicit
``id`` of every model, which is then compared instead of unjudged (settings-value). Django's
autodetector, run with the same DEFAULT_AUTO_FIELD, checks each fixture."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import AUTODETECT

pytestmark = pytest.mark.oracle

MODELS = '''\
from django.db import models


class Item(models.Model):
    name = models.CharField(max_length=50)
'''


APPS = """\
from django.apps import AppConfig


class ShopConfig(AppConfig):
    name = "shop"
"""


def _project(tmp_path):
    site = tmp_path / "site"
    write_project(site, {
        "__init__.py": "",
        "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'conf.settings')\n",
        "conf/__init__.py": "",
        "conf/settings.py": "from .base import *  # noqa\n\nDEBUG = False\n",
        "conf/base.py": (
            "DEFAULT_AUTO_FIELD = 'django.db.models.BigAutoField'\n"
            "INSTALLED_APPS = ['django.contrib.contenttypes', 'django.contrib.auth', 'shop']\n"
        ),
        "shop/__init__.py": "", "shop/apps.py": APPS, "shop/models.py": MODELS,
        "shop/migrations/__init__.py": "",
    })  # fmt: skip
    make_migrations(site, ["shop"])  # with DEFAULT_AUTO_FIELD = AutoField
    return site


def _django_with_big_auto_field(site) -> set:
    env = dict(os.environ, PYTHONPATH=str(site))
    script = AUTODETECT.replace('"django.db.models.AutoField"', '"django.db.models.BigAutoField"')
    proc = subprocess.run([sys.executable, "-c", script, "shop"], capture_output=True, text=True, timeout=120, env=env, cwd=site)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {tuple(op) for op in json.loads(proc.stdout)}


def _id_unjudged(result) -> list:
    return [u for u in result.project.unjudged if u.unit == "field shop.Item.id"]


def test_the_settings_module_is_read_from_the_manage_py_folder(tmp_path):
    site = _project(tmp_path)
    initial = site / "shop/migrations/0001_initial.py"
    initial.write_text(initial.read_text().replace("models.AutoField", "models.BigAutoField"))
    assert _django_with_big_auto_field(site) == set()
    result = run_scan(tmp_path)
    assert result.project.settings.default_auto_field == "django.db.models.BigAutoField"
    assert [f for f in result.findings if f.code.startswith("DJS2")] == []
    assert _id_unjudged(result) == []


def test_an_id_the_setting_changes_is_reported(tmp_path):
    site = _project(tmp_path)  # migrations say AutoField, the project's setting BigAutoField
    assert _django_with_big_auto_field(site) == {("AlterField", "item", "id")}
    found = [(f.code, f.model, f.field) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert found == [("DJS212", "Item", "id")]
