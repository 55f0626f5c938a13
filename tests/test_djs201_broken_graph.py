"""DJS201 stays silent in an app whose migration graph Django cannot load.

A migration that depends on a missing one makes Django stop with NodeNotFoundError before any
operation runs (DJS102 reports it). The operations after it, replayed in an order Django never
runs, are not reported again as operations on models that do not exist (the recall harness's
missing_dependency mutations drew up to 15 such DJS201 errors each)."""

from __future__ import annotations

import pytest

from djstate.rules.base import migration_source
from tests.conftest import run_scan, write_project
from tests.test_oracle_graph import django_graph

CREATE = migration_source(operations="""
        migrations.CreateModel(name='Book', fields=[
            ('id', models.AutoField(primary_key=True, serialize=False)),
            ('title', models.CharField(max_length=100)),
        ]),
    """)
FILES = {
    "shop/__init__.py": "", "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": CREATE,
    "shop/migrations/0002_x.py": migration_source(
        "('shop', '0099_missing')",
        "migrations.AlterField(model_name='author', name='name', field=models.CharField(max_length=9))",
    ),
}  # fmt: skip


def test_only_the_missing_dependency_is_reported(tmp_path):
    root = write_project(tmp_path, FILES)
    codes = {f.code for f in run_scan(root).findings if f.severity == "error"}
    assert codes == {"DJS102"}


@pytest.mark.oracle
def test_django_stops_at_the_missing_dependency(tmp_path):
    root = write_project(tmp_path, FILES)
    assert django_graph(root)["error"] == "NodeNotFoundError"
