"""A metaclass that pops a named item off the namespace, builds the class through an alias of
``super().__new__``, and sets a plain attribute on the built class leaves its models' fields
as ModelBase built them.

The shapes are django-cms's PluginModelBase (``attrs.pop('RenderMeta', None)``,
``super_new = super().__new__`` as Django's own ModelBase writes it, then
``new_class._render_meta = ...``) and django-polymorphic's ``attrs.pop("_meta_skip", False)``.
A popped name that is a field of the class does remove that field: that model stays unjudged.

Django's autodetector is the oracle: makemigrations writes the migrations, then an edit of
the models is judged by both.
"""

from __future__ import annotations

import libcst as cst
import pytest

from djstate.parse.metaclasses import NONE, new_effect
from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.db import models


class Rendering:
    def __init__(self, meta):
        self.template = getattr(meta, "template", None)


class PluginBase(models.base.ModelBase):
    def __new__(cls, name, bases, attrs, **kwargs):
        super_new = super().__new__
        attrs.pop("RenderMeta", None)
        if attrs.pop("_skip", False):
            return super_new(cls, name, bases, attrs, **kwargs)
        new_class = super_new(cls, name, bases, attrs, **kwargs)
        new_class._rendering = Rendering(None)
        return new_class


class Plugin(models.Model, metaclass=PluginBase):
    position = models.SmallIntegerField(default=1)
    language = models.CharField(max_length=15)

    class RenderMeta:
        template = "plugin.html"


class Dropped(models.Model, metaclass=PluginBase):
    title = models.CharField(max_length=20)
    RenderMeta = models.CharField(max_length=20)
'''


def _new(source: str) -> tuple:
    module = cst.parse_module(source)
    klass = next(s for s in module.body if isinstance(s, cst.ClassDef) and s.name.value == "PluginBase")
    func = next(s for s in klass.body.body if isinstance(s, cst.FunctionDef) and s.name.value == "__new__")
    return new_effect(func)


def test_the_metaclass_changes_no_name_but_the_popped_ones():
    effect = _new(MODELS)
    assert effect[0] == NONE, effect[1]
    assert set(effect[3]) == {"RenderMeta", "_skip"}  # a field of that name would leave the namespace
    assert "_rendering" in effect[5]  # set on the built class: hasattr finds it, no field


@pytest.mark.oracle
def test_its_models_are_judged_but_one_whose_field_it_pops(tmp_path):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/models.py": MODELS})
    make_migrations(tmp_path, ["shop"])
    assert djstate_operations(tmp_path)[1] == []
    unjudged = {u.unit for u in run_scan(tmp_path).project.unjudged}
    assert "model shop.Plugin" not in unjudged and "model shop.Dropped" in unjudged
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("max_length=15", "max_length=30").replace(
        "title = models.CharField(max_length=20)", "title = models.CharField(max_length=40)"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "plugin", "language"), ("AlterField", "dropped", "title")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "plugin", "language")}  # Dropped: not judged
