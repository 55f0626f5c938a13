from __future__ import annotations

from typing import Iterable

from djstate.facts.model import Span
from djstate.findings import Finding
from djstate.rules.base import Case, Rule
from djstate.rules.djs210_model_without_migration import APP, MIGRATION, MODELS


class ScanInternalError(Rule):
    """A part of the project djstate could not analyse because of a bug in djstate.

    ## What it does
    Reports each unit of the scan that ended in an unforeseen error: one file's facts, one
    model's state, one model's comparison with the migrations, one serializer, one rule, the
    settings, the migration graph or its replay. The unit is skipped and counted in
    ``stats.unverified``; every other finding is still reported. The message names the unit
    and the exception (``TypeError: 'Opaque' object is not iterable``);
    ``djstate scan --debug`` prints the tracebacks.

    An invalid case cannot be written as source: any source that triggers this rule is a
    djstate bug, and is fixed once found. ``tests/test_isolation.py`` makes each kind of unit
    fail on purpose instead, and ``tests/test_fuzz.py`` mutates real projects to find new ones.

    ## Why it matters
    A scan that stops at the first surprise reports nothing at all. Isolating the failure
    keeps the rest of the report, and saying where it happened tells you which part of the
    project was not checked.

    ## Example
    ```text
    shop/models.py:14:1: DJS000 internal error in model shop.Book: TypeError: 'Opaque'
    object is not iterable; ...
    ```

    ## Fix
    Please report it with the traceback ``djstate scan --debug`` prints. Until it is fixed,
    the unit named is not checked.
    """

    code = "DJS000"
    name = "internal-error"
    severity = "warning"
    INVALID_IN = "tests/test_isolation.py"  # see the docstring: no source can be a lasting case

    VALID = [
        Case({**APP, "shop/migrations/0001_initial.py": MIGRATION, "shop/models.py": MODELS}),
        Case({**APP, "shop/migrations/0001_initial.py": "class Migration(:\n"}),  # DJS100, not this
    ]
    INVALID: list[Case] = []

    def check(self, project) -> Iterable[Finding]:
        for error in project.internal_errors:
            app = model = None
            kind, _, name = error.unit.partition(" ")
            if kind == "model" and "." in name:
                app, _, model = name.partition(".")
            yield self.finding(
                error.path or ".", Span(error.line or 1, 1),
                f"internal error in {error.unit}: {error.summary}; djstate skipped it (unverified). "
                "This is a djstate bug: please report it; --debug shows the traceback",
                app=app, model=model,
            )  # fmt: skip
