"""A finding is data: what is wrong, where, and in which app, model and field."""

from __future__ import annotations

from dataclasses import asdict, dataclass

SEVERITY_RANK = {"info": 0, "warning": 1, "error": 2}


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
