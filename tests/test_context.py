"""`djstate context`: per-app snapshots, their token budget, managed blocks and --check."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from djstate.cli import app
from djstate.snapshot import blocks
from djstate.snapshot import context as snapshot
from tests.conftest import run_scan

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"


@pytest.fixture(scope="module")
def example_scan():
    return run_scan(EXAMPLE)


@pytest.fixture
def shop(tmp_path) -> Path:
    target = tmp_path / "shop"
    shutil.copytree(EXAMPLE, target)
    return target


def test_snapshot_holds_each_part(example_scan):
    data = snapshot.app_snapshot(example_scan, "catalog")
    models = {m["name"]: m for m in data["models"]}
    book = models["Book"]
    publisher = next(r for r in book["relations"] if r["name"] == "publisher")
    assert (publisher["kind"], publisher["to"], publisher["related_name"], publisher["related_query_name"]) == (
        "ForeignKey", "catalog.Publisher", "books", "books")
    assert "PROTECT" in publisher["kwargs"]
    through = models["BookAuthor"]["relations"][0]  # no related_name: Django's defaults
    assert (through["related_name"], through["related_query_name"]) == ("bookauthor_set", "bookauthor")
    assert {"accessor": "stock_items", "query_name": "stock_items", "from": "inventory.StockItem.book",
            "kind": "ForeignKey"} in book["reverse"]  # fmt: skip
    assert data["common_fields"] == [{"name": "id", "type": "BigAutoField", "kwargs": ["primary_key"]}]  # listed once
    assert not any(f["name"] == "id" for m in data["models"] for f in m["fields"])
    isbn = next(f for f in book["fields"] if f["name"] == "isbn")
    assert (isbn["type"], isbn["kwargs"]) == ("CharField", ["max_length=13", "unique"])
    assert book["managers"] == ["objects = BookQuerySet.as_manager()", "in_print = InPrintManager()"]
    assert data["managers"]["catalog.models.BookQuerySet"] == ["by_publisher", "published"]
    assert any("catalog_book_pub_on_idx" in i for i in book["indexes"])
    assert any("catalog_book_price_gte_0" in c for c in book["constraints"])
    assert [m["name"] for m in data["migrations"]] == [
        "0006_publisher_slug", "0007_populate_publisher_slug", "0008_alter_publisher_slug",
        "0009_bookauthor_alter_book_authors", "0010_alter_book_subtitle"]  # fmt: skip
    assert data["migrations"][0] == {"name": "0006_publisher_slug", "dependencies": ["catalog.0005_alter_book_price"],
                                     "operations": ["AddField publisher.slug SlugField"]}  # fmt: skip
    assert data["leaves"] == ["0010_alter_book_subtitle"]
    serializers = {s["name"]: s for s in data["serializers"]}
    assert serializers["GenreSerializer"]["fields"] == ["id", "name", "slug"]
    codes = {(f["code"], f["path"]) for f in data["findings"]}
    assert ("DJS212", "catalog/models.py") in codes and ("DJS401", "catalog/serializers.py") in codes
    assert ("DJS501", "bookshop/reports.py") in codes  # a project module's query on catalog's models
    assert all(f["path"].startswith(("catalog/", "bookshop/reports.py")) for f in data["findings"])
    text = snapshot.render_markdown(data)
    assert "- publisher: ForeignKey -> catalog.Publisher (PROTECT); reverse `books`" in text
    assert snapshot.tokens(text) <= 2000


def test_conflicting_leaves_and_blind_spots_are_said(example_scan):
    orders = snapshot.app_snapshot(example_scan, "shop_orders")
    assert len(orders["leaves"]) == 2
    assert "CONFLICT: merge needed" in snapshot.render_markdown(orders)
    every = [u for label in example_scan.project.apps for u in snapshot.app_snapshot(example_scan, label)["unverified"]]
    assert every, "the bookshop has unjudged items; each app lists its own"


def test_budget_trims_least_important_first(example_scan):
    data = snapshot.app_snapshot(example_scan, "catalog")
    full, _ = snapshot.fit(data, None, snapshot.render_markdown)
    for budget in (1000, 600, 300, 120):
        text, trimmed = snapshot.fit(data, budget, snapshot.render_markdown)
        assert snapshot.tokens(text) <= budget
        assert snapshot.tokens(text) < snapshot.tokens(full)
    text, trimmed = snapshot.fit(data, 1500, snapshot.render_markdown)  # catalog has 15 findings: about 900 tokens
    assert trimmed["trimmed"][0] == "group-unverified"  # what djstate could not judge goes to counts first
    assert "catalog.Publisher" in text and "DJS212" in text  # relations and findings stay
    assert data == snapshot.app_snapshot(example_scan, "catalog"), "fit works on a copy"


def test_json_format(shop):
    result = CliRunner().invoke(app, ["context", "catalog", "reviews", "--path", str(shop), "--format", "json"])
    assert result.exit_code == 0, result.output
    parts = json.loads(result.output)["apps"]
    assert [p["app"] for p in parts] == ["catalog", "reviews"]
    small = json.loads(CliRunner().invoke(app, ["context", "catalog", "--path", str(shop), "--format", "json", "--budget", "400"]).output)
    full = snapshot.tokens(snapshot.render_json(parts[0]))
    assert small["apps"][0]["trimmed"] and snapshot.tokens(snapshot.render_json(small["apps"][0])) < full  # trimmed, never cut
    assert CliRunner().invoke(app, ["context", "nosuch", "--path", str(shop)]).exit_code == 2


def test_write_keeps_text_outside_markers(shop):
    agents = shop / "AGENTS.md"
    agents.write_text("# House rules\n\nUse black.\n")
    runner = CliRunner()
    assert runner.invoke(app, ["context", "catalog", "--path", str(shop), "--write", "--budget", "1500"]).exit_code == 0
    first = agents.read_text()
    assert first.startswith("# House rules\n\nUse black.\n\n<!-- djstate:context app=catalog budget=1500 -->\n")
    agents.write_text(first + "\n## Notes after the block\n")
    (shop / "catalog" / "models.py").write_text((shop / "catalog" / "models.py").read_text().replace("max_length=200", "max_length=210"))
    assert runner.invoke(app, ["context", "catalog", "--path", str(shop), "--write", "--budget", "1500"]).exit_code == 0
    second = agents.read_text()
    assert second.startswith("# House rules\n\nUse black.\n\n<!-- djstate:context") and second.endswith("\n## Notes after the block\n")
    assert second.count("<!-- djstate:context app=catalog") == 1 and second != first + "\n## Notes after the block\n"
    assert runner.invoke(app, ["context", "reviews", "--path", str(shop), "--write", "--target", "claude", "--in-app"]).exit_code == 0
    assert "<!-- /djstate:context app=reviews -->" in (shop / "reviews" / "CLAUDE.md").read_text()
    assert runner.invoke(app, ["context", "reviews", "--path", str(shop), "--write", "--target", "cursor"]).exit_code == 0
    mdc = (shop / ".cursor" / "rules" / "djstate-reviews.mdc").read_text()
    assert mdc.startswith("---\ndescription: djstate snapshot of the Django app reviews\nglobs: reviews/**\n")
    found = blocks.find(shop, {"catalog": "catalog", "reviews": "reviews"})
    assert sorted((b.path.relative_to(shop).as_posix(), b.app, b.budget) for b in found) == [
        (".cursor/rules/djstate-reviews.mdc", "reviews", None), ("AGENTS.md", "catalog", 1500), ("reviews/CLAUDE.md", "reviews", None)]


def test_check_detects_a_stale_snapshot(shop):
    runner = CliRunner()
    for target in ("agents", "cursor"):
        assert runner.invoke(app, ["context", "catalog", "inventory", "--path", str(shop), "--write", "--target", target]).exit_code == 0
    fresh = runner.invoke(app, ["context", "--check", "--path", str(shop)])
    assert fresh.exit_code == 0, fresh.output
    assert "4 of 4 snapshots up to date" in fresh.output
    models = shop / "inventory" / "models.py"
    models.write_text(models.read_text().replace("city = models.CharField(max_length=100, blank=True)", "city = models.CharField(max_length=150, blank=True)"))
    stale = runner.invoke(app, ["context", "--check", "--path", str(shop)])
    assert stale.exit_code == 1
    assert "stale snapshot in AGENTS.md: app inventory" in stale.output and "djstate-inventory.mdc" in stale.output
    assert "app catalog" not in stale.output  # the other app's snapshot did not change
    assert runner.invoke(app, ["context", "--check", "catalog", "--path", str(shop)]).exit_code == 0


def test_pre_commit_hook_id():
    yaml = pytest.importorskip("yaml")
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "djstate-context")
    assert hook["entry"] == "djstate context --check" and hook["pass_filenames"] is False and hook["language"] == "python"


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_pre_commit_hook_fails_on_a_stale_snapshot(shop, tmp_path):
    pytest.importorskip("pre_commit")
    assert CliRunner().invoke(app, ["context", "inventory", "--path", str(shop), "--write"]).exit_code == 0
    _git(shop, "init", "-q")
    _git(shop, "add", ".")
    _git(shop, "commit", "-qm", "snapshot")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "DJSTATE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "djstate-context", "--all-files"]
    clean = subprocess.run(command, cwd=shop, capture_output=True, text=True, env=env, timeout=900)
    if clean.returncode != 0 and "Passed" not in clean.stdout and "Failed" not in clean.stdout:
        pytest.skip(f"pre-commit could not install the hook environment: {clean.stdout[-400:]}")
    assert clean.returncode == 0 and "Passed" in clean.stdout, clean.stdout + clean.stderr
    models = shop / "inventory" / "models.py"
    models.write_text(models.read_text().replace("city = models.CharField(max_length=100, blank=True)", "city = models.CharField(max_length=150, blank=True)"))
    _git(shop, "add", ".")
    stale = subprocess.run(command, cwd=shop, capture_output=True, text=True, env=env, timeout=900)
    assert stale.returncode == 1 and "stale snapshot in AGENTS.md: app inventory" in stale.stdout, stale.stdout + stale.stderr
