from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.query_cases import query_case


class UnresolvedLookup(Rule):
    """A queryset lookup or field name that does not resolve on the model.

    ## What it does
    Walks every name a queryset is given (``filter``/``exclude``/``get`` keywords, ``Q()``,
    ``**{"literal": ...}``, ``values``, ``values_list``, ``order_by``, ``only``, ``defer``,
    ``F()``, ``Count()`` and other expressions, ``annotate``/``aggregate`` references,
    ``prefetch_related`` and ``Prefetch``) hop by hop over the models: each part must be a
    field, its attname, ``pk``, a forward relation, a reverse relation under its query name, or
    a name ``annotate()``/``alias()`` introduced earlier in the chain. The transforms and the
    final lookup after a field are checked against the lookups Django registers for that field
    class (``title__startwith`` on a CharField). A custom QuerySet or manager method is followed
    when every ``return`` gives a chain of name-keeping methods on ``self`` (``filter``,
    ``order_by``...); chains on models djstate cannot see whole, after any other custom method,
    or on a custom manager that may annotate are not judged.

    ## Why it matters
    Django builds the query only when the code runs: the module imports, ``manage.py check``
    passes, and the request that reaches the query raises ``FieldError`` (``AttributeError``
    for ``prefetch_related``). Renamed fields leave such queries behind.

    ## Example
    ```python
    Book.objects.filter(titel__icontains=term)        # the field is `title`
    Review.objects.filter(book__autor__name="Le Guin")  # Book has `author`
    Book.objects.filter(title__startwith="D")           # the lookup is `startswith`
    ```

    ## Fix
    Use the model's current name (the message suggests the closest one), or annotate the
    name before using it.
    """

    code = "DJS501"
    name = "unresolved-lookup"
    needs_models = True
    needs_queries = True

    VALID = [
        query_case(
            "def ok():\n"
            "    Book.objects.filter(title__icontains='x', publisher__name='A', publisher_id=1, pk__in=[1])\n"
            "    Book.objects.filter(published_on__year__gte=2000, reviews__rating__gte=3, tags__label='x')\n"
            "    Book.objects.order_by('-published_on', '?', 'publisher__name').values('title', 'author__name')\n"
            "    Book.objects.annotate(n=Count('reviews')).filter(n__gt=1).order_by('-n')\n"
            "    Author.objects.filter(work__title='Dune')  # related_query_name\n"
            "    Publisher.published.filter(books__reviews__rating__gte=4)\n"
            "    Review.objects.aggregate(Avg('rating'), best=Count('pk'))\n"
            "    Book.objects.filter(Q(title__startswith='D') | Q(price__lt=5), price__gte=F('price'))\n"
            "    Book.objects.filter(**{'title': 'x', 'publisher_id__gt': 0}).only('title').defer('price')\n"
            "    Book.objects.prefetch_related('tags', Prefetch('reviews'))\n"
            "    Book.objects.cheap().filter(title='x').order_by('price')  # cheap() returns self.filter(...)\n"
            "    Book.objects.rated().filter(stars__gte=1)  # rated() annotates: not judged\n"
            "    Book.objects.filter(id=1, author__id=2).values('id').order_by(F('price').desc())\n"
            "    Book.objects.annotate(n=Count('*')).filter(price__gte=F('n'))\n"
            "    Book.objects.filter(title__unaccent__icontains='x')  # contrib.postgres\n"
            "    Book.objects.annotate(Count('reviews')).order_by('-reviews__count')  # the default alias\n"
            "    qs = Book.objects.annotate(n=Count('reviews'))\n"
            "    qs.filter(n__gte=1)\n"
        ),
    ]
    INVALID = [
        query_case(
            "def bad():\n"
            "    Book.objects.filter(titel__icontains='x')  # expect: DJS501\n"
            "    Book.objects.exclude(publisher__nmae='A')  # expect: DJS501\n"
            "    Book.objects.order_by('-published')  # expect: DJS501\n"
            "    Book.objects.values_list('titel', flat=True)  # expect: DJS501\n"
            "    Book.objects.filter(price__gt=F('prise'))  # expect: DJS501\n"
            "    Book.objects.annotate(n=Count('reviewz'))  # expect: DJS501\n"
            "    Book.objects.annotate(n=Count('reviews')).filter(nn__gte=0)  # expect: DJS501\n"
            "    Review.objects.filter(book__autor__name='x')  # expect: DJS501\n"
            "    Book.objects.filter(title__startwith='D')  # expect: DJS501\n"
            "    Book.objects.filter(title__year=2000)  # expect: DJS501\n"
            "    Book.objects.filter(**{'titel': 'x'})  # expect: DJS501\n"
            "    Book.objects.prefetch_related('reviewz')  # expect: DJS501\n"
            "    Review.objects.aggregate(Avg('ratng'))  # expect: DJS501\n"
            "    Book.objects.cheap().filter(titel='x')  # expect: DJS501\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
