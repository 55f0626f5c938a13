"""--write-baseline / --baseline: fingerprints that survive moved lines."""

from __future__ import annotations

import json

from djstate.rules.base import migration_source
from tests.test_cli import SHOP, djstate, write_project

BROKEN = migration_source("('shop', '0001_initial'), ('shop', '0099_gone')")


def test_baseline_round_trip_survives_a_20_line_shift(tmp_path):
    write_project(tmp_path, {**SHOP, "shop/migrations/0002_x.py": BROKEN})
    baseline = tmp_path / "djstate-baseline.json"
    first = djstate("scan", str(tmp_path), "--no-cache", "--format", "json", "--select", "DJS102")
    assert [f["code"] for f in json.loads(first.stdout)["findings"]] == ["DJS102"]
    proc = djstate("scan", str(tmp_path), "--no-cache", "--write-baseline", str(baseline))
    assert proc.returncode == 0 and json.loads(baseline.read_text())["fingerprints"]
    assert djstate("scan", str(tmp_path), "--no-cache", "--baseline", str(baseline)).returncode == 0
    # 20 lines added above the finding, and a new migration that changes DJS102's "latest migration"
    shifted = "# a comment\n" * 20 + BROKEN
    write_project(tmp_path, {"shop/migrations/0002_x.py": shifted, "shop/migrations/0003_y.py": migration_source("('shop', '0002_x')")})
    moved = json.loads(djstate("scan", str(tmp_path), "--no-cache", "--format", "json", "--select", "DJS102").stdout)["findings"]
    assert moved[0]["line"] > json.loads(first.stdout)["findings"][0]["line"] + 19
    proc = djstate("scan", str(tmp_path), "--no-cache", "--baseline", str(baseline))
    assert proc.returncode == 0, proc.stdout
    assert "1 in the baseline not shown" in proc.stdout
    # a new finding is still reported
    write_project(tmp_path, {"shop/migrations/0004_z.py": migration_source("('shop', '0003_y'), ('shop', '0098_gone')")})
    proc = djstate("scan", str(tmp_path), "--no-cache", "--baseline", str(baseline), "--format", "json")
    assert proc.returncode == 1 and [f["path"] for f in json.loads(proc.stdout)["findings"]] == ["shop/migrations/0004_z.py"]


def test_bad_baseline_exits_2(tmp_path):
    write_project(tmp_path, SHOP)
    (tmp_path / "b.json").write_text("[1]")
    proc = djstate("scan", str(tmp_path), "--no-cache", "--baseline", str(tmp_path / "b.json"))
    assert proc.returncode == 2 and "not a djstate baseline" in proc.stderr
