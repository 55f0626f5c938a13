"""The pre-commit hook (`pre-commit try-repo` against a fixture git repository) and action.yml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.rules.base import migration_source
from tests.test_cli import SHOP, write_project

ROOT = Path(__file__).resolve().parent.parent


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid"}  # fmt: skip
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, env=env)


def test_hook_and_action_files_are_well_formed():
    yaml = pytest.importorskip("yaml")  # pre-commit depends on PyYAML
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    hook = next(h for h in hooks if h["id"] == "djstate")
    assert hook["language"] == "python" and hook["pass_filenames"] is False and hook["entry"] == "djstate scan"
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert any("upload-sarif" in s.get("uses", "") for s in steps)
    assert any("--format sarif" in s.get("run", "") for s in steps)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed")
def test_pre_commit_try_repo(tmp_path):
    pytest.importorskip("pre_commit")
    repo = tmp_path / "project"
    repo.mkdir()
    write_project(repo, SHOP)
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "clean")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"), "DJSTATE_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "djstate", "--all-files"]
    clean = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    if clean.returncode != 0 and ("pip" in clean.stdout + clean.stderr and "error" in (clean.stdout + clean.stderr).lower()
                                  and "Passed" not in clean.stdout and "Failed" not in clean.stdout):  # fmt: skip
        pytest.skip(f"pre-commit could not install the hook environment: {clean.stdout[-400:]}")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "djstate" in clean.stdout and "Passed" in clean.stdout
    # a broken migration: the hook fails and prints the finding
    write_project(repo, {"shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('shop', '0099_gone')")})
    _git(repo, "add", ".")
    broken = subprocess.run(command, cwd=repo, capture_output=True, text=True, env=env, timeout=900)
    assert broken.returncode == 1 and "DJS102" in broken.stdout, broken.stdout + broken.stderr
