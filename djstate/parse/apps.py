"""Facts of ``apps.py``: statically declared AppConfig subclasses."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.model import AppConfigFacts
from djstate.parse.expressions import ExpressionReader, Scope, _span


def extract_app_configs(module: cst.Module, scope: Scope, positions: Any) -> list[AppConfigFacts]:
    reader = ExpressionReader(scope)
    configs = []
    own: dict[str, dict[str, Any]] = {}  # configs of this module: a subclass inherits their attributes
    for stmt in module.body:
        if not isinstance(stmt, cst.ClassDef) or not stmt.bases:
            continue
        base_paths = [reader.path_of(base.value) or "" for base in stmt.bases]
        if not any(path.endswith("AppConfig") or path.endswith("Config") for path in base_paths):
            continue
        attrs: dict[str, Any] = {}
        for item in stmt.body.body:
            if isinstance(item, cst.SimpleStatementLine):
                for small in item.body:
                    if isinstance(small, cst.Assign) and len(small.targets) == 1:
                        target = small.targets[0].target
                        if isinstance(target, cst.Name):
                            attrs[target.value] = reader.read(small.value)
                    elif isinstance(small, cst.AnnAssign) and small.value is not None:
                        if isinstance(small.target, cst.Name):
                            attrs[small.target.value] = reader.read(small.value)
        default = attrs.get("default")  # not inherited: AppConfig.default is per class
        for path in base_paths:  # class AdminConfig(SimpleAdminConfig): default_auto_field from the base
            parent = own.get(path.rsplit(".", 1)[-1]) if path.rsplit(".", 1)[0] in (scope.module, "") else None
            for key, value in (parent or {}).items():
                attrs.setdefault(key, value)
        own[stmt.name.value] = {k: v for k, v in attrs.items() if k != "default"}
        name = attrs.get("name")
        label = attrs.get("label")
        configs.append(
            AppConfigFacts(
                class_name=stmt.name.value,
                name=name if isinstance(name, str) else None,
                label=label if isinstance(label, str) else None,
                default_auto_field=attrs.get("default_auto_field"),
                default=default if isinstance(default, bool) else None,
                span=_span(positions, stmt),
            )
        )
    return configs
