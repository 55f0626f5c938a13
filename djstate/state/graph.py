"""The migration graph, built with the semantics of Django's ``MigrationLoader.build_graph``.

Nodes are ``(app_label, migration_name)``; an edge runs from a dependency to its dependent.
Replacements (squashed migrations) are applied as Django does when nothing is applied.
Dependencies that cannot be resolved become issues instead of exceptions, so every problem
in the graph is reported at once.

The graph is a small ordered digraph of its own (networkx took 0.2-0.9 s to import, on every
scan); its cycle search is networkx's ``find_cycle`` over ``edge_dfs``, step for step, so a
cycle is reported from the same node and in the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from djstate.facts.model import Dependency, MigrationFile

Key = tuple[str, str]


class _Nodes:
    """``graph.nodes``: iterable in insertion order, ``nodes[key]`` is the node's data,
    ``nodes(data=True)`` the (key, data) pairs (as networkx's NodeView)."""

    def __init__(self, data: dict) -> None:
        self._data = data

    def __iter__(self):
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __contains__(self, key) -> bool:
        return key in self._data

    def __getitem__(self, key) -> dict:
        return self._data[key]

    def __call__(self, data: bool = False) -> list:
        return list(self._data.items()) if data else list(self._data)


class DiGraph:
    """A directed graph whose nodes, successors and predecessors keep insertion order (as
    networkx's DiGraph, whose small part djstate used)."""

    def __init__(self) -> None:
        self._data: dict = {}
        self._succ: dict = {}  # node -> {successor: None}, an ordered set
        self._pred: dict = {}

    @property
    def nodes(self) -> _Nodes:
        return _Nodes(self._data)

    @property
    def edges(self) -> list[tuple]:
        return [(u, v) for u, after in self._succ.items() for v in after]

    def __contains__(self, key) -> bool:
        return key in self._data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self):
        return iter(self._data)

    def add_node(self, key, **data) -> None:
        if key not in self._data:
            self._data[key], self._succ[key], self._pred[key] = {}, {}, {}
        self._data[key].update(data)

    def add_edge(self, parent, child) -> None:
        for key in (parent, child):
            if key not in self._data:
                self.add_node(key)
        self._succ[parent][child] = None
        self._pred[child][parent] = None

    def remove_node(self, key) -> None:
        for child in self._succ.pop(key):
            del self._pred[child][key]
        for parent in self._pred.pop(key):
            del self._succ[parent][key]
        del self._data[key]

    def successors(self, key):
        return iter(self._succ[key])

    def predecessors(self, key):
        return iter(self._pred[key])


def strongly_connected_components(g: DiGraph) -> list[set]:
    """Tarjan's components, iteratively (a long migration chain is deeper than the recursion limit)."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    components: list[set] = []
    counter = 0
    for root in g:
        if root in index:
            continue
        work = [(root, iter(g._succ[root]))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(g._succ[child])))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.add(member)
                        if member == node:
                            break
                    components.append(component)
    return components


def _edge_dfs(g: DiGraph, nodes: set, source):
    """networkx's ``edge_dfs`` from ``source`` in the subgraph of ``nodes``."""
    visited_edges: set = set()
    visited_nodes: set = set()
    edges: dict = {}
    stack = [source]
    while stack:
        current = stack[-1]
        if current not in visited_nodes:
            edges[current] = iter([(current, child) for child in g._succ[current] if child in nodes])
            visited_nodes.add(current)
        edge = next(edges[current], None)
        if edge is None:
            stack.pop()
        elif edge not in visited_edges:
            visited_edges.add(edge)
            stack.append(edge[1])
            yield edge


def find_cycle(g: DiGraph, nodes: set, source) -> list[tuple]:
    """networkx's ``find_cycle(g.subgraph(nodes), source)``: the edges of the first cycle its
    edge-first search meets (``nodes`` is a strongly connected component, so there is one)."""
    edges: list = []
    active = {source}
    previous_head = None
    cycle: list = []
    final = None
    for tail, head in _edge_dfs(g, nodes, source):
        if previous_head is not None and tail != previous_head:
            while True:  # backtracking: pop to the edge whose head is this tail
                if not edges:
                    active = {tail}
                    break
                active.remove(edges.pop()[1])
                if edges and edges[-1][1] == tail:
                    break
        edges.append((tail, head))
        if head in active:
            cycle, final = edges, head
            break
        active.add(head)
        previous_head = head
    for i, (tail, _) in enumerate(cycle):
        if tail == final:
            return cycle[i:]
    return cycle


@dataclass
class MissingDependency:
    """A dependency on a migration or app that does not exist (Django: NodeNotFoundError)."""

    key: Key  # the migration that declares it
    dependency: Dependency
    target: Key


@dataclass
class GraphBuild:
    graph: DiGraph
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
    g = DiGraph()
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

    for component in strongly_connected_components(g):
        if len(component) > 1:
            cycle = [edge[0] for edge in find_cycle(g, component, min(component))]
            build.cycles.append(cycle)
    build.cycles.sort()
    build._by_app = None  # nodes came and went while building: index them again when asked
    return build


def _remove_replaced_nodes(
    g: DiGraph, replacement: Key, replaced: list, wanted: dict[Key, list[tuple[Key, Dependency]]]
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
