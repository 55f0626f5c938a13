"""A manager's ``use_in_migrations`` is looked up in its class's C3 MRO.

nautobot's ``UserManager(BaseManager, auth.UserManager)``, with ``BaseManager(models.Manager)``:
Python finds ``use_in_migrations = True`` on auth's UserManager before Manager's base, so Django
writes the manager into the migrations. With Django's source read (a virtualenv), a depth-first
walk reached Django's ``BaseManager.use_in_migrations = False`` first and djstate reported a
false AlterModelManagers (DJS213). Django's autodetector is the oracle.
"""

from __future__ import annotations

import sysconfig

import pytest

from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.contrib.auth.models import UserManager as UserManager_
from django.db import models


class BaseManager(models.Manager):
    def get_by_natural_key(self, key):
        return self.get(pk=key)


class UserManager(BaseManager, UserManager_):
    pass


class PlainManager(BaseManager):
    pass


class Member(models.Model):
    username = models.CharField(max_length=50)
    objects = UserManager()


class Note(models.Model):
    text = models.CharField(max_length=50)
    objects = PlainManager()
'''


@pytest.mark.oracle
def test_use_in_migrations_follows_the_mro_with_django_source_read(tmp_path):
    site_packages = sysconfig.get_paths()["purelib"]  # this venv's Django, read as source
    write_project(tmp_path, {
        "shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
        "pyproject.toml": f"[tool.djstate]\nsite_packages = [{site_packages!r}]\n",
    })  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    migration = (tmp_path / "shop" / "migrations" / "0001_initial.py").read_text()
    assert "managers=[" in migration and "shop.models.UserManager()" in migration  # Django uses it
    assert "PlainManager" not in migration
    assert django_operations(tmp_path, ["shop"]) == set()
    operations, findings, _ = djstate_operations(tmp_path)
    assert operations == set(), [f.message for f in findings]
