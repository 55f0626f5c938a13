"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice`` annotation per finding."""

from __future__ import annotations

from djstate.findings import Finding

COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(findings: list[Finding], display=str) -> str:
    lines = []
    for f in findings:
        props = f"file={_escape_property(display(f.path))},line={max(f.line, 1)},col={max(f.column, 1)},title={_escape_property(f'{f.code} {f.name}')}"
        lines.append(f"::{COMMAND[f.severity]} {props}::{_escape_data(f'{f.code} {f.message}')}")
    return "\n".join(lines)
