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


USER_MODELS = '''\
from django.db import models


class ItemManager(models.Manager):
    use_in_migrations = True


class Item(models.Model):
    name = models.CharField(max_length=50)

    objects = ItemManager()
'''


def _templates(tmp_path):
    """Two project templates in one package (coderedcms's ``project_template/basic`` and
    ``/pro``), each run from its own manage.py in a folder without ``__init__.py``."""
    templates = tmp_path / "pkg" / "templates"
    write_project(tmp_path / "pkg", {"__init__.py": ""})
    for name in ("basic", "pro"):
        write_project(templates / name, {
            "manage.py": "import os\n\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'settings')\n",
            "website/__init__.py": "", "website/apps.py": apps_py("website"),
            "website/models.py": MODELS.replace("from common.models import Stamped\n", "").replace("(Stamped)", "(models.Model)"),
            "website/migrations/__init__.py": "",
        })  # fmt: skip
    write_project(templates / "pro", {
        "catalog/__init__.py": "", "catalog/apps.py": apps_py("catalog"), "catalog/models.py": USER_MODELS,
        "catalog/migrations/__init__.py": "",
    })  # fmt: skip
    for name in ("basic", "pro"):
        make_migrations(templates / name, ["website", "catalog"] if name == "pro" else ["website"])
    return templates / "pro"


def test_a_manager_written_from_one_of_several_manage_py_folders_matches(tmp_path):
    pro = _templates(tmp_path)
    assert "catalog.models.ItemManager()" in (pro / "catalog/migrations/0001_initial.py").read_text()
    assert django_operations(pro, ["catalog"]) == set()
    result = run_scan(tmp_path)
    assert [(f.code, f.message) for f in result.findings if f.code.startswith("DJS2")] == []


def test_a_changed_manager_there_is_still_reported(tmp_path):
    pro = _templates(tmp_path)
    (pro / "catalog/models.py").write_text(USER_MODELS.replace("class Item(", "class OtherManager(models.Manager):\n    use_in_migrations = True\n\n\nclass Item(").replace("objects = ItemManager()", "objects = OtherManager()"))
    assert django_operations(pro, ["catalog"]) == {("AlterModelManagers", "item", None)}
    found = [(f.code, f.model) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert found == [("DJS213", "Item")]
