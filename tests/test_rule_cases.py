"""Every rule's own VALID and INVALID cases, run through the whole engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from djstate.rules import rule_classes
from tests.conftest import expected_markers, run_scan, write_project

ROOT = Path(__file__).resolve().parent.parent
CASES = [
    pytest.param(rule, kind, case, id=f"{rule.code}-{kind}-{index}")
    for rule in rule_classes()
    for kind, cases in (("valid", rule.VALID), ("invalid", rule.INVALID))
    for index, case in enumerate(cases)
]


@pytest.mark.parametrize("rule,kind,case", CASES)
def test_rule_case(tmp_path, rule, kind, case):
    root = write_project(tmp_path, case.files, case.symlinks, case.config)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code == rule.code}
    if kind == "valid":
        assert got == set(), f"{rule.code} fired on a valid case"
    else:
        expected = {m for m in expected_markers(root) if m[2] == rule.code} | set(case.expect)
        assert expected, "an invalid case must mark at least one expected finding"
        assert got == expected


def test_every_rule_has_valid_and_invalid_cases():
    for rule in rule_classes():
        # a rule whose invalid cases cannot be source (DJS000) names the tests that make them
        elsewhere = getattr(rule, "INVALID_IN", None)
        assert elsewhere is None or (ROOT / elsewhere).is_file(), elsewhere
        assert rule.VALID and (rule.INVALID or elsewhere), f"{rule.code} needs cases it must and must not fire on"
