"""``objects = OutsideQuerySet.as_manager()`` with a QuerySet class djstate cannot follow (a
package outside the scanned tree): a method called on the chain is left unjudged, not an
internal error (openedx-learning 0.32.0 hit a TypeError there)."""

from __future__ import annotations

import textwrap

from tests.conftest import run_scan, write_project

TREE = {
    "shop/__init__.py": "",
    "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
    "shop/models.py": textwrap.dedent('''\
        from django.db import models
        from outside_package.querysets import PublishableQuerySet


        class Book(models.Model):
            title = models.CharField(max_length=20)

            objects = PublishableQuerySet.as_manager()
        '''),
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": textwrap.dedent('''\
        from django.db import migrations, models


        class Migration(migrations.Migration):
            initial = True
            dependencies = []
            operations = [
                migrations.CreateModel(
                    name="Book",
                    fields=[
                        ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("title", models.CharField(max_length=20)),
                    ],
                ),
            ]
        '''),
    "shop/queries.py": textwrap.dedent('''\
        from shop.models import Book


        def published():
            return Book.objects.filter(title="x").published()
        '''),
}


def test_a_method_on_an_outside_queryset_is_unjudged_not_an_internal_error(tmp_path):
    result = run_scan(write_project(tmp_path, TREE))
    assert [f.code for f in result.findings if f.code == "DJS000" or f.code.startswith("DJS5")] == []
    assert result.project.internal_errors == []
