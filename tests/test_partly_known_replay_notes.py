"""A migration's field of Django's own whose only unknown value is a leaf kwarg (mayan-edms'
``validators=[mayan.apps.common.validators.validate_internal_name]``, a RegexValidator built
with ``_lazy_re_compile``) is replayed and compared for its other kwargs; it is listed
unjudged once, by drift, for the model field it compares ("field shop.Item.code"), not a
second time by the replay as an unknown field class ("a CharField of app shop"). Django's
autodetector checks both fixtures."""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.test_oracle_drift import apps_py, django_operations

pytestmark = pytest.mark.oracle

VALIDATORS = '''\
from django.core.validators import RegexValidator
from django.utils.regex_helper import _lazy_re_compile

code_re = _lazy_re_compile(r"^[a-z]+\\Z")
validate_code = RegexValidator(code_re, "Enter a code.", "invalid")
'''

MODELS = '''\
from django.db import models

from shop.validators import validate_code


class Item(models.Model):
    code = models.CharField(max_length=10, validators=[validate_code])
'''

INITIAL = '''\
import shop.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Item",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.CharField(max_length=10, validators=[shop.validators.validate_code])),
            ],
        ),
    ]
'''


def _project(tmp_path, models=MODELS):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": models,
                             "shop/validators.py": VALIDATORS, "shop/migrations/__init__.py": "",
                             "shop/migrations/0001_initial.py": INITIAL})  # fmt: skip


def test_a_partly_known_migration_field_is_listed_once(tmp_path):
    _project(tmp_path)
    assert django_operations(tmp_path, ["shop"]) == set()
    result = run_scan(tmp_path)
    assert [f for f in result.findings if f.code.startswith("DJS2")] == []
    units = [u.unit for u in result.project.unjudged if "shop" in u.unit]
    assert units == ["field shop.Item.code"]


def test_its_known_kwargs_are_still_compared(tmp_path):
    _project(tmp_path, MODELS.replace("max_length=10", "max_length=12"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "item", "code")}
    found = [(f.code, f.model, f.field) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert found == [("DJS212", "Item", "code")]
