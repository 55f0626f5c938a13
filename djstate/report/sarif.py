"""SARIF 2.1.0 (GitHub code scanning): every rule with its docs and help URI, each finding
with a partial fingerprint that survives moved lines."""

from __future__ import annotations

import inspect
import json
import os

from djstate import __version__
from djstate.findings import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
# where docs/rules/<CODE>.md is published; DJSTATE_DOCS_URL overrides it
DOCS_URL = "https://github.com/djstate/djstate/blob/main/docs/rules/"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(findings: list[Finding], stats: dict, rules: list[type], display=str) -> str:
    base = os.environ.get("DJSTATE_DOCS_URL", DOCS_URL)
    index = {rule.code: i for i, rule in enumerate(rules)}
    descriptors = []
    for rule in rules:
        doc = inspect.getdoc(rule) or ""
        descriptors.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": doc.splitlines()[0] if doc else rule.name},
            "fullDescription": {"text": doc},
            "help": {"text": doc, "markdown": doc},
            "helpUri": f"{base}{rule.code}.md",
            "defaultConfiguration": {"level": LEVEL[rule.severity]},
            "properties": {"tags": [rule.code[:4]]},
        })  # fmt: skip
    results = []
    for f in findings:
        result = {
            "ruleId": f.code,
            "level": LEVEL[f.severity],
            "message": {"text": f.message},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(display(f.path))},
                    "region": {"startLine": max(f.line, 1), "startColumn": max(f.column, 1)},
                }
            }],
            "partialFingerprints": {"djstate/v1": f.fingerprint()},
        }  # fmt: skip
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        results.append(result)
    run = {
        "tool": {"driver": {"name": "djstate", "version": __version__, "informationUri": base.rsplit("/docs/", 1)[0],
                            "rules": descriptors}},
        "results": results,
        "properties": {"stats": stats},
    }  # fmt: skip
    return json.dumps({"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}, indent=2)


def _uri(path: str) -> str:
    """A relative path stays relative (to the checkout, as code scanning expects); an absolute
    one (a project outside the current folder) becomes a file URI."""
    if path.startswith("/"):
        from pathlib import PurePosixPath

        return PurePosixPath(path).as_uri()
    from urllib.parse import quote

    return quote(path)
