from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import ScanResult, scan

EXPECT = re.compile(r"#\s*(?:djstate:\s*)?expect:?\s*(DJS\d{3}(?:\s*,\s*DJS\d{3})*)")


def write_project(root: Path, files: dict, symlinks: dict | None = None, config: dict | None = None) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    for link, target in (symlinks or {}).items():
        os.symlink(target, root / link)
    if config:
        lines = ["[tool.djstate]"]
        for key, value in config.items():
            if isinstance(value, str):
                lines.append(f'{key} = "{value}"')
            else:
                lines.append(f"{key} = {value!r}".replace("(", "[").replace(")", "]"))
        (root / "pyproject.toml").write_text("\n".join(lines) + "\n")
    return root


def expected_markers(root: Path) -> set[tuple[str, int, str]]:
    """Every `# expect: CODE` (or `# djstate: expect CODE`) marker below root."""
    found = set()
    for path in sorted(root.rglob("*.py")):
        data = path.read_bytes()
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            match = EXPECT.search(line)
            if match:
                for code in re.split(r"\s*,\s*", match.group(1)):
                    found.add((path.relative_to(root).as_posix(), number, code))
    return found


def run_scan(root: Path) -> ScanResult:
    config = load_config(root)
    return scan(root, config, FactsStore(root, None, jobs=1))


@pytest.fixture(autouse=True)
def _no_detected_virtualenv(monkeypatch):
    """The suite's CLI scans (in process and in subprocesses) read no virtualenv found on their
    own: corpora/example lies under this repository's .venv, and what that venv holds must not
    change any test's findings. tests/test_venv.py turns detection back on where it tests it."""
    monkeypatch.setenv("DJSTATE_NO_SITE_PACKAGES", "1")


@pytest.fixture
def project(tmp_path):
    def make(files: dict, **kwargs) -> Path:
        return write_project(tmp_path, files, **kwargs)

    return make
