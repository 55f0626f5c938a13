"""Shapes real projects use that djstate once got wrong (issue 9, patterns A, B, E, F).

Each fixture's migrations are written by Django itself (``makemigrations``), so Django's
autodetector finds nothing to do; djstate must then report no drift either. Each fixture
also has an edit after which Django *does* write operations, and djstate must name the
same operations (the real error is still caught).
"""

from __future__ import annotations

import pytest

from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

APP = "places"


def _files(models: str, extra: dict | None = None) -> dict:
    return {
        f"{APP}/__init__.py": "",
        f"{APP}/apps.py": apps_py(APP),
        f"{APP}/migrations/__init__.py": "",
        f"{APP}/models.py": models,
        **(extra or {}),
    }


# A: %(app_label)s / %(class)s in index and constraint names, on an abstract base and on a
# concrete model (Options._format_names fills them in for every concrete model)
PATTERN_A = '''\
from django.db import models


class Located(models.Model):
    city = models.CharField(max_length=50)
    country = models.CharField(max_length=2)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["city"], name="%(app_label)s_%(class)s_city")]
        constraints = [
            models.UniqueConstraint(fields=["city", "country"], name="%(app_label)s_%(class)s_uniq"),
        ]


class Shop(Located):
    name = models.CharField(max_length=50)


class Depot(Located):
    size = models.IntegerField(default=0)


class Office(models.Model):
    floor = models.IntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["floor"], name="%(class)s_floor")]
'''

# B: Meta lists built from a base's list: star-unpacking, `+`, and changes after assignment
PATTERN_B = '''\
from django.db import models


class Base(models.Model):
    code = models.CharField(max_length=20)
    kind = models.CharField(max_length=20)

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["code"], name="%(class)s_code")]


class Starred(Base):
    class Meta(Base.Meta):
        indexes = [*Base.Meta.indexes, models.Index(fields=["kind"], name="starred_kind")]


class Summed(Base):
    class Meta(Base.Meta):
        indexes = Base.Meta.indexes + [models.Index(fields=["kind"], name="summed_kind")]


class Appended(Base):
    class Meta(Base.Meta):
        indexes = list(Base.Meta.indexes)
        indexes = [models.Index(fields=["kind"], name="appended_kind")]
        indexes.append(models.Index(fields=["code", "kind"], name="appended_code_kind"))
        indexes += [models.Index(fields=["-code"], name="appended_code_desc")]
        indexes.extend([models.Index(fields=["-kind"], name="appended_kind_desc")])
        constraints = []
        constraints.append(models.UniqueConstraint(fields=["code"], name="appended_code_uniq"))
'''

# E: equal values spelled differently in the model and in the migration Django wrote
PATTERN_E = '''\
import logging
from datetime import timedelta
from decimal import Decimal

from django.db import models


class Job(models.Model):
    every = models.DurationField(default=timedelta(hours=6))
    level = models.IntegerField(choices=[(logging.DEBUG, "debug"), (logging.WARNING, "warning")], default=logging.INFO)
    price = models.DecimalField(max_digits=6, decimal_places=2, default=Decimal("1.50"))
'''

# F: a project patch of Field.deconstruct that drops kwargs by their value's type
PATTERN_F = '''\
from django.db import models


class ConfigItem:
    def __init__(self, value):
        self.value = value

    def __call__(self):
        return self.value


_deconstruct = models.Field.deconstruct


def _without_config_items(self):
    name, path, args, kwargs = _deconstruct(self)
    return name, path, args, {k: v for k, v in kwargs.items() if not isinstance(v, ConfigItem)}


models.Field.deconstruct = _without_config_items


class Setting(models.Model):
    limit = models.IntegerField(default=ConfigItem(5))
    label = models.CharField(max_length=40, default=ConfigItem("x"))
'''


# M: which manager Django shims into the migration state. Options.managers puts a class's own
# managers before its parents' and the default is Meta.default_manager_name, else the first of
# them, else (with no own manager) the first parent's Meta.default_manager_name
PATTERN_M = '''\
from django.db import models


class ActiveManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(active=True)


class Base(models.Model):
    active = models.BooleanField(default=True)
    objects = models.Manager()

    class Meta:
        abstract = True


class Ticket(Base):
    live = ActiveManager()


class Named(models.Model):
    active = models.BooleanField(default=True)
    plain = models.Manager()
    live = ActiveManager()

    class Meta:
        default_manager_name = "live"


class Parent(models.Model):
    active = models.BooleanField(default=True)
    plain = models.Manager()
    live = ActiveManager()

    class Meta:
        default_manager_name = "live"


class Child(Parent):
    size = models.IntegerField(default=0)
'''

CASES = [
    # (id, models, edit after makemigrations: (old, new) or None[, unverified expected])
    ("A_format_names", PATTERN_A, None),
    ("A_format_names_edited", PATTERN_A, ('name="%(app_label)s_%(class)s_city"', 'name="%(app_label)s_%(class)s_town"')),
    ("A_concrete_template_edited", PATTERN_A, ('name="%(class)s_floor"', 'name="%(class)s_storey"')),
    ("B_built_lists", PATTERN_B, None),
    ("B_starred_gains_index", PATTERN_B,
     ('models.Index(fields=["kind"], name="starred_kind")]',
      'models.Index(fields=["kind"], name="starred_kind"), models.Index(fields=["-kind"], name="starred_kd")]')),
    ("B_base_gains_index", PATTERN_B,
     ('indexes = [models.Index(fields=["code"], name="%(class)s_code")]',
      'indexes = [models.Index(fields=["code"], name="%(class)s_code"), models.Index(fields=["kind"], name="%(class)s_k")]')),
    ("B_appended_loses_index", PATTERN_B,
     ('        indexes.append(models.Index(fields=["code", "kind"], name="appended_code_kind"))\n', "")),
    ("E_equal_values", PATTERN_E, None),
    ("E_duration_changed", PATTERN_E, ("timedelta(hours=6)", "timedelta(hours=7)")),
    ("E_choice_changed", PATTERN_E, ('(logging.WARNING, "warning")', '(logging.ERROR, "warning")')),
    # the two defaults the patch drops are not compared (counted unverified), nothing else is skipped
    ("F_patched_deconstruct", PATTERN_F, None, 2),
    ("F_patched_deconstruct_column_changed", PATTERN_F, ("max_length=40", "max_length=60")),
    ("M_own_managers_first", PATTERN_M, None),
    ("M_default_manager_name_changed", PATTERN_M, ('''class Meta:
        default_manager_name = "live"


class Parent''', '''class Meta:
        default_manager_name = "plain"


class Parent''')),
]  # fmt: skip


@pytest.mark.parametrize("models,edit,skipped", [pytest.param(c[1], c[2], c[3] if len(c) > 3 else 0, id=c[0]) for c in CASES])
def test_meta_pattern_equals_django(tmp_path, models, edit, skipped):
    write_project(tmp_path, _files(models))
    make_migrations(tmp_path, [APP])
    if edit is not None:
        old, new = edit
        assert old in models
        (tmp_path / APP / "models.py").write_text(models.replace(old, new))
    expected = django_operations(tmp_path, [APP])
    assert bool(expected) == (edit is not None), f"the fixture does not do what it says: {expected}"
    operations, findings, unverified = djstate_operations(tmp_path)
    assert operations == expected, f"missing: {expected - operations}, extra: {operations - expected}"
    if edit is None:
        assert unverified == skipped, "djstate left more unverified than it should: silence proves nothing"
