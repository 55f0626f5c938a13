"""A choices enum with its own ``__new__`` sets ``_value_`` itself: djstate does not guess it.

weblate's ``ActionEvents(IntegerChoices)`` members are ``(0, description, label)``; Django's
ChoicesType takes the label off and passes ``(0, description)`` to the class's ``__new__``,
which keeps 0 as the value. Read as ``(0, description)``, the models side had a false DJS212
(choices and default "changed") once the app's migrations were replayed. Django's
autodetector is the oracle: the migration makemigrations wrote matches the model.
"""

from __future__ import annotations

import pytest

from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

MODELS = '''\
from django.db import models


class Action(models.IntegerChoices):
    def __new__(cls, value, description):
        obj = int.__new__(cls, value)
        obj._value_ = value
        obj.description = description
        return obj

    UPDATE = (0, "A file was synchronised.", "Resource updated")
    CHANGE = (2, "A translation was edited.", "Translation changed")


class Change(models.Model):
    action = models.IntegerField(choices=Action.choices, default=Action.CHANGE)
    note = models.CharField(max_length=20)
'''


def test_members_of_an_enum_with_its_own_new_are_not_guessed(tmp_path):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS,
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    assert django_operations(tmp_path, ["shop"]) == set()
    assert djstate_operations(tmp_path)[0] == set()
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("max_length=20", "max_length=30"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "change", "note")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "change", "note")}  # the model is still judged
