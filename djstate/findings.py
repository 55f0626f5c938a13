"""A finding is data: what is wrong, where, and in which app, model and field."""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}

# message parts that change with unrelated edits: a fingerprint leaves them out
VOLATILE = (
    re.compile(r";? its latest migration is '[^']*'"),  # DJS102: moves with every new migration
    re.compile(r"\blines? \d+(?:-\d+)?"),
    re.compile(r"(?<=\.py):\d+(?::\d+)?"),
)


def stable_message(message: str) -> str:
    for pattern in VOLATILE:
        message = pattern.sub("", message)
    return message


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    column: int
    code: str
    name: str
    severity: str
    message: str
    app: str | None = None
    model: str | None = None
    field: str | None = None

    def as_dict(self) -> dict:
        data = asdict(self)
        return {k: data[k] for k in ("code", "name", "severity", "path", "line", "column", "app", "model", "field", "message")}

    def fingerprint(self, path: str | None = None) -> str:
        """Identity across edits: code, file (``path`` when it was renamed), app, model, field
        and the message without its volatile parts; never the line or column."""
        parts = (self.code, path or self.path, self.app or "", self.model or "", self.field or "", stable_message(self.message))
        return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).hexdigest()[:20]
