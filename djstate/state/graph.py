"""The migration graph, built with the semantics of Django's ``MigrationLoader.build_graph``.

Nodes are ``(app_label, migration_name)``; an edge runs from a dependency to its dependent.
Replacements (squashed migrations) are applied as Django does when nothing is applied.
Dependencies that cannot be resolved become issues instead of exceptions, so every problem
in the graph is reported at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import networkx as nx

from djstate.facts.model import Dependency, MigrationFile

Key = tuple[str, str]


@dataclass
class MissingDependency:
    """A dependency on a migration or app that does not exist (Django: NodeNotFoundError)."""

    key: Key  # the migration that declares it
    dependency: Dependency
    target: Key


@dataclass
class GraphBuild:
    graph: nx.DiGraph
    missing: list[MissingDependency] = field(default_factory=list)
    cycles: list[list[Key]] = field(default_factory=list)
    # dependencies on apps outside the tree: not errors, but not verified either
    external: list[tuple[Key, Dependency]] = field(default_factory=list)
    _by_app: dict[str, list[Key]] | None = field(default=None, init=False, repr=False, compare=False)

    def _nodes(self, app: str | None) -> list[Key]:
        """The graph's nodes, or one app's: an index by app, made once the graph is built."""
        if app is None:
            return list(self.graph.nodes)
        if self._by_app is None:
            self._by_app = {}
            for node in self.graph.nodes:
                self._by_app.setdefault(node[0], []).append(node)
        return self._by_app.get(app, [])

    def leaf_nodes(self, app: str | None = None) -> list[Key]:
        """Nodes with no dependents in their own app, as ``MigrationGraph.leaf_nodes``."""
        g = self.graph
        return sorted(n for n in self._nodes(app) if all(c[0] != n[0] for c in g.successors(n)))

    def root_nodes(self, app: str | None = None) -> list[Key]:
        g = self.graph
        return sorted(n for n in self._nodes(app) if all(p[0] != n[0] for p in g.predecessors(n)))

    def forwards_plan(self, target: Key) -> list[Key]:
        """Django's ``iterative_dfs``: parents in sorted order, each node after its parents."""
        visited: list[Key] = []
        self._walk_parents(target, set(), visited)
        return visited

    def _walk_parents(self, target: Key, done: set[Key], visited: list[Key]) -> None:
        """Append to ``visited`` the nodes of ``target``'s forwards plan not in ``done``."""
        on_path: set[Key] = set()
        stack: list[tuple[Key, bool]] = [(target, False)]
        while stack:
            node, processed = stack.pop()
            if node in done:
                continue
            if processed:
                done.add(node)
                on_path.discard(node)
                visited.append(node)
            elif node not in on_path:  # a cycle: Django refuses; we stop walking it
                on_path.add(node)
                stack.append((node, True))
                stack += [(p, False) for p in sorted(self.graph.predecessors(node))]

    def plan(self) -> list[Key]:
        """The order ``MigrationGraph.make_state`` applies migrations in: each leaf's forwards
        plan, without what an earlier leaf's plan already holds. One walk for the whole graph:
        every ancestor of a planned node is planned, so a planned node's parents need no walk."""
        plan: list[Key] = []
        done: set[Key] = set()
        for leaf in self.leaf_nodes():
            self._walk_parents(leaf, done, plan)
        return plan


def build_graph(
    migrations: dict[Key, MigrationFile],
    migrated_apps: set[str],
    known_apps: set[str],
    resolve_setting: Callable[[str], str | None],
) -> GraphBuild:
    """Build the graph from parsed migrations.

    ``migrated_apps`` have a migrations package in the tree; ``known_apps`` are all apps in
    the tree (the others, e.g. django.contrib, are external).
    """
    g: nx.DiGraph = nx.DiGraph()
    build = GraphBuild(g)
    for key in migrations:
        g.add_node(key, dummy=False)
    # dummy parent -> the (child, dependency) pairs that asked for it
    wanted: dict[Key, list[tuple[Key, Dependency]]] = {}

    def dep_app(dep: Dependency) -> str | None:
        if dep.setting is not None:
            value = resolve_setting(dep.setting)
            return value.split(".", 1)[0] if value and "." in value else None
        return dep.app

    def add_edge(parent: Key, child: Key, origin: Key, dep: Dependency) -> None:
        if parent not in g:
            g.add_node(parent, dummy=True)
        if g.nodes[parent].get("dummy"):
            wanted.setdefault(parent, []).append((origin, dep))
        if child not in g:
            g.add_node(child, dummy=True)
            wanted.setdefault(child, []).append((origin, dep))
        g.add_edge(parent, child)

    # Internal dependencies first, so __first__ finds the right root (as Django does).
    for key, mig in migrations.items():
        for dep in mig.dependencies:
            app = dep_app(dep)
            if app == key[0] and dep.name != "__first__":
                add_edge((app, dep.name), key, key, dep)

    def check_key(dep: Dependency, current_app: str, origin: Key) -> Key | None:
        app = dep_app(dep)
        if app is None:
            build.external.append((origin, dep))
            return None
        target = (app, dep.name)
        if dep.name not in ("__first__", "__latest__") or target in g:
            if app not in known_apps:
                build.external.append((origin, dep))
                return None
            return target
        if app == current_app:
            return None
        if app in known_apps and app not in migrated_apps:
            return None
        if app in migrated_apps:
            nodes = build.root_nodes(app) if dep.name == "__first__" else build.leaf_nodes(app)
            real = [n for n in nodes if not g.nodes[n].get("dummy")]
            return real[0] if real else None
        build.external.append((origin, dep))
        return None

    for key, mig in migrations.items():
        for dep in mig.dependencies:
            if dep_app(dep) == key[0]:
                continue
            parent = check_key(dep, key[0], key)
            if parent is not None:
                add_edge(parent, key, key, dep)
        for dep in mig.run_before:
            child = check_key(dep, key[0], key)
            if child is not None:
                add_edge(key, child, key, dep)

    # Squashed migrations replace their targets (nothing is applied).
    for key, mig in migrations.items():
        if mig.replaces and key in g:
            _remove_replaced_nodes(g, key, [tuple(r) for r in mig.replaces], wanted)

    for node, data in list(g.nodes(data=True)):
        if data.get("dummy"):
            for origin, dep in wanted.get(node, []):
                build.missing.append(MissingDependency(origin, dep, node))
            g.remove_node(node)
    build.missing.sort(key=lambda m: (m.key, m.dependency.span.line))

    for component in nx.strongly_connected_components(g):
        if len(component) > 1:
            sub = g.subgraph(component)
            cycle = [edge[0] for edge in nx.find_cycle(sub, source=min(component))]
            build.cycles.append(cycle)
    build.cycles.sort()
    build._by_app = None  # nodes came and went while building: index them again when asked
    return build


def _remove_replaced_nodes(
    g: nx.DiGraph, replacement: Key, replaced: list, wanted: dict[Key, list[tuple[Key, Dependency]]]
) -> None:
    """``MigrationGraph.remove_replaced_nodes``: point the replaced nodes' edges at the squash."""
    replaced_set = set(replaced)
    for old in replaced:
        if old not in g:
            continue
        for child in list(g.successors(old)):
            if child not in replaced_set and child != replacement:
                g.add_edge(replacement, child)
        for parent in list(g.predecessors(old)):
            if parent not in replaced_set and parent != replacement:
                g.add_edge(parent, replacement)
        g.remove_node(old)
        wanted.pop(old, None)
