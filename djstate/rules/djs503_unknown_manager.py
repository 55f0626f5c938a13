from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.query_cases import query_case


class UnknownManager(Rule):
    """``Model.<name>.method()`` where the model has no manager (or attribute) of that name.

    ## What it does
    For every ``Model.<attribute>.<method>(...)`` chain on a model djstate knows whole, the
    attribute must be one of the model's managers (declared or inherited), ``objects`` when
    the model declares none, ``_default_manager``/``_base_manager``, or some other attribute
    of the class. The common case: a model that declares a custom-named manager
    (``published = models.Manager()``) no longer gets ``objects``.

    ## Why it matters
    Django adds ``objects`` only to models that declare no manager. Code that still says
    ``Model.objects`` raises ``AttributeError: type object 'Model' has no attribute
    'objects'`` when it runs.

    ## Example
    ```python
    class Publisher(models.Model):
        published = models.Manager()

    Publisher.objects.all()   # AttributeError
    ```

    ## Fix
    Use the declared manager (``Publisher.published``), or declare ``objects =
    models.Manager()`` too (the first manager declared is the default one).
    """

    code = "DJS503"
    name = "unknown-manager"
    needs_models = True
    needs_queries = True

    VALID = [
        query_case(
            "def ok():\n"
            "    Publisher.published.all()\n"
            "    Book.objects.cheap()\n"
            "    Author.objects.count()\n"
            "    Publisher._default_manager.all()\n"
        ),
    ]
    INVALID = [
        query_case(
            "def bad():\n"
            "    Publisher.objects.all()  # expect: DJS503\n"
            "    Book.object.filter(title='x')  # expect: DJS503\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
