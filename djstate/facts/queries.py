"""Query facts of one module: queryset call chains and the attributes code reads from model
instances, as plain data (:mod:`djstate.parse.queries` builds them; rules never see libcst).

A chain starts at a model's manager (``Book.objects``), at an instance's related manager
(``publisher.books``) or at a queryset held in a variable; the model behind each is decided by
the state layer, which knows which classes are models. Names are kept as written
(``"-published_on"``, ``"publisher__name__icontains"``) with their role:

- ``filter``: a keyword lookup (``filter``, ``exclude``, ``get``, ``Q(...)``, ``**{...}``);
- ``field``: a field path (``values``, ``order_by``, ``only``, ``F()``, ``Count()`` ...);
- ``select`` / ``prefetch``: a ``select_related`` / ``prefetch_related`` (or ``Prefetch``) path.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from djstate.facts.model import Span

# Django's own manager and QuerySet methods (a chain is followed through these only)
QUERYSET_METHODS = {
    "all", "filter", "exclude", "order_by", "values", "values_list", "only", "defer", "distinct", "select_related",
    "prefetch_related", "annotate", "alias", "reverse", "none", "using", "select_for_update", "extra", "union",
    "intersection", "difference", "get_queryset", "count", "exists", "get", "first", "last", "latest", "earliest",
    "aggregate", "update", "delete", "get_or_create", "update_or_create", "create", "in_bulk", "iterator",
    "dates", "datetimes", "bulk_create", "bulk_update", "contains", "explain", "add", "remove", "clear", "set",
    "aget", "afirst", "alast", "acount", "aexists", "acreate", "aget_or_create", "aupdate_or_create",
}  # fmt: skip


# QuerySet methods whose override in a manager or QuerySet class may consume, translate or add
# the names a query passes (parse.query_overrides reads the overrides that pass them on)
NAME_TAKING = {"filter", "exclude", "get", "get_or_create", "update_or_create", "values", "values_list", "order_by",
               "annotate", "alias", "distinct", "aggregate", "_filter_or_exclude", "_filter_or_exclude_inplace",
               "extra"}  # fmt: skip

@dataclass(frozen=True)
class QueryName:
    text: str
    role: str  # "filter", "field", "select", "prefetch"
    span: Span


@dataclass
class QueryCall:
    method: str
    span: Span
    names: list[QueryName] = field(default_factory=list)
    # names annotate()/alias()/values() introduce for the rest of the chain; "*" when computed
    introduces: tuple[str, ...] = ()
    complete: bool = True  # every argument was read (no computed **kwargs or *args)


@dataclass(frozen=True)
class ModelSource:
    """Where an object's or a queryset's model comes from: a class path (an annotation,
    ``get_object_or_404(Book, ...)``) or the model of an earlier chain of the module."""

    path: str | None = None
    chain: int | None = None


@dataclass
class QueryChain:
    root: str  # "manager": Model.<attribute>; "related": <instance>.<attribute>; "queryset": a variable
    attribute: str  # the manager or related attribute ("" for a queryset variable)
    source: ModelSource  # the model class (manager), the instance's model (related), the chain (queryset)
    span: Span  # of the attribute after the root name
    calls: list[QueryCall] = field(default_factory=list)
    scope: str = ""  # the function or class it is in (dotted, for messages)


@dataclass
class AttributeUse:
    """``x.a.b`` where x's model is known: the attribute names read in order, up to a call."""

    source: ModelSource
    attributes: tuple[str, ...]
    span: Span  # of the first attribute
    called: str | None = None  # a method called on the last attribute (`p.books.count()`)
    loop: int | None = None  # x is the row variable of a loop over that chain
    in_loop_body: bool = False  # read inside the loop (or comprehension) that binds x
    written: bool = False  # `x.a = ...`: an assignment, not a read


@dataclass
class ViewQueryset:
    """A DRF view's ``queryset = ...`` or what its ``get_queryset()`` returns."""

    view: str  # class name
    chain: int
    serializer: str | None  # resolved path of serializer_class, when it is a plain name
    span: Span
    bases: tuple[str, ...] = ()  # resolved paths of the class's bases ("" when not a name)
    methods: tuple[str, ...] = ()  # methods the class body defines


@dataclass
class ObjectRead:
    """``obj.<attribute>`` in a serializer method, and the method called on it (``aggregate``)."""

    attribute: str
    called: str | None
    span: Span


@dataclass
class LookupRegistration:
    """``Target.register_lookup(Lookup)``: paths as written (None where not a name)."""

    target: str | None
    lookup: str | None
    name: str | None = None  # an explicit lookup_name= given as a literal
    name_unreadable: bool = False  # an explicit lookup_name= that is not a literal


@dataclass
class LookupClass:
    """A module-level class as a possible lookup: its literal ``lookup_name``, if it sets one."""

    name: str | None
    readable: bool  # False: it sets lookup_name to something that is not a literal
    bases: tuple[str, ...] = ()  # resolved paths ("" when not a name)


@dataclass
class ManagerFactory:
    """A module-level function that returns an instance of a class it defines (django-scopes'
    ``ScopedManager(**scopes)``): how that class is built
    (parse.custom_querysets.manager_factory)."""

    cls: str  # the local class's name
    params: tuple[str, ...]  # parameters that take a positional or keyword argument, in order
    defaults: tuple[tuple[str, str], ...]  # parameter -> the path its default names ("" if none)
    star_kwargs: str | None  # the ``**`` parameter
    # each base: ("param", name), ("ref", path) or ("factory", path, spread) for
    # ``path(**spread).__class__`` (spread: the ``**`` parameter passed on, or "")
    bases: tuple[tuple[str, ...], ...]
    methods: tuple[str, ...]  # methods the local class defines
    name_keeping: dict[str, tuple[str, ...]] = field(default_factory=dict)  # as QueryFacts.name_keeping
    names_passing: dict[str, tuple] = field(default_factory=dict)  # as QueryFacts.names_passing


@dataclass
class QueryFacts:
    chains: list[QueryChain] = field(default_factory=list)
    uses: list[AttributeUse] = field(default_factory=list)
    views: list[ViewQueryset] = field(default_factory=list)
    registers_lookups: bool = False  # the module registers custom lookups or transforms
    lookup_registrations: list[LookupRegistration] = field(default_factory=list)
    lookup_classes: dict[str, LookupClass] = field(default_factory=dict)  # class name -> lookup_name
    # module-level class with Meta.model -> its methods -> what each reads on the object it gets
    # (parse.serializer_methods)
    object_reads: dict[str, dict[str, tuple[ObjectRead, ...]]] = field(default_factory=dict)
    # module-level class -> its methods that return `self` or a chain on self/super() (see
    # parse.custom_querysets.name_keeping), each with the methods that chain calls ("super:m" on
    # super())
    name_keeping: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # module-level class -> its overrides of name-taking methods that pass every other name to
    # super()'s: (names they consume, dict helpers) (parse.query_overrides.names_passed)
    names_passing: dict[str, dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = field(default_factory=dict)
    # "func" or "Class.method" -> its parameters whose keys the returned dict keeps
    # (parse.query_overrides.dict_keeping)
    dict_keeping: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    # module-level function -> the class whose instance it returns (a manager factory)
    manager_factories: dict[str, ManagerFactory] = field(default_factory=dict)
