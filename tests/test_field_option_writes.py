"""``Model._meta.get_field("path").max_length = 4`` after a class changes what Django's
autodetector sees (django-treebeard's tests, openwisp-controller's ``blank``): the migration
Django writes has ``max_length=4`` while the class body says 255. Such a field is unjudged
(runtime-attribute), not a DJS212; the model's other fields are still compared."""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations

pytestmark = pytest.mark.oracle

MODELS = '''\
from django.db import models


class Node(models.Model):
    path = models.CharField(max_length=255, unique=True)
    title = models.CharField(max_length=40)


Node._meta.get_field("path").max_length = 4
'''


def _project(tmp_path):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    assert "max_length=4" in (tmp_path / "shop/migrations/0001_initial.py").read_text()


def test_a_field_whose_options_code_changes_is_unjudged(tmp_path):
    _project(tmp_path)
    assert django_operations(tmp_path, ["shop"]) == set()  # Django: nothing to migrate
    result = run_scan(tmp_path)
    assert [f for f in result.findings if f.code.startswith("DJS2")] == []
    assert any(u.unit == "field shop.Node.path" and u.reason == "runtime-attribute" for u in result.project.unjudged)


def test_the_other_fields_are_still_compared(tmp_path):
    _project(tmp_path)
    (tmp_path / "shop/models.py").write_text(MODELS.replace("max_length=40", "max_length=50"))
    assert ("AlterField", "shop.node", "title") in {(o[0], f"shop.{o[1]}", o[2]) for o in django_operations(tmp_path, ["shop"])}
    found = [(f.code, f.severity) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert found == [("DJS212", "error")]
