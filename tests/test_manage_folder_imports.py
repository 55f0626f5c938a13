"""Imports written as Django runs them from a manage.py that lies in a package folder
(label-studio: ``label_studio/manage.py``, and ``from io_storages.base_models import
ExportStorage``): ``python site/manage.py`` puts ``site/`` first on sys.path, so
``common.models`` is the tree's ``site.common.models``. Such a base is followed (it was a base
outside the tree, unjudged), and the models built on it are compared. Django's autodetector,
run with ``site/`` on sys.path, checks each fixture."""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations

pytestmark = pytest.mark.oracle

COMMON = '''\
from django.db import models


class Stamped(models.Model):
    stamp = models.CharField(max_length=20)

    class Meta:
        abstract = True
'''

MODELS = '''\
from django.db import models

from common.models import Stamped


class Item(Stamped):
    name = models.CharField(max_length=50)
'''


def _project(tmp_path):
    site = tmp_path / "site"
    write_project(site, {
        "__init__.py": "",
        "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n",
        "common/__init__.py": "", "common/models.py": COMMON,
        "shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
        "shop/migrations/__init__.py": "",
    })  # fmt: skip
    make_migrations(site, ["shop"])
    return site


def test_a_base_imported_from_the_manage_py_folder_is_followed(tmp_path):
    site = _project(tmp_path)
    assert django_operations(site, ["shop"]) == set()
    result = run_scan(tmp_path)
    assert [f for f in result.findings if f.code.startswith("DJS2")] == []
    assert [u for u in result.project.unjudged if "shop" in u.unit] == []


def test_a_change_of_its_field_is_reported(tmp_path):
    site = _project(tmp_path)
    (site / "common/models.py").write_text(COMMON.replace("max_length=20", "max_length=30"))
    assert django_operations(site, ["shop"]) == {("AlterField", "item", "stamp")}
    found = [(f.code, f.model, f.field) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert found == [("DJS212", "Item", "stamp")]
