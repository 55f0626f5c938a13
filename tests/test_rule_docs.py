"""docs/rules/<CODE>.md: one generated page per rule, kept in sync with the docstrings; `djstate explain`."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from djstate.rules import rule_classes
from tests.test_cli import djstate

ROOT = Path(__file__).resolve().parent.parent


def _generator():
    spec = importlib.util.spec_from_file_location("gen_rule_docs", ROOT / "tools" / "gen_rule_docs.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rule_pages_are_generated_and_current():
    pages = _generator().render_pages()
    assert set(pages) == {f"{r.code}.md" for r in rule_classes()}
    on_disk = {p.name for p in (ROOT / "docs" / "rules").glob("DJS*.md")}
    assert on_disk == set(pages), "run `make docs`"
    for name, text in pages.items():
        assert (ROOT / "docs" / "rules" / name).read_text(encoding="utf-8") == text, f"{name}: run `make docs`"


def test_explain_prints_the_docs_case_insensitively():
    proc = djstate("explain", "djs204")
    assert proc.returncode == 0 and proc.stdout.startswith("DJS204 migration-imports-models (warning)")
    assert "## Fix" in proc.stdout
