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
        "`djstate explain CODE` prints the same text.",
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


if __name__ == "__main__":
    target = ROOT / "docs" / "rules.md"
    target.write_text(render(), encoding="utf-8")
    print(f"wrote {target}")
