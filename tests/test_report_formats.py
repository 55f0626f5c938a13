"""Output formats: text (ruff-like), sarif (validated against the official 2.1.0 schema),
github workflow commands, GitLab Code Quality, JUnit XML, --statistics, --output-file."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from djstate.findings import Finding
from djstate.report import github, gitlab, junit, sarif, text
from djstate.rules import rule_classes
from tests.conftest import expected_markers
from tests.test_cli import EXAMPLE, djstate

SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-2.1.0-rtm.5.json"
STATS = {"files": 3, "apps": 1, "migrations": 1, "models": 1, "unverified": 0, "seconds": 0.5, "django_version": None}
FINDINGS = [
    Finding("shop/migrations/0002_x.py", 4, 9, "DJS201", "unknown-model-or-field", "error", "AlterField of shop.Book.x, 100% wrong: yes", "shop", "Book", "x"),
    Finding("shop/models.py", 7, 1, "DJS204", "migration-imports-models", "warning", "imports a model", "shop"),
    Finding("shop/serializers.py", 2, 5, "DJS000", "internal-error", "info", "note\nsecond line", None),
]


def test_text_is_ruff_like_with_severity_and_plurals():
    out = text.render(FINDINGS, STATS, display=lambda p: f"proj/{p}").splitlines()
    assert out[0] == "proj/shop/migrations/0002_x.py:4:9: DJS201 [error] AlterField of shop.Book.x, 100% wrong: yes"
    assert out[-1].startswith("Found 3 findings (1 error, 1 warning, 1 info) in 1 app, 1 migration, 1 model [0 unverified")
    assert "\033[" not in "\n".join(out)
    assert "\033[31mDJS201" in text.render(FINDINGS, STATS, color=True)


def test_show_source_frame_points_at_the_column():
    frame = [(3, "    operations = ["), (4, "        migrations.AlterField("), (5, "    ]")]
    out = text.render(FINDINGS[:1], STATS, source=lambda f: frame, summary=False).splitlines()
    assert out[1:] == ["    3 |     operations = [", "  > 4 |         migrations.AlterField(", "      |         ^", "    5 |     ]"]


def test_statistics_counts_per_code():
    out = text.statistics(FINDINGS + FINDINGS[:1]).splitlines()
    assert out[0].split()[:2] == ["2", "DJS201"] and len(out) == 3


def test_sarif_validates_against_the_official_schema():
    jsonschema = pytest.importorskip("jsonschema")
    rules = list(rule_classes())
    data = json.loads(sarif.render(FINDINGS, STATS, rules))
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    driver = data["runs"][0]["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == [r.code for r in rules]
    assert all(r["helpUri"].endswith(f"docs/rules/{r['id']}.md") and "## What it does" in r["help"]["markdown"] for r in driver["rules"])
    levels = [r["level"] for r in data["runs"][0]["results"]]
    assert levels == ["error", "warning", "note"]
    assert data["runs"][0]["results"][0]["partialFingerprints"]["djstate/v1"] == FINDINGS[0].fingerprint()


def test_sarif_of_a_real_scan_validates(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    out = tmp_path / "out.sarif"
    proc = djstate("scan", str(EXAMPLE), "--no-cache", "--format", "sarif", "--output-file", str(out))
    assert proc.returncode == 1 and proc.stdout == "", proc.stderr
    data = json.loads(out.read_text())
    jsonschema.validate(data, json.loads(SCHEMA.read_text(encoding="utf-8")))
    assert len(data["runs"][0]["results"]) == len(expected_markers(EXAMPLE))  # one result per expected finding


def test_github_workflow_commands_are_escaped():
    out = github.render(FINDINGS).splitlines()
    assert out[0] == ("::error file=shop/migrations/0002_x.py,line=4,col=9,title=DJS201 unknown-model-or-field::"
                      "DJS201 AlterField of shop.Book.x, 100%25 wrong: yes")  # fmt: skip
    assert out[1].startswith("::warning ") and out[2].startswith("::notice ") and out[2].endswith("note%0Asecond line")


def test_gitlab_code_quality():
    issues = json.loads(gitlab.render(FINDINGS))
    assert [i["severity"] for i in issues] == ["major", "minor", "info"]
    assert issues[0]["location"] == {"path": "shop/migrations/0002_x.py", "lines": {"begin": 4}}
    assert len({i["fingerprint"] for i in issues}) == 3


def test_junit_xml():
    root = ET.fromstring(junit.render(FINDINGS, STATS))
    assert root.tag == "testsuites" and root.get("failures") == "3"
    cases = root.findall(".//testcase")
    assert len(cases) == 3 and all(c.find("failure") is not None for c in cases)
    empty = ET.fromstring(junit.render([], STATS))
    assert empty.get("failures") == "0" and len(empty.findall(".//testcase")) == 1


def _in_a_terminal(args: list[str], env: dict) -> str:
    """djstate's stdout when it is a terminal (a pseudo-terminal)."""
    import os
    import pty
    import subprocess
    import sys

    leader, follower = pty.openpty()
    clean = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.Popen([sys.executable, "-m", "djstate.cli", *args], stdout=follower, stderr=subprocess.DEVNULL,
                            env={**clean, **env})  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def test_colour_only_on_a_terminal_and_never_with_no_color(tmp_path):
    env = {"DJSTATE_CACHE_DIR": str(tmp_path / "cache")}
    args = ["scan", str(EXAMPLE), "--no-cache"]
    assert "\033[31m" in _in_a_terminal(args, env)
    assert "\033[" not in _in_a_terminal(args, {**env, "NO_COLOR": "1"})
    assert "\033[" not in _in_a_terminal([*args, "--no-color"], env)
    assert "\033[" not in djstate(*args).stdout  # piped
