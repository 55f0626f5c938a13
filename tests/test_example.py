"""The bundled bookshop: every deliberate mistake is marked `# djstate: expect CODE` where
it must be reported; djstate must report exactly those (issue-2 rules) and nothing else."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import expected_markers, run_scan

EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"


def test_example_findings_match_markers_exactly():
    result = run_scan(EXAMPLE)
    got = {(f.path, f.line, f.code) for f in result.findings}
    assert got == expected_markers(EXAMPLE)


def test_example_reads_settings_statically():
    result = run_scan(EXAMPLE)
    assert result.project.settings_path == "bookshop/settings.py"
    assert result.project.auth_user_model == "accounts.User"
    assert "shop_orders" in result.project.apps  # label from orders/apps.py
