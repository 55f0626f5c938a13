"""django-oscar defines each model under ``if not is_model_registered("app", "Name"):``.

Django registers a model when its class is built, so such a class is defined unless a model of
that app label and name was built first (a project's fork of the app). djstate had left every
such model unjudged as "defined under an if": 67 of django-oscar's 80 models. When the tree
has no other class of that name in the app, the class is defined, as Django shows here; when it
has one, which comes first is not read, and the model stays unjudged.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

LOADING = '''\
from django.apps import apps


def is_model_registered(app_label, model_name):
    try:
        apps.get_registered_model(app_label, model_name)
    except LookupError:
        return False
    return True
'''

ABSTRACT = '''\
from django.db import models


class AbstractProduct(models.Model):
    title = models.CharField(max_length=40)

    class Meta:
        abstract = True
'''

MODELS = '''\
from shop.abstract_models import AbstractProduct
from shop.loading import is_model_registered

__all__ = []

if not is_model_registered("shop", "Product"):

    class Product(AbstractProduct):
        pass

    __all__.append("Product")
'''


@pytest.mark.oracle
def test_a_model_defined_unless_registered_is_judged(tmp_path):
    files = {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/loading.py": LOADING,
             "shop/abstract_models.py": ABSTRACT, "shop/models.py": MODELS}  # fmt: skip
    write_project(tmp_path, files)
    make_migrations(tmp_path, ["shop"])
    assert djstate_operations(tmp_path)[1] == []
    assert "model shop.Product" not in {u.unit for u in run_scan(tmp_path).project.unjudged}
    abstract = tmp_path / "shop" / "abstract_models.py"
    abstract.write_text(abstract.read_text().replace("max_length=40", "max_length=60"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "product", "title")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "product", "title")}


@pytest.mark.oracle
def test_another_class_of_that_name_leaves_it_unjudged(tmp_path):
    """A fork: the app's models module defines Product, then star-imports the guarded one."""
    fork = ("from shop.abstract_models import AbstractProduct\n\n\n"
            "class Product(AbstractProduct):\n    pass\n\n\nfrom shop.guarded import *  # noqa\n")
    files = {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/loading.py": LOADING,
             "shop/abstract_models.py": ABSTRACT, "shop/guarded.py": MODELS, "shop/models.py": fork}  # fmt: skip
    write_project(tmp_path, files)
    make_migrations(tmp_path, ["shop"])
    scanned = run_scan(tmp_path).project
    unjudged = {u.unit: u for u in scanned.unjudged}
    assert unjudged["model shop.Product"].reason == "conditional"
