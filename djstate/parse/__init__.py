"""The parsing layer: the only package that imports libcst.

:func:`parse_file` turns one file's bytes into :class:`~djstate.facts.model.FileFacts`,
plain data that depends on nothing but those bytes.
"""

from __future__ import annotations

from libcst.metadata import MetadataWrapper, PositionProvider

from djstate.facts.model import FileFacts, ModuleFacts
from djstate.parse.apps import extract_app_configs
from djstate.parse.classes import extract_classes
from djstate.parse.class_decorators import extract_class_decorators
from djstate.parse.expressions import Scope
from djstate.parse.field_methods import extract_field_methods
from djstate.parse.importers import extract_importers
from djstate.parse.migrations import extract_migration
from djstate.parse.operation_functions import extract_operation_functions
from djstate.parse.queries import extract_queries
from djstate.parse.settings import extract_settings
from djstate.parse.source import decode, parse

# What a file is read for; decided by discovery from its place in the tree.
KINDS = ("migration", "apps", "settings", "module", "models", "queries")


def parse_file(path: str, module: str, data: bytes, kind: str) -> FileFacts:
    facts = FileFacts(path=path, module=module)
    text, problem = decode(data)
    if problem is None:
        tree, problem = parse(text or "")
    if problem is not None:
        facts.problem = problem
        return facts
    # positions cost a full code generation pass: only findings' files need them
    wrapper = MetadataWrapper(tree, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider) if kind in ("migration", "apps", "models", "queries") else None
    scope = Scope(module, is_package=path.endswith("__init__.py"))
    scope.collect(wrapper.module, positions)
    if kind == "migration":
        facts.migration = extract_migration(wrapper.module, scope, positions, module.rsplit(".", 1)[-1])
    elif kind == "apps":
        facts.app_configs = extract_app_configs(wrapper.module, scope, positions)
    elif kind == "settings":
        facts.settings = extract_settings(scope)
    elif kind in ("module", "models", "queries"):
        facts.module_facts = ModuleFacts(
            names=dict(scope.names),
            constants=dict(scope.constants),
            defined=set(scope.defined),
            star_imports=[i.module for i in scope.imports if i.names == ("*",)],
            classes=dict(scope.classes),
            class_bodies=extract_classes(wrapper.module, scope, positions) if kind == "models" else {},
            field_methods=extract_field_methods(wrapper.module, scope),
            class_decorators=extract_class_decorators(wrapper.module),
            operation_functions=extract_operation_functions(wrapper.module, scope),
            importers=extract_importers(wrapper.module, scope),
        )
        if kind == "queries":  # every module of the tree, for DJS5xx
            facts.queries = extract_queries(wrapper.module, scope, positions)
    return facts
