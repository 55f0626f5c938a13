from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Rule
from djstate.rules.query_cases import MODELS, query_case

# the shop's Book with more managers: one plain, the others may have any method
MANAGER_CLASSES = """

class InPrintManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(published_on__isnull=False)


class LooseManager(models.Manager):
    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self.all


class PatchedManager(models.Manager):
    pass


PatchedManager.recent = lambda self: self.all()


class BranchManager(models.Manager):
    if True:
        def recent(self):
            return self.all()


class SelfManager(models.Manager):
    def __init__(self):
        super().__init__()
        self.recent = self.all


MixedManager = models.Manager.from_queryset(BookQuerySet)


class KeywordManager(models.Manager.from_queryset(queryset_class=BookQuerySet)):
    pass


class ShelfManager(models.Manager):
    def shelved(self):
        return self.filter(price__gte=1)


class Book(models.Model):"""
MANAGED_BOOK = MODELS.replace("\n\nclass Book(models.Model):", MANAGER_CLASSES, 1).replace(
    "    objects = BookQuerySet.as_manager()\n",
    "    objects = BookQuerySet.as_manager()\n    in_print = InPrintManager()\n    loose = LooseManager()\n"
    "    patched = PatchedManager()\n    branch = BranchManager()\n    own = SelfManager()\n    mixed = MixedManager()\n"
    "    keyword = models.Manager.from_queryset(queryset_class=BookQuerySet)()\n    keyword_base = KeywordManager()\n"
    "    shelf = ShelfManager()\n",
    1,
)  # fmt: skip


class UnknownManager(Rule):
    """``Model.<name>.method()`` where the model has no manager of that name, or the manager no such method.

    ## What it does
    For every ``Model.<attribute>.<method>(...)`` chain on a model djstate knows whole, the
    attribute must be one of the model's managers (declared or inherited), ``objects`` when
    the model declares none, ``_default_manager``/``_base_manager``, or some other attribute
    of the class. The common case: a model that declares a custom-named manager
    (``published = models.Manager()``) no longer gets ``objects``.

    The method called first on a manager must exist too (and one called on its QuerySet after
    Django's queryset-returning methods: a manager method is not a QuerySet method), where that
    is certain: the manager is
    Django's own or made of classes that are all in the tree (``as_manager()`` and
    ``from_queryset()`` of such classes included), none defines ``__getattr__``, no code sets
    the name on them at runtime, and the name is not one of Django's manager attributes
    (djstate.state.manager_methods). A method of the model's QuerySet class is not a method of
    another manager of the model.

    ## Why it matters
    Django adds ``objects`` only to models that declare no manager. Code that still says
    ``Model.objects`` raises ``AttributeError: type object 'Model' has no attribute
    'objects'`` when it runs; a method the manager does not have raises ``AttributeError:
    'Manager' object has no attribute ...``.

    ## Example
    ```python
    class Publisher(models.Model):
        published = models.Manager()

    Publisher.objects.all()   # AttributeError

    class Book(models.Model):
        objects = BookQuerySet.as_manager()   # BookQuerySet defines cheap()
        in_print = InPrintManager()           # a models.Manager subclass, no cheap()

    Book.in_print.cheap()     # AttributeError
    ```

    ## Fix
    Use the declared manager (``Publisher.published``), or declare ``objects =
    models.Manager()`` too (the first manager declared is the default one). Call the method on
    the manager that has it, or build that manager with ``from_queryset()``.
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
        query_case(
            "def ok_methods():\n"
            "    Book.objects.rated()  # BookQuerySet.as_manager(): its methods are the manager's\n"
            "    Book._default_manager.cheap()\n"
            "    Author.objects.db_manager('default').all()  # Django's own manager methods\n"
            "    Author.objects.in_bulk([1])\n"
            "    Publisher.published.aggregate(n=Count('pk'))\n"
            "    Review.objects.get_queryset().count()\n"
        ),
        query_case(
            "def ok_other_managers():\n"
            "    Book.in_print.all()\n"
            "    Book.loose.anything()  # __getattr__\n"
            "    Book.patched.recent()  # set on the class at import time\n"
            "    Book.branch.recent()  # defined under an `if`\n"
            "    Book.own.recent()  # set on the instance\n"
            "    Book.mixed.cheap()  # from_queryset(BookQuerySet)\n"
            "    Book.keyword.cheap()  # from_queryset(queryset_class=BookQuerySet)\n"
            "    Book.keyword_base.cheap()\n"
            "    Book.shelf.shelved()\n"
            "    Book.objects.filter(price__lt=5).cheap()  # the QuerySet of as_manager()\n"
            "    Book.objects.all().order_by('title').rated()\n"
            "    Book.mixed.filter(price__lt=5).cheap()\n"
            "    Book.keyword.all().cheap()\n",
            **{"shop/models.py": MANAGED_BOOK},
        ),
    ]
    INVALID = [
        query_case(
            "def bad():\n"
            "    Publisher.objects.all()  # expect: DJS503\n"
            "    Book.object.filter(title='x')  # expect: DJS503\n"
        ),
        query_case(
            "def bad_methods():\n"
            "    Book.objects.chaep()  # expect: DJS503\n"
            "    Author.objects.cheap()  # expect: DJS503\n"
            "    Publisher.published.cheap()  # expect: DJS503\n"
        ),
        query_case(
            "def bad_other_managers():\n"
            "    Book.in_print.cheap()  # expect: DJS503\n"
            "    Book.mixed.chaep()  # expect: DJS503\n"
            "    Book.objects.filter(price__lt=5).chaep()  # expect: DJS503\n"
            "    Author.objects.filter(name='x').cheap()  # expect: DJS503\n"
            "    Book.shelf.filter(price__lt=5).shelved()  # expect: DJS503\n",
            **{"shop/models.py": MANAGED_BOOK},
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
