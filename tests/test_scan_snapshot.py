"""The project-level snapshot (djstate/scan_cache.py): an unchanged tree reuses the last report,
byte for byte but the seconds; any change to a file, the configuration or the options is a miss;
a corrupt snapshot is ignored; --no-cache and `djstate cache clear` cover it; a hit through the
console entry point imports neither typer (pydantic) nor libcst."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from djstate import cache, scan_cache
from djstate.cache import FactsStore
from djstate.config import Config
from djstate.scan_cache import lookup, scan_report

from tests.conftest import write_project

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "corpora" / "example"
ENTRY = "import sys; from djstate.entry import main; sys.argv[0] = 'djstate'; main()"


def _env(cache_dir: Path) -> dict:
    env = dict(os.environ, DJSTATE_CACHE_DIR=str(cache_dir))
    for name in ("DJSTATE_NO_SITE_PACKAGES", "VIRTUAL_ENV", "UV_PROJECT_ENVIRONMENT"):
        env.pop(name, None)  # the quick path leaves that variable to typer
    return env


def _djstate(cache_dir: Path, *args: str, importtime: bool = False) -> subprocess.CompletedProcess:
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-c", ENTRY, *args]
    return subprocess.run(cmd, env=_env(cache_dir), capture_output=True, text=True, timeout=600)


def _without_seconds(text: str) -> dict:
    data = json.loads(text)
    assert isinstance(data["stats"].pop("seconds"), (int, float))
    return data


def _settle() -> None:
    """A snapshot is not written while a file of the tree is younger than a second."""
    time.sleep(1.1)


def test_hit_prints_what_a_scan_prints_and_loads_neither_typer_nor_libcst(tmp_path):
    project = shutil.copytree(EXAMPLE, tmp_path / "example")
    cache_dir = tmp_path / "cache"
    _settle()
    missed = _djstate(cache_dir, "scan", str(project), "--format", "json")
    assert missed.returncode == 1, missed.stderr
    assert list((cache_dir / "snapshots").iterdir())
    hit = _djstate(cache_dir, "scan", str(project), "--format", "json", importtime=True)
    assert hit.returncode == 1
    imported = {line.rsplit("|", 1)[-1].strip() for line in hit.stderr.splitlines() if line.startswith("import time:")}
    assert "djstate.scan_cache" in imported
    assert not {"typer", "pydantic", "libcst", "djstate.engine", "djstate.cli"} & imported
    uncached = _djstate(cache_dir, "scan", str(project), "--format", "json", "--no-cache")
    assert _without_seconds(hit.stdout) == _without_seconds(missed.stdout) == _without_seconds(uncached.stdout)
    assert len(json.loads(hit.stdout)["findings"]) > 10  # the bookshop is broken on purpose
    # the same bytes but the seconds
    strip = lambda text: "\n".join(line for line in text.splitlines() if '"seconds"' not in line)  # noqa: E731
    assert strip(hit.stdout) == strip(missed.stdout)
    # text and --unverified (through typer) reuse the snapshot too, and say so under --verbose
    text_hit = _djstate(cache_dir, "scan", str(project), "--unverified", "--verbose")
    assert "snapshot reused" in text_hit.stderr
    text_scan = _djstate(cache_dir, "scan", str(project), "--unverified", "--no-cache")
    assert text_hit.stdout.split("Found")[0] == text_scan.stdout.split("Found")[0]
    assert text_hit.stdout.count("\n") == text_scan.stdout.count("\n")


def _tiny(root: Path) -> Path:
    return write_project(root, {
        "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site_cfg.settings')\n",
        "site_cfg/__init__.py": "",
        "site_cfg/settings.py": "INSTALLED_APPS = ['shop']\n",
        "shop/__init__.py": "",
        "shop/apps.py": "from django.apps import AppConfig\n\n\nclass ShopConfig(AppConfig):\n    name = 'shop'\n",
        "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=10)\n    pages = models.IntegerField()\n",
        "shop/migrations/__init__.py": "",
        "shop/migrations/0001_initial.py": (
            "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
            "    initial = True\n    dependencies = []\n    operations = [\n"
            "        migrations.CreateModel('Book', [('id', models.AutoField(primary_key=True)),"
            " ('title', models.CharField(max_length=10))]),\n    ]\n"
        ),
    })  # fmt: skip


@pytest.fixture
def tiny(tmp_path):
    root = _tiny(tmp_path / "proj")
    cache_dir = tmp_path / "cache"
    _settle()
    first = scan_report(root, Config(), FactsStore(root, cache_dir))
    assert not first.reused and first.why_missed == ["no snapshot"]
    assert any(f.code == "DJS201" for f in first.findings) or first.findings  # pages has no migration
    return root, cache_dir, first


def _dump(report) -> tuple:
    stats = dict(report.stats)
    stats.pop("seconds")
    return [f.as_dict() for f in report.findings], stats, [repr(u) for u in report.unjudged]


def test_unchanged_tree_reuses_the_report(tiny):
    root, cache_dir, first = tiny
    again = scan_report(root, Config(), FactsStore(root, cache_dir))
    assert again.reused and _dump(again) == _dump(first)


@pytest.mark.parametrize("change", ["touch", "edit", "add", "remove", "add-folder", "requirements"])
def test_a_file_change_is_a_miss(tiny, change):
    root, cache_dir, first = tiny
    models = root / "shop" / "models.py"
    if change == "touch":  # same bytes, new mtime: a miss too (stats, not content, are compared)
        os.utime(models, ns=(time.time_ns(), time.time_ns()))
    elif change == "edit":
        models.write_text(models.read_text().replace("pages = models.IntegerField()\n", ""))
    elif change == "add":
        (root / "shop" / "signals.py").write_text("X = 1\n")
    elif change == "remove":
        (root / "shop" / "migrations" / "0001_initial.py").unlink()
    elif change == "add-folder":
        (root / "shop" / "extra").mkdir()
        (root / "shop" / "extra" / "__init__.py").write_text("")
    else:  # the Django version is read from it
        (root / "requirements.txt").write_text("Django==4.2\n")
    why: list[str] = []
    assert lookup(cache_dir, root, Config(), why=why) is None and why
    report = scan_report(root, Config(), FactsStore(root, cache_dir))
    assert not report.reused
    if change == "edit":  # the new result, not the old one
        assert _dump(report) != _dump(first)
        fresh = scan_report(root, Config(), FactsStore(root, None))
        assert _dump(report) == _dump(fresh)


def test_config_and_options_select_another_snapshot(tiny):
    root, cache_dir, _ = tiny
    for config in (Config(ignore=("DJS2",)), Config(select=("DJS1",)), Config(severity={"DJS201": "info"}),
                   Config(auth_user_model="shop.Book"), Config(exclude=("shop/migrations/*",))):  # fmt: skip
        assert lookup(cache_dir, root, config) is None
    assert lookup(cache_dir, root, Config()) is not None
    assert lookup(cache_dir, root, Config(), select=("DJS1",)) is None


def test_pyproject_change_is_a_miss_through_the_command_line(tmp_path):
    root = _tiny(tmp_path / "proj")
    cache_dir = tmp_path / "cache"
    _settle()
    first = _djstate(cache_dir, "scan", str(root), "--format", "json")
    second = _djstate(cache_dir, "scan", str(root), "--format", "json", "--verbose")
    assert "snapshot reused" in second.stderr
    (root / "pyproject.toml").write_text('[tool.djstate]\nignore = ["DJS2"]\n')
    third = _djstate(cache_dir, "scan", str(root), "--format", "json", "--verbose")
    assert "snapshot not reused" in third.stderr
    assert not any(f["code"].startswith("DJS2") for f in json.loads(third.stdout)["findings"])
    assert json.loads(first.stdout)["findings"] != json.loads(third.stdout)["findings"]


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "foreign", "other-key"])
def test_a_corrupt_snapshot_is_ignored_and_rewritten(tiny, damage):
    root, cache_dir, first = tiny
    [slot] = list((cache_dir / "snapshots").iterdir())
    data = slot.read_bytes()
    record = pickle.loads(data)
    slot.write_bytes({
        "garbage": b"\x00not a pickle\xff" * 3,
        "truncated": data[: len(data) // 2],
        "empty": b"",
        "foreign": pickle.dumps({"some": "other tool's record"}),
        "other-key": pickle.dumps({**record, "key": "0" * 64}),
    }[damage])  # fmt: skip
    report = scan_report(root, Config(), FactsStore(root, cache_dir))
    assert not report.reused and _dump(report) == _dump(first)
    assert scan_report(root, Config(), FactsStore(root, cache_dir)).reused  # rewritten


def test_a_file_changed_during_the_scan_leaves_no_snapshot(tmp_path):
    root = _tiny(tmp_path / "proj")  # written just now: the scan may have read either version
    cache_dir = tmp_path / "cache"
    report = scan_report(root, Config(), FactsStore(root, cache_dir))
    assert any("changed during the scan or just before" in w for w in report.why_missed)
    assert not (cache_dir / "snapshots").exists()


def test_no_cache_reads_and_writes_no_snapshot(tiny, tmp_path):
    root, cache_dir, _ = tiny
    assert not scan_report(root, Config(), FactsStore(root, None)).reused
    proc = _djstate(tmp_path / "other-cache", "scan", str(root), "--format", "json", "--no-cache")
    assert proc.returncode in (0, 1) and not (tmp_path / "other-cache").exists()


def test_cache_clear_removes_snapshots(tiny):
    _, cache_dir, _ = tiny
    assert (cache_dir / "snapshots").is_dir()
    files, _ = cache.clear(cache_dir)
    assert files and not (cache_dir / "snapshots").exists()


def test_a_changed_installed_package_is_a_miss(tmp_path):
    """Files of a package read from site-packages are in the manifest; an unrelated package
    only through its top-level entry."""
    site = write_project(tmp_path / "site", {
        "extpkg/__init__.py": "",
        "extpkg/apps.py": "from django.apps import AppConfig\n\n\nclass ExtConfig(AppConfig):\n    name = 'extpkg'\n",
        "extpkg/migrations/__init__.py": "",
        "extpkg/migrations/0001_initial.py": (
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n    operations = []\n"
        ),
        "extpkg/deep/inner/__init__.py": "",
        "unrelated/__init__.py": "",
    })  # fmt: skip
    root = _tiny(tmp_path / "proj")
    migration = root / "shop" / "migrations" / "0001_initial.py"
    migration.write_text(migration.read_text().replace("dependencies = []", "dependencies = [('extpkg', '0001_initial')]"))
    config = Config(site_packages=(str(site),))
    cache_dir = tmp_path / "cache"
    _settle()
    first = scan_report(root, config, FactsStore(root, cache_dir))
    assert not first.why_missed[1:], first.why_missed  # written
    assert lookup(cache_dir, root, config) is not None
    (site / "extpkg" / "deep" / "inner" / "more.py").write_text("X = 1\n")  # inside a read package
    assert lookup(cache_dir, root, config) is None
    _settle()
    scan_report(root, config, FactsStore(root, cache_dir))
    assert lookup(cache_dir, root, config) is not None
    (site / "unrelated" / "apps.py").write_text("")  # a new module of another package's top folder
    assert lookup(cache_dir, root, config) is None
    assert lookup(cache_dir, root, replace(config, site_packages=())) is None  # other options, other slot


def test_plain_scan_forms():
    from djstate.entry import plain_scan

    assert plain_scan(["scan"]) == (".", "text")
    assert plain_scan(["scan", "proj", "--format", "json"]) == ("proj", "json")
    assert plain_scan(["scan", "--format=text", "proj"]) == ("proj", "text")
    for args in (["scan", "proj", "--no-cache"], ["scan", "--format", "sarif"], ["scan", "a", "b"],
                 ["schema", "proj"], [], ["scan", "--format"], ["scan", "-q"]):  # fmt: skip
        assert plain_scan(args) is None, args
    assert scan_cache.FOLDER == "snapshots" and cache._ours("snapshots")
