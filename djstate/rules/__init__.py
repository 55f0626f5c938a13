"""The rule registry, built by walking this package: one module per rule, no global mutation."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import lru_cache

from djstate.rules.base import DOC_SECTIONS, Rule


class RegistryError(Exception):
    pass


@lru_cache(maxsize=1)
def rule_classes() -> tuple[type[Rule], ...]:
    found: dict[str, type[Rule]] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not info.name.startswith("djs"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for obj in vars(module).values():
            if inspect.isclass(obj) and issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__:
                if obj.code in found:
                    raise RegistryError(f"duplicate rule code {obj.code}: {found[obj.code].__name__} and {obj.__name__}")
                doc = inspect.getdoc(obj) or ""
                missing = [s for s in DOC_SECTIONS if f"## {s}" not in doc]
                if missing:
                    raise RegistryError(f"{obj.code} docstring lacks sections: {', '.join(missing)}")
                found[obj.code] = obj
    return tuple(found[code] for code in sorted(found))


def all_rules() -> list[Rule]:
    return [cls() for cls in rule_classes()]


def rule_by_code(code: str) -> type[Rule] | None:
    return next((cls for cls in rule_classes() if cls.code == code.upper()), None)
