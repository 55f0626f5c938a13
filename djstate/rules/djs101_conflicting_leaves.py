from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_INIT = {"shop/__init__.py": "", "shop/migrations/__init__.py": ""}
_BASE = {**_INIT, "shop/migrations/0001_initial.py": migration_source()}
_CHILD = migration_source("('shop', '0001_initial')").replace(
    "class Migration(migrations.Migration):", "class Migration(migrations.Migration):  # expect: DJS101"
)


class ConflictingLeaves(Rule):
    """An app whose migration graph has more than one leaf.

    ## What it does
    Finds apps where two or more migrations have no dependent in the same app: the
    history forked, usually because two branches each added a migration on the same
    parent and were merged.

    ## Why it matters
    Django refuses to migrate ("Conflicting migrations detected; multiple leaf nodes in
    the migration graph") until the fork is merged. An assistant that did not see the
    other branch's migration writes exactly this.

    ## Example
    ```text
    orders/migrations/0004_order_gift_note.py    depends on 0003
    orders/migrations/0004_order_coupon_code.py  depends on 0003
    ```

    ## Fix
    Run ``python manage.py makemigrations --merge`` for the app, or re-parent one of the
    leaves onto the other if it has not been applied anywhere.
    """

    code = "DJS101"
    name = "conflicting-leaves"

    VALID = [
        Case({**_BASE, "shop/migrations/0002_a.py": migration_source("('shop', '0001_initial')")}),
        # dependencies set in __init__ (djangorestframework-simplejwt's token_blacklist 0011):
        # the graph depends on runtime code, so leaves are not judged
        Case({**_BASE, "shop/migrations/0002_a.py": migration_source("('shop', '0001_initial')"),
              "shop/migrations/0002_b.py": migration_source().replace(
                  "    dependencies = []\n",
                  "    def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)\n"
                  "        self.dependencies = [('shop', '0002_a')]\n")}),
    ]  # fmt: skip
    INVALID = [Case({**_BASE, "shop/migrations/0002_a.py": _CHILD, "shop/migrations/0002_b.py": _CHILD})]

    def check(self, project) -> Iterable[Finding]:
        graph = project.graph
        for label in sorted(project.apps):
            leaves = graph.leaf_nodes(label)
            if len(leaves) < 2 or label in project.broken_apps:
                continue
            names = ", ".join(name for _, name in leaves)
            for key in leaves:
                migration = project.migrations.get(key)
                others = ", ".join(name for _, name in leaves if name != key[1])
                yield self.finding(
                    project.migration_paths[key], migration.class_span if migration else None,
                    f"app '{label}' has {len(leaves)} leaf migrations ({names}); Django refuses to "
                    f"migrate until they are merged. Run `manage.py makemigrations --merge {label}` "
                    f"or make this migration depend on {others}",
                    app=label,
                )  # fmt: skip
