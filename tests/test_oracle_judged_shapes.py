"""Shapes of real projects djstate used to leave unjudged, judged now, against Django.

- a class attribute that is a tuple display with a starred part
  (``_cached_attributes = (*Node._cached_attributes, "x")``, treebeard's nodes): a tuple,
  never a field, so the model stays judged;
- a migration whose ``operations`` are chosen under a class-body ``if`` on the database
  backend, every branch changing Django's state the same way (one runs the operation, the
  others a ``SeparateDatabaseAndState`` with backend SQL): edx-enterprise's index migrations.

Django writes the starting migrations (``makemigrations``) and its autodetector is the oracle
for each edit (tests/test_oracle_drift.py).
"""

from __future__ import annotations

import pytest

from tests.conftest import write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

SPLICE_MODELS = '''\
from django.db import models

from shop.nodes import Node


class Category(Node, models.Model):
    _cached_attributes = (*Node._cached_attributes, "_cached_parent")
    name = models.CharField(max_length=40)
'''
NODES = '''\
import outside_package


class Node:
    _cached_attributes = outside_package.CACHED
'''


def test_a_starred_tuple_attribute_leaves_the_model_judged(tmp_path):
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/nodes.py": "class Node:\n    _cached_attributes = ()\n",
                             "shop/models.py": SPLICE_MODELS, "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    (tmp_path / "shop" / "nodes.py").write_text(NODES)  # djstate cannot read the base's value
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified == 0
    models = tmp_path / "shop" / "models.py"
    models.write_text(SPLICE_MODELS.replace("max_length=40)", "max_length=40)\n    slug = models.SlugField(default='')"))
    (tmp_path / "shop" / "nodes.py").write_text("class Node:\n    _cached_attributes = ()\n")
    expected = django_operations(tmp_path, ["shop"])
    (tmp_path / "shop" / "nodes.py").write_text(NODES)
    assert expected == {("AddField", "category", "slug")}
    assert djstate_operations(tmp_path)[0] == expected


INDEX_MODELS = '''\
from django.db import models


class Audit(models.Model):
    customer = models.CharField(max_length=40)
    plugin = models.IntegerField()
    note = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["customer", "plugin"], name="audit_cp_idx")]
'''
BRANCHES = '''\
from django.db import connection, migrations, models


class Migration(migrations.Migration):
    dependencies = [("shop", "0001_initial")]

    db_engine = connection.settings_dict["ENGINE"]

    if "sqlite3" in db_engine:
        operations = [
            migrations.AddIndex(model_name="audit", index=models.Index(fields=["customer", "plugin"], name="audit_cp_idx")),
        ]
    else:
        operations = [
            migrations.SeparateDatabaseAndState(
                state_operations=[
                    migrations.AddIndex(model_name="audit", index=models.Index(fields=["customer", "plugin"], name="audit_cp_idx")),
                ],
                database_operations=[
                    migrations.RunSQL(sql="CREATE INDEX audit_cp_idx ON shop_audit (customer, plugin)",
                                      reverse_sql="DROP INDEX audit_cp_idx"),
                ],
            ),
        ]
'''


def _index_project(tmp_path, branches: str) -> None:
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"),
                             "shop/models.py": INDEX_MODELS.split("\n    class Meta")[0] + "\n",
                             "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    (tmp_path / "shop" / "models.py").write_text(INDEX_MODELS)
    (tmp_path / "shop" / "migrations" / "0002_index.py").write_text(branches)


def test_backend_branches_with_one_state_are_judged(tmp_path):
    _index_project(tmp_path, BRANCHES)
    assert django_operations(tmp_path, ["shop"]) == set()
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified == 0
    (tmp_path / "shop" / "models.py").write_text(INDEX_MODELS.replace("max_length=40)\n\n", "max_length=80)\n\n"))
    expected = django_operations(tmp_path, ["shop"])
    assert expected == {("AlterField", "audit", "note")}
    assert djstate_operations(tmp_path)[0] == expected


def test_backend_branches_that_differ_stay_unjudged(tmp_path):
    _index_project(tmp_path, BRANCHES.replace('name="audit_cp_idx")),\n                ],', 'name="audit_cp2_idx")),\n                ],'))
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified > 0


def test_backend_branches_nested_under_else_with_one_state_are_judged(tmp_path):
    """edx-enterprise's cornerstone 0025: `if sqlite: ... else: if postgresql: ... else: ...`."""
    state_only = BRANCHES.split("        operations = [\n            migrations.SeparateDatabaseAndState(")[1]
    nested = BRANCHES.split("    else:\n")[0] + (
        "    else:\n        if 'postgresql' in db_engine:\n            operations = [\n                migrations.SeparateDatabaseAndState("
        + state_only.replace("\n", "\n    ").rstrip() + "\n        else:\n            operations = [\n                migrations.SeparateDatabaseAndState("
        + state_only.replace("\n", "\n    ").rstrip() + "\n"
    )  # fmt: skip
    _index_project(tmp_path, nested)
    assert django_operations(tmp_path, ["shop"]) == set()
    operations, _, unverified = djstate_operations(tmp_path)
    assert operations == set() and unverified == 0
