from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.query_cases import query_case


class BadRelatedLookup(Rule):
    """``select_related`` on something that is not a single-valued relation, or
    ``prefetch_related`` on a field that is not a relation.

    ## What it does
    Checks each hop of a ``select_related`` path: it must be a forward foreign key or
    one-to-one relation, or a reverse one-to-one. A many-to-many or a reverse foreign key
    (many objects) and a plain field are reported. A ``prefetch_related`` hop that names a
    plain field is reported too. Unknown names are DJS501.

    ## Why it matters
    Django raises ``FieldError: Invalid field name(s) given in select_related`` (or
    ``Non-relational field given in select_related``) when the queryset is evaluated, and
    ``prefetch_related`` on a field raises ``ValueError``. Either breaks the page at runtime.

    ## Example
    ```python
    Book.objects.select_related("tags")                 # tags is a ManyToManyField
    Publisher.objects.select_related("books")           # a reverse foreign key
    ```

    ## Fix
    Use ``prefetch_related`` for many-valued relations; select only relations, not fields.
    """

    code = "DJS504"
    name = "bad-related-lookup"
    needs_models = True
    needs_queries = True

    VALID = [
        query_case(
            "def ok():\n"
            "    Book.objects.select_related('publisher', 'author__mentor')\n"
            "    Review.objects.select_related('book__publisher').prefetch_related('book__tags')\n"
            "    Publisher.published.prefetch_related('books__reviews')\n"
        ),
    ]
    INVALID = [
        query_case(
            "def bad():\n"
            "    Book.objects.select_related('tags')  # expect: DJS504\n"
            "    Publisher.published.select_related('books')  # expect: DJS504\n"
            "    Book.objects.select_related('publisher__country')  # expect: DJS504\n"
            "    Book.objects.prefetch_related('title')  # expect: DJS504\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
