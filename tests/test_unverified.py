"""What was not judged is listed with its reason (``scan --unverified``), and counted once."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from djstate.unverified import REASONS
from tests.conftest import run_scan, write_project

EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"


def test_every_unverified_item_has_a_known_reason():
    result = run_scan(EXAMPLE)
    items = result.project.unjudged
    assert result.stats["unverified"] == len(items) > 0
    assert {i.reason for i in items} <= set(REASONS)
    assert all(i.unit for i in items)


def test_a_model_on_a_base_outside_the_tree_names_the_base(tmp_path):
    from djstate.rules.djs210_model_without_migration import APP, MIGRATION, MODELS

    # a base no bundled description covers (polymorphic's PolymorphicModel now has one)
    models = MODELS.replace("from django.db import models", "from django.db import models\nfrom auditkit.models import AuditedModel")
    models = models.replace("class Book(models.Model):", "class Book(AuditedModel):")
    write_project(tmp_path, {**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": models})
    items = run_scan(tmp_path).project.unjudged
    book = [i for i in items if i.unit == "model shop.Book"]
    assert [(i.reason, i.detail, i.path) for i in book] == [
        ("base-outside-tree", "base auditkit.models.AuditedModel", "shop/models.py")
    ]


def test_cli_lists_groups_and_json_lists_items():
    text = subprocess.run([sys.executable, "-m", "djstate.cli", "scan", str(EXAMPLE), "--unverified", "--no-cache"],
                          capture_output=True, text=True, timeout=300).stdout  # fmt: skip
    assert "Not judged: " in text and "dependency-outside-tree" in text and "to see more:" in text
    assert "models compared " in text.splitlines()[-1] or "models compared " in text
    out = subprocess.run([sys.executable, "-m", "djstate.cli", "scan", str(EXAMPLE), "--unverified", "--no-cache",
                          "--format", "json"], capture_output=True, text=True, timeout=300).stdout  # fmt: skip
    data = json.loads(out)
    assert len(data["unverified"]) == data["stats"]["unverified"]
    assert {"reason", "unit", "path", "line", "detail"} == set(data["unverified"][0])
    judged = data["stats"]["judged"]
    assert judged["models"][0] <= judged["models"][1] and judged["serializers"][0] <= judged["serializers"][1]


def test_a_missing_dependency_stops_the_app_as_django_does(tmp_path):
    """Django raises NodeNotFoundError: DJS102 says so, and the state replayed in an order
    Django never runs gives no further errors (make recall found 60 such false errors)."""
    from djstate.rules.base import migration_source

    add = "migrations.AddField(model_name='book', name='isbn', field=models.CharField(max_length=13))"
    remove = "migrations.RemoveField(model_name='book', name='isbn')"
    create = ("migrations.CreateModel(name='Book', fields=[('id', models.AutoField(auto_created=True, "
              "primary_key=True, serialize=False, verbose_name='ID'))])")  # fmt: skip
    write_project(tmp_path, {
        "shop/__init__.py": "", "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": migration_source(operations=create),
        "shop/migrations/0002_isbn.py": migration_source("('shop', '0001_nosuch')", add),
        "shop/migrations/0003_drop_isbn.py": migration_source("('shop', '0002_isbn')", remove),
        "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    pass\n",
    })  # fmt: skip
    result = run_scan(tmp_path)
    assert {f.code for f in result.findings if f.severity == "error"} == {"DJS102"}
    assert any(u.reason == "broken-graph" for u in result.project.unjudged)
