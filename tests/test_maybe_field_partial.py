"""A class attribute built by a call djstate cannot follow leaves the rest of its model judged.

``template = copy.deepcopy(...)`` or ``context = context_field_class("Context", null=True)``
(django-post-office) may build a field, and that field's ``contribute_to_class`` may add more
(a money field's ``<name>_currency``). Such a model used to be left wholly unjudged, which lost
every drift mutation on django-activity-stream (``objects = get_action_manager()``) and
django-post-office. Now the fields djstate reads are compared (an added field, a changed option),
and only a field found in the migrations but not among the read fields is left unjudged.

Django's autodetector is the oracle: makemigrations writes the migrations, then each edit of the
models is judged by both.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

FIELDS = '''\
from django.db import models


class Amount(models.DecimalField):
    """Adds a `<name>_currency` column beside its own, as django-money's MoneyField does."""

    def contribute_to_class(self, cls, name, **kwargs):
        super().contribute_to_class(cls, name, **kwargs)
        if not cls._meta.abstract:
            currency = models.CharField(max_length=3, default="EUR", editable=False)
            cls.add_to_class(f"{name}_currency", currency)


def amount_field(**kwargs):
    return Amount(max_digits=10, decimal_places=2, **kwargs)


def text_field(name, **kwargs):
    return models.TextField(name, **kwargs)


def make_manager():
    return models.Manager()
'''

MODELS = '''\
from django.db import models

from shop.fields import amount_field, make_manager, text_field


class Email(models.Model):
    context = text_field("Context", blank=True, null=True)
    price = amount_field(default=0)
    subject = models.CharField(max_length=40)
    sent = models.BooleanField(default=False)


class Tracker(models.Model):
    entries = make_manager()  # the default manager: migrations hold ("entries", Manager())
    name = models.CharField(max_length=10)
'''


@pytest.mark.oracle
def test_a_call_that_may_build_a_field_leaves_the_read_fields_judged(tmp_path):
    files = {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/fields.py": FIELDS, "shop/models.py": MODELS}
    write_project(tmp_path, files)
    make_migrations(tmp_path, ["shop"])
    migration = (tmp_path / "shop" / "migrations" / "0001_initial.py").read_text()
    assert "'price_currency'" in migration or '"price_currency"' in migration  # Django ran contribute_to_class
    operations, findings, _ = djstate_operations(tmp_path)
    assert "('entries', django.db.models.manager.Manager())" in migration.replace('"', "'")
    assert operations == set() and findings == []  # context, price and price_currency: only in migrations
    unjudged = {u.unit for u in run_scan(tmp_path).project.unjudged}
    assert "model shop.Email" not in unjudged
    assert {"field shop.Email.context", "field shop.Email.price", "field shop.Email.price_currency"} <= unjudged

    models = tmp_path / "shop" / "models.py"
    models.write_text(
        models.read_text()
        .replace("max_length=40", "max_length=60")
        .replace("    sent = models.BooleanField(default=False)\n", "    opened = models.BooleanField(default=False)\n")
    )
    expected = django_operations(tmp_path, ["shop"])
    assert expected == {("AlterField", "email", "subject"), ("AddField", "email", "opened"), ("RemoveField", "email", "sent")}
    # the removed field is not judged: `sent` may be one a call builds
    assert djstate_operations(tmp_path)[0] == {("AlterField", "email", "subject"), ("AddField", "email", "opened")}


CONDITIONAL = '''\
import os

from django.db import models


class App(models.Model):
    name = models.CharField(max_length=40)
    if os.environ.get("SHOP_SITES"):  # allauth's `if SITES_ENABLED: sites = ...`
        sites = models.CharField(max_length=20, blank=True)
'''


@pytest.mark.oracle
def test_a_field_set_under_an_if_leaves_the_other_fields_judged(tmp_path, monkeypatch):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": CONDITIONAL})
    monkeypatch.setenv("SHOP_SITES", "1")  # the migrations were made with the field
    make_migrations(tmp_path, ["shop"])
    assert "'sites'" in (tmp_path / "shop" / "migrations" / "0001_initial.py").read_text().replace('"', "'")
    operations, findings, _ = djstate_operations(tmp_path)
    assert operations == set() and findings == []
    assert "field shop.App.sites" in {u.unit for u in run_scan(tmp_path).project.unjudged}
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("max_length=40", "max_length=60"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "app", "name")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "app", "name")}


LINKS = '''\
import os

from django.db import models


def code_field():
    return models.CharField(max_length=8, primary_key=True)


class Place(models.Model):
    name = models.CharField(max_length=40)


class Shop(Place):  # wagtail's `if swapper.is_swapped(...): basepage_ptr = ... else: page_ptr = ...`
    if os.environ.get("SHOP_OTHER_LINK"):
        place_link = models.OneToOneField(Place, parent_link=True, related_name="+", on_delete=models.CASCADE)
    else:
        place_ptr = models.OneToOneField(Place, parent_link=True, related_name="+", on_delete=models.CASCADE)
    size = models.IntegerField(default=0)


class Coded(models.Model):
    code = code_field()  # the primary key: Django creates no `id`
    label = models.CharField(max_length=20)
'''


@pytest.mark.oracle
def test_an_attribute_that_may_be_the_parent_link_or_primary_key(tmp_path):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": LINKS})
    make_migrations(tmp_path, ["shop"])
    migration = (tmp_path / "shop" / "migrations" / "0001_initial.py").read_text().replace('"', "'")
    coded = migration.split("name='Coded'")[1].split("CreateModel")[0]
    assert "'place_ptr'" in migration and "'code'" in coded and "'id'" not in coded
    operations, findings, _ = djstate_operations(tmp_path)
    assert operations == set() and findings == []
    unjudged = {u.unit: u for u in run_scan(tmp_path).project.unjudged}
    assert unjudged["field shop.Shop.place_ptr"].reason in ("maybe-field", "conditional")
    assert "field shop.Coded.id" in unjudged
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("default=0", "default=1").replace("max_length=20", "max_length=30"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "shop", "size"), ("AlterField", "coded", "label")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "shop", "size"), ("AlterField", "coded", "label")}
