"""Resolving names across the project's own modules, statically.

A migration may say ``related_name=wagtail.models.COMMENTS_RELATION_NAME`` or
``SET(wagtail.models.get_default_page_content_type)``. Django evaluates these; djstate
follows the in-tree modules' imports and constants to the same answer: a literal, or the
path of the module that defines the function or class (which is what Django serialises).
Names that lead outside the tree through a star import, or into runtime calls, stay
:class:`Opaque`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from djstate.facts.model import ModuleFacts
from djstate.facts.operations import operation_kind
from djstate.facts.values import SPLICE, Call, Opaque, Ref, render
from djstate.state.paths import canonical_path
from djstate.state.sequences import fold

# Calls of lower-case names are function calls evaluated at import time, so their value is
# unknown; these are the exceptions whose call *is* the value Django serialises.
VALUE_CONSTRUCTORS = ("datetime.", "decimal.Decimal", "uuid.UUID", "builtins.", "operator.")
MAX_DEPTH = 12
# attributes of an in-tree class that stand for the class itself (managers, choices enums)
CLASS_REFERENCES = {"as_manager", "from_queryset", "choices"}
STATE_FREE_PATH = "django.db.migrations.operations.special.RunPython"
IMPORT_STRING = "django.utils.module_loading.import_string"
SETTINGS = "django.conf.settings."
_DOTTED = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+")


class Resolver:
    def __init__(
        self, modules: dict[str, str], load: Callable[[str, str], ModuleFacts | None], run_from: tuple[str, ...] = (),
        settings: dict[str, str | None] | None = None,
    ) -> None:  # fmt: skip
        self.modules = modules  # dotted module -> file path in the tree
        # the settings module's string constants (None: set to something djstate cannot read)
        self.settings = settings or {}
        # the packages manage.py files lie in, whose folder Django puts first on sys.path
        # (label_studio/manage.py: `tasks.models` is the tree's label_studio.tasks.models)
        self.run_from = run_from
        self.load = load
        self.settings_choices: list[str] = []  # swappable models taken as their default
        self._cache: dict[str, Any] = {}

    def _module_prefix(self, path: str) -> tuple[str, list[str]] | None:
        parts = path.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:cut])
            if module in self.modules:
                return module, parts[cut:]
        return None

    def resolve_path(self, path: str, depth: int = 0) -> Any:
        """A dotted name as a value: a constant, or a Ref to where it is defined."""
        if path in self._cache:
            return self._cache[path]
        result = self._resolve(path, depth)
        self._cache[path] = result
        return result

    def _resolve(self, path: str, depth: int) -> Any:
        if depth > MAX_DEPTH:
            return Opaque(path)
        found = None if path.startswith("django.") else self._module_prefix(path)
        outside = found is None or self.modules[found[0]].startswith("/")  # not found, or found in site-packages
        if outside and self.run_from and not path.startswith(("django.", "builtins.")):
            # manage.py's folder comes before site-packages on sys.path; with several manage.py
            # (project templates), only a name exactly one of them holds is taken as its own
            aliases = [f"{package}.{path}" for package in self.run_from if not path.startswith(package + ".")
                       and (inner := self._module_prefix(f"{package}.{path}")) is not None
                       and inner[0].startswith(package + ".")]  # a module below it, not the package or a parent
            if len(aliases) == 1:
                return self.resolve_path(aliases[0], depth + 1)
        if found is None:  # outside the tree, or Django (whose paths the canonical table knows)
            return Ref(canonical_path(path))
        module, rest = found
        facts = self.load(self.modules[module], module)
        if facts is None:
            return Opaque(path)
        head, tail = rest[0], rest[1:]
        if head in facts.constants:
            value = facts.constants[head]
            if tail:
                return Opaque(path)  # attribute of a constant (an enum member, ...)
            return self.value(value, depth + 1)
        if head in facts.names:
            return self.resolve_path(".".join([facts.names[head], *tail]), depth + 1)
        if head in facts.defined:
            nested = tail and tail[0][:1].isupper() and not tail[0].isupper()  # Book.Format
            if tail and tail[-1] not in CLASS_REFERENCES and not (nested and len(tail) == 1):
                return Opaque(path)  # class attributes need the class body
            return Ref(path)
        for star in facts.star_imports:
            if self._module_prefix(star + ".x") is None and star not in self.modules:
                return Opaque(path)  # a star import from outside the tree may define it
            candidate = self.resolve_path(".".join([star, *rest]), depth + 1)
            if not isinstance(candidate, Opaque):
                return candidate
        return Opaque(path)

    def value(self, value: Any, depth: int = 0) -> Any:
        """Resolve every in-tree name inside a value; unknown calls become Opaque."""
        if isinstance(value, Ref):
            return self.resolve_path(value.path, depth)
        if isinstance(value, Call) and value.path == SPLICE:
            return fold(value, lambda part: self.value(part, depth))
        if isinstance(value, Call):
            func = self.resolve_path(value.path, depth)
            if not isinstance(func, Ref):
                return Opaque(render(value))
            if not value.kwargs and len(value.args) == 1 and self._imports_argument(func.path, depth):
                dotted = self._dotted_argument(value.args[0], depth)
                return self.resolve_path(dotted, depth + 1) if dotted else Opaque(render(value))
            args = tuple(self.value(a, depth) for a in value.args)
            kwargs = {k: self.value(v, depth) for k, v in value.kwargs.items()}
            path = func.path
            if path == "operator.add" and len(args) == 2 and not isinstance(value.args[0], Call):
                return _concatenated(args, value)
            if path == "swapper.get_model_name" and len(args) == 2 and all(isinstance(a, str) for a in args):
                self.settings_choices.append(f"{args[0]}.{args[1]}")  # settings may swap it; else the default
                return f"{args[0]}.{args[1]}"
            name = path.rsplit(".", 1)[-1]
            if name.lstrip("_")[:1].islower() and not path.startswith(VALUE_CONSTRUCTORS) and name not in CLASS_REFERENCES:
                return Opaque(render(Call(path, args, kwargs)))
            return Call(path, args, kwargs)
        if isinstance(value, list):
            return [self.value(v, depth) for v in value]
        if isinstance(value, tuple):
            return tuple(self.value(v, depth) for v in value)
        if isinstance(value, dict):
            return {self.value(k, depth): self.value(v, depth) for k, v in value.items()}
        if isinstance(value, frozenset):
            return frozenset(self.value(v, depth) for v in value)
        return value

    def _imports_argument(self, path: str, depth: int) -> bool:
        """Whether the function at ``path`` returns the object its one argument names as a dotted
        path: Django's ``import_string``, or a function of the tree whose returns pass its
        parameter only to such functions (djstate.parse.importers)."""
        if path == IMPORT_STRING:
            return True
        found = self._module_prefix(path)
        if found is None or len(found[1]) != 1 or depth > MAX_DEPTH:
            return False
        facts = self.load(self.modules[found[0]], found[0])
        callees = facts.importers.get(found[1][0]) if facts is not None else None
        if not callees:
            return False
        return all(
            isinstance(callee := self.resolve_path(c, depth + 1), Ref) and callee.path != path
            and self._imports_argument(callee.path, depth + 1)
            for c in callees
        )  # fmt: skip

    def _dotted_argument(self, arg: Any, depth: int) -> str | None:
        """The dotted path an import call is given: a string, or a setting of the settings module
        (``settings.PROJECT_MIXIN``) set to one."""
        if isinstance(arg, Ref) and arg.path.startswith(SETTINGS):
            value = self.settings.get(arg.path[len(SETTINGS):])
        else:
            value = self.value(arg, depth + 1)
        return value if isinstance(value, str) and _DOTTED.fullmatch(value) else None

    def operation_class(self, path: str, depth: int = 0) -> tuple[str, bool] | None:
        """For a custom operation class in the tree: the Django operation it inherits its
        state behaviour from, and whether it keeps Django's ``__init__`` (argument order).
        None when it overrides ``state_forwards`` or leads outside Django and the tree."""
        resolved = self.resolve_path(path)
        if not isinstance(resolved, Ref) or depth > MAX_DEPTH:
            return None
        path = resolved.path
        if operation_kind(path)[0]:
            return path, True
        found = self._module_prefix(path)
        if found is None or len(found[1]) != 1:
            return None
        facts = self.load(self.modules[found[0]], found[0])
        if facts is None or found[1][0] not in facts.classes:
            return None
        bases, methods = facts.classes[found[1][0]]
        if "state_forwards:noop" in methods:
            return STATE_FREE_PATH, True  # declares that it leaves the state alone
        if "state_forwards" in methods or len(bases) != 1:
            return None
        inherited = self.operation_class(bases[0], depth + 1)
        if inherited is None:
            return None
        return inherited[0], inherited[1] and "__init__" not in methods and "__init__:noop" not in methods


def _concatenated(args: tuple, call: Call) -> Any:
    """``a + b`` of two resolved sequences or strings; anything else stays unknown."""
    left, right = args
    for kind in (list, tuple, str):
        if isinstance(left, kind) and isinstance(right, kind):
            return left + right
    return Opaque(" + ".join(render(a) for a in call.args))  # an expression, not a call
