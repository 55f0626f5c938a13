"""The command line: exit codes, the JSON contract, and bad input that must never crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.rules.base import migration_source
from tests.conftest import write_project

EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"
SHOP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/migrations/0001_initial.py": migration_source()}


def djstate(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJSTATE_CACHE_DIR": str((cwd or Path.cwd()) / ".djstate-test-cache")}
    return subprocess.run(
        [sys.executable, "-m", "djstate.cli", *args], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )


def test_scan_example_exits_1_with_findings():
    proc = djstate("scan", str(EXAMPLE), "--no-cache")
    assert proc.returncode == 1
    assert "DJS101" in proc.stdout and proc.stdout.strip().splitlines()[-1].startswith("Found 17 findings")


def test_json_contract(tmp_path):
    proc = djstate("scan", str(EXAMPLE), "--format", "json", "--no-cache")
    data = json.loads(proc.stdout)
    assert set(data) == {"djstate", "findings", "stats"}
    assert set(data["stats"]) == {"files", "apps", "migrations", "models", "unverified", "seconds", "django_version"}
    # corpora/example/requirements.txt says Django>=5.2,<6.0
    assert data["stats"]["django_version"] == {"version": "5.2", "source": "requirements.txt", "requirement": "Django>=5.2,<6.0"}
    keys = ["code", "name", "severity", "path", "line", "column", "app", "model", "field", "message"]
    for finding in data["findings"]:
        assert list(finding) == keys
        assert not finding["path"].startswith("/") and "\\" not in finding["path"]
    dup = next(f for f in data["findings"] if f["code"] == "DJS202")
    assert (dup["app"], dup["model"], dup["field"]) == ("accounts", "User", "newsletter_opt_in")


def test_clean_project_exits_0(tmp_path):
    write_project(tmp_path, SHOP)
    proc = djstate("scan", str(tmp_path), "--no-cache")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Found 0 findings" in proc.stdout


def test_fail_on_threshold(tmp_path):
    files = {**SHOP, "shop/models.py": "from django.db import models\n",
             "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial')", header="from shop.models import X\n\ndef f(apps, e):\n    X.objects.all()")}  # fmt: skip
    write_project(tmp_path, files)
    assert djstate("scan", str(tmp_path), "--no-cache").returncode == 0  # a warning only
    assert djstate("scan", str(tmp_path), "--no-cache", "--fail-on", "warning").returncode == 1


@pytest.mark.parametrize(
    "args",
    [("scan", "/nonexistent/djstate"), ("scan", ".", "--bogus"), ("explain", "DJS999"), ("scan", ".", "--fail-on", "fatal")],
)
def test_usage_errors_exit_2(tmp_path, args):
    proc = djstate(*args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_unknown_config_key_exits_2(tmp_path):
    write_project(tmp_path, SHOP)
    (tmp_path / "pyproject.toml").write_text("[tool.djstate]\nauth_user_modle = 'x.Y'\n")
    proc = djstate("scan", str(tmp_path))
    assert proc.returncode == 2 and "unknown key" in proc.stderr


def test_bad_input_becomes_findings_not_tracebacks(tmp_path):
    files = {
        **SHOP,
        "shop/migrations/0002_syntax.py": "class Migration(migrations.Migration:\n",
        "shop/migrations/0003_latin1.py": b"# caf\xe9\nclass Migration(object):\n    pass\n",
        "shop/migrations/0004_binary.py": b"\x00\x01\x02",
        "shop/migrations/0005_huge.py": "x = 1\n" * 800_000,
    }
    write_project(tmp_path, files, symlinks={"shop/loop": ".."})
    proc = djstate("scan", str(tmp_path), "--format", "json", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    found = {(f["path"], f["code"]) for f in json.loads(proc.stdout)["findings"]}
    for name in ("0002_syntax", "0003_latin1", "0004_binary", "0005_huge"):
        assert (f"shop/migrations/{name}.py", "DJS100") in found
    assert ("shop/loop", "DJS106") in found


def test_unreadable_folder_is_a_warning(tmp_path, monkeypatch):
    from djstate import discover
    from tests.conftest import run_scan

    write_project(tmp_path, {**SHOP, "secret/__init__.py": ""})
    real_listdir = os.listdir

    def listdir(path):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_listdir(path)

    monkeypatch.setattr(discover.os, "listdir", listdir)
    result = run_scan(tmp_path)
    assert [(f.path, f.code) for f in result.findings] == [("secret", "DJS106")]


def test_schema_dump(tmp_path):
    proc = djstate("schema", str(EXAMPLE), "--format", "json", "--no-cache")
    assert proc.returncode == 0, proc.stderr
    models = json.loads(proc.stdout)["models"]
    book = models["catalog.book"]
    assert book["fields"]["publisher"]["kwargs"]["to"] == "'catalog.publisher'"
    assert "summary" not in book["fields"] and "description" in book["fields"]  # RenameField replayed


def test_cache_round_trip(tmp_path):
    write_project(tmp_path, SHOP)
    first = djstate("scan", str(tmp_path), cwd=tmp_path)
    second = djstate("scan", str(tmp_path), cwd=tmp_path)
    assert first.returncode == second.returncode == 0
    assert any((tmp_path / ".djstate-test-cache").rglob("*"))


def test_site_packages_make_external_apps_checkable(tmp_path):
    import sysconfig

    ops = "migrations.CreateModel(name='Note', fields=[('id', models.AutoField(primary_key=True)), ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='auth.usr'))])"
    files = {**SHOP, "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('auth', '0099_nope')", ops)}
    write_project(tmp_path, files)
    graph_rules = ("--select", "DJS10", "--select", "DJS20")
    without = json.loads(djstate("scan", str(tmp_path), "--format", "json", "--no-cache", *graph_rules).stdout)
    assert without["findings"] == [] and without["stats"]["unverified"] >= 2  # external: not judged
    site = sysconfig.get_paths()["purelib"]
    proc = djstate("scan", str(tmp_path), "--format", "json", "--no-cache", "--site-packages", site, *graph_rules)
    codes = sorted(f["code"] for f in json.loads(proc.stdout)["findings"])
    assert codes == ["DJS102", "DJS203"], proc.stdout
