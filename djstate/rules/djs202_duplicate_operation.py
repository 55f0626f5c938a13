from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule
from djstate.rules.djs201_unknown_model_or_field import _then


class DuplicateOperation(Rule):
    """An ``AddField`` or ``CreateModel`` of something that already exists.

    ## What it does
    Reports ``AddField`` of a field the model already has and ``CreateModel`` of a model
    that already exists at that point of the replayed history.

    ## Why it matters
    Django's state silently overwrites the earlier definition, but the database does not:
    PostgreSQL and MySQL fail with "column already exists" or "table already exists", and
    SQLite's table rebuild for ``AddField`` silently resets the column's data. It is the signature of a migration regenerated without seeing the previous one.

    ## Example
    ```python
    # 0004 adds User.newsletter_opt_in, which 0003 already added
    migrations.AddField(model_name="user", name="newsletter_opt_in", field=...)
    ```

    ## Fix
    Delete the duplicate operation; if the definition changed, use ``AlterField``.
    """

    code = "DJS202"
    name = "duplicate-operation"

    VALID = [Case(_then("migrations.AddField('book', 'subtitle', models.CharField(max_length=9))"))]
    INVALID = [
        Case(_then("\n        migrations.AddField('book', 'title', models.CharField(max_length=9)),  # expect: DJS202\n    ")),
        Case(_then("\n        migrations.CreateModel(name='Book', fields=[]),  # expect: DJS202\n    ")),
    ]

    def check(self, project) -> Iterable[Finding]:
        for issue in project.state.issues:
            if issue.kind in ("duplicate-model", "duplicate-field"):
                yield self.finding(
                    project.migration_paths[issue.migration], issue.span,
                    f"{issue.message}; PostgreSQL and MySQL reject it (SQLite rebuilds the table and loses the "
                    "column's data). Remove it, or use AlterField to change the definition",
                    app=issue.app, model=issue.model, field=issue.field,
                )  # fmt: skip

