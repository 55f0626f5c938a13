"""The diff's three renderings: text for terminals, markdown for a pull-request comment, json."""

from __future__ import annotations

import json

from djstate import __version__
from djstate.diff import DiffResult
from djstate.findings import Finding


def render_json(diff: DiffResult) -> str:
    return json.dumps({"djstate": __version__, **diff.as_dict()}, indent=2)


def _schema_lines(diff: DiffResult, bullet: str, code: str) -> list[str]:
    lines = []
    for model in diff.models:
        lines.append(f"{bullet}{model.change} model {code}{model.app}.{model.model}{code}")
        for f in model.fields:
            kwargs = ", ".join(f"{k}: {o} → {n}" if o is not None and n is not None else f"{k}: {o or n}"
                               for k, (o, n) in f.kwargs.items())  # fmt: skip
            lines.append(f"  {bullet}{f.change} field {code}{f.name}{code}" + (f" ({kwargs})" if kwargs else ""))
        for option, (old, new) in model.options.items():
            lines.append(f"  {bullet}Meta.{option}: {old} → {new}")
    return lines


def _finding(f: Finding, code: str) -> str:
    return f"{code}{f.path}:{f.line}:{f.column}{code} {f.code} [{f.severity}] {f.message}"


def render_text(diff: DiffResult) -> str:
    out = [f"djstate diff {diff.left.label}..{diff.right.label}"]
    out += ["", "Schema (models):"] + (_schema_lines(diff, "- ", "") or ["  no change"])
    out += ["", "Migrations:"]
    out += [f"  + {m}" for m in diff.migrations_added] + [f"  - {m}" for m in diff.migrations_removed]
    out += [f"  leaves of {app}: {', '.join(old) or '-'} → {', '.join(new) or '-'}" for app, (old, new) in diff.leaves.items()]
    if not (diff.migrations_added or diff.migrations_removed or diff.leaves):
        out.append("  no change")
    out += ["", "Serializers:"]
    rows = [f"  {kind} {path}" for kind, paths in diff.serializers.items() for path in paths]
    out += rows or ["  no change"]
    out += ["", f"New findings ({len(diff.new_findings)}):"] + [f"  {_finding(f, '')}" for f in diff.new_findings]
    out += ["", f"Fixed findings ({len(diff.fixed_findings)}):"] + [f"  {_finding(f, '')}" for f in diff.fixed_findings]
    out += ["", f"{len(diff.new_findings)} new, {len(diff.fixed_findings)} fixed [{diff.seconds:.2f}s]"]
    return "\n".join(out)


def render_markdown(diff: DiffResult) -> str:
    new_errors = sum(1 for f in diff.new_findings if f.severity == "error")
    head = "✅ no new findings" if not diff.new_findings else f"❌ {len(diff.new_findings)} new finding(s), {new_errors} error(s)"
    out = [f"### djstate: {head}", "", f"`{diff.left.label}` → `{diff.right.label}`", ""]
    if diff.new_findings:
        out += ["#### New findings", ""] + [f"- {_finding(f, '`')}" for f in diff.new_findings] + [""]
    if diff.fixed_findings:
        out += ["#### Fixed", ""] + [f"- {_finding(f, '`')}" for f in diff.fixed_findings] + [""]
    schema = _schema_lines(diff, "- ", "`")
    if schema:
        out += ["#### Schema", ""] + schema + [""]
    if diff.migrations_added or diff.migrations_removed or diff.leaves:
        out += ["#### Migrations", ""]
        out += [f"- added `{m}`" for m in diff.migrations_added] + [f"- removed `{m}`" for m in diff.migrations_removed]
        out += [f"- leaves of `{app}`: {', '.join(old) or '-'} → {', '.join(new) or '-'}" for app, (old, new) in diff.leaves.items()]
        out.append("")
    rows = [f"- {kind} `{path}`" for kind, paths in diff.serializers.items() for path in paths]
    if rows:
        out += ["#### Serializers", ""] + rows + [""]
    return "\n".join(out).rstrip() + "\n"
