from __future__ import annotations

import json

from djstate import __version__
from djstate.findings import Finding


def render(findings: list[Finding], stats: dict) -> str:
    return json.dumps({"djstate": __version__, "findings": [f.as_dict() for f in findings], "stats": stats}, indent=2)
