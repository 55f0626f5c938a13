"""How ``djstate scan`` prints a report (text, JSON, SARIF, ...), shared by the typer command
line (djstate/cli.py) and the snapshot's fast path (djstate/entry.py). No typer here, and each
format loads only its own renderer."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def displayer(root: Path):
    """A finding's path as text shows it: relative to the current folder, as ruff prints."""
    cwd = Path.cwd()

    def display(path: str) -> str:
        if path.startswith("/"):
            return path
        full = root / path
        try:  # inside the current folder: relative to it; elsewhere: absolute (as ruff does)
            return full.relative_to(cwd).as_posix()
        except ValueError:
            return full.as_posix()

    return display


def source_frame(root: Path, context: int = 2):
    def frame(finding) -> list[tuple[int, str]] | None:
        if finding.path.startswith("/") or finding.line < 1:
            return None
        try:
            lines = (root / finding.path).read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError:
            return None
        first, last = max(finding.line - context, 1), min(finding.line + context, len(lines))
        return [(n, lines[n - 1]) for n in range(first, last + 1)] or None

    return frame


def use_color(no_color: bool, output_file: Path | None) -> bool:
    if no_color or output_file is not None or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def stats_of(report, config, root: Path) -> dict:
    """The report's stats with the environment that was read."""
    return {**report.stats, "environment": config.environment.as_dict(root) if config.environment else None}


def render(format: str, findings, stats, root: Path, *, statistics: bool, show_source: bool, color: bool, quiet: bool, hidden: int) -> str:
    """``format``: text, json, sarif, github, gitlab or junit (cli.Format's values)."""
    display = displayer(root)
    if statistics:
        from djstate.report import text as text_report

        return text_report.statistics(findings)
    if format == "json":
        from djstate.report import json as json_report

        return json_report.render(findings, stats)
    if format == "sarif":
        from djstate.report import sarif
        from djstate.rules import rule_classes

        return sarif.render(findings, stats, list(rule_classes()), display)
    if format == "github":
        from djstate.report import github

        return github.render(findings, display)
    if format == "gitlab":
        from djstate.report import gitlab

        return gitlab.render(findings, display)
    if format == "junit":
        from djstate.report import junit

        return junit.render(findings, stats, display)
    from djstate.report import text as text_report

    return text_report.render(findings, stats, display=display, color=color, source=source_frame(root) if show_source else None,
                              summary=not quiet, baseline_hidden=hidden)  # fmt: skip


def with_unverified(text: str, format: str, report, root: Path, environment: dict | None) -> str:
    """The rendered report with the unjudged items: a grouped listing after text, a list in JSON."""
    from djstate.report import unverified as unverified_report

    items = report.unjudged
    if format == "json":
        import json

        data = json.loads(text)
        data["unverified"] = unverified_report.as_json(items)
        return json.dumps(data, indent=2)
    if format == "text":
        return text + "\n\n" + unverified_report.render(items, report.stats.get("judged", {}), displayer(root), environment)
    return text


def fails(findings, fail_on: str) -> bool:
    """Whether a finding is at or above ``fail_on`` (exit 1)."""
    from djstate.findings import SEVERITY_RANK

    threshold = SEVERITY_RANK[fail_on]
    return any(SEVERITY_RANK[f.severity] >= threshold for f in findings)
