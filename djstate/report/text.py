"""ruff-like text: ``path:line:col: CODE [severity] message``, an optional code frame, a summary."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from djstate.findings import Finding
from djstate.venv import describe as describe_environment

COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[36m", "bold": "\033[1m", "dim": "\033[2m"}
RESET = "\033[0m"


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(
    findings: list[Finding],
    stats: dict,
    *,
    display: Callable[[str], str] = str,  # a finding's path as shown (relative to the current folder)
    color: bool = False,
    source: Callable[[Finding], list[tuple[int, str]] | None] | None = None,  # --show-source: numbered lines
    summary: bool = True,
    baseline_hidden: int = 0,
) -> str:
    def paint(text: str, style: str) -> str:
        return f"{COLOURS[style]}{text}{RESET}" if color else text

    lines = []
    for f in findings:
        where = paint(f"{display(f.path)}:{f.line}:{f.column}:", "bold")
        lines.append(f"{where} {paint(f.code, f.severity)} [{f.severity}] {f.message}")
        frame = source(f) if source else None
        if frame:
            width = len(str(frame[-1][0]))
            for number, text in frame:
                marker = ">" if number == f.line else " "
                lines.append(paint(f"  {marker} {number:>{width}} | ", "dim") + text)
                if number == f.line:
                    lines.append(paint(f"    {' ' * width} | ", "dim") + " " * max(f.column - 1, 0) + paint("^", f.severity))
    if summary:
        lines.append(summary_line(findings, stats, baseline_hidden))
    return "\n".join(lines)


def summary_line(findings: list[Finding], stats: dict, baseline_hidden: int = 0) -> str:
    by_severity = Counter(f.severity for f in findings)
    parts = ", ".join(plural(by_severity[s], s) for s in ("error", "warning", "info") if by_severity[s])
    return (
        f"Found {plural(len(findings), 'finding')}"
        + (f" ({parts})" if parts else "")
        + f" in {plural(stats['apps'], 'app')}, {plural(stats['migrations'], 'migration')}, {plural(stats['models'], 'model')}"
        f" [{_judged(stats.get('judged'))}{stats['unverified']} unverified, {stats['seconds']:.2f}s]"
        + (f"; {baseline_hidden} in the baseline not shown" if baseline_hidden else "")
        + _assumed_version(stats.get("django_version"))
        + (f"; {environment}" if (environment := describe_environment(stats.get("environment"))) else "")
    )


def _judged(judged: dict | None) -> str:
    """"models compared 130/145, serializers checked 150/191, " (--unverified lists the rest)."""
    if not judged:
        return ""
    words = {"models": "models compared", "serializers": "serializers checked"}
    parts = [f"{words.get(name, name)} {done}/{total}" for name, (done, total) in judged.items() if total]
    return "".join(f"{p}, " for p in parts)


def statistics(findings: list[Finding]) -> str:
    """``--statistics``: one row per code, most frequent first (ruff's layout)."""
    counts = Counter((f.code, f.name, f.severity) for f in findings)
    rows = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return "\n".join(f"{n:>5}  {code}  {name:<32} [{severity}]" for (code, name, severity), n in rows)


def _assumed_version(version: dict | None) -> str:
    """Said when no requirement, lock file or config names the Django version."""
    if version and version.get("source") == "assumed":
        return f"; Django {version['version']} assumed (no pin found; set django_version)"
    if version and version.get("judged") in (False, "partly"):
        return f"; {version.get('requirement', 'its Django')}"  # older than any emulated release
    return ""
