from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule, migration_source

_SHOP = {"shop/__init__.py": "", "shop/migrations/__init__.py": "",
         "shop/models.py": "from django.db import models\n\n\nclass Book(models.Model):\n    pass\n"}  # fmt: skip
_SEED = "from shop.models import Book{comment}\n\ndef seed(apps, editor):\n    Book.objects.create()"


class UnusedSuppression(Rule):
    """A ``# djstate: ignore`` comment that silences no finding.

    ## What it does
    Reports suppression comments (``# djstate: ignore[DJS204]``, or a bare
    ``# djstate: ignore``) that silence nothing: no finding of that code is reported on the
    comment's line, or on the first line of the statement the comment is written in. A
    suppression of a code is judged only when that code's rule ran; a bare one only when
    every rule ran. The findings themselves come from the suppression pass
    (``djstate/suppression.py``), after every other rule.

    ## Why it matters
    A stale suppression hides the next real finding on that line, and tells readers a
    problem exists that was fixed long ago. ruff reports the same as RUF100.

    ## Example
    ```python
    from shop.fields import MoneyField  # djstate: ignore[DJS204]
    ```

    ## Fix
    Remove the comment, or the codes it lists that no longer fire.
    """

    code = "DJS001"
    name = "unused-suppression"
    severity = "warning"

    VALID = [
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header=_SEED.format(comment="  # djstate: ignore[DJS204]"))}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header=_SEED.format(comment="  # djstate: ignore"))}),
        # a comment on a later line of a multi-line statement covers the statement's first line
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="from shop.models import (\n    Book,  # djstate: ignore[DJS204]\n)\n\ndef seed(apps, editor):\n    Book.objects.create()")}),
    ]  # fmt: skip
    INVALID = [
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="from shop.fields import MoneyField  # djstate: ignore[DJS204]  # expect: DJS001")}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header=_SEED.format(comment="  # djstate: ignore[DJS204, DJS201]  # expect: DJS001"))}),
        Case({**_SHOP, "shop/migrations/0001_initial.py": migration_source(
            header="X = 1  # djstate: ignore  # expect: DJS001")}),
    ]  # fmt: skip

    def check(self, project) -> Iterable[Finding]:
        return ()  # reported by djstate.suppression.apply_policy, which sees every other finding
