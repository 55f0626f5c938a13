"""django.contrib.postgres's model fields against Django's own autodetector.

ArrayField, HStoreField and the range fields are described by tools/gen_thirdparty.py, which
measures them with this venv's Django (djstate/data/thirdparty.json, package "django"). Here
Django writes the starting migration of a small app using them (``makemigrations``), djstate
must judge it whole with nothing to report, and each single edit of ``models.py`` must give
the operations Django's ``MigrationAutodetector`` computes (tests/test_oracle_drift.py's oracle).
"""

from __future__ import annotations

import pytest

from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytest.importorskip("psycopg", reason="the range fields import psycopg")
pytestmark = pytest.mark.oracle

MODELS = '''\
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, HStoreField, IntegerRangeField
from django.db import models


class Device(models.Model):
    name = models.CharField(max_length=64)
    labels = ArrayField(models.CharField(max_length=50, blank=True), blank=True, default=list)
    ports = ArrayField(base_field=models.PositiveSmallIntegerField(), size=48, null=True)
    grid = ArrayField(ArrayField(models.IntegerField()), default=list)
    attrs = HStoreField(blank=True, null=True)
    vlans = IntegerRangeField(null=True)
    window = DateTimeRangeField(null=True, blank=True)
'''

# (name, old text, new text): each one edit Django writes a migration for, or none
EDITS = [
    ("base_field max_length", "max_length=50, blank=True", "max_length=60, blank=True"),
    ("base_field class", "models.PositiveSmallIntegerField()", "models.SmallIntegerField()"),
    ("size", "size=48", "size=64"),
    ("size removed", ", size=48", ""),
    ("null", "models.IntegerField()), default=list", "models.IntegerField()), default=list, null=True"),
    ("nested base_field", "ArrayField(models.IntegerField())", "ArrayField(models.BigIntegerField())"),
    ("hstore db_comment", "HStoreField(blank=True, null=True)", "HStoreField(blank=True, null=True, db_comment='kv')"),
    ("range db_index", "IntegerRangeField(null=True)", "IntegerRangeField(null=True, db_index=True)"),
    ("range class", "DateTimeRangeField(null=True, blank=True)", "IntegerRangeField(null=True, blank=True)"),
    ("base_field written by keyword", "ArrayField(models.CharField(max_length=50, blank=True),",
     "ArrayField(base_field=models.CharField(max_length=50, blank=True),"),
    ("size None written", "default=list)\n    ports", "default=list, size=None)\n    ports"),
]  # fmt: skip


def _project(tmp_path, models: str) -> None:
    write_project(tmp_path, {"net/__init__.py": "", "net/apps.py": apps_py("net"), "net/models.py": MODELS,
                             "net/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["net"])
    (tmp_path / "net" / "models.py").write_text(models)


def test_the_starting_app_is_judged_whole_without_drift(tmp_path):
    _project(tmp_path, MODELS)
    assert django_operations(tmp_path, ["net"]) == set()
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set()
    assert unverified == 0


@pytest.mark.parametrize("name,old,new", EDITS, ids=[e[0] for e in EDITS])
def test_an_edit_gives_the_operations_django_writes(tmp_path, name, old, new):
    assert MODELS.count(old) == 1, old
    _project(tmp_path, MODELS.replace(old, new))
    expected = django_operations(tmp_path, ["net"])
    operations, findings, unverified = djstate_operations(tmp_path)
    assert operations == expected
    assert unverified == 0
    assert all(f.severity == "error" for f in findings)  # each edit changes the column


PATCH = '''\
from django.db import models

_deconstruct = models.Field.deconstruct


def custom_deconstruct(field):
    """netbox's: state-only attributes are left out of every field's migration."""
    name, path, args, kwargs = _deconstruct(field)
    for attr in ("choices", "help_text", "verbose_name"):
        kwargs.pop(attr, None)
    return name, path, args, kwargs


models.Field.deconstruct = custom_deconstruct
'''
PATCHED_MODELS = '''\
from django.contrib.postgres.fields import ArrayField
from django.db import models

import net.patch  # noqa: F401


def event_choices():
    return [("created", "Created"), ("deleted", "Deleted")]


class Rule(models.Model):
    events = ArrayField(base_field=models.CharField(max_length=50, choices=event_choices))
'''


@pytest.mark.parametrize("old,new,expected", [
    ("", "", set()),  # the model has choices, its migration (the patch) none: netbox's EventRule
    ("max_length=50, choices=event_choices", "max_length=50", set()),
    ("max_length=50, choices=event_choices", "max_length=60, choices=event_choices", {("AlterField", "rule", "events")}),
])  # fmt: skip
def test_a_patched_deconstruct_drops_the_same_kwargs_of_a_base_field(tmp_path, old, new, expected):
    write_project(tmp_path, {"net/__init__.py": "", "net/apps.py": apps_py("net"), "net/patch.py": PATCH,
                             "net/models.py": PATCHED_MODELS, "net/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["net"])
    assert "choices" not in (tmp_path / "net" / "migrations" / "0001_initial.py").read_text()
    (tmp_path / "net" / "models.py").write_text(PATCHED_MODELS.replace(old, new))
    assert django_operations(tmp_path, ["net"]) == expected
    assert djstate_operations(tmp_path)[0] == expected
