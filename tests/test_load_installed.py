"""Two apps with one label: INSTALLED_APPS breaks the tie (djstate/load.py), whether it names
the app's module, its config's name or a config class in the app's ``apps`` module."""

from __future__ import annotations

import pytest

from djstate.load import _config_owners
from tests.conftest import run_scan, write_project


def files(installed: str) -> dict:
    app = "from django.apps import AppConfig\nclass ShopConfig(AppConfig):\n    name = '{}'\n    label = 'shop'\n"
    return {
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_conf.settings')\n",
        "site_conf/__init__.py": "",
        "site_conf/settings.py": f"INSTALLED_APPS = [{installed!r}]\n",
        "shop/__init__.py": "",  # the shallower one: kept unless the other is installed
        "shop/apps.py": app.format("shop"),
        "shop/models.py": "from django.db import models\n",
        "vendor/__init__.py": "",
        "vendor/shop/__init__.py": "",
        "vendor/shop/apps.py": app.format("vendor.shop"),
        "vendor/shop/models.py": "from django.db import models\n",
    }


@pytest.mark.parametrize("installed, kept", [
    ("vendor.shop", "vendor/shop"),  # the module
    ("vendor.shop.apps.ShopConfig", "vendor/shop"),  # a config class of its apps module
    ("shop.apps.ShopConfig", "shop"),
    ("other", "shop"),  # neither: the shallowest
])  # fmt: skip
def test_installed_app_keeps_the_label(tmp_path, installed, kept):
    write_project(tmp_path, files(installed))
    project = run_scan(tmp_path).project
    assert project.apps["shop"].dir.path == kept
    assert [a.dir.path for a in project.shadowed_apps] == [{"shop": "vendor/shop", "vendor/shop": "shop"}[kept]]


def test_config_owners_are_every_part_before_an_apps_segment():
    assert _config_owners(["a.apps.B", "x.apps.y.apps.Z", "plain", ".apps.C"]) == {"a", "x", "x.apps.y", ""}
