"""Diagrams of a project: the migration DAG and an ER diagram of the models, as Mermaid or DOT.

The migration graph is the one Django's loader builds (squashed migrations already replace
their targets). Leaves are highlighted; an app with more than one leaf has a conflict
(``makemigrations --merge``), and those leaves are drawn as conflicts; migrations in a
dependency cycle and dependencies that do not exist are marked too. Dependencies on apps
outside the scanned tree are drawn as external nodes.

The ER diagram is drawn from the models state (what the code defines): each model with its
fields (class name, primary and foreign keys), and each relation labelled with its forward
name and its reverse accessor (``-`` when hidden), plus the reverse query name when it
differs. Targets outside the selection are drawn as bare entities.

Both renderers give every node an id of letters, digits and ``_`` only and put the text in
quoted labels, so any app label, model or migration name is valid input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable

from djstate.snapshot.relations import RelationNames, model_relations

MERMAID_CLASSES = {
    "leaf": "fill:#d9f2d9,stroke:#2e7d32,stroke-width:2px",
    "conflict": "fill:#ffd6d6,stroke:#c62828,stroke-width:3px",
    "cycle": "fill:#ffe0b2,stroke:#e65100,stroke-width:3px",
    "missing": "fill:#ffffff,stroke:#c62828,stroke-dasharray:4 3",
    "external": "fill:#eeeeee,stroke:#9e9e9e,stroke-dasharray:4 3",
}
DOT_STYLES = {
    "leaf": 'style="filled,bold", fillcolor="#d9f2d9", color="#2e7d32"',
    "conflict": 'style="filled,bold", fillcolor="#ffd6d6", color="#c62828", penwidth=3',
    "cycle": 'style="filled,bold", fillcolor="#ffe0b2", color="#e65100", penwidth=3',
    "missing": 'style="dashed", color="#c62828"',
    "external": 'style="dashed,filled", fillcolor="#eeeeee", color="#9e9e9e"',
}
ER_CARDINALITY = {  # (source end, target end) in Mermaid's crow's foot notation
    ("ForeignKey", False): ("}o", "||"),
    ("ForeignKey", True): ("}o", "o|"),
    ("OneToOneField", False): ("|o", "||"),
    ("OneToOneField", True): ("|o", "o|"),
    ("ManyToManyField", False): ("}o", "o{"),
    ("ManyToManyField", True): ("}o", "o{"),
}
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


@dataclass
class Node:
    id: str
    label: str
    group: str  # the app it is drawn in
    kind: str = ""  # "", leaf, conflict, cycle, missing, external


@dataclass
class MigrationDiagram:
    nodes: list[Node]
    edges: list[tuple[str, str]]  # dependency -> dependent
    conflicts: dict[str, list[str]] = field(default_factory=dict)  # app -> its leaves


@dataclass
class Entity:
    id: str
    label: str  # app.Model
    attributes: list[tuple[str, str, str, str]] = field(default_factory=list)  # type, name, key, comment
    stub: bool = False  # a relation target outside the selection (or the state)


@dataclass
class EntityDiagram:
    entities: list[Entity]
    relations: list[tuple[str, str, str, str, str]]  # source id, target id, left, right, label


class Ids:
    """Stable identifiers made of letters, digits and ``_``; distinct texts never share one."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.by_text: dict[str, str] = {}
        self.used: set[str] = set()

    def __call__(self, text: str) -> str:
        if text not in self.by_text:
            base = self.prefix + _UNSAFE.sub("_", text)
            candidate, n = base, 1
            while candidate in self.used:
                n += 1
                candidate = f"{base}_{n}"
            self.used.add(candidate)
            self.by_text[text] = candidate
        return self.by_text[text]


# --- the migration DAG ----------------------------------------------------------------------------


def migration_diagram(project: Any, app: str | None = None, last: int | None = None) -> MigrationDiagram:
    """The migration graph of the tree's apps (or of one app, with the migrations of other
    apps it depends on); ``last`` keeps each app's last N migrations in plan order and its
    leaves."""
    build = project.graph
    graph = build.graph
    local = {label for label, a in project.apps.items() if not a.external}
    missing = {m.target for m in build.missing}
    in_cycle = {key for cycle in build.cycles for key in cycle}
    conflicts = {}
    for label in sorted(local):
        leaves = [k for k in build.leaf_nodes(label) if not graph.nodes[k].get("dummy")]
        if len(leaves) > 1:
            conflicts[label] = [name for _, name in leaves]
    shown = {k for k in graph.nodes if (k[0] == app if app else k[0] in local) and not graph.nodes[k].get("dummy")}
    if last is not None:
        order = {key: n for n, key in enumerate(build.plan())}
        kept = set()
        for label in {k[0] for k in shown}:
            own = sorted((k for k in shown if k[0] == label), key=lambda k: (order.get(k, -1), k))
            kept.update(own[-last:] if last > 0 else [])
            kept.update(k for k in build.leaf_nodes(label) if k in shown)  # every leaf: a conflict stays visible
        shown = kept
    # the other end of every edge of a shown node: drawn too, as external when outside the selection
    edges = sorted({(a, b) for a, b in graph.edges if a in shown or b in shown} if last is None
                   else {(a, b) for a, b in graph.edges if b in shown})  # fmt: skip
    drawn = shown | {k for edge in edges for k in edge}
    leaves = set(build.leaf_nodes())
    ids = Ids("m_")
    nodes = []
    for key in sorted(drawn):
        label_app, name = key
        if key in in_cycle:
            kind = "cycle"
        elif key in missing or graph.nodes[key].get("dummy") and label_app in local:
            kind = "missing"
        elif key not in shown:
            kind = "external"
        elif name in conflicts.get(label_app, ()):
            kind = "conflict"
        elif key in leaves:
            kind = "leaf"
        else:
            kind = ""
        nodes.append(Node(ids(f"{label_app}.{name}"), name, label_app, kind))
    return MigrationDiagram(nodes, [(ids(f"{a[0]}.{a[1]}"), ids(f"{b[0]}.{b[1]}")) for a, b in edges], conflicts)


# --- the models -----------------------------------------------------------------------------------

KEY_FIELDS = ("ForeignKey", "OneToOneField")


def entity_diagram(state: Any, apps: set[str] | None, resolve_setting: Callable[[str], str | None] = lambda n: None,
                   chain: Callable[[str], list[str]] | None = None, fields: bool = True) -> EntityDiagram:  # fmt: skip
    """The models of ``apps`` (all models when None) with their relations.

    ``state`` is a models state or a replayed ProjectState; ``chain`` gives a field class's
    bases so that project subclasses of ForeignKey count as relations."""
    relations = model_relations(state, resolve_setting, chain)
    by_source: dict[tuple[str, str], dict[str, RelationNames]] = {}
    for relation in relations:
        by_source.setdefault(relation.source, {})[relation.field] = relation
    selected = sorted(k for k in state.models if apps is None or k[0] in apps)
    ids = Ids("e_")
    entities: dict[tuple[str, str], Entity] = {}
    for key in selected:
        model = state.models[key]
        entity = Entity(ids(f"{key[0]}.{key[1]}"), f"{key[0]}.{model.name}")
        own = by_source.get(key, {})
        for name, field_state in model.fields.items():
            is_pk = field_state.kwargs.get("primary_key") is True
            relation = own.get(name)
            if not fields and not is_pk and relation is None:
                continue
            type_name = field_state.path.rsplit(".", 1)[-1]
            key_mark = "PK" if is_pk else "FK" if relation is not None and relation.kind in KEY_FIELDS else ""
            if field_state.kwargs.get("unique") is True and not is_pk:
                key_mark = f"{key_mark}, UK" if key_mark else "UK"
            comment = relation.target_text if relation is not None else _field_comment(field_state)
            entity.attributes.append((type_name, name, key_mark, comment))
        entities[key] = entity
    edges = []
    for relation in relations:
        if relation.source not in entities:
            continue
        target = relation.target
        if target is None:
            continue  # a target djstate cannot name: the attribute's comment says what is written
        if target not in entities:
            model = state.models.get(target)
            label = f"{target[0]}.{model.name}" if model else relation.target_text
            entities[target] = Entity(ids(f"{target[0]}.{target[1]}"), label, stub=True)
        left, right = ER_CARDINALITY[(relation.kind, relation.null)]
        edges.append((entities[relation.source].id, entities[target].id, left, right, relation_label(relation)))
    return EntityDiagram(list(entities.values()), edges)


def relation_label(relation: RelationNames) -> str:
    """``forward / reverse accessor`` (``-`` when hidden), with the query name when it differs."""
    label = f"{relation.field} / {relation.accessor or '-'}"
    if relation.query_name and relation.query_name != relation.accessor:
        label += f" (query {relation.query_name})"
    return label


def _field_comment(field_state: Any) -> str:
    parts = []
    for key in ("max_length", "null", "choices", "db_index"):
        value = field_state.kwargs.get(key)
        if value is True:
            parts.append(key)
        elif key == "max_length" and isinstance(value, int):
            parts.append(f"max_length={value}")
        elif key == "choices" and value:
            parts.append("choices")
    return ", ".join(parts)


# --- Mermaid --------------------------------------------------------------------------------------


def mermaid_text(text: str) -> str:
    """Text for a quoted Mermaid label: quotes, angle brackets and ``#`` as entity codes."""
    codes = {"#": "#35;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "\n": " "}
    return "".join(codes.get(c, c) for c in text)


def _er_text(text: str) -> str:
    """Text for an erDiagram quoted string, which has no escapes: quotes become apostrophes."""
    return text.replace('"', "'").replace("\n", " ")


def _er_token(text: str) -> str:
    """An attribute type or name: a letter first, then letters, digits, ``_`` or ``-``."""
    token = re.sub(r"[^A-Za-z0-9_\-]", "_", text) or "_"
    return token if token[0].isalpha() else f"x{token}"


def migrations_mermaid(diagram: MigrationDiagram) -> str:
    """A flowchart without subgraphs: Mermaid's dagre layout fails on many clusters joined by
    edges (netbox's twelve apps: "Cannot set properties of undefined (setting 'order')"), so
    each node names its app instead when there is more than one."""
    lines = ["flowchart TD"]
    lines += [f"  classDef {name} {style}" for name, style in MERMAID_CLASSES.items()]
    several = len({n.group for n in diagram.nodes}) > 1
    for n in diagram.nodes:
        lines.append(f'  {n.id}["{mermaid_text(f"{n.group}.{n.label}" if several else n.label)}"]')
    lines += [f"  {a} --> {b}" for a, b in diagram.edges]
    for kind in MERMAID_CLASSES:
        members = [n.id for n in diagram.nodes if n.kind == kind]
        if members:
            lines.append(f"  class {','.join(members)} {kind}")
    return "\n".join(lines)


def models_mermaid(diagram: EntityDiagram) -> str:
    lines = ["erDiagram"]
    for entity in diagram.entities:
        head = f'  {entity.id}["{_er_text(entity.label)}"]'
        if not entity.attributes:
            lines.append(head)
            continue
        lines.append(head + " {")
        for type_name, name, key, comment in entity.attributes:
            parts = [_er_token(type_name), _er_token(name)] + ([key] if key else [])
            if comment:
                parts.append(f'"{_er_text(comment)}"')
            lines.append("    " + " ".join(parts))
        lines.append("  }")
    lines += [f'  {a} {left}--{right} {b} : "{_er_text(label)}"' for a, b, left, right, label in diagram.relations]
    return "\n".join(lines)


# --- DOT ------------------------------------------------------------------------------------------


def dot_text(text: str) -> str:
    """Text for a double-quoted DOT string."""
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def migrations_dot(diagram: MigrationDiagram) -> str:
    lines = ["digraph migrations {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    groups: dict[str, list[Node]] = {}
    for node in diagram.nodes:
        groups.setdefault(node.group, []).append(node)
    group_ids = Ids("cluster_")
    for group, nodes in groups.items():
        lines.append(f'  subgraph {group_ids(group)} {{ label="{dot_text(group)}";')
        for n in nodes:
            style = f", {DOT_STYLES[n.kind]}" if n.kind else ""
            lines.append(f'    {n.id} [label="{dot_text(n.label)}"{style}];')
        lines.append("  }")
    lines += [f"  {a} -> {b};" for a, b in diagram.edges]
    lines.append("}")
    return "\n".join(lines)


def models_dot(diagram: EntityDiagram) -> str:
    lines = ["digraph models {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];']
    for entity in diagram.entities:
        rows = [entity.label] + [
            f"{name}: {type_name}" + (f" [{key}]" if key else "") for type_name, name, key, _ in entity.attributes
        ]
        label = "\\l".join(dot_text(r) for r in rows) + ("\\l" if entity.attributes else "")
        style = ', style="dashed"' if entity.stub else ""
        lines.append(f'  {entity.id} [label="{label}"{style}];')
    arrows = {"}o": "crow", "|o": "tee"}
    for a, b, left, right, label in diagram.relations:
        tail = arrows.get(left, "none")
        head = "crow" if right == "o{" else "tee"
        lines.append(f'  {a} -> {b} [label="{dot_text(label)}", dir=both, arrowtail={tail}, arrowhead={head}];')
    lines.append("}")
    return "\n".join(lines)


# --- one call for the command line ----------------------------------------------------------------


def render(project: Any, kind: str, app: str | None, fmt: str, last: int | None = None, fields: bool = True) -> str:
    """``djstate graph KIND [APP]`` as Mermaid or DOT. ``project`` has its models state
    built when ``kind`` is "models"."""
    if kind == "migrations":
        diagram = migration_diagram(project, app, last)
        return migrations_dot(diagram) if fmt == "dot" else migrations_mermaid(diagram)
    local = {label for label, a in project.apps.items() if not a.external}
    builder = project.models_builder
    state = project.models_state if project.models_state is not None else project.state  # models unreadable: the migrations'
    entities = entity_diagram(state, {app} if app else local, project.resolve_setting,
                              getattr(builder, "_chain", None), fields)  # fmt: skip
    return models_dot(entities) if fmt == "dot" else models_mermaid(entities)
