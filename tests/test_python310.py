"""djstate runs on Python 3.10 (the oldest supported): installed into a fresh 3.10 venv, it
scans the bundled example with the same findings. Skipped where no 3.10 interpreter exists."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def python310() -> str | None:
    """A working Python 3.10: pyenv's install, else one on PATH (shims may not run)."""
    candidates = []
    try:
        pyenv_root = subprocess.run(["pyenv", "root"], capture_output=True, text=True, timeout=10).stdout.strip()
        if pyenv_root:
            candidates += [str(p) for p in sorted(Path(pyenv_root, "versions").glob("3.10*/bin/python"))]
    except (OSError, subprocess.SubprocessError):
        pass
    if shutil.which("python3.10"):
        candidates.append(shutil.which("python3.10"))
    for candidate in candidates:
        try:
            if subprocess.run([candidate, "-c", "pass"], capture_output=True, timeout=30).returncode == 0:
                return candidate
        except (OSError, subprocess.SubprocessError):
            continue
    return None


@pytest.mark.skipif(python310() is None, reason="no Python 3.10 interpreter on this machine")
def test_scan_runs_on_python_310(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([python310(), "-m", "venv", str(venv)], check=True, timeout=120)
    pip = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert pip.returncode == 0, pip.stderr[-2000:]
    env = {**os.environ, "DJSTATE_CACHE_DIR": str(tmp_path / "cache")}
    old = subprocess.run(
        [str(venv / "bin" / "djstate"), "scan", str(ROOT / "corpora" / "example"), "--format", "json"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    new = subprocess.run(
        [sys.executable, "-m", "djstate.cli", "scan", str(ROOT / "corpora" / "example"), "--format", "json"],
        capture_output=True, text=True, timeout=300, env=env,
    )  # fmt: skip
    assert old.returncode == new.returncode == 1, old.stderr[-2000:]
    import json

    findings = lambda out: [(f["path"], f["line"], f["code"]) for f in json.loads(out)["findings"]]  # noqa: E731
    assert findings(old.stdout) == findings(new.stdout)
