"""A field built through its class's generic alias, ``models.ForeignKey["User"](...)``, is that
field: Django's Field defines ``__class_getitem__`` returning the class, so the call builds a
ForeignKey (django-postman 4.6 writes its relations this way). djstate read it as an unknown
value and reported the migrated fields as removed (DJS211); Django's makemigrations writes
nothing for it, and queries through it run."""

from __future__ import annotations

import textwrap

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.statements import assert_marked_lines_fail
from tests.test_oracle_drift import django_operations

TREE = {
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/models.py": textwrap.dedent('''\
        from django.db import models


        class Vendor(models.Model):
            name = models.CharField(max_length=20)


        class Product(models.Model):
            vendor = models.ForeignKey["Vendor"](Vendor, on_delete=models.CASCADE, related_name="products")
            parent = models.ForeignKey["Product"]("self", null=True, on_delete=models.SET_NULL)
        '''),
    "shop/queries.py": textwrap.dedent('''\
        from shop.models import Product, Vendor


        def good():
            Vendor.objects.filter(products__parent__isnull=True).count()


        def bad():
            Product.objects.filter(vendor__nme="x").count()  # expect: DJS501
        '''),
}


def test_a_generic_alias_call_is_the_field_and_drift_is_clean(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["shop"])  # Django writes the FKs as plain ForeignKeys
    result = run_scan(root)
    assert [f for f in result.findings if f.code.startswith(("DJS2", "DJS3"))] == []
    assert result.project.drift.models_compared == 2
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS5")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}


def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = write_project(tmp_path, TREE)
    make_migrations(root, ["shop"])
    assert_marked_lines_fail(root, "shop.queries", ["shop"], 1)


def test_an_item_of_an_imported_constant_is_not_read_as_a_class(tmp_path):
    # `FIELDS["name"](...)` looks up a dict: which class it builds is not read, so the model is
    # left partly known (no drift finding either way) instead of losing the field
    tree = dict(TREE)
    tree["shop/kinds.py"] = "from django.db import models\n\nFIELDS = {'name': models.CharField}\n"
    tree["shop/models.py"] = TREE["shop/models.py"].replace(
        "from django.db import models\n", "from django.db import models\n\nfrom shop.kinds import FIELDS\n"
    ).replace("    name = models.CharField(max_length=20)\n", '    name = FIELDS["name"](max_length=20)\n', 1)
    root = write_project(tmp_path, tree)
    (root / "shop/models.py").write_text(TREE["shop/models.py"])
    make_migrations(root, ["shop"])  # the migrations as Django writes them for a CharField
    (root / "shop/models.py").write_text(tree["shop/models.py"])
    result = run_scan(root)
    assert [f for f in result.findings if f.code.startswith(("DJS2", "DJS3"))] == []
    assert ("shop", "vendor") in result.project.models_state.partial_models
    assert django_operations(root, ["shop"]) == set()  # Django: the same CharField, nothing to write
