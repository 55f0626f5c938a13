"""The project's virtualenv found on its own (djstate/venv.py): the order, the layouts of venv,
uv, poetry and pdm, the bounds of the search, and the scan that reads it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from djstate.config import load_config, with_detected_site_packages
from djstate.report import text as text_report
from djstate.report import unverified as unverified_report
from djstate.rules.base import migration_source
from djstate.unverified import Unjudged
from djstate.venv import describe, find_environment, search_folders
from tests.test_cli import SHOP, djstate, write_project
from tests.test_git import isolated_git  # noqa: F401  (fixture)

NO_ENV: dict[str, str] = {}


def make_venv(folder: Path, cfg: str | None = "version = 3.11.7", pythons=("3.11",), windows: bool = False) -> Path:
    """A virtualenv as venv, uv, poetry (virtualenv) and pdm lay it out: pyvenv.cfg and site-packages."""
    folder.mkdir(parents=True, exist_ok=True)
    if cfg is not None:
        (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\ninclude-system-site-packages = false\n{cfg}\n")
    if windows:
        (folder / "Lib" / "site-packages").mkdir(parents=True)
        return folder / "Lib" / "site-packages"
    for version in pythons:
        (folder / "lib" / f"python{version}" / "site-packages").mkdir(parents=True)
    return folder / "lib" / f"python{pythons[-1]}" / "site-packages"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository root: the search stops at the folder holding .git."""
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    return tmp_path / "repo"


# --- detection order ------------------------------------------------------------------------------


def test_dot_venv_at_the_root(repo):
    site = make_venv(repo / ".venv")
    env = find_environment(repo, NO_ENV)
    assert (env.found_by, env.path, env.site_packages, env.python) == (".venv", str(repo / ".venv"), (str(site),), "3.11.7")
    assert env.read and env.detected


def test_dot_venv_before_venv(repo):
    make_venv(repo / "venv", "version = 3.10.2", ("3.10",))
    make_venv(repo / ".venv")
    assert find_environment(repo, NO_ENV).found_by == ".venv"
    env = find_environment(repo / "missing-is-fine", NO_ENV)  # a folder that does not exist: still searched upwards
    assert env.found_by == ".venv"


def test_plain_venv_folder(repo):
    make_venv(repo / "venv", "version = 3.10.2", ("3.10",))
    env = find_environment(repo, NO_ENV)
    assert (env.found_by, env.python) == ("venv", "3.10.2")


def test_virtual_env_wins_over_dot_venv(repo, tmp_path):
    make_venv(repo / ".venv")
    active = tmp_path / "elsewhere" / "env"
    site = make_venv(active, "version_info = 3.12.1", ("3.12",))
    env = find_environment(repo, {"VIRTUAL_ENV": str(active)})
    assert (env.found_by, env.site_packages, env.python) == ("VIRTUAL_ENV", (str(site),), "3.12.1")


def test_virtual_env_that_is_not_a_venv_falls_through(repo, tmp_path):
    make_venv(repo / ".venv")
    (tmp_path / "gone").mkdir()
    assert find_environment(repo, {"VIRTUAL_ENV": str(tmp_path / "gone")}).found_by == ".venv"
    assert find_environment(repo, {"VIRTUAL_ENV": str(tmp_path / "never")}).found_by == ".venv"


def test_uv_project_environment(repo, tmp_path):
    site = make_venv(tmp_path / "uv-env", "implementation = CPython\nuv = 0.5.0\nversion_info = 3.13.0", ("3.13",))
    env = find_environment(repo, {"UV_PROJECT_ENVIRONMENT": str(tmp_path / "uv-env")})
    assert (env.found_by, env.site_packages, env.python) == ("UV_PROJECT_ENVIRONMENT", (str(site),), "3.13.0")


def test_dot_venv_above_the_root_up_to_the_repository_root(repo):
    site = make_venv(repo / ".venv")
    (repo.parent / "venv").mkdir()
    make_venv(repo.parent / "venv")  # above the repository: never read
    root = repo / "src" / "project"
    root.mkdir(parents=True)
    env = find_environment(root, NO_ENV)
    assert (env.found_by, env.site_packages) == (".venv", (str(site),))
    assert search_folders(root) == [root, repo / "src", repo]


def test_nothing_above_the_repository_root(repo):
    make_venv(repo.parent / ".venv")
    assert find_environment(repo, NO_ENV).found_by == "none"
    assert not find_environment(repo, NO_ENV).read


def test_without_a_repository_the_folder_and_two_parents(tmp_path):
    root = tmp_path / "a" / "b" / "c"
    root.mkdir(parents=True)
    make_venv(tmp_path / "a" / ".venv")
    assert find_environment(root, NO_ENV).path == str(tmp_path / "a" / ".venv")
    deeper = root / "d"
    deeper.mkdir()
    assert find_environment(deeper, NO_ENV).found_by == "none"  # three folders up: not searched
    assert search_folders(Path("/")) == [Path("/")]


# --- layouts ----------------------------------------------------------------------------------------


def test_poetry_in_project_virtualenv(repo):
    """poetry (virtualenv) writes version_info with the release level."""
    (repo / "poetry.toml").write_text("[virtualenvs]\nin-project = true\n")
    make_venv(repo / ".venv", "version_info = 3.12.4.final.0\nvirtualenv = 20.26.3", ("3.12",))
    env = find_environment(repo, NO_ENV)
    assert (env.found_by, env.python) == (".venv", "3.12.4")


def test_pdm_python_points_at_its_virtualenv(repo, tmp_path):
    """pdm records its interpreter in .pdm-python; a centralised venv is found through it."""
    venv = tmp_path / "pdm-venvs" / "repo-abc123-3.12"
    site = make_venv(venv, "version_info = 3.12.2", ("3.12",))
    (venv / "bin").mkdir()
    make_venv(repo / ".venv")  # pdm's record wins over another .venv
    (repo / ".pdm-python").write_text(f"{venv / 'bin' / 'python'}\n")
    env = find_environment(repo, NO_ENV)
    assert (env.found_by, env.site_packages, env.python) == (".pdm-python", (str(site),), "3.12.2")


def test_stale_pdm_python_falls_back_to_dot_venv(repo):
    (repo / ".pdm-python").write_text("/no/such/bin/python\n")
    make_venv(repo / ".venv")
    assert find_environment(repo, NO_ENV).found_by == ".venv"


def test_pep582_pypackages(repo):
    (repo / "__pypackages__" / "3.10" / "lib").mkdir(parents=True)
    (repo / "__pypackages__" / "3.12" / "lib").mkdir(parents=True)
    env = find_environment(repo, NO_ENV)
    assert (env.found_by, env.site_packages, env.python) == (
        "__pypackages__", (str(repo / "__pypackages__" / "3.12" / "lib"),), "3.12")


def test_windows_layout(repo):
    site = make_venv(repo / ".venv", "version = 3.12.0", windows=True)
    env = find_environment(repo, NO_ENV)
    assert (env.site_packages, env.python) == ((str(site),), "3.12.0")


def test_upgraded_venv_reads_the_version_pyvenv_cfg_names(repo):
    make_venv(repo / ".venv", "version = 3.11.9", ("3.11", "3.12"))
    env = find_environment(repo, NO_ENV)
    assert env.site_packages == (str(repo / ".venv" / "lib" / "python3.11" / "site-packages"),)


def test_version_from_the_folder_when_pyvenv_cfg_says_none(repo):
    make_venv(repo / ".venv", "home = /usr/bin", ("3.9",))
    assert find_environment(repo, NO_ENV).python == "3.9"


# --- odd filesystems never raise ------------------------------------------------------------------


def test_pyvenv_cfg_without_site_packages_is_not_a_venv(repo):
    (repo / ".venv").mkdir()
    (repo / ".venv" / "pyvenv.cfg").write_text("version = 3.11.0\n")
    make_venv(repo / "venv")
    assert find_environment(repo, NO_ENV).found_by == "venv"


def test_site_packages_without_pyvenv_cfg_is_not_a_venv(repo):
    make_venv(repo / ".venv", cfg=None)
    assert find_environment(repo, NO_ENV).found_by == "none"


def test_broken_layouts_do_not_crash(repo):
    os.symlink(repo / ".venv", repo / ".venv")  # a link to itself: a loop
    os.symlink(repo / "nowhere", repo / "venv")  # a dangling link
    (repo / "__pypackages__").write_text("a file where a folder should be")
    (repo / ".pdm-python").mkdir()  # a folder where a file should be
    assert find_environment(repo, {"VIRTUAL_ENV": "\0bad", "UV_PROJECT_ENVIRONMENT": str(repo / ".venv")}).found_by == "none"


def test_binary_pyvenv_cfg_and_lib_loop(repo):
    (repo / ".venv" / "lib").mkdir(parents=True)
    (repo / ".venv" / "pyvenv.cfg").write_bytes(b"\xff\xfe\x00version = \x00\x01")
    os.symlink(repo / ".venv" / "lib", repo / ".venv" / "lib" / "python3.11")  # lib/python3.11 -> lib
    env = find_environment(repo, NO_ENV)
    assert env.found_by == "none"


# --- configuration: explicit wins, detection off ------------------------------------------------


def test_library_callers_read_only_what_they_name(repo):
    make_venv(repo / ".venv")
    config = load_config(repo)
    assert config.site_packages == () and config.environment is None


def test_detected_venv_becomes_site_packages(repo):
    site = make_venv(repo / ".venv")
    config = load_config(repo, find_venv=True, environ=NO_ENV)
    assert config.site_packages == (str(site),) and config.environment.found_by == ".venv"


def test_explicit_site_packages_wins(repo, tmp_path):
    make_venv(repo / ".venv")
    named = make_venv(tmp_path / "other", pythons=("3.10",))
    config = load_config(repo, {"site_packages": (str(named),)}, find_venv=True, environ={"VIRTUAL_ENV": str(repo / ".venv")})
    assert config.site_packages == (str(named),)
    assert (config.environment.found_by, config.environment.python, config.environment.detected) == ("--site-packages", "3.10", False)
    (repo / "pyproject.toml").write_text(f"[tool.djstate]\nsite-packages = ['{named}']\n")
    config = load_config(repo, find_venv=True, environ=NO_ENV)
    assert config.site_packages == (str(named),) and config.environment.found_by == "site-packages"


def test_no_site_packages_turns_detection_off(repo):
    make_venv(repo / ".venv")
    config = load_config(repo, {"no_site_packages": True}, find_venv=True, environ=NO_ENV)
    assert config.site_packages == () and config.environment.found_by == "off"
    (repo / "pyproject.toml").write_text("[tool.djstate]\nno-site-packages = true\n")
    config = load_config(repo, find_venv=True, environ=NO_ENV)
    assert config.site_packages == () and config.environment.found_by == "off"


def test_diff_names_the_detected_venv_for_both_sides(repo):
    site = make_venv(repo / ".venv")
    assert with_detected_site_packages(repo, {}, NO_ENV) == {"site_packages": (str(site),)}
    assert with_detected_site_packages(repo, {"no_site_packages": True}, NO_ENV) == {"no_site_packages": True}


# --- what the reports say ---------------------------------------------------------------------------


STATS = {"files": 1, "apps": 1, "migrations": 1, "models": 0, "unverified": 2, "seconds": 0.1}


def test_summary_says_which_environment_was_read(repo, tmp_path):
    make_venv(repo / ".venv", "version_info = 3.12.1", ("3.12",))
    inside = find_environment(repo, NO_ENV).as_dict(repo)
    assert inside["path"] == ".venv" and inside["site_packages"] == [".venv/lib/python3.12/site-packages"]
    line = text_report.summary_line([], {**STATS, "environment": inside})
    assert line.endswith("; environment .venv (Python 3.12.1, .venv)")
    root = repo / "src"
    root.mkdir()
    outside = find_environment(root, NO_ENV).as_dict(root)
    assert outside["path"] == str(repo / ".venv")  # outside the scanned root: absolute
    assert describe({"read": False, "found_by": "none"}) == "no virtualenv found (--site-packages DIR names one)"
    assert describe({"read": False, "found_by": "off"}) == "no environment read (--no-site-packages)"
    assert text_report.summary_line([], STATS).endswith("s]")  # no environment in the stats: nothing said


def test_unverified_hints_at_an_environment_only_when_none_was_read():
    items = [Unjudged("dependency-outside-tree", "migration shop.0002_x", "shop/migrations/0002_x.py", 1, "notes")]
    none = unverified_report.render(items, {}, str, {"read": False, "found_by": "none"})
    assert "No installed packages were read (no virtualenv found): 1 of these" in none
    off = unverified_report.render(items, {}, str, {"read": False, "found_by": "off"})
    assert "(--no-site-packages)" in off
    read = unverified_report.render(items, {}, str, {"read": True, "found_by": ".venv"})
    assert "No installed packages" not in read
    inside = [Unjudged("conditional", "model shop.A", "shop/models.py", 1, "")]
    assert "No installed packages" not in unverified_report.render(inside, {}, str, {"read": False, "found_by": "none"})


# --- the scan that reads it -------------------------------------------------------------------------


def _project_with_external_app(repo: Path) -> Path:
    """shop depends on a migration of `notes`, an app installed in the virtualenv, that does
    not exist: Django raises NodeNotFoundError, which djstate can judge only by reading the venv."""
    ops = "migrations.CreateModel(name='Pin', fields=[('id', models.AutoField(primary_key=True))])"
    write_project(repo, {**SHOP, "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('notes', '0099_nope')", ops)})
    site = make_venv(repo / ".venv")
    write_project(site, {"notes/__init__.py": "", "notes/migrations/__init__.py": "",
                         "notes/migrations/0001_initial.py": migration_source()})  # fmt: skip
    return site


def _scan(repo: Path, *flags: str) -> dict:
    proc = djstate("scan", str(repo), "--format", "json", "--no-cache", "--select", "DJS10", *flags)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


def test_scan_reads_the_detected_venv(repo, monkeypatch):
    monkeypatch.delenv("DJSTATE_NO_SITE_PACKAGES", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    monkeypatch.delenv("UV_PROJECT_ENVIRONMENT", raising=False)
    _project_with_external_app(repo)
    data = _scan(repo)
    assert [f["code"] for f in data["findings"]] == ["DJS102"]
    env = data["stats"]["environment"]
    assert (env["read"], env["found_by"], env["path"], env["python"]) == (True, ".venv", ".venv", "3.11.7")
    assert data["stats"]["apps"] == 1  # the venv's app is read, not counted as the project's

    off = _scan(repo, "--no-site-packages")
    assert off["findings"] == [] and off["stats"]["environment"]["found_by"] == "off"
    assert off["stats"]["unverified"] > data["stats"]["unverified"]

    text = djstate("scan", str(repo), "--no-cache", "--select", "DJS10", "--no-site-packages", "--unverified").stdout
    assert "no environment read (--no-site-packages)" in text and "No installed packages were read (--no-site-packages)" in text


def test_scan_with_explicit_site_packages_ignores_the_venv(repo, tmp_path, monkeypatch):
    monkeypatch.delenv("DJSTATE_NO_SITE_PACKAGES", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    _project_with_external_app(repo)
    empty = make_venv(tmp_path / "empty-env", pythons=("3.12",))
    data = _scan(repo, "--site-packages", str(empty))
    assert data["findings"] == [] and data["stats"]["environment"]["found_by"] == "--site-packages"
    assert data["stats"]["environment"]["python"] == "3.12"


def test_virtual_env_from_the_environment(repo, tmp_path, monkeypatch):
    monkeypatch.delenv("DJSTATE_NO_SITE_PACKAGES", raising=False)
    _project_with_external_app(repo)
    active = tmp_path / "active"
    make_venv(active, "version_info = 3.12.1", ("3.12",))
    monkeypatch.setenv("VIRTUAL_ENV", str(active))
    data = _scan(repo)  # the active venv has no `notes`: its migrations stay unknown
    assert data["findings"] == [] and data["stats"]["environment"]["found_by"] == "VIRTUAL_ENV"
    assert data["stats"]["environment"]["path"] == str(active)


def test_the_suite_turns_detection_off():
    """conftest sets DJSTATE_NO_SITE_PACKAGES: corpora/example never reads this repository's .venv."""
    assert os.environ.get("DJSTATE_NO_SITE_PACKAGES") == "1"
    example = Path(__file__).resolve().parent.parent / "corpora" / "example"
    data = json.loads(djstate("scan", str(example), "--format", "json", "--no-cache").stdout)
    assert data["stats"]["environment"] == {"read": False, "found_by": "off", "path": None, "python": None, "site_packages": []}


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_diff_reads_the_detected_venv_on_both_sides(tmp_path, monkeypatch, isolated_git):
    """The right side adds a dependency on a `notes` migration that the venv lacks: a new DJS102
    only when the venv (gitignored, as it is in real repositories) is read for the checkouts."""
    import subprocess
    import sys

    from tests.test_git import commit, make_repo

    monkeypatch.delenv("DJSTATE_NO_SITE_PACKAGES", raising=False)
    monkeypatch.delenv("VIRTUAL_ENV", raising=False)
    repo = make_repo(tmp_path / "repo", {**SHOP, ".gitignore": ".venv/\n"})
    site = make_venv(repo / ".venv")
    write_project(site, {"notes/__init__.py": "", "notes/migrations/__init__.py": "",
                         "notes/migrations/0001_initial.py": migration_source()})  # fmt: skip
    commit(repo, "base")
    ops = "migrations.CreateModel(name='Pin', fields=[('id', models.AutoField(primary_key=True))])"
    write_project(repo, {"shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('notes', '0099_nope')", ops)})
    commit(repo, "depends on a missing notes migration")

    def new_codes(*flags: str) -> list[str]:
        proc = subprocess.run([sys.executable, "-m", "djstate.cli", "diff", "HEAD~1", "HEAD", "--format", "json", "--no-cache",
                               "--select", "DJS10", *flags], cwd=repo, capture_output=True, text=True, timeout=300)  # fmt: skip
        assert proc.returncode in (0, 1), proc.stderr
        return [f["code"] for f in json.loads(proc.stdout)["findings"]["new"]]

    assert new_codes() == ["DJS102"]
    assert new_codes("--no-site-packages") == []
