from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_SHOP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/migrations/0001_initial.py": migration_source()}


class UnreadablePath(Rule):
    """A folder that could not be scanned.

    ## What it does
    Reports folders djstate could not list (permissions) and symbolic links that lead back
    into a folder already scanned (a loop).

    ## Why it matters
    Apps below such a folder are invisible to the scan, so their migrations are neither
    checked nor available as dependencies; findings elsewhere may be incomplete.

    ## Example
    ```text
    vendor/loop -> ..
    ```

    ## Fix
    Fix the permissions or the link, or exclude the folder with ``exclude`` in
    ``[tool.djstate]``.
    """

    code = "DJS106"
    name = "unreadable-path"
    severity = "warning"

    VALID = [Case(_SHOP, symlinks={"shop/current": "migrations"})]
    INVALID = [Case(_SHOP, symlinks={"shop/loop": ".."}, expect=[("shop/loop", 1, "DJS106")])]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.tree.problems:
            yield self.finding(problem.path or ".", None, f"{problem.message}; apps below it are not scanned")
