"""What a rule is: a code, a name, a severity, a docstring, ``check()``, and its own test cases.

A rule reads the :class:`~djstate.project.Project` (plain facts and the replayed state) and
yields findings; it never sees a syntax tree. ``VALID`` and ``INVALID`` are small projects
(path -> source) that the test suite runs: an ``INVALID`` case marks each expected finding
with ``# expect: CODE`` on the line where it must be reported, a ``VALID`` case must give no
finding of the rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Iterable

from djstate.facts.model import Span
from djstate.findings import Finding

if TYPE_CHECKING:
    from djstate.project import Project  # the data only: djstate.engine imports the rules

DOC_SECTIONS = ("What it does", "Why it matters", "Example", "Fix")


@dataclass
class Case:
    """A small project: files by relative path, and optional ``[tool.djstate]`` settings."""

    files: dict[str, str | bytes]
    config: dict = field(default_factory=dict)
    symlinks: dict[str, str] = field(default_factory=dict)  # link path -> target
    # expectations that cannot be written inline (a folder, a link): (path, line, code)
    expect: list[tuple[str, int, str]] = field(default_factory=list)


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = "error"
    VALID: ClassVar[list[Case]] = []
    INVALID: ClassVar[list[Case]] = []

    def check(self, project: Project) -> Iterable[Finding]:  # pragma: no cover - abstract
        raise NotImplementedError

    def finding(
        self,
        path: str,
        span: Span | None,
        message: str,
        app: str | None = None,
        model: str | None = None,
        field: str | None = None,
        severity: str | None = None,
    ) -> Finding:
        span = span or Span()
        return Finding(
            path=path, line=span.line, column=span.column, code=self.code, name=self.name,
            severity=severity or self.severity, message=message, app=app, model=model, field=field,
        )  # fmt: skip


def migration_source(dependencies: str = "", operations: str = "", header: str = "") -> str:
    """Source of a migration module, for the rules' test cases."""
    return (
        "from django.db import migrations, models\n"
        "import django.db.models.deletion\n"
        f"{header}\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [{dependencies}]\n"
        f"    operations = [{operations}]\n"
    )
