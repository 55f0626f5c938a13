"""libcst expressions to plain values (:mod:`djstate.facts.values`), resolving names through imports.

Nothing here evaluates code: literals are decoded by hand, names are looked up in the
module's own imports and constants, and everything else stays :class:`Opaque`.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from typing import Any

import libcst as cst

from djstate.facts.model import Import, Span
from djstate.facts.values import SPLICE, Call, Opaque, Ref, is_known

# Translation helpers: Django serialises the lazy string as its text.
_GETTEXT = {
    "django.utils.translation.gettext_lazy",
    "django.utils.translation.gettext",
    "django.utils.translation.ugettext_lazy",
    "django.utils.translation.ugettext",
    "django.utils.translation.gettext_noop",
    "django.utils.translation.ugettext_noop",
}
_PGETTEXT = {"django.utils.translation.pgettext_lazy", "django.utils.translation.pgettext"}

_BINARY_OPS = {
    cst.Add: operator.add,
    cst.Subtract: operator.sub,
    cst.Multiply: operator.mul,
    cst.Divide: operator.truediv,
    cst.FloorDivide: operator.floordiv,
    cst.Modulo: operator.mod,
    cst.Power: operator.pow,
    cst.BitOr: operator.or_,
    cst.BitAnd: operator.and_,
    cst.LeftShift: operator.lshift,
}
_LITERAL = (bool, int, float, complex, str, bytes, type(None))

_EMPTY_MODULE = cst.Module([])


def source_of(node: cst.CSTNode) -> str:
    """The source text of a node, whitespace-collapsed so equal code renders equally."""
    return " ".join(_EMPTY_MODULE.code_for_node(node).split())


class Scope:
    """Module-level names: imports, constants, and the functions and classes defined there."""

    def __init__(self, module: str, is_package: bool = False) -> None:
        self.module = module
        self.is_package = is_package
        self.names: dict[str, str] = {}
        self.constants: dict[str, Any] = {}
        self.defined: set[str] = set()
        self.classes: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}  # bases, methods
        self.imports: list[Import] = []

    def absolute(self, level: int, module: str | None) -> str:
        """Resolve a relative import against this module's package."""
        if not level:
            return module or ""
        parts = self.module.split(".") if self.module else []
        if not self.is_package:
            parts = parts[:-1]
        if level > 1:
            parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
        if module:
            parts.append(module)
        return ".".join(p for p in parts if p)

    def collect(self, module: cst.Module, positions: Any) -> None:
        """Record imports and constants of the module body (top level, and in try/if blocks)."""
        reader = ExpressionReader(self)
        fallbacks = _import_fallbacks(module.body)
        for stmt, conditional in _flatten(module.body):
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    span = _span(positions, stmt)
                    if isinstance(small, cst.Import):
                        for alias in small.names:
                            dotted = _dotted(alias.name)
                            if alias.asname:
                                self.names[alias.asname.name.value] = dotted
                            else:
                                top = dotted.split(".")[0]
                                self.names[top] = top
                            self.imports.append(Import(dotted, (), span))
                    elif isinstance(small, cst.ImportFrom):
                        base = self.absolute(len(small.relative), _dotted(small.module) if small.module else None)
                        if isinstance(small.names, cst.ImportStar):
                            self.imports.append(Import(base, ("*",), span))
                            continue
                        names = []
                        for alias in small.names:
                            name = _dotted(alias.name)
                            local = alias.asname.name.value if alias.asname else name
                            self.names[local] = f"{base}.{name}" if base else name
                            names.append(name)
                        self.imports.append(Import(base, tuple(names), span))
                    elif isinstance(small, (cst.Assign, cst.AnnAssign)):
                        targets = (
                            [t.target for t in small.targets] if isinstance(small, cst.Assign) else [small.target]
                        )
                        if small.value is None:
                            continue
                        value = reader.read(small.value)
                        for target in targets:
                            if isinstance(target, cst.Name) and id(stmt) in fallbacks and target.value in self.names:
                                continue  # `except ImportError: X = object`: the import is what runs where X is used
                            if isinstance(target, cst.Name):
                                # a value chosen by an `if` at import time is not knowable
                                self.constants[target.value] = Opaque(target.value) if conditional else value
                                self.names.pop(target.value, None)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self.defined.add(stmt.name.value)
                self.constants.pop(stmt.name.value, None)
                if isinstance(stmt, cst.ClassDef):
                    bases = tuple(reader.path_of(b.value) or "" for b in stmt.bases)
                    methods = tuple(_method_name(i) for i in stmt.body.body if isinstance(i, cst.FunctionDef))
                    self.classes[stmt.name.value] = (bases, methods)


def _method_name(func: cst.FunctionDef) -> str:
    """A method's name, with ``:noop`` when its body does nothing (docstring, pass, return)."""
    body = func.body.body if isinstance(func.body, cst.IndentedBlock) else [func.body]
    simple = all(
        isinstance(stmt, cst.SimpleStatementLine)
        and all(
            isinstance(small, (cst.Pass, cst.Return))
            and (not isinstance(small, cst.Return) or small.value is None)
            or isinstance(small, cst.Expr) and isinstance(small.value, (cst.SimpleString, cst.ConcatenatedString))
            for small in stmt.body
        )
        for stmt in body
    )
    return func.name.value + (":noop" if simple else "")


def _import_fallbacks(body: Any) -> set[int]:
    """Statements of ``except ImportError`` (or ModuleNotFoundError) handlers: the stand-ins a
    module binds when an optional package is missing (i18nfield's ``ModelSerializer = object``)."""
    out: set[int] = set()
    for stmt in body:
        if isinstance(stmt, cst.Try):
            out |= _import_fallbacks(stmt.body.body)
            for handler in stmt.handlers:
                names = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
                caught = {_dotted(n.value if isinstance(n, cst.Element) else n) for n in names if n is not None}
                if caught and caught <= {"ImportError", "ModuleNotFoundError"}:
                    out |= {id(s) for s in handler.body.body}
        elif isinstance(stmt, cst.If):
            out |= _import_fallbacks(stmt.body.body)
    return out


def _flatten(body: Any, conditional: bool = False) -> list[tuple[Any, bool]]:
    """Top-level statements with whether an ``if`` guards them; try blocks are looked into
    (import fallbacks), ``if`` blocks too but their assignments are marked conditional."""
    out: list[tuple[Any, bool]] = []
    for stmt in body:
        if isinstance(stmt, cst.Try):
            out += _flatten(stmt.body.body, conditional)
            for handler in stmt.handlers:
                out += _flatten(handler.body.body, conditional)
        elif isinstance(stmt, cst.If) and not isinstance(stmt.orelse, cst.If) and type_checking(stmt.test) is not None:
            # TYPE_CHECKING is False whenever the code runs: the branch that runs comes last, unguarded
            typing_only, runtime = (stmt, stmt.orelse) if type_checking(stmt.test) else (stmt.orelse, stmt)
            out += _flatten(typing_only.body.body, True) if typing_only is not None else []
            out += _flatten(runtime.body.body, conditional) if runtime is not None else []
        elif isinstance(stmt, cst.If):
            out += _flatten(stmt.body.body, True)
            if stmt.orelse is not None:
                out += _flatten(stmt.orelse.body.body if isinstance(stmt.orelse, cst.Else) else [stmt.orelse], True)
        else:
            out.append((stmt, conditional))
    return out


def type_checking(test: cst.BaseExpression) -> bool | None:
    """True for ``TYPE_CHECKING`` (or ``typing.TYPE_CHECKING``), False for ``not TYPE_CHECKING``,
    None for any other test. TYPE_CHECKING is False whenever the code runs."""
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        inner = type_checking(test.expression)
        return None if inner is None else not inner
    if isinstance(test, cst.Name) and test.value == "TYPE_CHECKING" or (
            isinstance(test, cst.Attribute) and test.attr.value == "TYPE_CHECKING" and isinstance(test.value, cst.Name)):  # fmt: skip
        return True
    return None


def runtime_statements(body: Any) -> list[Any]:
    """A class body's statements as they run: an ``if TYPE_CHECKING:`` block is left out (its
    ``else:`` block, if any, taken in its place)."""
    out: list[Any] = []
    for stmt in body:
        if isinstance(stmt, cst.If) and not isinstance(stmt.orelse, cst.If) and type_checking(stmt.test) is not None:
            runtime = stmt.orelse if type_checking(stmt.test) else stmt
            out += runtime_statements(runtime.body.body) if runtime is not None else []
        else:
            out.append(stmt)
    return out


def _span(positions: Any, node: cst.CSTNode) -> Span:
    if positions is None:
        return Span()
    try:
        pos = positions[node].start
    except KeyError:
        return Span()
    return Span(pos.line, pos.column + 1)


def _dotted(node: cst.BaseExpression) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


class ExpressionReader:
    """Turns expressions into values within one module's :class:`Scope`."""

    def __init__(self, scope: Scope) -> None:
        self.scope = scope

    def resolve_name(self, name: str) -> Any:
        if name in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[name]
        if name in self.scope.constants:
            return self.scope.constants[name]
        if name in self.scope.names:
            return Ref(self.scope.names[name])
        if name in self.scope.defined:
            return Ref(f"{self.scope.module}.{name}" if self.scope.module else name)
        if name in _BUILTINS:
            return Ref(f"builtins.{name}")
        if self.scope.module and any(i.names == ("*",) for i in self.scope.imports):
            return Ref(f"{self.scope.module}.{name}")  # maybe from a star import: the resolver follows it
        return Opaque(name)

    def path_of(self, node: cst.BaseExpression) -> str | None:
        """The dotted path a name or attribute chain resolves to, if any."""
        value = self.read(node)
        return value.path if isinstance(value, Ref) else None

    def read(self, node: cst.BaseExpression) -> Any:
        try:
            return self._read(node)
        except (ValueError, TypeError, ArithmeticError, OverflowError, RecursionError):
            return Opaque(source_of(node))

    def _read(self, node: cst.BaseExpression) -> Any:
        if isinstance(node, cst.Integer):
            return int(node.value.replace("_", ""), 0) if not _LEADING_ZERO.match(node.value) else 0
        if isinstance(node, cst.Float):
            return float(node.value.replace("_", ""))
        if isinstance(node, cst.Imaginary):
            return complex(node.value.replace("_", ""))
        if isinstance(node, cst.FormattedString) and any(
            isinstance(part, cst.FormattedStringExpression) for part in node.parts
        ):
            return self._fstring(node)
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString)):
            return _string(node)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        if isinstance(node, cst.Name):
            return self.resolve_name(node.value)
        if isinstance(node, cst.Attribute):
            base = self._read(node.value)
            if isinstance(base, Ref):
                return Ref(f"{base.path}.{node.attr.value}")
            return Opaque(source_of(node))
        if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
            items: list = []
            parts: list = []  # segments and starred names, when a starred part is a name
            for element in node.elements:
                if isinstance(element, cst.StarredElement):
                    inner = self._read(element.value)
                    if isinstance(inner, (list, tuple)):
                        items.extend(inner)
                    elif isinstance(inner, (Ref, Call)) and is_known(inner) and not isinstance(node, cst.Set):
                        parts += [items, inner]  # `[*Base.Meta.indexes, X]`: added up once resolved
                        items = []
                    else:
                        return Opaque(source_of(node))
                else:
                    items.append(self._read(element.value))
            if parts:
                kind = "list" if isinstance(node, cst.List) else "tuple"
                return Call(SPLICE, tuple(p for p in [*parts, items] if p != []), {"kind": kind})
            if isinstance(node, cst.List):
                return items
            if isinstance(node, cst.Tuple):
                return tuple(items)
            return _frozenset(items, node)
        if isinstance(node, cst.Dict):
            out = {}
            for element in node.elements:
                if isinstance(element, cst.StarredDictElement):
                    inner = self._read(element.value)
                    if not isinstance(inner, dict):
                        return Opaque(source_of(node))
                    out.update(inner)
                else:
                    key = self._read(element.key)
                    if not _hashable(key):
                        return Opaque(source_of(node))
                    out[key] = self._read(element.value)
            return out
        if isinstance(node, cst.Call):
            return self._call(node)
        if isinstance(node, cst.UnaryOperation):
            value = self._read(node.expression)
            if isinstance(node.operator, cst.BitInvert) and isinstance(value, Call) and is_known(value):
                return Call("operator.invert", (value,), {})  # ~Q(...)
            if not isinstance(value, _LITERAL):
                return Opaque(source_of(node))
            if isinstance(node.operator, cst.Minus):
                return -value
            if isinstance(node.operator, cst.Plus):
                return +value
            if isinstance(node.operator, cst.Not):
                return not value
            if isinstance(node.operator, cst.BitInvert):
                return ~value
        if isinstance(node, cst.BinaryOperation):
            left, right = self._read(node.left), self._read(node.right)
            func = _BINARY_OPS.get(type(node.operator))
            plain = (int, float, str, bytes, list, tuple)
            if func and isinstance(left, plain) and isinstance(right, plain):
                if isinstance(node.operator, cst.Modulo) and isinstance(left, (str, bytes)):
                    return Opaque(source_of(node))  # %-formatting is runtime behaviour
                if isinstance(node.operator, cst.Power) and isinstance(right, int) and abs(right) > 64:
                    return Opaque(source_of(node))
                return func(left, right)
            if func is operator.add and (isinstance(left, Ref) or isinstance(right, Ref)) and is_known(left) and is_known(right):
                # `Parent.Meta.fields + ("extra",)`, `BASE_FIELDS + [...]` of an imported name:
                # the state layer adds the sequences once the names are resolved
                return Call("operator.add", (left, right), {})
            if func and (isinstance(left, Call) or isinstance(right, Call)) and is_known(left) and is_known(right):
                # Q(...) | Q(...), F("a") * 2: kept symbolically; the state layer folds what
                # Django's operators build and leaves the rest unverified
                return Call(f"operator.{func.__name__}", (left, right), {})
            return Opaque(source_of(node))
        return Opaque(source_of(node))

    def _fstring(self, node: cst.FormattedString) -> Any:
        """An f-string whose expressions are plain constants (``f"{NETWORK}_url"``)."""
        if "b" in node.prefix.lower():
            return Opaque(source_of(node))
        out = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                text = decode_string_body(part.value.replace("{{", "{").replace("}}", "}"), node.prefix)
                out.append(text)
                continue
            value = self._read(part.expression)
            if part.conversion or part.format_spec or not isinstance(value, (str, int)) or isinstance(value, bool):
                return Opaque(source_of(node))
            out.append(str(value))
        return "".join(out)

    def _subscript(self, node: cst.Subscript) -> Any:
        """``CHOICES[0][0]`` on a constant list, tuple or dict with a literal index."""
        value = self._read(node.value)
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return Opaque(source_of(node))
        index = self._read(node.slice[0].slice.value)
        if isinstance(value, (list, tuple)) and isinstance(index, int) and not isinstance(index, bool):
            return value[index] if -len(value) <= index < len(value) else Opaque(source_of(node))
        if isinstance(value, dict) and isinstance(index, (str, int)) and index in value:
            return value[index]
        return Opaque(source_of(node))

    def _call(self, node: cst.Call) -> Any:
        callee = node.func
        generic = self._read(callee.value) if isinstance(callee, cst.Subscript) else None
        if isinstance(generic, Ref) and _CLASS_NAME.match(generic.path.rsplit(".", 1)[-1]):
            func = generic  # `ForeignKey["User"](...)`: a class's generic alias, called, builds the class's instance
        else:  # (`FIELDS["char"](...)` of an imported constant is an item lookup, left unknown)
            func = self._read(callee)
        if isinstance(func, Call) and func.path.endswith(".from_queryset") and not node.args:
            return func  # Manager.from_queryset(QS)(): the call instantiates that manager class
        if not isinstance(func, Ref):
            return Opaque(source_of(node))
        args: list = []
        kwargs: dict = {}
        for arg in node.args:
            if arg.star == "*":
                inner = self._read(arg.value)
                if not isinstance(inner, (list, tuple)):
                    return Opaque(source_of(node))
                args.extend(inner)
            elif arg.star == "**":
                inner = self._read(arg.value)
                if not isinstance(inner, dict) or not all(isinstance(k, str) for k in inner):
                    return Opaque(source_of(node))
                kwargs.update(inner)
            elif arg.keyword is not None:
                kwargs[arg.keyword.value] = self._read(arg.value)
            else:
                args.append(self._read(arg.value))
        path = func.path
        if path in _GETTEXT or path in _PGETTEXT:  # their parameters may be named: _(message="User")
            named = ("message",) if path in _GETTEXT else ("context", "message")
            if set(kwargs) <= set(named[len(args) :]):
                args = [*args, *(kwargs.pop(name) for name in named[len(args) :] if name in kwargs)]
        if path in _GETTEXT and len(args) == 1 and isinstance(args[0], str) and not kwargs:
            return args[0]
        if path in _PGETTEXT and len(args) == 2 and isinstance(args[1], str) and not kwargs:
            return args[1]
        if path.startswith("builtins.") and not kwargs:
            builtin = path[len("builtins.") :]
            if builtin in ("set", "frozenset", "list", "tuple") and len(args) <= 1:
                items = args[0] if args else []
                if isinstance(items, (list, tuple, frozenset)):
                    if builtin == "list":
                        return list(items)
                    if builtin == "tuple":
                        return tuple(items)
                    return _frozenset(list(items), node)
        if path == "builtins.dict" and not args:
            return dict(kwargs)
        return Call(path, tuple(args), kwargs)


_BUILTINS = {"set", "frozenset", "list", "tuple", "dict", "str", "int", "float", "bool", "bytes", "range", "len",
             "object"}  # `class Mixin(object)`: a plain class, as `class Mixin:` is
_LEADING_ZERO = re.compile(r"^0+$")
_CLASS_NAME = re.compile(r"^_*[A-Z]\w*[a-z]\w*$")  # CapWords: a class by convention, not a CONSTANT


def _hashable(value: Any) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _frozenset(items: list, node: cst.CSTNode) -> Any:
    if not all(_hashable(v) for v in items):
        return Opaque(source_of(node))
    return frozenset(items)


# --- string literals, decoded by hand (no literal_eval) -------------------------------------

_ESCAPE = re.compile(
    r"\\(N\{[^}]+\}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{1,3}|\n|.)", re.DOTALL
)
_SIMPLE_ESCAPES = {
    "\n": "",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


def string_literal(node: cst.BaseExpression) -> str | None:
    """The text of a plain string literal (concatenations included), else None."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def _string(node: cst.BaseExpression) -> Any:
    if isinstance(node, cst.ConcatenatedString):
        left, right = _string(node.left), _string(node.right)
        if isinstance(left, Opaque) or isinstance(right, Opaque) or type(left) is not type(right):
            return Opaque(source_of(node))
        return left + right
    if isinstance(node, cst.FormattedString):
        if any(isinstance(part, cst.FormattedStringExpression) for part in node.parts):
            return Opaque(source_of(node))
        text = "".join(part.value for part in node.parts)  # type: ignore[union-attr]
        return decode_string_body(text.replace("{{", "{").replace("}}", "}"), node.prefix)
    assert isinstance(node, cst.SimpleString)
    value = node.value
    prefix_len = len(node.prefix)
    quote = node.quote
    body = value[prefix_len + len(quote) : -len(quote)]
    return decode_string_body(body, node.prefix)


def decode_string_body(body: str, prefix: str) -> Any:
    """Decode the text between the quotes of a string literal, honouring its prefix."""
    prefix = prefix.lower()
    is_bytes = "b" in prefix
    if "r" in prefix:
        text = body
    else:

        def escape(match: re.Match) -> str:
            seq = match.group(1)
            head = seq[0]
            if seq in _SIMPLE_ESCAPES:
                return _SIMPLE_ESCAPES[seq]
            if head == "N" and not is_bytes:
                return unicodedata.lookup(seq[2:-1])
            if head in "uU" and not is_bytes:
                return chr(int(seq[1:], 16))
            if head == "x":
                return chr(int(seq[1:], 16))
            if head in "01234567":
                return chr(int(seq, 8))
            return "\\" + seq

        text = _ESCAPE.sub(escape, body)
    if is_bytes:
        return text.encode("latin-1")
    return text


class LocalNamesReader(ExpressionReader):
    """An expression reader where names bound in a block (earlier class attributes, a method's
    own bindings) shadow the module's: ``local`` maps each to its value (Opaque when unknown)."""

    def __init__(self, outer: ExpressionReader, local: dict[str, Any]) -> None:
        super().__init__(outer.scope)
        self.local = local

    def resolve_name(self, name: str) -> Any:
        if name in self.local:
            return self.local[name]
        return super().resolve_name(name)
