from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source


def _app(label: str, dep: str, marker: str = "") -> dict[str, str]:
    return {
        f"{label}/__init__.py": "",
        f"{label}/migrations/__init__.py": "",
        f"{label}/migrations/0001_initial.py": migration_source(),
        f"{label}/migrations/0002_x.py": migration_source(f"\n        ('{label}', '0001_initial'),\n        {dep},{marker}\n    "),
    }


class DependencyCycle(Rule):
    """Migrations that depend on each other in a circle.

    ## What it does
    Finds cycles in the migration graph, including cycles across apps and those created by
    ``run_before``. Each edge of a cycle is reported at the dependency that creates it.

    ## Why it matters
    Django raises ``CircularDependencyError`` and cannot plan any migration. Cross-app
    cycles appear when two apps' new migrations each reference the other's new model.

    ## Example
    ```python
    # loyalty/migrations/0002_x.py
    dependencies = [("promotions", "0002_y")]
    # promotions/migrations/0002_y.py
    dependencies = [("loyalty", "0002_x")]
    ```

    ## Fix
    Split one migration in two so that one side first creates its model without the
    relation, and a later migration adds the relation.
    """

    code = "DJS103"
    name = "dependency-cycle"

    VALID = [Case({**_app("loyalty", "('promo', '0001_initial')"), **_app("promo", "('loyalty', '0001_initial')")})]
    INVALID = [
        Case({
            **_app("loyalty", "('promo', '0002_x')", "  # expect: DJS103"),
            **_app("promo", "('loyalty', '0002_x')", "  # expect: DJS103"),
        })
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        for cycle in project.graph.cycles:
            text = " -> ".join(f"{a}.{n}" for a, n in cycle + [cycle[0]])
            for index, parent in enumerate(cycle):
                child = cycle[(index + 1) % len(cycle)]
                migration = project.migrations.get(child)
                span = None
                if migration is not None:
                    span = next(
                        (d.span for d in migration.dependencies if (d.app, d.name) == parent), migration.class_span
                    )
                yield self.finding(
                    project.migration_paths[child], span,
                    f"{child[0]}.{child[1]} depends on {parent[0]}.{parent[1]}, closing a dependency cycle "
                    f"({text}); Django raises CircularDependencyError. Move the relation that needs the "
                    "other app into a later migration",
                    app=child[0],
                )  # fmt: skip
