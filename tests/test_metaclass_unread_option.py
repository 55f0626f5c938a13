"""A metaclass that sets one option of one field to a value djstate does not read leaves the
rest of the model judged.

netbox's LtreeModelBase copies ``name``'s ``db_collation`` to ``sort_path`` (when ``sort_path``
has none) for every concrete model. djstate cannot say which collation ``sort_path`` ends up
with, but that is all the metaclass changes: every other field, and ``sort_path``'s other
options, are compared. Before, all eleven of netbox's tree models were left unverified.

Django is the oracle: makemigrations writes the migrations, and ``--check`` says whether each
later edit of the models is a change.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.core.exceptions import FieldDoesNotExist
from django.db import models


class SortedBase(models.base.ModelBase):
    def __new__(mcs, name, bases, namespace, **kwargs):
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        if cls._meta.abstract:
            return cls
        try:
            name_field = cls._meta.get_field("name")
            sort_field = cls._meta.get_field("sort")
        except FieldDoesNotExist:
            return cls
        collation = getattr(name_field, "db_collation", None)
        if collation and not getattr(sort_field, "db_collation", None):
            sort_field.db_collation = collation
        return cls


class Sorted(models.Model, metaclass=SortedBase):
    sort = models.TextField(default="", editable=False)

    class Meta:
        abstract = True


class Region(Sorted):
    name = models.CharField(max_length=50, db_collation="NOCASE")
    slug = models.SlugField(max_length=50)
'''


def _project(tmp_path):
    write_project(tmp_path, {"tree/__init__.py": "", "tree/apps.py": apps_py("tree"), "tree/models.py": MODELS})
    make_migrations(tmp_path, ["tree"])
    migration = (tmp_path / "tree" / "migrations" / "0001_initial.py").read_text().replace('"', "'")
    assert "('sort', models.TextField(db_collation='NOCASE'" in migration  # the metaclass ran in Django
    return tmp_path


@pytest.mark.oracle
def test_only_the_option_the_metaclass_sets_is_unjudged(tmp_path):
    root = _project(tmp_path)
    operations, findings, _ = djstate_operations(root)
    assert operations == set() and findings == []
    result = run_scan(root)
    unjudged = {u.unit for u in result.project.unjudged}
    assert "model tree.Region" not in unjudged


@pytest.mark.oracle
def test_the_other_fields_are_compared(tmp_path):
    root = _project(tmp_path)
    models = root / "tree" / "models.py"
    models.write_text(models.read_text().replace("slug = models.SlugField(max_length=50)", "slug = models.SlugField(max_length=80)"))
    assert django_operations(root, ["tree"]) == {("AlterField", "region", "slug")}
    operations, _, _ = djstate_operations(root)
    assert operations == {("AlterField", "region", "slug")}


@pytest.mark.oracle
def test_the_field_it_touches_is_not_judged(tmp_path):
    root = _project(tmp_path)
    models = root / "tree" / "models.py"
    models.write_text(models.read_text().replace('sort = models.TextField(default="",', 'sort = models.TextField(default="-",'))
    assert django_operations(root, ["tree"]) == {("AlterField", "region", "sort")}
    operations, findings, _ = djstate_operations(root)  # db_collation is unknown: sort is left unjudged
    assert operations == set() and findings == []
    assert any(u.unit.endswith("Region.sort") for u in run_scan(root).project.unjudged)
