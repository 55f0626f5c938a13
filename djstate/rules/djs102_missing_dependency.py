from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_SHOP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "", "shop/migrations/0001_initial.py": migration_source()}


class MissingDependency(Rule):
    """A dependency on a migration, or an app, that does not exist.

    ## What it does
    Checks every entry of ``dependencies`` and ``run_before`` against the migrations in the
    tree, after squashed migrations have replaced what they replace. Dependencies on apps
    outside the tree (``django.contrib``, installed packages) are not checked; they are
    counted as unverified.

    ## Why it matters
    Django raises ``NodeNotFoundError`` while building the graph, so no management command
    that touches migrations works. It is the typical result of writing a migration against
    a guessed parent name.

    ## Example
    ```python
    dependencies = [("catalog", "0010_book_isbn13")]  # catalog stops at 0009
    ```

    ## Fix
    Depend on a migration that exists, normally the app's current leaf.
    """

    code = "DJS102"
    name = "missing-dependency"

    VALID = [
        Case({**_SHOP, "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('auth', '0012_alter_user_first_name_max_length')")}),
        Case({**_SHOP, "shop/migrations/0002_x.py": migration_source("('shop', '0001_initial'), ('auth', '__first__')")}),
        # a dependency on a replaced migration resolves to its squash
        Case({
            **_SHOP,
            "shop/migrations/0001_squashed_0002.py": migration_source().replace(
                "    dependencies", "    replaces = [('shop', '0001_initial'), ('shop', '0002_gone')]\n    dependencies"),
            "shop/migrations/0003_x.py": migration_source("('shop', '0002_gone')"),
        }),
    ]  # fmt: skip
    INVALID = [
        Case({**_SHOP, "shop/migrations/0002_x.py": migration_source("\n        ('shop', '0009_nope'),  # expect: DJS102\n    ")}),
        Case({
            **_SHOP,
            "cart/__init__.py": "",
            "cart/migrations/__init__.py": "",
            "cart/migrations/0001_initial.py": migration_source("\n        ('shop', '0002_later'),  # expect: DJS102\n    "),
        }),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        graph = project.graph
        for missing in graph.missing:
            if missing.dependency.conditional:
                continue  # only some settings use it; the graph cannot say which
            app, name = missing.target
            if app in project.apps and project.apps[app].migrated:
                leaves = graph.leaf_nodes(app)
                hint = f"; its latest migration is {leaves[-1][1]!r}" if leaves else ""
                what = f"migration ('{app}', '{name}') does not exist{hint}"
            elif app in project.apps:
                what = f"app '{app}' has no migrations"
            else:
                what = f"migration ('{app}', '{name}') does not exist"
            yield self.finding(
                project.migration_paths[missing.key], missing.dependency.span,
                f"dependency on {what}; Django raises NodeNotFoundError. Depend on an existing migration",
                app=missing.key[0],
            )  # fmt: skip
