"""A package installed with pip into a cached folder (its dist-info included), for tests that
read a third-party version as a project's virtualenv would hold it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest


def installed_site(site: Path, distribution: str, version: str, marker: str, *also: str) -> Path:
    """``site`` holding ``distribution==version`` (``marker``, a file of it, says it is there)
    and the pinned requirements ``also`` (``"Django==1.11.29"``: one virtualenv's folder);
    skips the test only when the package index cannot be reached."""
    if not (site / marker).is_file():
        wanted = [f"{distribution}=={version}", *also]
        proc = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(site), *wanted],
            capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            if any(s in proc.stderr for s in ("No matching distribution", "Could not find a version", "connection")):
                pytest.skip(f"{distribution} {version} cannot be installed: {proc.stderr[-300:]}")
            pytest.fail(proc.stderr[-3000:])
    return site
