"""What a metaclass's ``__new__`` (or ``__init__``) can change on the class it builds.

A model's metaclass runs code after the class body. It may change the class's names (add or
remove attributes: no name on the model can then be judged), or only options of what
``ModelBase`` built (a field's ``db_collation``, a ``_meta`` attribute, a Meta attribute it
consumes: the schema is then not known, the names are), or nothing. :func:`new_effect` reads
``__new__`` and gives that level; whatever it does not recognise counts as changing names.

Names are tracked in two groups: the class (``mcs``, the class ``super().__new__`` built, and
anything computed from them) and the namespace (the class body's dict and values read from it).
Hooks are the methods ``__new__`` calls on the new class (rules' ``preprocess_rules_permissions``):
a model may override them, so the models state checks each model's with
:func:`djstate.parse.class_writes.writes_class`.
"""

from __future__ import annotations

import libcst as cst

from djstate.facts.model import UNREAD_OPTION
from djstate.parse.class_writes import _ADDING, _READS, _bound, _code, _flow, _Flow, _looks_only, _names_in, _positional
from djstate.parse.metaclass_guards import GuardContext, _chain, predicate

NONE, OPTIONS, NAMES = "none", "options", "names"  # what the metaclass may change, weakest first
_RANK = {NONE: 0, OPTIONS: 1, NAMES: 2}
_CONTRIBUTING = {"add_to_class", "contribute_to_class"}
_REGISTERING = {"append", "add"}  # a list's or set's: it holds the class
# a field's name or relation: setting it changes names on this model or reverse accessors on others
_NAME_ATTRIBUTES = {"name", "attname", "related_name", "related_query_name", "remote_field", "model", "to", "through"}
# field options that change only Django's state, set from a class attribute: applied per model
_STATE_OPTIONS = {"help_text", "verbose_name"}
# Field attributes that hold the __init__ kwarg of the same name, which deconstruct() gives back
# as that kwarg: a metaclass setting one to a value djstate cannot read makes only that kwarg
# of that field unknown (netbox's LtreeModelBase copies name's db_collation to sort_path's)
_KWARG_ATTRIBUTES = {
    "db_collation", "db_comment", "db_index", "db_column", "db_tablespace", "null", "blank", "max_length",
    "help_text", "verbose_name", "editable", "default", "db_default", "max_digits", "decimal_places",
    "unique_for_date", "unique_for_month", "unique_for_year", "auto_now", "auto_now_add",
}  # fmt: skip
# the Meta options Django accepts (options.DEFAULT_NAMES, with index_together of Django < 5.1):
# Options rejects any other name, so a metaclass must consume its own (rules' rules_permissions)
DJANGO_META_OPTIONS = frozenset({
    "abstract", "app_label", "apps", "auto_created", "base_manager_name", "constraints", "db_table",
    "db_table_comment", "db_tablespace", "default_manager_name", "default_permissions",
    "default_related_name", "get_latest_by", "index_together", "indexes", "managed",
    "order_with_respect_to", "ordering", "permissions", "proxy", "required_db_features",
    "required_db_vendor", "select_on_save", "swappable", "unique_together", "verbose_name",
    "verbose_name_plural",
})  # fmt: skip
# what Django's Options has (attributes and methods, Django 3.2 to 5.2): a `_meta.<name>` write
# of any other name changes nothing Django reads (tests/test_metaclass_meta_options.py checks it)
OPTIONS_ATTRIBUTES = DJANGO_META_OPTIONS | frozenset({
    "FORWARD_PROPERTIES", "REVERSE_PROPERTIES", "_expire_cache", "_format_names", "_forward_fields_map",
    "_get_default_pk_class", "_get_fields", "_get_fields_cache", "_non_pk_concrete_field_names",
    "_ordering_clash", "_populate_directed_relation_graph", "_prepare", "_property_names",
    "_relation_tree", "_reverse_one_to_one_field_names", "add_field", "add_manager", "all_parents",
    "app_config", "auto_field", "base_manager", "can_migrate", "concrete_fields", "concrete_model",
    "contribute_to_class", "db_returning_fields", "default_apps", "default_manager", "fields",
    "fields_map", "get_ancestor_link", "get_base_chain", "get_field", "get_fields", "get_parent_list",
    "get_path_from_parent", "get_path_to_parent", "has_auto_field", "installed", "is_composite_pk",
    "label", "label_lower", "local_concrete_fields", "local_fields", "local_managers",
    "local_many_to_many", "managers", "managers_map", "many_to_many", "meta", "model", "model_name",
    "object_name", "original_attrs", "parents", "pk", "pk_fields", "private_fields",
    "proxy_for_model", "related_fkey_lookups", "related_objects", "setting_changed", "setup_pk",
    "setup_proxy", "swapped", "total_unique_constraints", "verbose_name_raw",
})  # fmt: skip


def _popped_literal(node: cst.Call, namespace: str) -> str | None:
    """``attrs.pop("name")`` or ``attrs.pop("name", default)`` on the class namespace: the name."""
    func = node.func
    if not (isinstance(func, cst.Attribute) and func.attr.value == "pop" and isinstance(func.value, cst.Name)
            and func.value.value == namespace and 1 <= len(node.args) <= 2):  # fmt: skip
        return None
    first = node.args[0]
    if first.star or first.keyword is not None or not isinstance(first.value, cst.SimpleString):
        return None
    value = first.value.evaluated_value
    return value if isinstance(value, str) else None


def _inline_new_alias(func: cst.FunctionDef) -> cst.FunctionDef:
    """``super_new = super().__new__`` bound once at the top (Django's own ModelBase idiom, and
    django-cms's PluginModelBase): its calls read as ``super().__new__(...)``."""
    aliases = [
        (stmt.body[0].targets[0].target.value, stmt.body[0].value)
        for stmt in func.body.body
        if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Assign)
        and len(stmt.body[0].targets) == 1 and isinstance(stmt.body[0].targets[0].target, cst.Name)
        and isinstance(stmt.body[0].value, cst.Attribute) and stmt.body[0].value.attr.value == "__new__"
    ]  # fmt: skip
    if len(aliases) != 1:
        return func
    name, value = aliases[0]
    if sum(1 for targets, _ in _flow(func).bindings if name in targets) != 1:
        return func  # rebound somewhere: not one value

    class Inline(cst.CSTTransformer):
        def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
            if isinstance(updated.func, cst.Name) and updated.func.value == name:
                return updated.with_changes(func=value)
            return updated

    return func.visit(Inline())


def _builds_class(node: cst.BaseExpression | None) -> bool:
    """``super().__new__(...)`` or ``Base.__new__(...)``."""
    return isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "__new__"


class _NewReader(cst.CSTVisitor):
    plain_attributes_set = False  # `cls.x = "literal"` counted as a plain attribute (__init__'s)

    def __init__(self, func: cst.FunctionDef, klass: set[str], space: set[str], namespace: str, mcs: str, created: set[str], metas: set[str]):
        self.func, self.klass, self.space = func, klass, space
        self.namespace, self.mcs, self.created = namespace, mcs, created
        self.metas = metas  # names bound to the class body's Meta
        self.level, self.why = NONE, ""
        self.hooks: list[str] = []
        self.attributes: list[str] = []  # plain class attributes it puts in the namespace
        self.set_after: list[str] = []  # plain class attributes it sets on the built class
        # `field = cls._meta.get_field("name")` (bound once): field variable -> field name
        self.field_variables: dict[str, str] = {}
        # `field.help_text = cls._help`: (field name, option, class attribute) the models state applies
        self.field_options: list[tuple[str, str, str]] = []
        # effects under an `if`: (guard, level, why), the guard a predicate over the new class
        self.guarded: list[tuple[tuple, str, str]] = []
        self._guards: list[tuple] = []  # the tests of the enclosing `if`s (negated in `else`)
        self._guard_of: dict[int, tuple] = {}
        self._nested = 0  # enclosing compound statements: a binding there is not certain
        params = _positional(func)
        self._context = GuardContext(namespace, params[2] if len(params) > 2 else "")

    def raise_to(self, level: str, why: str) -> None:
        if self._guards:  # decided per class: the guard may be false for it
            guard = self._guards[0]
            for more in self._guards[1:]:
                guard = ("and", guard, more)
            self.guarded.append((guard, level, why))
            return
        if _RANK[level] > _RANK[self.level]:
            self.level, self.why = level, why

    def visit_If(self, node: cst.If) -> None:
        if id(node) in self._guard_of:  # an elif: the tests before it were false
            self._guards.append(self._guard_of[id(node)])
        test = predicate(node.test, self._context)
        self._guard_of[id(node.body)] = test
        if isinstance(node.orelse, cst.If):
            self._guard_of[id(node.orelse)] = ("not", test)
        elif isinstance(node.orelse, cst.Else):
            self._guard_of[id(node.orelse.body)] = ("not", test)
        self._nested += 1

    def leave_If(self, node: cst.If) -> None:
        self._nested -= 1
        if id(node) in self._guard_of:
            self._guards.pop()

    def visit_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        if id(node) in self._guard_of:
            self._guards.append(self._guard_of[id(node)])

    def leave_IndentedBlock(self, node: cst.IndentedBlock) -> None:
        if id(node) in self._guard_of:
            self._guards.pop()

    def visit_For(self, node: cst.For) -> None:
        self._nested += 1

    def leave_For(self, node: cst.For) -> None:
        self._nested -= 1

    def visit_While(self, node: cst.While) -> None:
        self._nested += 1

    def leave_While(self, node: cst.While) -> None:
        self._nested -= 1

    def visit_Try(self, node: cst.Try) -> None:
        self._nested += 1

    def leave_Try(self, node: cst.Try) -> None:
        self._nested -= 1

    def visit_With(self, node: cst.With) -> None:
        self._nested += 1

    def leave_With(self, node: cst.With) -> None:
        self._nested -= 1

    def _bind(self, node: cst.Assign) -> None:
        """What a guard may later read of a name: its predicate, or whether it is the body's Meta."""
        for target in node.targets:
            for name in _bound(target.target):
                single = isinstance(target.target, cst.Name) and len(node.targets) == 1 and not self._nested
                self._context.meta_alias.discard(name)
                self._context.predicates[name] = predicate(node.value, self._context) if single else ("?",)
                if single and _reads_meta(node.value, self.namespace):
                    self._context.meta_alias.add(name)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        if node is not self.func:
            self.raise_to(NAMES, "__new__ defines a function")
        return node is self.func

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.raise_to(NAMES, "__new__ defines a class")
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        self.raise_to(NAMES, "__new__ defines a lambda")
        return False

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            written = self._field_option(target.target, node.value)
            if written is not None:
                self.field_options.append(written)  # applied per model: the attribute may be overridden
                continue
            name = _namespace_item(target.target, self.namespace)
            if name is not None and name != "Meta" and _plain_value(node.value):
                self.attributes.append(name)  # ModelBase sets it as is: a class attribute, never a field
                continue
            name = _class_attribute(target.target, self.created) if self.plain_attributes_set else None
            if name is not None and _never_field(node.value):
                self.set_after.append(name)  # set on the built class: a plain attribute, no field
                continue
            self._target(target.target, creating=_builds_class(node.value))
        self._bind(node)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        self._target(node.target)

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._target(node.target)

    def visit_Del(self, node: cst.Del) -> None:
        self._target(node.target)

    def _field_option(self, target: cst.BaseExpression, value: cst.BaseExpression) -> tuple[str, str, str] | None:
        """``field.help_text = cls._condition_help_text`` at the top of ``__new__``, ``field`` bound
        once to ``cls._meta.get_field("condition")``: a state-only option of one field set from a
        class attribute (mayan-edms' MetaClassModelMixinConditionField). Any other value given to
        an option that is a kwarg of the same name (``sort_path_field.db_collation = collation``,
        under an ``if`` or not) is written with :data:`~djstate.facts.model.UNREAD_OPTION`: that kwarg of that field is unknown."""
        if not isinstance(target, cst.Attribute) or not isinstance(target.value, cst.Name):
            return None
        field = self.field_variables.get(target.value.value)
        if field is None:
            return None
        option = target.attr.value
        if (
            option in _STATE_OPTIONS and not self._nested and not self._guards
            and isinstance(value, cst.Attribute) and isinstance(value.value, cst.Name) and value.value.value in self.created
        ):  # fmt: skip
            return field, option, value.attr.value
        return (field, option, UNREAD_OPTION) if option in _KWARG_ATTRIBUTES else None

    def _target(self, target: cst.BaseExpression, creating: bool = False) -> None:
        if isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._target(element.value)
            return
        if isinstance(target, cst.Name):
            if target.value in (self.namespace, self.mcs) or target.value in self.created and not creating:
                self.raise_to(NAMES, f"__new__ rebinds {target.value}")
            return
        root, parts = _chain(target)
        if _consumed_option(root, parts, self.metas, self.mcs, self.created):
            return  # a Meta option of its own, taken off Meta or kept on _meta: Django reads neither
        if _container_item(target, self.created):
            return  # an item of a dict or list the class holds: no name, no field changes
        if root == self.namespace:
            self.raise_to(NAMES, "__new__ changes the class namespace")
        elif root in self.created and len(parts) == 1 and parts[0] != "_meta" and not parts[0].startswith("__"):
            # `new_class._render_meta = X` on the built class: a class attribute (hasattr finds it);
            # ModelBase adds fields and managers only through add_to_class, never a plain setattr
            self.set_after.append(parts[0])
        elif root == self.mcs or root in self.created:
            if parts[:1] == ["_meta"] and len(parts) >= 2:
                self.raise_to(OPTIONS, f"__new__ sets {_code(target)}")
            else:
                self.raise_to(NAMES, f"__new__ sets {_code(target)} on the class")
        elif (root in self.klass or root in self.space or root is None) and parts[-1:] and parts[-1] in _NAME_ATTRIBUTES:
            self.raise_to(NAMES, f"__new__ sets {_code(target)}")
        elif root in self.klass or root in self.space or root is None:
            self.raise_to(OPTIONS, f"__new__ sets {_code(target)}")

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if _builds_class(node):
            args = [a for a in node.args if not a.star and a.keyword is None]
            given = [a.value.value if isinstance(a.value, cst.Name) else None for a in args]
            if len(given) != 4 or given[0] != self.mcs or given[3] != self.namespace:
                self.raise_to(NAMES, f"__new__ builds the class from something else than its namespace: {_code(node)}")
            return
        if self._initialising(node):
            return  # type.__init__ with the class's own arguments: it changes nothing
        popped = _popped_literal(node, self.namespace)
        if popped is not None:  # attrs.pop("RenderMeta", None): that one name leaves the namespace
            self.attributes.append(popped)  # a field of that name would go: judged per model, as an added name is
            return
        if isinstance(func, cst.Name) and func.value in _ADDING:
            self.raise_to(NAMES, f"__new__ calls {func.value}")
        if isinstance(func, cst.Attribute) and func.attr.value in _CONTRIBUTING:
            self.raise_to(NAMES, f"__new__ calls {func.attr.value}")
        root, parts = _chain(func) if isinstance(func, cst.Attribute) else (None, [])
        if root is not None and root in self.created and len(parts) == 1:
            self.hooks.append(parts[0])  # a method of the model class: decided per model
        elif root is not None and (root in self.klass or root in self.space) and not (parts and parts[-1] in _READS):
            self.raise_to(NAMES, f"__new__ calls {_code(func)}")
        looking = _looks_only(func) or self._registering(node)
        for arg in node.args:
            passed = _names_in(arg.value, into_calls=False) & (self.klass | {self.namespace})
            if passed and not looking:
                self.raise_to(NAMES, f"__new__ passes {sorted(passed)[0]} to {_code(func)}")

    def _initialising(self, node: cst.Call) -> bool:
        """``super().__init__(name, bases, attrs)`` in a metaclass's ``__init__``."""
        return False

    def _registering(self, node: cst.Call) -> bool:
        """``REGISTRY.append(cls)``: the class put in a list or set of a module's, which only
        holds it (the receiver is no value of the class or its namespace)."""
        func = node.func
        if not (isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.attr.value in _REGISTERING):
            return False
        receiver = func.value.value
        return len(node.args) == 1 and receiver not in self.klass | self.space | {self.namespace, self.mcs}

    def visit_Return(self, node: cst.Return) -> None:
        value = node.value
        if not (isinstance(value, cst.Name) and value.value in self.created or _builds_class(value)):
            self.raise_to(NAMES, f"__new__ returns {_code(value)}")


def new_effect(func: cst.FunctionDef) -> tuple:
    """(level, why, hooks, attributes, guarded, set_after) of a metaclass's ``__new__``: ``none``
    when it leaves the class as the parent metaclass built it, ``options`` when it may change
    options of fields, of Meta or of ``_meta`` but no name of the class, ``names`` otherwise;
    ``hooks`` are the model's methods it calls on the new class; ``attributes`` the plain class
    attributes it adds through the namespace (a model whose fields have such a name is not
    known: the item replaces them); ``guarded`` the (guard, level, why) of what it does under an
    ``if`` (djstate.state.guards decides a guard for each class); ``set_after`` the plain
    attributes it sets on the built class (names hasattr finds, no field)."""
    params = _positional(func)
    if len(params) < 4:
        return NAMES, "__new__ takes its arguments in a way djstate does not follow", (), (), (), ()
    func = _inline_new_alias(func)
    reader = _reader(func, {n for targets, value in _flow(func).bindings if _builds_class(value) for n in targets}, _NewReader)
    if not reader.created and not _builds_anywhere(func):
        reader.raise_to(NAMES, "__new__ does not build the class through its parent")
    if not _has_return(func):
        reader.raise_to(NAMES, "__new__ returns None")
    return _effect(reader)


def init_effect(func: cst.FunctionDef) -> tuple:
    """What a metaclass's ``__init__(cls, name, bases, attrs)`` may change on the class it is
    given (built by then), as :func:`new_effect` gives it: plain attributes it sets on ``cls``
    (literals, strings, booleans: never a field, and ModelBase adds no field after building
    the class) and registering ``cls`` in a module's list change no field."""
    params = _positional(func)
    if len(params) < 4:
        return NAMES, "__init__ takes its arguments in a way djstate does not follow", (), (), (), ()
    return _effect(_reader(func, {params[0]}, _InitReader))


def _effect(reader: _NewReader) -> tuple:
    return (reader.level, reader.why, tuple(dict.fromkeys(reader.hooks)), tuple(dict.fromkeys(reader.attributes)),
            tuple(reader.guarded), tuple(dict.fromkeys(reader.set_after)), tuple(dict.fromkeys(reader.field_options)))


def _reader(func: cst.FunctionDef, created: set[str], kind: type) -> _NewReader:
    """The reader of a metaclass method, run over it: ``created`` names the class it builds
    (or, for ``__init__``, is given)."""
    params = _positional(func)
    mcs, namespace = params[0], params[3]
    flow = _flow(func)
    klass, space = {mcs, *created}, {namespace}
    for _ in range(len(flow.bindings) + 1):  # the closure over the bindings
        before = (len(klass), len(space))
        for targets, value in flow.bindings:
            names = _names_in(value)
            if _builds_class(value):
                continue
            if names & klass:
                klass.update(targets)
            elif names & space:
                space.update(targets)
        if (len(klass), len(space)) == before:
            break
    space -= klass
    metas = {n for targets, value in flow.bindings if len(targets) == 1 and _reads_meta(value, namespace) for n in targets}
    metas -= {n for targets, value in flow.bindings if not _reads_meta(value, namespace) for n in targets}
    reader = kind(func, klass, space, namespace, mcs, created, metas)
    reader.field_variables = _field_variables(flow, created)
    func.visit(reader)
    return reader


def _field_variables(flow: _Flow, created: set[str]) -> dict[str, str]:
    """Names bound exactly once, to ``<the built class>._meta.get_field("<literal>")``."""
    counts: dict[str, int] = {}
    for targets, _ in flow.bindings:
        for name in targets:
            counts[name] = counts.get(name, 0) + 1
    out = {}
    for targets, value in flow.bindings:
        if len(targets) != 1 or counts[targets[0]] != 1 or not isinstance(value, cst.Call):
            continue
        func = value.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "get_field" and isinstance(func.value, cst.Attribute)
                and func.value.attr.value == "_meta" and isinstance(func.value.value, cst.Name)
                and func.value.value.value in created):  # fmt: skip
            continue
        if len(value.args) == 1 and value.args[0].keyword is None and not value.args[0].star:
            literal = value.args[0].value
            if isinstance(literal, cst.SimpleString) and literal.prefix == "":
                out[targets[0]] = literal.evaluated_value
    return out


class _InitReader(_NewReader):
    """``__init__``: its first parameter is the built class itself."""

    plain_attributes_set = True

    def _initialising(self, node: cst.Call) -> bool:
        func = node.func
        if not (isinstance(func, cst.Attribute) and func.attr.value == "__init__"):
            return False
        given = [a.value.value if isinstance(a.value, cst.Name) and not a.star and a.keyword is None else None for a in node.args]
        params = _positional(self.func)
        return given in (params[1:4], params[:4]) or given[1:] == params[1:4]

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            self.raise_to(NAMES, f"__init__ returns {_code(node.value)}")


def _namespace_item(target: cst.BaseExpression, namespace: str) -> str | None:
    """``attrs["_registry"]`` -> "_registry": an item of the class namespace with a literal key."""
    if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name) and target.value.value == namespace):
        return None
    if len(target.slice) != 1 or not isinstance(target.slice[0].slice, cst.Index):
        return None
    key = target.slice[0].slice.value
    return key.evaluated_value if isinstance(key, cst.SimpleString) and isinstance(key.evaluated_value, str) else None


def _plain_value(value: cst.BaseExpression) -> bool:
    """A display or literal: it has no ``contribute_to_class``, so ModelBase only sets it on the class."""
    if isinstance(value, (cst.Dict, cst.List, cst.Tuple, cst.Set, cst.SimpleString, cst.Integer, cst.Float)):
        return True
    return isinstance(value, cst.Name) and value.value in ("None", "True", "False")


def _class_attribute(target: cst.BaseExpression, created: set[str]) -> str | None:
    """``cls.template = ...`` on the built class: the attribute's name (not ``_meta``, not a dunder)."""
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name) and target.value.value in created:
        name = target.attr.value
        return None if name == "_meta" or name.startswith("__") else name
    return None


def _never_field(value: cst.BaseExpression) -> bool:
    """A value that is never a Field: a literal, a display, a string (formatted or built with
    ``"...".format``), or a test (``not``, a comparison, and/or of such values)."""
    if _plain_value(value) or isinstance(value, (cst.FormattedString, cst.ConcatenatedString)):
        return True
    if isinstance(value, (cst.UnaryOperation, cst.Comparison)):
        return isinstance(value, cst.Comparison) or isinstance(value.operator, cst.Not)
    if isinstance(value, cst.BooleanOperation):
        return _never_field(value.left) and _never_field(value.right)
    return isinstance(value, cst.Call) and _looks_only(value.func) and isinstance(value.func, cst.Attribute)


def _container_item(target: cst.BaseExpression, created: set[str]) -> bool:
    """``new_class._registry[key] = ...``: an item written into a container a class attribute
    holds (not ``_meta``'s, not a dunder's): the class's names and fields stay as they are."""
    if not isinstance(target, cst.Subscript):
        return False
    root, parts = _chain(target.value)
    return root in created and bool(parts) and not any(p == "_meta" or p.startswith("__") for p in parts)


def _reads_meta(value: cst.CSTNode, namespace: str) -> bool:
    """``attrs.get("Meta")`` (a default too) or ``attrs["Meta"]``: the class body's Meta."""
    if isinstance(value, cst.Call) and isinstance(value.func, cst.Attribute) and value.func.attr.value == "get":
        owner, key = value.func.value, value.args[0].value if value.args else None
    elif isinstance(value, cst.Subscript) and len(value.slice) == 1 and isinstance(value.slice[0].slice, cst.Index):
        owner, key = value.value, value.slice[0].slice.value
    else:
        return False
    return isinstance(owner, cst.Name) and owner.value == namespace and isinstance(key, cst.SimpleString) and key.evaluated_value == "Meta"


def _consumed_option(root: str | None, parts: list[str], metas: set[str], mcs: str, created: set[str]) -> bool:
    """``del meta.rules_permissions`` (or setting it) on the class body's Meta, or
    ``new_class._meta.rules_permissions = ...``, where the name is no Meta option of Django's nor
    anything Options has: Options never sees it (it rejects unknown Meta names), the schema and
    the migrations' options are what ModelBase built."""
    if len(parts) == 1 and root in metas:
        return parts[0] not in OPTIONS_ATTRIBUTES
    if len(parts) == 2 and parts[0] == "_meta" and (root == mcs or root in created):
        return parts[1] not in OPTIONS_ATTRIBUTES
    return False


def _builds_anywhere(func: cst.FunctionDef) -> bool:
    found = False

    class Visitor(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            nonlocal found
            found = found or _builds_class(node)

    func.visit(Visitor())
    return found


def _has_return(func: cst.FunctionDef) -> bool:
    found = False

    class Visitor(cst.CSTVisitor):
        def visit_Return(self, node: cst.Return) -> None:
            nonlocal found
            found = True

    func.visit(Visitor())
    return found
