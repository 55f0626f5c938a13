"""Field classes of the project itself, emulated from their source.

A project field class (``class CounterCacheField(models.BigIntegerField)``) deconstructs the
way its ``__init__`` and ``deconstruct`` say on top of the Django (or described third-party)
class it ends in. Django runs them; djstate replays the steps the parsing layer read
(:mod:`djstate.parse.field_methods`): keyword defaults and forced values, parameters kept on
``self``, kwargs dropped or added in ``deconstruct``, a literal path. The same replay serves
both sides, as in Django: the models' field as written, and the migration's field rebuilt
from its kwargs, so ``makemigrations``' comparison of the two is what djstate compares.

Anything the replay cannot follow (a call with effects, a base outside the tree besides the
field class, a condition on an unknown value) leaves the field unknown, with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from djstate.facts.model import FieldMethod, FieldMethods
from djstate.facts.values import Call, Opaque, Ref, is_known, render
from djstate.state import fields
from djstate.state.fields import FieldState
from djstate.state.resolve import Resolver
from djstate.state.stream_field import STREAM_FIELD
from djstate.state.thirdparty_descriptions import third_party_field

Prepare = Callable[[str, list, dict], tuple[list, dict]]
SETTINGS = "django.conf.settings."
MAX_STEPS = 5000
_TYPES = {
    "builtins.str": str, "builtins.int": int, "builtins.float": float, "builtins.bool": bool,
    "builtins.list": list, "builtins.tuple": tuple, "builtins.dict": dict,
}  # fmt: skip
_ABSENT = object()


@dataclass
class UnknownFieldState(FieldState):
    """A field whose class djstate could not emulate, and why."""

    why: str = ""
    reason: str = "unknown-field-class"  # or "unknowable-value": replayed, but a value is unknown


class _Unknown(Exception):
    """The replay met something it cannot know."""


@dataclass(frozen=True)
class _ClassInfo:
    bases: tuple[str, ...]
    methods: tuple[str, ...]
    field_methods: FieldMethods


class CustomFields:
    """Emulates ``deconstruct()`` of field classes defined in the scanned tree."""

    def __init__(self, resolver: Resolver, value: Callable[[Any], Any]) -> None:
        self.resolver = resolver
        self.value = value  # resolves names and normalises Django objects inside a read value
        self._info: dict[str, _ClassInfo | None] = {}

    # --- classes ------------------------------------------------------------------------------

    def info(self, path: str) -> _ClassInfo | None:
        """The class at ``path`` when it is defined in the tree."""
        if path in self._info:
            return self._info[path]
        self._info[path] = None
        found = self.resolver._module_prefix(path)
        if found is None or len(found[1]) != 1:
            return None
        module, (name,) = found
        facts = self.resolver.load(self.resolver.modules[module], module)
        if facts is None or name not in facts.classes:
            return None
        bases, methods = facts.classes[name]
        resolved = []
        for base in bases:
            target = self.resolver.resolve_path(base) if base else Opaque("?")
            resolved.append(target.path if isinstance(target, Ref) else "?")
        info = _ClassInfo(tuple(resolved), methods, facts.field_methods.get(name, FieldMethods()))
        self._info[path] = info
        return info

    def is_custom(self, path: str) -> bool:
        """A class of the tree whose rules ``fields`` does not already describe."""
        if path.startswith("django."):
            return False  # Django's own classes are described by ``fields`` (or not at all)
        if path == STREAM_FIELD:
            return False  # described by ``stream_field`` (its blocks a leaf), not replayed from source
        return self.info(path) is not None and not fields.deconstruct(path, (), {}).known

    def mro(self, path: str, depth: int = 0) -> list[str] | None:
        """Python's C3 linearisation over the tree's classes; a class outside the tree is one
        node. None when a base cannot be resolved."""
        info = self.info(path)
        if info is None:
            return [path]
        if depth > 20 or "?" in info.bases:
            return None
        bases = [b for b in info.bases if b != "builtins.object"]
        chains = []
        for base in bases:
            chain = self.mro(base, depth + 1)
            if chain is None:
                return None
            chains.append(chain)
        merged = _c3([*chains, bases])
        return None if merged is None else [path, *merged]

    # --- emulation ----------------------------------------------------------------------------

    def deconstruct(self, path: str, args: tuple, kwargs: dict, prepare: Prepare) -> FieldState | None:
        """``path(*args, **kwargs).deconstruct()`` for a class of the tree; None when ``path``
        is not one (the caller's own rules apply)."""
        if not self.is_custom(path):
            return None
        try:
            return _Replay(self, path, prepare).run(list(args), dict(kwargs))
        except _Unknown as unknown:
            return UnknownFieldState(path, dict(kwargs), tuple(args), known=False, why=str(unknown))

    def why_unknown(self, path: str) -> str | None:
        """Why the class at ``path`` cannot be emulated at all (None: it may be)."""
        try:
            _Replay(self, path, lambda t, a, k: (a, k)).chain()
        except _Unknown as unknown:
            return str(unknown)
        return None


class _Replay:
    def __init__(self, owner: CustomFields, path: str, prepare: Prepare) -> None:
        self.owner = owner
        self.path = path
        self.prepare = prepare
        self.steps = 0
        self.self_attrs: dict[str, Any] = {}
        self.field_attrs: dict[str, Any] = {}

    def chain(self) -> tuple[list[str], str, list, list]:
        """(MRO, the field class it ends in, the __init__s and deconstructs, most derived first)."""
        mro = self.owner.mro(self.path)
        if mro is None:
            raise _Unknown("a base class djstate cannot resolve")
        # a class djstate describes (Django's, or a described package's read from site-packages)
        # ends the chain: what follows it is its own bases (or comes after Field, whose
        # __init__ and deconstruct call no further class)
        described = next((i for i, p in enumerate(mro) if i and _described(p)), None)
        if described is not None:
            mro = mro[: described + 1]
        inside = [p for p in mro[:-1] if self.owner.info(p) is not None] if described is not None else [
            p for p in mro if self.owner.info(p) is not None]
        outside = [p for p in mro if p not in inside]
        terminal = next((p for p in outside if fields.deconstruct(p, (), {}).known), None)
        if terminal is None:
            raise _Unknown(f"ends in {outside[-1] if outside else 'no field class'}, which djstate has no model of")
        others = [p for p in outside if p != terminal]
        if mro[-1] != terminal or any(not _inert_mixin(p) for p in others):
            raise _Unknown(f"bases outside the tree besides {terminal}: {', '.join(others) or 'after it'}")
        inits, deconstructs = [], []
        for p in inside:
            methods = self.owner.info(p).field_methods  # type: ignore[union-attr]
            for method, found in (("__init__", methods.init), ("deconstruct", methods.deconstruct)):
                if found is None:
                    continue
                if found.why:
                    raise _Unknown(f"{p}.{method}: {found.why}")
                (inits if method == "__init__" else deconstructs).append((p, found))
            if methods.conditional:
                raise _Unknown(f"{p} is defined under an if/try")
        return mro, terminal, inits, deconstructs

    def run(self, args: list, kwargs: dict) -> FieldState:
        self.mro, self.terminal, self.inits, self.deconstructs = self.chain()
        self._init(0, args, kwargs)
        returned = self._deconstruct(0)
        if not isinstance(returned, (tuple, list)) or len(returned) != 4:
            raise _Unknown("deconstruct returns something other than (name, path, args, kwargs)")
        _, path, out_args, out_kwargs = returned
        if not isinstance(path, str) or not isinstance(out_args, (list, tuple)) or not isinstance(out_kwargs, dict):
            raise _Unknown(f"deconstruct returns path {render(path)[:40]}")
        unknown = [f"{k}={render(v)[:60]}" for k, v in out_kwargs.items() if not is_known(v)]
        unknown += [render(a)[:60] for a in out_args if not is_known(a)]
        if unknown:
            return UnknownFieldState(path, dict(out_kwargs), tuple(out_args), known=False, why=unknown[0], reason="unknowable-value")
        # Django's own classes are known exactly whenever their values are (a value the
        # deconstruct drops, like choices popped by a mixin, does not matter)
        if not self.base.known and fields.django_field_name(self.terminal) is None:
            why = f"ends in {self.terminal}, whose deconstruct djstate knows only for some arguments"
            return UnknownFieldState(path, dict(out_kwargs), tuple(out_args), known=False, why=why)
        return FieldState(path, dict(out_kwargs), tuple(out_args))

    # --- __init__ and deconstruct chains ------------------------------------------------------

    def _init(self, index: int, args: list, kwargs: dict) -> None:
        if index == len(self.inits):
            args, kwargs = self.prepare(self.terminal, list(args), dict(kwargs))
            self.base = fields.deconstruct(self.terminal, tuple(args), kwargs)
            self.field_attrs = _bound(self.terminal, args, kwargs)
            return
        owner, method = self.inits[index]
        scope = self._bind(method, args, kwargs)
        called: list[bool] = []

        def super_init(call_args: list, call_kwargs: dict) -> None:
            if called:
                raise _Unknown(f"{owner}.__init__ calls super().__init__ twice")
            called.append(True)
            self._init(index + 1, call_args, call_kwargs)

        self._block(method.body, scope, {"super_init": super_init})
        if not called:
            raise _Unknown(f"{owner}.__init__ does not call super().__init__")

    def _deconstruct(self, index: int) -> Any:
        if index == len(self.deconstructs):
            base = self.base
            path = self.path if base.path == self.terminal else base.path  # Field uses self.__class__
            return (Opaque("name"), path, list(base.args), dict(base.kwargs))
        owner, method = self.deconstructs[index]
        if method.params or method.star_args or method.star_kwargs:
            raise _Unknown(f"{owner}.deconstruct takes parameters")
        result = self._block(method.body, {}, {"super_deconstruct": lambda: self._deconstruct(index + 1)})
        if result is _ABSENT:
            raise _Unknown(f"{owner}.deconstruct returns nothing")
        return result

    def _bind(self, method: FieldMethod, args: list, kwargs: dict) -> dict[str, Any]:
        """Python's argument binding of ``method(self, *args, **kwargs)``."""
        scope: dict[str, Any] = {}
        kwargs = dict(kwargs)
        for name, value in zip(method.params, args):
            scope[name] = value
        extra = list(args[len(method.params) :])
        if extra and method.star_args is None:
            raise _Unknown("more positional arguments than the __init__ takes")
        for name in [*method.params, *method.kwonly]:
            if name in kwargs:
                if name in scope:
                    raise _Unknown(f"{name} given twice")
                scope[name] = kwargs.pop(name)
        defaults = dict(method.defaults)
        for name in [*method.params, *method.kwonly]:
            if name not in scope:
                if name not in defaults:
                    raise _Unknown(f"the __init__ parameter {name} is not given")
                scope[name] = self._expr(defaults[name], {}, {})
        if kwargs and method.star_kwargs is None:
            raise _Unknown(f"keyword arguments the __init__ does not take: {', '.join(sorted(kwargs))}")
        if method.star_args is not None:
            scope[method.star_args] = tuple(extra)
        if method.star_kwargs is not None:
            scope[method.star_kwargs] = kwargs
        return scope

    # --- statements ---------------------------------------------------------------------------

    def _block(self, body: tuple, scope: dict, hooks: dict) -> Any:
        """Run statements; the value of a ``return``, else _ABSENT."""
        for stmt in body:
            self.steps += 1
            if self.steps > MAX_STEPS:
                raise _Unknown("too many steps")
            kind = stmt[0]
            if kind == "assign":
                value = self._expr(stmt[2], scope, hooks)
                for target in stmt[1]:
                    self._assign(target, value, scope, hooks)
            elif kind == "del":
                container = self._local(scope, stmt[1])
                key = self._expr(stmt[2], scope, hooks)
                if not isinstance(container, dict) or not _hashable(key) or key not in container:
                    raise _Unknown(f"del {stmt[1]}[{render(key)}] of a missing key")
                del container[key]
            elif kind == "expr":
                self._expr(stmt[1], scope, hooks)
            elif kind == "if":
                test = self._expr(stmt[1], scope, hooks)
                truth = _truth(test)
                if truth is None:
                    if stmt[2] == (("raise",),) and not stmt[3]:
                        continue  # a check that raises: the project loads, so it passed
                    raise _Unknown(f"a condition on a value djstate cannot know: {render(test)[:50]}")
                result = self._block(stmt[2] if truth else stmt[3], scope, hooks)
                if result is not _ABSENT:
                    return result
            elif kind == "for":
                items = self._expr(stmt[2], scope, hooks)
                if not isinstance(items, (list, tuple)):
                    raise _Unknown(f"a loop over {render(items)[:50]}")
                for item in items:
                    scope[stmt[1]] = item
                    result = self._block(stmt[3], scope, hooks)
                    if result is not _ABSENT:
                        return result
            elif kind == "super_init":
                if "super_init" not in hooks:
                    raise _Unknown("super().__init__ outside __init__")
                hooks["super_init"](*self._call_arguments(stmt[1], stmt[2], scope, hooks))
            elif kind == "return":
                return self._expr(stmt[1], scope, hooks)
            elif kind == "raise":
                raise _Unknown("the method raises")
            else:
                raise _Unknown(f"a {kind} statement")
        return _ABSENT

    def _assign(self, target: tuple, value: Any, scope: dict, hooks: dict) -> None:
        kind = target[0]
        if kind == "local":
            scope[target[1]] = value
        elif kind == "self":
            self.self_attrs[target[1]] = value
        elif kind == "item":
            container = self._local(scope, target[1])
            key = self._expr(target[2], scope, hooks)
            if not isinstance(container, dict) or not _hashable(key):
                raise _Unknown(f"an item assignment to {target[1]}")
            container[key] = value
        elif kind == "unpack":
            if not isinstance(value, (list, tuple)) or len(value) != len(target[1]):
                raise _Unknown(f"unpacking {render(value)[:40]}")
            for name, item in zip(target[1], value):
                scope[name] = item

    def _call_arguments(self, args: tuple, kwargs: tuple, scope: dict, hooks: dict) -> tuple[list, dict]:
        out_args: list = []
        for expr, starred in args:
            value = self._expr(expr, scope, hooks)
            if starred:
                if not isinstance(value, (list, tuple)):
                    raise _Unknown(f"*{render(value)[:40]}")
                out_args.extend(value)
            else:
                out_args.append(value)
        out_kwargs: dict = {}
        for key, expr in kwargs:
            value = self._expr(expr, scope, hooks)
            if key is None:
                if not isinstance(value, dict) or not all(isinstance(k, str) for k in value):
                    raise _Unknown(f"**{render(value)[:40]}")
                duplicate = set(value) & set(out_kwargs)
                if duplicate:
                    raise _Unknown(f"{', '.join(sorted(duplicate))} given twice")
                out_kwargs.update(value)
            else:
                if key in out_kwargs:
                    raise _Unknown(f"{key} given twice")
                out_kwargs[key] = value
        return out_args, out_kwargs

    # --- expressions --------------------------------------------------------------------------

    def _local(self, scope: dict, name: str) -> Any:
        if name not in scope:
            raise _Unknown(f"{name} may be unbound")
        return scope[name]

    def _expr(self, expr: tuple, scope: dict, hooks: dict) -> Any:
        kind = expr[0]
        if kind == "const":
            return self.owner.value(expr[1])
        if kind == "local":
            return self._local(scope, expr[1])
        if kind == "self":
            return self._self_attribute(expr[1])
        if kind == "attr":
            base = self._expr(expr[1], scope, hooks)
            return self.owner.value(Ref(f"{base.path}.{expr[2]}")) if isinstance(base, Ref) else Opaque(f"{render(base)}.{expr[2]}")
        if kind == "dict":
            out: dict = {}
            for key, value in expr[1]:
                if key is None:
                    inner = self._expr(value, scope, hooks)
                    if not isinstance(inner, dict):
                        raise _Unknown(f"**{render(inner)[:40]} in a dict")
                    out.update(inner)
                else:
                    k = self._expr(key, scope, hooks)
                    if not _hashable(k):
                        raise _Unknown("a dict key djstate cannot know")
                    out[k] = self._expr(value, scope, hooks)
            return out
        if kind in ("list", "tuple"):
            items = [self._expr(e, scope, hooks) for e in expr[1]]
            return items if kind == "list" else tuple(items)
        if kind == "method":
            return self._method(expr, scope, hooks)
        if kind == "super_deconstruct":
            if "super_deconstruct" not in hooks:
                raise _Unknown("super().deconstruct() outside deconstruct")
            return hooks["super_deconstruct"]()
        if kind == "index":
            container, index = self._expr(expr[1], scope, hooks), self._expr(expr[2], scope, hooks)
            if isinstance(container, (list, tuple)) and isinstance(index, int) and -len(container) <= index < len(container):
                return container[index]
            if isinstance(container, dict) and _hashable(index) and index in container:
                return container[index]
            raise _Unknown(f"{render(container)[:30]}[{render(index)}]")
        if kind == "not":
            truth = _truth(self._expr(expr[1], scope, hooks))
            return Opaque("not ?") if truth is None else not truth
        if kind == "compare":
            return _compare(expr[1], self._expr(expr[2], scope, hooks), self._expr(expr[3], scope, hooks))
        if kind == "bool":
            left = self._expr(expr[2], scope, hooks)
            truth = _truth(left)
            if truth is None:
                return Opaque(f"{render(left)} {expr[1]} ?")
            if (expr[1] == "and") == truth:
                return self._expr(expr[3], scope, hooks)
            return left
        if kind == "isinstance":
            value = self._expr(expr[1], scope, hooks)
            types = [_TYPES.get(name) for name in expr[2]]
            if None in types or isinstance(value, (Ref, Call, Opaque)):
                return Opaque("isinstance(?)")
            return isinstance(value, tuple(types))  # type: ignore[arg-type]
        if kind == "settings":
            name = self._expr(expr[1], scope, hooks)
            return Ref(SETTINGS + name) if isinstance(name, str) and name.isidentifier() else Opaque("settings.?")
        if kind == "settings_ref":
            name = self._expr(expr[2], scope, hooks)
            return Ref(SETTINGS + name) if isinstance(name, str) and name.isidentifier() else Opaque("settings.?")
        if kind == "call":
            args = tuple(self._expr(a, scope, hooks) for a in expr[2])
            kwargs = {k: self._expr(v, scope, hooks) for k, v in expr[3]}
            return self.owner.value(Call(expr[1], args, kwargs))
        if kind == "opaque":
            return Opaque(expr[1])
        raise _Unknown(f"a {kind} expression")

    def _method(self, expr: tuple, scope: dict, hooks: dict) -> Any:
        _, name, method, raw_args, _ = expr
        target = self._local(scope, name)
        args = [self._expr(a, scope, hooks) for a in raw_args]
        if not isinstance(target, dict):
            raise _Unknown(f"{name}.{method}() on {render(target)[:40]}")
        if method in ("pop", "get", "setdefault") and args and not _hashable(args[0]):
            raise _Unknown(f"{name}.{method}() of a key djstate cannot know")
        if method == "pop" and len(args) in (1, 2):
            if args[0] not in target and len(args) == 1:
                raise _Unknown(f"{name}.pop({render(args[0])}) of a missing key")
            return target.pop(args[0], args[1] if len(args) == 2 else None)
        if method == "get" and len(args) in (1, 2):
            return target.get(args[0], args[1] if len(args) == 2 else None)
        if method == "setdefault" and len(args) in (1, 2):
            return target.setdefault(args[0], args[1] if len(args) == 2 else None)
        if method == "update" and len(args) == 1 and isinstance(args[0], dict):
            target.update(args[0])
            return None
        if method == "copy" and not args:
            return dict(target)
        raise _Unknown(f"{name}.{method}() with {len(args)} arguments")

    def _self_attribute(self, name: str) -> Any:
        """``self.name``: set by an __init__, else Field's own attribute, else a class attribute
        along the MRO."""
        if name in self.self_attrs:
            return self.self_attrs[name]
        if name in self.field_attrs:
            return self.field_attrs[name]
        for path in self.mro:
            info = self.owner.info(path)
            if info is None:
                break  # Django's classes: not modelled
            if name in info.field_methods.attributes:
                return self.owner.value(info.field_methods.attributes[name])
            if any(m.split(":")[0] == name for m in info.methods):
                break  # a method or property
        return Opaque(f"self.{name}")


def _bound(terminal: str, args: list, kwargs: dict) -> dict[str, Any]:
    """The attributes Field.__init__ stores, as far as djstate knows them (after the terminal's
    own defaults are applied by ``fields``)."""
    name = fields.django_field_name(terminal)
    attrs: dict[str, Any] = {k: v for k, v in fields.BASE_DEFAULTS.items()}
    if name is None:
        return {} if args else {**attrs, **kwargs}
    chain = fields.mro(name)
    params = next((fields.DJANGO_FIELDS[c].params for c in chain if fields.DJANGO_FIELDS[c].params is not None), ())
    attrs.update(zip(params, args))
    attrs.update(kwargs)
    for cls in chain:
        spec = fields.DJANGO_FIELDS[cls]
        for key, value in spec.setdefault.items():
            attrs.setdefault(key, value)
        attrs.update(spec.force)
    return attrs


def _described(path: str) -> bool:
    """A field class whose deconstruct djstate describes (Django's own, or a package's in
    thirdparty.json), so its source need not be replayed."""
    return (fields.django_field_name(path) is not None or third_party_field(path) is not None) and fields.deconstruct(
        path, (), {}).known


def _inert_mixin(path: str) -> bool:
    """Django's own non-field mixins (FieldCacheMixin, CheckFieldDefaultMixin) define neither
    __init__ nor deconstruct."""
    return path.startswith("django.") and path not in fields.shipped_fields() and "Mixin" in path.rsplit(".", 1)[-1]


def _c3(sequences: list[list[str]]) -> list[str] | None:
    sequences = [list(s) for s in sequences if s]
    out: list[str] = []
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head in s[1:] for s in sequences):
                break
        else:
            return None  # no consistent order: Python raises TypeError
        out.append(head)
        sequences = [[x for x in s if x != head] or [] for s in sequences]
        sequences = [s for s in sequences if s]
    return out


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return not isinstance(value, Opaque)


def _truth(value: Any) -> bool | None:
    if isinstance(value, Opaque) or not is_known(value):
        return None
    if isinstance(value, Call):
        return True  # an instance
    if isinstance(value, Ref):  # a class or function is true; a constant outside the tree is unknown
        name = value.path.rsplit(".", 1)[-1]
        return True if name[:1].isupper() and not name.isupper() and not value.path.startswith(SETTINGS) else None
    try:
        return bool(value)
    except Exception:  # noqa: BLE001 - a value without a truth value
        return None


def _compare(op: str, left: Any, right: Any) -> Any:
    if op in ("in", "not in"):
        if isinstance(right, (dict, list, tuple)) and _hashable(left) and is_known(right):
            found = left in right
            return found if op == "in" else not found
        return Opaque(f"? {op} ?")
    if not (is_known(left) and is_known(right)) or any(
        isinstance(v, Ref) and v.path.startswith(SETTINGS) for v in (left, right)
    ):
        return Opaque(f"? {op} ?")
    if op in ("is", "is not"):
        if not all(v is None or isinstance(v, bool) for v in (left, right)) and not (left is None or right is None):
            return Opaque(f"? {op} ?")
        same = left is right if not isinstance(left, (Ref, Call)) else False
        return same if op == "is" else not same
    if isinstance(left, (Ref, Call)) or isinstance(right, (Ref, Call)):
        if render(left) != render(right):
            return Opaque(f"? {op} ?")  # a name outside the tree may equal a literal
        same = True
    else:
        same = left == right
    return same if op == "==" else not same
