"""Managers whose classes are what runs, not what a type checker sees (issue 13's recall on
django-ca): bases chosen under ``if TYPE_CHECKING: ... else: ...`` are the ``else`` branch's (the
``if`` branch's under ``if not TYPE_CHECKING``),
methods stubbed under ``if TYPE_CHECKING:`` in a class body do not exist at runtime, and an
``abc.ABCMeta`` metaclass adds no name to a queryset.

Overrides of name-taking QuerySet methods (nautobot's) that pass every name but their own to
``super()`` leave the other names judged; one that renames keys in a loop leaves the query unjudged.

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError,
every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

from tests.oracle.statements import run_statements
from tests.conftest import expected_markers, run_scan, write_project

VAULT = {
    "vault/__init__.py": "",
    "vault/apps.py": "from django.apps import AppConfig\n\n\nclass VaultConfig(AppConfig):\n    name = 'vault'\n",
    "vault/managers.py": textwrap.dedent('''\
        import abc
        import typing
        from typing import TYPE_CHECKING

        from django.db import models

        from vault.utils import merge_without_collision

        if typing.TYPE_CHECKING:
            from vault.models import Safe

            SafeManagerBase = models.Manager["Safe"]
        else:
            SafeManagerBase = models.Manager

        if not TYPE_CHECKING:
            SafeQuerySetBase = models.QuerySet
        else:
            SafeQuerySetBase = models.QuerySet["Safe"]

        T = typing.TypeVar("T")


        class StubsMixin:
            """Type hints for mypy only: none of these methods exists when the code runs."""

            if TYPE_CHECKING:

                def filter(self, *args, **kwargs): ...

                def order_by(self, *names): ...


        class ExpiringMixin(typing.Generic[T], metaclass=abc.ABCMeta):
            """django-ca's X509CertMixinQuerySet: ABCMeta adds no name to a queryset."""

            def opened(self):
                return self.filter(locked=False)


        class SafeQuerySet(ExpiringMixin["Safe"], SafeQuerySetBase):
            def locked(self):
                return self.filter(locked=True)


        class SafeManager(StubsMixin, SafeManagerBase):
            pass


        class CheckedQuerySetMixin:
            """nautobot's SensitiveFieldsQuerySetMixin: checks the names, then passes them on."""

            def check(self, names):
                return None

            def values(self, *fields, **expressions):
                if not fields and not expressions:
                    fields = ("label",)
                else:
                    self.check(fields)
                    self.check(expressions.values())
                return super().values(*fields, **expressions)

            def order_by(self, *field_names):
                self.check([f for f in field_names if not isinstance(f, str)])
                return super().order_by(*field_names)


        class KeyedQuerySetMixin(CheckedQuerySetMixin):
            """nautobot's CompositeKeyQuerySetMixin: `key=` is the override's own keyword."""

            def split_key(self, key=None, **kwargs):
                if key and isinstance(key, str):
                    return merge_without_collision({"label": key}, kwargs)
                return kwargs

            def filter(self, *args, key=None, **kwargs):
                return super().filter(*args, **self.split_key(key, **kwargs))

            def exclude(self, *args, key=None, **kwargs):
                """The keyword named like a field is the override's: `weight` is consumed."""
                kwargs.pop("weight", None)
                return super().exclude(*args, **self.split_key(key, **kwargs))


        class LegacyQuerySetMixin:
            """nautobot's BaseManyToManyQuerySetMixin: renames keys in a loop (not judged)."""

            def translate(self, kwargs):
                out = {}
                for name, value in kwargs.items():
                    out["label" if name == "title" else name] = value
                return out

            def filter(self, *args, **kwargs):
                return super().filter(*args, **self.translate(kwargs))


        class KeyedQuerySet(KeyedQuerySetMixin, models.QuerySet):
            pass


        class LegacyQuerySet(LegacyQuerySetMixin, KeyedQuerySet):
            pass
        '''),
    "vault/utils.py": textwrap.dedent('''\
        def merge_without_collision(d1, d2):
            """nautobot.core.utils.data's: a module with no query, read for its dict helper."""
            for key in d1.keys() & d2.keys():
                if d1[key] != d2[key]:
                    raise ValueError(key)
            return {**d1, **d2}
        '''),
    "vault/models.py": textwrap.dedent('''\
        from django.db import models

        from vault.managers import KeyedQuerySet, LegacyQuerySet, SafeManager, SafeQuerySet


        class Safe(models.Model):
            label = models.CharField(max_length=50)
            locked = models.BooleanField(default=False)

            objects = SafeManager.from_queryset(SafeQuerySet)()


        class Box(models.Model):
            label = models.CharField(max_length=50)
            weight = models.IntegerField(default=0)

            objects = models.Manager.from_queryset(KeyedQuerySet)()


        class Crate(models.Model):
            label = models.CharField(max_length=50)

            objects = models.Manager.from_queryset(LegacyQuerySet)()
        '''),
    "vault/migrations/__init__.py": "",
    "vault/migrations/0001_initial.py": textwrap.dedent('''\
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Safe",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
                        ("locked", models.BooleanField(default=False)),
                    ],
                ),
                migrations.CreateModel(
                    name="Box",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
                        ("weight", models.IntegerField(default=0)),
                    ],
                ),
                migrations.CreateModel(
                    name="Crate",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("label", models.CharField(max_length=50)),
                    ],
                ),
            ]
        '''),
    "vault/queries.py": textwrap.dedent('''\
        from vault.models import Box, Crate, Safe


        def good():
            Safe.objects.filter(label="x").exclude(locked=True).order_by("-label")
            Safe.objects.locked().filter(label__startswith="x")
            Safe.objects.opened().values("label")
            Box.objects.filter(key="x", weight=1)
            Box.objects.exclude(key="x", weight=2).values("label", "weight").order_by("-weight")
            Box.objects.exclude(weight__gte=2)  # `weight` is consumed by exclude(): not judged
            Box.objects.values().filter(label="x")
            Crate.objects.filter(title="x")  # translated to `label`: not judged


        def bad():
            Safe.objects.filter(lable="x")  # expect: DJS501
            Safe.objects.locked().exclude(locked__isnul=True)  # expect: DJS501
            Safe.objects.order_by("-lockd")  # expect: DJS501
            Safe.objects.opened().values("lable")  # expect: DJS501
            Box.objects.filter(key="x", wieght=1)  # expect: DJS501
            Box.objects.exclude(lable__in=["x"])  # expect: DJS501
            Box.objects.values("label", "wieght")  # expect: DJS501
            Box.objects.order_by("-wieght")  # expect: DJS501
            Box.objects.get(lable="x")  # expect: DJS501
        '''),
}

def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = write_project(tmp_path, VAULT)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, VAULT)
    outcome = run_statements(root, "vault.queries", ["vault"])
    marked = {line for path, line, _ in expected_markers(root) if path == "vault/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 9 and marked <= set(outcome)
