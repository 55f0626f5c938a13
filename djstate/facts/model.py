"""Per-file facts: plain, picklable dataclasses that never import libcst.

A file's facts depend only on its bytes (and djstate's version), so they can be cached by
content hash. Everything that depends on configuration (settings, the app registry) is
resolved later, in :mod:`djstate.state`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Span:
    """A 1-based line and column in a file."""

    line: int = 1
    column: int = 1


@dataclass(frozen=True)
class Problem:
    """Why a file could not be read or parsed."""

    kind: str  # "syntax", "encoding", "too-large", "binary", "unreadable"
    message: str
    span: Span = Span()


@dataclass(frozen=True)
class Import:
    """One imported module (``import a.b`` or ``from a.b import c``), resolved to absolute."""

    module: str
    names: tuple[str, ...]
    span: Span
    # the imported names are used inside a function (RunPython code), not just by operations
    used_at_runtime: bool = False


@dataclass
class Dependency:
    """One entry of ``dependencies`` or ``run_before``.

    ``setting`` is set for ``swappable_dependency(settings.X)``; ``app`` is then resolved
    from configuration.
    """

    app: str | None
    name: str
    span: Span
    setting: str | None = None
    conditional: bool = False  # chosen by an `if` at import time (settings, database vendor)


@dataclass
class Operation:
    """One migration operation, its arguments bound to parameter names."""

    kind: str  # Django's class name ("AddField"), or the resolved path of a custom class
    args: dict[str, Any]
    span: Span
    known: bool = True
    # spans of field constructor calls, by field name (CreateModel fields, AddField/AlterField)
    field_spans: dict[str, Span] = field(default_factory=dict)
    # state_operations of SeparateDatabaseAndState / RunSQL
    nested: list[Operation] = field(default_factory=list)
    conditional: bool = False  # one of several lists chosen at import time


@dataclass
class MigrationFile:
    """The facts of one migration module."""

    name: str
    class_span: Span | None  # None when the module has no ``Migration`` class
    dependencies: list[Dependency] = field(default_factory=list)
    replaces: list[tuple[str, str]] = field(default_factory=list)
    run_before: list[Dependency] = field(default_factory=list)
    initial: bool | None = None
    operations: list[Operation] = field(default_factory=list)
    imports: list[Import] = field(default_factory=list)
    # attributes of Migration that djstate could not evaluate (dependencies built in code)
    opaque_attributes: list[str] = field(default_factory=list)
    # operations of every import-time branch (the state applies the first branch's)
    conditional_operations: list[Operation] = field(default_factory=list)
    # `operations = helper(Op(...))` of a function in another module: (its path, the
    # arguments that are operations by position or keyword, the call's span); the state
    # layer reads the function's template (ModuleFacts.operation_functions)
    operations_call: tuple | None = None
    # `if django.VERSION >= (1, 8): operations += [...]`: the test (its slice length or 0, the
    # comparison, the literal) and the operations when it fails; `operations` holds them when it holds
    version_test: tuple[int, str, tuple[int, ...]] | None = None
    version_false_operations: list[Operation] = field(default_factory=list)


@dataclass
class AppConfigFacts:
    """A statically declared ``AppConfig`` subclass."""

    class_name: str
    name: str | None
    label: str | None
    default_auto_field: Any = None
    default: bool | None = None
    span: Span = Span()


@dataclass
class SettingsFacts:
    """Values read statically from a settings module (never imported)."""

    auth_user_model: str | None = None
    default_auto_field: str | None = None
    migration_modules: dict[str, Any] = field(default_factory=dict)
    installed_apps: list[str] | None = None
    star_imports: list[str] = field(default_factory=list)  # `from .base import *`, merged first
    # every top-level constant: its value when a plain string, else None (set, but not knowable)
    strings: dict[str, str | None] = field(default_factory=dict)


# the class attribute of a metaclass's field option write whose value djstate does not read
# (djstate.parse.metaclasses): the models state makes that kwarg of that field unknown
UNREAD_OPTION = ""


@dataclass
class ClassAttr:
    """One class-level assignment: ``name = value``."""

    name: str
    value: Any
    span: Span = Span()
    # where each element of a list/tuple literal (or each key of a dict literal) is
    item_spans: tuple[Span, ...] = ()


@dataclass
class ClassFacts:
    """A class body as plain data: what models, managers and serializers are built from."""

    name: str
    bases: tuple  # values: Ref for resolved names, Opaque otherwise
    span: Span = Span()
    attributes: list[ClassAttr] = field(default_factory=list)
    methods: tuple[str, ...] = ()
    method_spans: dict[str, Span] = field(default_factory=dict)
    # positional parameters after self (-1 with *args): which methods DRF can call with one value
    method_arity: dict[str, int] = field(default_factory=dict)
    # `self.x = ...` in any method ("*" when a method calls setattr(self, ...))
    instance_attributes: frozenset[str] = frozenset()
    # names methods read from self (`self.validate_x(value)`); "*" for getattr(self, computed)
    self_references: frozenset[str] = frozenset()
    # nested classes by name (Meta, TextChoices defined inside a model, ...)
    nested: dict[str, ClassFacts] = field(default_factory=dict)
    decorators: tuple = ()
    conditional: bool = False  # defined under an `if` at import time
    # a class attribute bound under an `if`/`try` in the class body: every value the block may
    # give it (its value before the block included); absent when a binding is not `name = value`
    alternatives: dict[str, tuple] = field(default_factory=dict)
    # (path, app_label, name) of the guard `if not is_model_registered(app_label, name):` (oscar's
    # forkable apps): the class is defined unless another model took that name first
    unless_registered: tuple[str, str, str] | None = None
    metaclass: Any = None  # `class X(Base, metaclass=M)`: M's value
    # what its get_queryset does to the rows: "filters", "keeps", "unknown" (djstate.parse.managers)
    queryset_rows: str | None = None
    # a metaclass's __new__: (level none/options/names, why, methods it calls on the new class)
    # (djstate.parse.metaclasses); None when the class defines no __new__
    new_effect: tuple | None = None
    # a metaclass's __init__ (djstate.parse.metaclasses.init_effect); None when it defines none
    init_effect: tuple | None = None
    # classmethods that only read their class (a metaclass may call them on the new class)
    class_readers: frozenset[str] = frozenset()
    # get_serializer_class / get_serializer -> the classes it returns or instantiates by name
    # (Refs; djstate.parse.view_methods)
    returned_classes: dict[str, tuple] = field(default_factory=dict)


@dataclass(frozen=True)
class FieldMethod:
    """A field class's ``__init__`` or ``deconstruct`` as steps djstate can replay.

    ``body`` is a tuple of statements in a small language (see
    :mod:`djstate.parse.field_methods`); ``why`` says which statement is not of a shape djstate
    emulates (the method then stays unknown)."""

    params: tuple[str, ...] = ()  # positional-or-keyword parameters after self
    defaults: tuple[tuple[str, Any], ...] = ()  # (parameter, default expression)
    kwonly: tuple[str, ...] = ()
    star_args: str | None = None
    star_kwargs: str | None = None
    body: tuple = ()
    why: str | None = None


@dataclass(frozen=True)
class FieldMethods:
    """What a class says about how it builds and deconstructs a field."""

    init: FieldMethod | None = None  # None: the class does not define it
    deconstruct: FieldMethod | None = None
    # class-level assignments of literals (others are Opaque): `setting_name = "X"`
    attributes: dict[str, Any] = field(default_factory=dict)
    conditional: bool = False  # defined under an `if` at import time


@dataclass
class ModuleFacts:
    """Module-level names of any module: enough to follow re-exports and read constants."""

    names: dict[str, str] = field(default_factory=dict)  # local name -> imported dotted path
    constants: dict[str, Any] = field(default_factory=dict)
    defined: set[str] = field(default_factory=set)  # functions and classes defined here
    star_imports: list[str] = field(default_factory=list)
    classes: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = field(default_factory=dict)  # bases, methods
    # full class bodies, for modules read as "models" (positions included)
    class_bodies: dict[str, ClassFacts] = field(default_factory=dict)
    # every top-level class's field methods and literal class attributes (custom field classes)
    field_methods: dict[str, FieldMethods] = field(default_factory=dict)
    # top-level functions shaped as class decorators: name -> (plain/factory, why; "" when what
    # they run on the class keeps its names) (djstate.parse.class_decorators)
    class_decorators: dict[str, tuple[str, str]] = field(default_factory=dict)
    # top-level functions returning lists of migration operations: name -> (parameters, the
    # lists they may return, items an Operation or a parameter's name) (parse/operation_functions)
    operation_functions: dict[str, tuple] = field(default_factory=dict)
    # top-level functions that import the dotted path given to them: name -> the functions their
    # returns call on it (djstate.parse.importers)
    importers: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass
class FileFacts:
    """What one source file says. Exactly one of the payloads is set, or ``problem``."""

    path: str  # relative to the scanned root, POSIX
    module: str  # dotted module name relative to its import root
    problem: Problem | None = None
    migration: MigrationFile | None = None
    app_configs: list[AppConfigFacts] = field(default_factory=list)
    settings: SettingsFacts | None = None
    module_facts: ModuleFacts | None = None
    queries: Any = None  # QueryFacts (djstate.facts.queries), for files read as "queries"
