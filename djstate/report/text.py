from __future__ import annotations

from collections import Counter

from djstate.findings import Finding


def render(findings: list[Finding], stats: dict) -> str:
    lines = [f"{f.path}:{f.line}:{f.column}: {f.code} {f.message}" for f in findings]
    by_severity = Counter(f.severity for f in findings)
    summary = ", ".join(f"{by_severity[s]} {s}{'s' if by_severity[s] != 1 else ''}" for s in ("error", "warning", "info") if by_severity[s])
    lines.append(
        f"Found {len(findings)} finding{'s' if len(findings) != 1 else ''}"
        + (f" ({summary})" if summary else "")
        + f" in {stats['apps']} apps, {stats['migrations']} migrations, {stats['models']} models"
        f" [{stats['unverified']} unverified, {stats['seconds']:.2f}s]"
        + _assumed_version(stats.get("django_version"))
    )
    return "\n".join(lines)


def _assumed_version(version: dict | None) -> str:
    """Said when no requirement, lock file or config names the Django version."""
    if version and version.get("source") == "assumed":
        return f"; Django {version['version']} assumed (no pin found; set django_version)"
    return ""
