"""GitLab Code Quality report (a JSON array of issues, fingerprinted)."""

from __future__ import annotations

import json

from djstate.findings import Finding

SEVERITY = {"error": "major", "warning": "minor", "info": "info"}


def render(findings: list[Finding], display=str) -> str:
    issues = [
        {
            "description": f"{f.code} {f.message}",
            "check_name": f"{f.code} {f.name}",
            "fingerprint": f.fingerprint(),
            "severity": SEVERITY[f.severity],
            "location": {"path": display(f.path), "lines": {"begin": max(f.line, 1)}},
        }
        for f in findings
    ]
    return json.dumps(issues, indent=2)
