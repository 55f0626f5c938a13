"""The command line: exit codes, the JSON contract, and bad input that must never crash."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.rules.base import migration_source
from tests.conftest import expected_markers, write_project

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
    expected = len(expected_markers(EXAMPLE))  # tests/test_example.py checks each marker is reported
    assert "DJS101" in proc.stdout and proc.stdout.strip().splitlines()[-1].startswith(f"Found {expected} findings")


def test_json_contract(tmp_path):
    proc = djstate("scan", str(EXAMPLE), "--format", "json", "--no-cache")
    data = json.loads(proc.stdout)
    assert set(data) == {"djstate", "findings", "stats"}
    assert set(data["stats"]) == {"files", "apps", "migrations", "models", "unverified", "seconds", "django_version", "judged", "environment"}
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
    real_scandir = os.scandir

    def scandir(path):
        if str(path).endswith("secret"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(discover.os, "scandir", scandir)
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


# --- issue 11: crashes and wrong results ---------------------------------------------------------


def test_non_utf8_file_name_does_not_crash_the_cache(tmp_path):
    from djstate.cache import FactsStore
    from djstate.config import load_config
    from djstate.engine import scan

    write_project(tmp_path / "p", SHOP)
    name = os.fsdecode(b"0002_caf\xe9.py")
    (tmp_path / "p" / "shop" / "migrations" / name).write_text(migration_source("('shop', '0001_initial')"))
    root = tmp_path / "p"
    for _ in range(2):  # cold, then from the disk cache
        result = scan(root, load_config(root), FactsStore(root, tmp_path / "cache", jobs=1))
        assert [f.code for f in result.findings if f.code == "DJS000"] == []
        assert ("shop", "0002_caf\udce9") in result.project.migrations


MIGRATED_BOOK = migration_source(operations=(
    "migrations.CreateModel(name='Book', fields=[('id', models.AutoField(auto_created=True, primary_key=True, "
    "serialize=False, verbose_name='ID')), ('title', models.CharField(max_length=100))])"))  # fmt: skip


@pytest.mark.parametrize(
    "content,problem",
    [(b"\x00\x00", "NUL"), (b"from django.db import models\nclass Book(models.Model:\n", "syntax"),
     (b"x = '\xff'\n", "UTF-8"), (b"x = 1\n" * 800_000, "limit")],
    ids=["nul", "syntax", "latin1", "huge"],
)  # fmt: skip
def test_unreadable_models_module_is_djs100_not_djs210(tmp_path, content, problem):
    from tests.conftest import run_scan

    write_project(tmp_path, {**SHOP, "shop/migrations/0001_initial.py": MIGRATED_BOOK, "shop/models.py": content})
    result = run_scan(tmp_path)
    codes = [(f.path, f.code, f.app) for f in result.findings]
    assert ("shop/models.py", "DJS100", "shop") in codes, codes
    assert not any(f.code == "DJS210" for f in result.findings), codes
    djs100 = next(f for f in result.findings if f.code == "DJS100")
    if problem == "limit":
        assert "size limit" in djs100.message and "Django cannot import" not in djs100.message
        assert djs100.severity == "warning"
    else:
        assert "Django cannot import it" in djs100.message and djs100.severity == "error"


def test_unreadable_serializers_module_is_djs100_and_exits_1(tmp_path):
    files = {**SHOP, "shop/models.py": "from django.db import models\n",
             "shop/serializers.py": "from rest_framework import serializers\n\nclass S(serializers.Serializer:\n"}  # fmt: skip
    write_project(tmp_path, files)
    proc = djstate("scan", str(tmp_path), "--no-cache", "--format", "json")
    assert proc.returncode == 1
    found = [(f["path"], f["code"], f["app"]) for f in json.loads(proc.stdout)["findings"]]
    assert ("shop/serializers.py", "DJS100", "shop") in found


def test_djs100_on_settings_says_settings(tmp_path):
    from tests.conftest import run_scan

    write_project(tmp_path, {**SHOP, "site/__init__.py": "", "site/settings.py": "INSTALLED_APPS = [\n",
                             "pyproject.toml": "[tool.djstate]\nsettings = 'site.settings'\n"})  # fmt: skip
    finding = next(f for f in run_scan(tmp_path).findings if f.code == "DJS100")
    assert finding.path == "site/settings.py" and "settings" in finding.message
    assert "its app's state" not in finding.message


def test_fingerprint_ignores_the_latest_migration_in_djs102():
    from djstate.diff import _finding_changes
    from djstate.findings import Finding

    def djs102(latest: str, line: int) -> Finding:
        message = f"depends on ('shop', '0009_x'), which does not exist; its latest migration is '{latest}'"
        return Finding("shop/migrations/0003_y.py", line, 5, "DJS102", "missing-dependency", "error", message, "shop")

    old, new = djs102("0004_a", 10), djs102("0005_b", 30)
    assert old.fingerprint() == new.fingerprint()
    assert _finding_changes([old], [new], {}) == ([], [])
    other = Finding("shop/migrations/0003_y.py", 10, 5, "DJS102", "missing-dependency", "error", "depends on ('shop', '0010_z')", "shop")
    assert other.fingerprint() != old.fingerprint()


@pytest.mark.parametrize("args", [("--select", "DJS999"), ("--select", "DJS1,E501"), ("--select", "X")])
def test_unknown_selector_exits_2(tmp_path, args):
    write_project(tmp_path, SHOP)
    proc = djstate("scan", str(tmp_path), "--no-cache", *args)
    assert proc.returncode == 2 and "unknown rule selector" in proc.stderr, proc.stdout + proc.stderr


def test_comma_selectors_run_those_rules(tmp_path):
    files = {**SHOP, "shop/models.py": "from django.db import models\n",
             "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('shop', '0099_gone')", header="from shop.models import Book\n\ndef f(apps, e):\n    Book.objects.all()")}  # fmt: skip
    write_project(tmp_path, files)
    codes = lambda *a: sorted({f["code"] for f in json.loads(djstate("scan", str(tmp_path), "--no-cache", "--format", "json", *a).stdout)["findings"]})  # noqa: E731
    assert codes("--select", "DJS102,DJS204") == ["DJS102", "DJS204"]
    assert codes("--select", "DJS102") == ["DJS102"]


def test_settings_and_site_packages_not_found(tmp_path):
    write_project(tmp_path, SHOP)
    proc = djstate("scan", str(tmp_path), "--no-cache", "--settings", "nosuch.settings")
    assert proc.returncode == 2 and "nosuch.settings" in proc.stderr and "Traceback" not in proc.stderr
    proc = djstate("scan", str(tmp_path), "--no-cache", "--site-packages", str(tmp_path / "nope"))
    assert proc.returncode == 2 and "nope" in proc.stderr
    (tmp_path / "pyproject.toml").write_text("[tool.djstate]\nsettings = 'nosuch.settings'\nsite-packages = ['nope']\n")
    proc = djstate("scan", str(tmp_path), "--no-cache")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.count("warning") == 2, proc.stderr


def test_djs408_json_has_app_and_model(tmp_path):
    from djstate.rules.djs401_unknown_serializer_field import serializer_case

    case = serializer_case(
        "class ProductSerializer(serializers.ModelSerializer):\n"
        "    label = serializers.SerializerMethodField()\n\n"
        "    class Meta:\n        model = Product\n        fields = ['id', 'label']\n"
    )
    write_project(tmp_path, case.files)
    proc = djstate("scan", str(tmp_path), "--no-cache", "--format", "json", "--select", "DJS408")
    found = [f for f in json.loads(proc.stdout)["findings"] if f["code"] == "DJS408"]
    assert [(f["app"], f["model"], f["field"]) for f in found] == [("shop", "Product", "label")]


# --- issue 11: usability -------------------------------------------------------------------------


def test_version_flags():
    for flag in ("--version", "-V"):
        proc = djstate(flag)
        assert proc.returncode == 0 and proc.stdout.strip().startswith("djstate ")


def test_text_paths_relative_to_the_current_folder_with_severity():
    root = EXAMPLE.parent.parent
    proc = djstate("scan", "corpora/example", "--no-cache", "--no-color", cwd=root)
    first = proc.stdout.splitlines()[0]
    assert first.startswith("corpora/example/") and (root / first.split(":")[0]).is_file(), first
    assert " [error] " in first or " [warning] " in first
    assert "\033[" not in proc.stdout  # piped: no colour
    data = json.loads(djstate("scan", "corpora/example", "--no-cache", "--format", "json", cwd=root).stdout)
    assert not data["findings"][0]["path"].startswith("corpora/")  # the JSON contract: relative to the root


def test_quiet_prints_findings_only(tmp_path):
    write_project(tmp_path, SHOP)
    proc = djstate("scan", str(tmp_path), "--no-cache", "--quiet")
    assert proc.returncode == 0 and proc.stdout == "" and proc.stderr == ""
    proc = djstate("scan", str(tmp_path), "--no-cache", "--verbose")
    assert "config" in proc.stderr and "rules" in proc.stderr


def test_one_app_is_singular(tmp_path):
    write_project(tmp_path, SHOP)
    assert " in 1 app, 1 migration, 0 models " in djstate("scan", str(tmp_path), "--no-cache").stdout


def test_scan_help_describes_models_and_serializers():
    out = djstate("scan", "--help").stdout
    for word in ("serializers", "models", "[tool.djstate]", "--baseline", "--format", "ignore"):
        assert word in out, word


def test_diff_and_schema_take_the_settings_flags():
    for command, flags in (("diff", ("--select", "--settings", "--site-packages")), ("schema", ("--settings", "--site-packages"))):
        out = djstate(command, "--help").stdout
        assert all(flag in out for flag in flags), command


def test_schema_json_has_decoded_values():
    models = json.loads(djstate("schema", str(EXAMPLE), "--no-cache").stdout)["models"]
    field = models["catalog.book"]["fields"]["publisher"]
    assert field["kwargs"]["to"] == "'catalog.publisher'" and field["values"]["to"] == "catalog.publisher"
    assert "on_delete" not in field["values"]  # a reference, not a literal


def test_rules_lists_default_and_severity():
    out = djstate("rules").stdout.splitlines()
    assert out[0].split()[:4] == ["code", "name", "severity", "default"]
    assert any(line.startswith("DJS204") and " warning " in line and " on " in line for line in out)


def test_diff_new_migration_does_not_renew_djs102(tmp_path):
    """A correct change (a new migration) changes DJS102's "its latest migration is 'X'": the
    finding is the same one, so `diff --fail-on new` passes."""
    import shutil

    if shutil.which("git") is None:
        pytest.skip("git is needed")
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True, env=env)

    other = {"blog/__init__.py": "", "blog/migrations/__init__.py": "",
             "blog/migrations/0001_initial.py": migration_source("('shop', '0099_gone')"),
             "blog/migrations/0002_x.py": migration_source("('blog', '0001_initial')")}  # fmt: skip
    write_project(tmp_path, {**SHOP, **other})
    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "base")
    base_message = json.loads(djstate("scan", str(tmp_path), "--no-cache", "--format", "json", "--select", "DJS102").stdout)
    write_project(tmp_path, {"shop/migrations/0002_y.py": migration_source("('shop', '0001_initial')")})
    after = json.loads(djstate("scan", str(tmp_path), "--no-cache", "--format", "json", "--select", "DJS102").stdout)
    assert [f["code"] for f in after["findings"]] == ["DJS102"]
    # the message did change: matching on it made this 1 new + 1 fixed
    assert "'0002_y'" in after["findings"][0]["message"] and after["findings"][0]["message"] != base_message["findings"][0]["message"]
    proc = djstate("diff", "HEAD", "--path", str(tmp_path), "--no-cache", "--format", "json", "--select", "DJS102", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads(proc.stdout)
    assert data["findings"] == {"new": [], "fixed": []}


def test_unreadable_models_module_is_djs100(tmp_path, monkeypatch):
    import pathlib

    from tests.conftest import run_scan

    write_project(tmp_path, {**SHOP, "shop/migrations/0001_initial.py": MIGRATED_BOOK,
                             "shop/models.py": "from django.db import models\n"})  # fmt: skip
    real = pathlib.Path.read_bytes

    def read_bytes(self):
        if self.name == "models.py":
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(pathlib.Path, "read_bytes", read_bytes)
    findings = run_scan(tmp_path).findings
    assert [(f.path, f.code, f.app) for f in findings] == [("shop/models.py", "DJS100", "shop")]
    assert "Permission denied" in findings[0].message
