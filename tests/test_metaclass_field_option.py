"""A metaclass that sets one field's state-only option from a class attribute.

mayan-edms' ``MetaClassModelMixinConditionField.__new__`` does
``field = cls._meta.get_field("condition"); field.help_text = cls._condition_help_text``, and
its models override ``_condition_help_text``. Read as "a metaclass that changes options", every
such model was unjudged. djstate now reads the write (djstate.parse.metaclasses: a
``get_field("<literal>")`` bound once, a ``help_text``/``verbose_name`` set at the top of
``__new__`` from an attribute of the class) and applies it per model with the attribute the
model's MRO finds; an attribute it cannot read leaves the model unjudged as before.

Django's autodetector is the oracle: makemigrations writes the migrations, djstate must agree
that nothing changed, and an edit of one model's attribute is an AlterField for both.
"""

from __future__ import annotations

import libcst as cst
import pytest

from djstate.facts.model import UNREAD_OPTION
from djstate.parse.metaclasses import NONE, OPTIONS, new_effect
from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.db import models
from django.db.models.base import ModelBase
from django.utils.translation import gettext_lazy as _


class ConditionFieldBase(ModelBase):
    def __new__(mcs, name, bases, attrs):
        cls = super().__new__(mcs, name, bases, attrs)

        field = cls._meta.get_field("condition")
        field.help_text = cls._condition_help_text

        return cls


class ConditionMixin(models.Model, metaclass=ConditionFieldBase):
    _condition_help_text = _(message="The condition that decides.")

    condition = models.TextField(blank=True, verbose_name=_(message="Condition"))

    class Meta:
        abstract = True


class Action(ConditionMixin):
    _condition_help_text = _(message="Runs the action when true.")

    label = models.CharField(max_length=40)


class Transition(ConditionMixin):
    label = models.CharField(max_length=40)
'''


def _project(root):
    write_project(root, {"flow/__init__.py": "", "flow/apps.py": apps_py("flow"), "flow/models.py": MODELS})
    make_migrations(root, ["flow"])
    return root


def test_the_write_is_read_as_a_field_option_of_the_class():
    new = cst.parse_module(MODELS).body[3].body.body[0]
    assert isinstance(new, cst.FunctionDef) and new.name.value == "__new__"
    effect = new_effect(new)
    assert effect[0] == NONE and effect[6] == (("condition", "help_text", "_condition_help_text"),)
    guarded = cst.parse_module(MODELS.replace("        field.help_text", "        if name:\n            field.help_text")).body[3].body.body[0]
    # under an `if`, or another kwarg: that kwarg of that field is unknown (UNREAD_OPTION), the
    # rest of the model is judged (tests/test_metaclass_unread_option.py)
    assert new_effect(guarded)[0] == NONE and new_effect(guarded)[6] == (("condition", "help_text", UNREAD_OPTION),)
    other = cst.parse_module(MODELS.replace("field.help_text =", "field.null =")).body[3].body.body[0]
    assert new_effect(other)[0] == NONE and new_effect(other)[6] == (("condition", "null", UNREAD_OPTION),)
    other = cst.parse_module(MODELS.replace("field.help_text =", "field.choices =")).body[3].body.body[0]
    assert new_effect(other)[:2] == (OPTIONS, "__new__ sets field.choices")  # not among the kwargs read so: as before


@pytest.mark.oracle
def test_each_model_gets_the_help_text_its_class_finds(tmp_path):
    root = _project(tmp_path)
    migration = next((root / "flow" / "migrations").glob("0001_*.py")).read_text()
    assert "Runs the action when true." in migration and "The condition that decides." in migration
    assert django_operations(root, ["flow"]) == set()
    operations, findings, _ = djstate_operations(root)
    assert operations == set(), [f.message for f in findings]
    from tests.conftest import run_scan

    result = run_scan(root)
    assert result.stats["judged"]["models"] == [2, 2]


@pytest.mark.oracle
def test_an_edited_attribute_is_an_alter_field_for_both(tmp_path):
    root = _project(tmp_path)
    models = root / "flow" / "models.py"
    models.write_text(models.read_text().replace("Runs the action when true.", "Runs the action when it holds."))
    expected = django_operations(root, ["flow"])
    assert expected == {("AlterField", "action", "condition")}
    operations, findings, _ = djstate_operations(root)
    assert operations == expected
    assert [f.severity for f in findings] == ["warning"]  # help_text changes only Django's state


@pytest.mark.oracle
def test_an_attribute_it_cannot_read_leaves_the_model_unjudged(tmp_path):
    root = _project(tmp_path)
    models = root / "flow" / "models.py"
    models.write_text(models.read_text().replace('    _condition_help_text = _(message="Runs the action when true.")',
                                                 '    _condition_help_text = str(len("abc"))'))  # fmt: skip
    assert django_operations(root, ["flow"]) == {("AlterField", "action", "condition")}
    from tests.conftest import run_scan

    result = run_scan(root)
    assert [f for f in result.findings if f.model == "Action"] == []
    assert any(u.unit == "model flow.Action" and "_condition_help_text" in u.detail for u in result.project.unjudged)
    assert result.stats["judged"]["models"] == [1, 2]


@pytest.mark.oracle
def test_a_proxy_with_its_own_attribute_changes_the_concrete_model_s_field(tmp_path):
    """get_field on a proxy finds the concrete model's field: the proxy's attribute lands there."""
    proxy = '\n\nclass ActionProxy(Action):\n    _condition_help_text = "Set by the proxy."\n\n    class Meta:\n        proxy = True\n'
    root = write_project(tmp_path, {"flow/__init__.py": "", "flow/apps.py": apps_py("flow"), "flow/models.py": MODELS + proxy})
    make_migrations(root, ["flow"])
    migration = next((root / "flow" / "migrations").glob("0001_*.py")).read_text()
    assert "Set by the proxy." in migration and "Runs the action when true." not in migration
    assert django_operations(root, ["flow"]) == set()
    operations, findings, _ = djstate_operations(root)
    assert operations == set(), [f.message for f in findings]
    from tests.conftest import run_scan

    result = run_scan(root)
    assert any(u.unit == "model flow.Action" and "ActionProxy" in u.detail for u in result.project.unjudged)
