"""Generate docs/rules.md from the rules' docstrings (`make docs`); a test keeps it current."""

from __future__ import annotations

import inspect
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from djstate.rules import rule_classes  # noqa: E402

FAMILIES = {
    "DJS0": "The scan itself",
    "DJS1": "Migration graph",
    "DJS2": "Migration state and models ↔ migrations drift",
    "DJS3": "Model definitions",
    "DJS4": "Serializers",
    "DJS5": "ORM queries",
}


def render() -> str:
    out = [
        "# Rule reference",
        "",
        "Generated from the rules' docstrings by `make docs`; do not edit by hand.",
        "`djstate explain CODE` prints the same text, and [docs/rules/](rules/) has one page per rule.",
        "",
        "| code | name | severity | summary |",
        "|---|---|---|---|",
    ]
    rules = rule_classes()
    for rule in rules:
        summary = inspect.getdoc(rule).splitlines()[0]
        out.append(f"| [{rule.code}](#{rule.code.lower()}-{rule.name}) | {rule.name} | {rule.severity} | {summary} |")
    family = None
    for rule in rules:
        if FAMILIES.get(rule.code[:4]) != family:
            family = FAMILIES.get(rule.code[:4])
            out += ["", f"## {family}"]
        doc = inspect.getdoc(rule)
        body = doc.replace("\n## ", "\n#### ")
        out += ["", f"### {rule.code} {rule.name}", "", f"Severity: **{rule.severity}**", "", body]
    return "\n".join(out) + "\n"


def render_pages() -> dict[str, str]:
    """docs/rules/<CODE>.md: one page per rule (the SARIF help URIs point here)."""
    pages = {}
    for rule in rule_classes():
        doc = inspect.getdoc(rule)
        default = "yes" if getattr(rule, "default_enabled", True) else "no"
        head = [
            f"# {rule.code} {rule.name}",
            "",
            "Generated from the rule's docstring by `make docs`; do not edit by hand.",
            "",
            f"- Severity: **{rule.severity}** (override: `severity = {{{rule.code} = \"error\"}}` in `[tool.djstate]`)",
            f"- On by default: {default}",
            f"- Family: {FAMILIES.get(rule.code[:4], '-')}",
            f"- Suppress one finding: `# djstate: ignore[{rule.code}]`",
            "",
            "",
        ]
        pages[f"{rule.code}.md"] = "\n".join(head) + doc + "\n"
    return pages


def write_all() -> None:
    target = ROOT / "docs" / "rules.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
    folder = ROOT / "docs" / "rules"
    folder.mkdir(exist_ok=True)
    pages = render_pages()
    for stale in folder.glob("DJS*.md"):
        if stale.name not in pages:
            stale.unlink()
    for name, text in pages.items():
        (folder / name).write_text(text, encoding="utf-8")
    print(f"wrote {len(pages)} pages in {folder}")


if __name__ == "__main__":
    write_all()
