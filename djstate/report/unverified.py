"""``djstate scan --unverified``: what was not judged, grouped by reason, largest first."""

from __future__ import annotations

from djstate.unverified import REASONS, Unjudged, grouped

EXAMPLES = 5  # items shown per reason in text


# reasons that the installed packages' source would resolve
NEEDS_ENVIRONMENT = ("dependency-outside-tree", "base-outside-tree", "unknown-field-class", "serializer-unknown")


def render(items: list[Unjudged], judged: dict, display=str, environment: dict | None = None) -> str:
    """``environment`` is ``stats.environment``: when none was read, say that one would judge more."""
    lines = [f"Not judged: {len(items)} item{'s' if len(items) != 1 else ''}" + _judged_text(judged)]
    outside = sum(1 for item in items if item.reason in NEEDS_ENVIRONMENT)
    if outside and environment is not None and not environment.get("read"):
        why = "--no-site-packages" if environment.get("found_by") == "off" else "no virtualenv found"
        lines.append(f"No installed packages were read ({why}): {outside} of these come from outside the tree; "
                     "a .venv next to the project, VIRTUAL_ENV, or --site-packages DIR would judge more")  # fmt: skip
    for reason, count, group in grouped(items):
        meaning, remedy = REASONS.get(reason, (reason, ""))
        lines.append(f"\n{count:>6}  {reason}: {meaning}")
        if remedy:
            lines.append(f"        to see more: {remedy}")
        for item in group[:EXAMPLES]:
            where = f"{display(item.path)}:{item.line}" if item.path and item.line else display(item.path) if item.path else ""
            detail = f" ({item.detail})" if item.detail else ""
            lines.append(f"        - {item.unit}{detail}" + (f"  [{where}]" if where else ""))
        if count > EXAMPLES:
            lines.append(f"        ... and {count - EXAMPLES} more (--format json lists all)")
    return "\n".join(lines)


def as_json(items: list[Unjudged]) -> list[dict]:
    return [item.as_dict() for item in items]


def _judged_text(judged: dict) -> str:
    parts = [f"{name} {done}/{total}" for name, (done, total) in judged.items()]
    return f"; judged: {', '.join(parts)}" if parts else ""
