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

    models = MODELS.replace("from django.db import models", "from django.db import models\nfrom polymorphic.models import PolymorphicModel")
    models = models.replace("class Book(models.Model):", "class Book(PolymorphicModel):")
    write_project(tmp_path, {**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": models})
    items = run_scan(tmp_path).project.unjudged
    book = [i for i in items if i.unit == "model shop.Book"]
    assert [(i.reason, i.detail, i.path) for i in book] == [
        ("base-outside-tree", "base polymorphic.models.PolymorphicModel", "shop/models.py")
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
