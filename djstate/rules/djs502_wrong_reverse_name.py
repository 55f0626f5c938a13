from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.query_cases import query_case


class WrongReverseName(Rule):
    """A reverse relation used under a name its ``related_name`` or ``related_query_name`` replaced.

    ## What it does
    Finds reverse relations reached under their default name when the relation says
    otherwise: the accessor ``author.book_set`` where ``related_name="books"``, a query
    ``filter(book__title=...)`` where ``related_query_name`` (or ``related_name``) renames the
    query name, and either form for a relation hidden with ``related_name="+"``. Instances
    are typed by annotations, ``get_object_or_404``, ``.get()``/``.first()`` and loop
    variables over querysets; models djstate cannot see whole are not judged.

    ## Why it matters
    Setting ``related_name`` removes the default accessor and query name. Code written before
    (or by someone who assumed the default) raises ``AttributeError`` or ``FieldError`` when it
    runs, usually far from the model change that caused it.

    ## Example
    ```python
    class Book(models.Model):
        publisher = models.ForeignKey(Publisher, models.CASCADE, related_name="books")

    publisher.book_set.all()   # AttributeError: use publisher.books
    ```

    ## Fix
    Use the name the relation declares (``publisher.books``, ``filter(books__title=...)``),
    or drop the ``related_name`` if the default was meant.
    """

    code = "DJS502"
    name = "wrong-reverse-name"
    needs_models = True
    needs_queries = True

    VALID = [
        query_case(
            "def ok(publisher: Publisher, author_id):\n"
            "    author = get_object_or_404(Author, pk=author_id)\n"
            "    [b.title for b in publisher.books.all()]\n"
            "    [b.title for b in author.book_set.all()]  # only related_query_name is set\n"
            "    Author.objects.filter(work__title='x')\n"
            "    Publisher.published.filter(books__title='x')\n"
        ),
    ]
    INVALID = [
        query_case(
            "def bad(publisher: Publisher):\n"
            "    first = Publisher.published.first()\n"
            "    first.book_set.all()  # expect: DJS502\n"
            "    publisher.book_set.count()  # expect: DJS502\n"
            "    Author.objects.filter(book__title='x')  # expect: DJS502\n"
            "    Author.objects.filter(author__name='x')  # expect: DJS502\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
