"""Inline suppressions, per-file ignores and severity overrides, applied to a scan's findings.

``# djstate: ignore[DJS201]`` (several codes: ``ignore[DJS201, DJS204]``; a prefix such as
``DJS2`` works too) or a bare ``# djstate: ignore`` silences the findings of those codes
(of every code) reported

* on the comment's own line, or
* on the first line of the statement the comment is written in: a comment on any line of a
  statement that spans several lines (a multi-line call, an import in parentheses) silences a
  finding reported at that statement's first line.

Comments are read from the file text with :mod:`tokenize`; a file that does not tokenize
(DJS100) is read line by line, and then only the comment's own line counts.

A suppression that silences nothing is reported as DJS001 (unused-suppression), as ruff's
RUF100 does: for a code, only when that code's rule ran; for a bare one, only when every rule ran.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from djstate.findings import Finding

if TYPE_CHECKING:
    from djstate.engine import Project

DIRECTIVE = re.compile(r"#\s*djstate:\s*ignore\b(?:\[([^\]]*)\])?", re.IGNORECASE)
MARKER = b"djstate:"
UNUSED = "DJS001"


@dataclass
class Suppression:
    path: str
    line: int  # where the comment is
    column: int
    first_line: int  # the first line of the statement the comment is written in
    codes: tuple[str, ...] | None  # None: every code
    used: set[str] = field(default_factory=set)

    def covers(self, finding: Finding) -> str | None:
        """The code (or "*") that silences ``finding``, if any."""
        if finding.line not in (self.line, self.first_line):
            return None
        if self.codes is None:
            return "*"
        return next((c for c in self.codes if finding.code.startswith(c)), None)


def read_suppressions(path: str, text: str) -> list[Suppression]:
    out: list[Suppression] = []
    try:
        first = None
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            kind = token.type
            if kind in (tokenize.NEWLINE, tokenize.ENDMARKER):
                first = None
            elif kind == tokenize.COMMENT:
                _add(out, path, token.string, token.start[0], token.start[1], first or token.start[0])
            elif kind not in (tokenize.NL, tokenize.INDENT, tokenize.DEDENT) and first is None:
                first = token.start[0]
    except Exception:  # TokenError, SyntaxError, and from 3.12 ValueError on NUL bytes: read line by line
        out = []
        for number, line in enumerate(text.splitlines(), 1):
            if "#" in line:
                index = line.index("#")
                _add(out, path, line[index:], number, index, number)
    return out


def _add(out: list[Suppression], path: str, comment: str, line: int, column: int, first: int) -> None:
    match = DIRECTIVE.search(comment)
    if match is None:
        return
    codes = None
    if match.group(1) is not None:
        codes = tuple(c.strip().upper() for c in match.group(1).split(",") if c.strip())
    out.append(Suppression(path, line, column + match.start() + 1, first, codes))


def collect(project: Project) -> dict[str, list[Suppression]]:
    """Every suppression comment in the scanned tree's Python files."""
    found: dict[str, list[Suppression]] = {}
    for path in sorted(set(project.tree.modules.values()) | set(project.files)):
        if path.startswith("/"):
            continue
        try:
            data = (project.root / path).read_bytes()
        except OSError:
            continue
        if MARKER not in data:
            continue
        items = read_suppressions(path, data.decode("utf-8", "replace"))
        if items:
            found[path] = items
    return found


def apply_policy(project: Project, findings: list[Finding], ran: list[str]) -> list[Finding]:
    """Severity overrides, per-file ignores, inline suppressions, then DJS001 for the unused ones."""
    from djstate.rules import rule_classes
    from djstate.rules.djs001_unused_suppression import UnusedSuppression

    config = project.config
    suppressions = collect(project)
    kept: list[Finding] = []
    for finding in findings:
        severity = config.severity_of(finding.code, finding.severity)
        if severity != finding.severity:
            finding = replace(finding, severity=severity)
        if config.ignored_in(finding.code, finding.path):
            continue
        hit = None
        for suppression in suppressions.get(finding.path, []):
            code = suppression.covers(finding)
            if code is not None:
                suppression.used.add(code)
                hit = suppression
        if hit is None:
            kept.append(finding)
    if UNUSED not in ran:
        return kept
    every_rule_ran = {r.code for r in rule_classes()} <= set(ran)
    rule = UnusedSuppression()
    for path, items in suppressions.items():
        for s in items:
            if s.codes is None:
                unused = [] if s.used or not every_rule_ran else ["*"]
            else:
                unused = [c for c in s.codes if c not in s.used and any(r.startswith(c) for r in ran)]
            if not unused:
                continue
            what = "blanket suppression" if unused == ["*"] else f"suppression of {', '.join(unused)}"
            finding = rule.finding(
                path, None, f"unused {what}: no such finding on this line or its statement; remove it", app=_app(project, path)
            )
            finding = replace(finding, line=s.line, column=s.column, severity=config.severity_of(UNUSED, finding.severity))
            if not config.ignored_in(UNUSED, path):
                kept.append(finding)
    return kept


def _app(project: Project, path: str) -> str | None:
    module = next((m for m, p in project.tree.modules.items() if p == path), None)
    app = project.app_of_module(module) if module else None
    return app.label if app else None
