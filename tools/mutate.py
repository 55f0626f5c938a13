#!/usr/bin/env python3
"""Recall on real projects: break copies of the pinned corpora the way a hurried (or AI) edit
does, scan each broken copy with djstate, and count how often djstate reports exactly the break.

    .venv/bin/python tools/mutate.py                       # every corpus, 2 sites per kind
    .venv/bin/python tools/mutate.py --corpora wagtail,netbox --kinds add_field,fork_leaf
    .venv/bin/python tools/mutate.py --held-out-only --per-kind 3
    .venv/bin/python tools/mutate.py --site-packages oracle  # read each corpus's oracle venv

Kinds (each should produce exactly one expected finding):

  add_field                a field added to a concrete, managed model, no migration   -> DJS211
  alter_max_length         a CharField's max_length changed                            -> DJS212
  alter_null               a field's null flipped (or null=True added)                 -> DJS212
  alter_on_delete          a ForeignKey's on_delete changed                            -> DJS212
  delete_addfield          an AddField deleted from its migration, field still on the
                           model, no later operation of the app naming it             -> DJS211
  missing_dependency       a dependency on an in-tree migration renamed to one that
                           does not exist                                              -> DJS102
  fork_leaf                a copy of the app's leaf (same parent) with a no-op RunPython -> DJS101
  duplicate_addfield       an AddField copied into a new leaf migration                 -> DJS202
  serializer_unknown_name  a name no model has added to a plain ModelSerializer's
                           Meta.fields literal                                         -> DJS401
  rename_field             a model field renamed with its RenameField migration as the
                           new leaf, a serializer still naming the old field in
                           Meta.fields (-> DJS401) or in a declared field's source= (-> DJS402)
  related_name_changed     a related_name a serializer lists in Meta.fields changed,
                           with its AlterField migration as the new leaf               -> DJS401

Sites are found with the standard library's ``ast`` (independently of djstate's own parser, so
djstate's blind spots are not hidden by the site search); only the app labels come from djstate's
scan of the unmutated copy (its AppConfig.label logic). Sampling is seeded: up to ``--per-kind``
sites per kind per corpus, tried in a shuffled order; a site whose edit cannot be applied cleanly
is skipped and counted.

Each corpus is copied once into a scratch folder; every mutation edits that copy in place, is
scanned, and is undone before the next. Scans run in this process through the same code path as
``djstate scan --format json`` (load_config, FactsStore on the user's content-hash facts cache,
engine.scan, the JSON reporter), with the facts of the corpus shared in memory between its scans,
so a mutated copy costs the parse of the changed files only. A corpus whose unmutated scan takes
longer than ``--max-scan-seconds`` (warm) is skipped and listed.

A mutation is *caught* when a finding that the unmutated copy did not have carries the expected
code, app label, model and field (and file, for migration and serializer findings). Every miss is
classified: ``wrong location`` (the expected code, elsewhere), ``wrong code`` (another code on the
same target), ``unverified`` (djstate counted the target unverified; the reason is given from its
state), or ``silent``. Any other new error (or DJS000) finding is recorded as a side effect.

Writes docs/data/recall.json and docs/data/recall.md.
"""

from __future__ import annotations

import argparse
import ast
import copy
import datetime
import importlib.util
import json
import random
import re
import shutil
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from djstate import __version__  # noqa: E402
from djstate.cache import FactsStore, default_cache_dir  # noqa: E402
from djstate.config import load_config  # noqa: E402
from djstate.engine import scan  # noqa: E402
from djstate.report import json as json_report  # noqa: E402

_spec = importlib.util.spec_from_file_location("corpora_fetch", ROOT / "corpora" / "fetch.py")
fetch = importlib.util.module_from_spec(_spec)
sys.modules["corpora_fetch"] = fetch  # dataclasses look their module up there
_spec.loader.exec_module(fetch)

KINDS = (
    "add_field", "alter_max_length", "alter_null", "alter_on_delete", "delete_addfield",
    "missing_dependency", "fork_leaf", "duplicate_addfield", "serializer_unknown_name",
    "rename_field", "related_name_changed", "query_rename_field", "query_related_name", "query_bad_hop",
)  # fmt: skip
JSON_OUT = ROOT / "docs" / "data" / "recall.json"
MD_OUT = ROOT / "docs" / "data" / "recall.md"
NOT_SOURCE = shutil.ignore_patterns(
    "__pycache__", "locale", "locales", "static", "static_src", "templates", "jinja2", "node_modules", "*.mo", "*.po",
    "*.js", "*.css", "*.png", "*.jpg", "*.svg", "*.woff*", "*.map",
)  # fmt: skip
NEW_FIELD = "djsmut_added"
UNKNOWN_NAME = "djsmut_unknown"
SUFFIX = "_djsmut"  # appended to renamed fields and related names
MISSING = "0999_djsmut_missing"


# --- small ast helpers -------------------------------------------------------------------------


def dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def const_str(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def kwarg(call: ast.Call, name: str, position: int | None = None) -> ast.AST | None:
    for k in call.keywords:
        if k.arg == name:
            return k.value
    if position is not None and len(call.args) > position and not any(isinstance(a, ast.Starred) for a in call.args):
        return call.args[position]
    return None


class Source:
    """A file's text as bytes (ast columns are UTF-8 byte offsets) with position helpers."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        self.text = self.data.decode("utf-8")
        self.tree = ast.parse(self.data)
        self._starts = [0]
        for line in self.data.splitlines(keepends=True):
            self._starts.append(self._starts[-1] + len(line))

    def offset(self, line: int, col: int) -> int:
        return self._starts[line - 1] + col

    def span(self, node: ast.AST) -> tuple[int, int]:
        return self.offset(node.lineno, node.col_offset), self.offset(node.end_lineno, node.end_col_offset)

    def segment(self, node: ast.AST) -> str:
        start, end = self.span(node)
        return self.data[start:end].decode("utf-8")

    def line_start(self, line: int) -> int:
        return self._starts[line - 1]


def edit(data: bytes, edits: list[tuple[int, int, str]]) -> bytes:
    """Apply (start, end, replacement) edits, which must not overlap."""
    out = data
    for start, end, new in sorted(edits, reverse=True):
        out = out[:start] + new.encode("utf-8") + out[end:]
    return out


# --- what the corpus holds: apps, migrations, models, serializers ------------------------------


@dataclass
class Op:
    call: ast.Call
    kind: str  # AddField, CreateModel, ...
    migration: "Migration"
    index: int  # position in operations


@dataclass
class Migration:
    app: str
    name: str
    path: str  # relative to the corpus root
    source: Source
    cls: ast.ClassDef
    dependencies: list[tuple[str, str, ast.AST]]  # (app, name, the name's Constant node)
    deps_node: ast.AST | None
    ops_node: ast.List | None
    replaces: bool
    run_before: bool
    ops: list[Op] = field(default_factory=list)


@dataclass
class ModelClass:
    app: str
    name: str
    path: str
    source: Source
    node: ast.ClassDef
    fields: dict[str, ast.Call]  # directly declared field calls, by attribute name
    field_targets: dict[str, ast.Name]
    models_import: bool  # `from django.db import models` at module level


@dataclass
class Serializer:
    path: str
    source: Source
    node: ast.ClassDef
    plain: bool  # bases are exactly (serializers.)ModelSerializer
    model_ref: str  # dotted name of Meta.model
    model: ModelClass | None
    fields_node: ast.List | ast.Tuple | None  # Meta.fields literal of strings
    names: list[str]
    declared: set[str]  # attributes assigned in the class body
    sources: list[tuple[str, str, ast.AST]]  # (declared name, source= string, the Constant)


def is_field_callee(name: str) -> bool:
    last = name.rpartition(".")[2]
    return last.endswith("Field") or last == "ForeignKey"


class Corpus:
    def __init__(self, name: str, root: Path, project) -> None:
        self.name = name
        self.root = root
        self.project = project
        self.apps = {label: app for label, app in project.apps.items() if not app.external}
        self.migrations: dict[str, dict[str, Migration]] = {}
        self.models: dict[str, list[ModelClass]] = {}
        self.serializers: list[Serializer] = []
        self._sources: dict[str, Source] = {}
        self.parse_failures = 0
        for label, app in self.apps.items():
            self.migrations[label] = self._migrations(label, app)
            self.models[label] = self._models(label, app)
        self._serializers()

    def source(self, rel: str) -> Source | None:
        if rel not in self._sources:
            try:
                self._sources[rel] = Source(self.root / rel)
            except (SyntaxError, UnicodeDecodeError, ValueError, OSError):
                self.parse_failures += 1
                self._sources[rel] = None
        return self._sources[rel]

    # migrations

    def _migrations(self, label: str, app) -> dict[str, Migration]:
        out = {}
        for rel in app.dir.migration_files:
            src = self.source(rel)
            if src is None:
                continue
            cls = next((n for n in src.tree.body if isinstance(n, ast.ClassDef) and n.name == "Migration"), None)
            if cls is None:
                continue
            name = rel.rsplit("/", 1)[-1][:-3]
            deps, deps_node, ops_node, replaces, run_before = [], None, None, False, False
            for stmt in cls.body:
                if not isinstance(stmt, ast.Assign) or len(stmt.targets) != 1 or not isinstance(stmt.targets[0], ast.Name):
                    continue
                target = stmt.targets[0].id
                if target == "dependencies":
                    deps_node = stmt.value
                    if isinstance(stmt.value, (ast.List, ast.Tuple)):
                        for elt in stmt.value.elts:
                            if isinstance(elt, ast.Tuple) and len(elt.elts) == 2:
                                a, b = const_str(elt.elts[0]), const_str(elt.elts[1])
                                if a is not None and b is not None:
                                    deps.append((a, b, elt.elts[1]))
                elif target == "operations" and isinstance(stmt.value, ast.List):
                    ops_node = stmt.value
                elif target == "replaces":
                    replaces = True
                elif target == "run_before":
                    run_before = True
            mig = Migration(label, name, rel, src, cls, deps, deps_node, ops_node, replaces, run_before)
            if ops_node is not None:
                for i, elt in enumerate(ops_node.elts):
                    if isinstance(elt, ast.Call):
                        mig.ops.append(Op(elt, dotted(elt.func).rpartition(".")[2], mig, i))
            out[name] = mig
        return out

    def ordered(self, label: str) -> list[Migration]:
        """The app's migrations in dependency order (name order among equals)."""
        migs = self.migrations.get(label, {})
        done: list[Migration] = []
        seen: set[str] = set()

        def visit(name: str, stack: set[str]) -> None:
            if name in seen or name in stack or name not in migs:
                return
            stack.add(name)
            for a, b, _ in migs[name].dependencies:
                if a == label:
                    visit(b, stack)
            seen.add(name)
            done.append(migs[name])

        for name in sorted(migs):
            visit(name, set())
        return done

    def replaced(self, label: str) -> dict[str, str]:
        """The app's migrations a squashed one replaces -> that squashed migration's name."""
        replaced: dict[str, str] = {}
        for m in self.migrations.get(label, {}).values():
            if m.replaces:
                node = next(s.value for s in m.cls.body if isinstance(s, ast.Assign) and isinstance(s.targets[0], ast.Name) and s.targets[0].id == "replaces")
                for elt in getattr(node, "elts", []):
                    if isinstance(elt, ast.Tuple) and len(elt.elts) == 2 and const_str(elt.elts[0]) == label:
                        replaced[const_str(elt.elts[1])] = m.name
        return replaced

    def leaf(self, label: str) -> Migration | None:
        """The app's single leaf (squashed migrations standing for those they replace), or None."""
        migs = self.migrations.get(label, {})
        if not migs:
            return None
        replaced = self.replaced(label)
        nodes = {n for n in migs if n not in replaced}
        parents = set()
        for n in nodes:
            for a, b, _ in migs[n].dependencies:
                if a == label:
                    parents.add(replaced.get(b, b))
        leaves = sorted(nodes - parents)
        return migs[leaves[0]] if len(leaves) == 1 else None

    def created_models(self, label: str) -> set[str]:
        alive: set[str] = set()
        for mig in self.ordered(label):
            for op in mig.ops:
                if op.kind == "CreateModel":
                    name = const_str(kwarg(op.call, "name", 0))
                    if name:
                        alive.add(name.lower())
                elif op.kind == "DeleteModel":
                    alive.discard((const_str(kwarg(op.call, "name", 0)) or "").lower())
                elif op.kind == "RenameModel":
                    old, new = const_str(kwarg(op.call, "old_name", 0)), const_str(kwarg(op.call, "new_name", 1))
                    if old and new:
                        alive.discard(old.lower())
                        alive.add(new.lower())
        return alive

    # models

    def _models(self, label: str, app) -> list[ModelClass]:
        created = self.created_models(label)
        out = []
        for rel in app.dir.models_files:
            src = self.source(rel)
            if src is None:
                continue
            models_import = any(
                isinstance(n, ast.ImportFrom) and n.module == "django.db" and any(a.name == "models" and not a.asname for a in n.names)
                for n in src.tree.body
            )
            top = [n for n in src.tree.body if isinstance(n, ast.ClassDef)]
            top += [n for i in src.tree.body if isinstance(i, ast.If) for n in i.body if isinstance(n, ast.ClassDef)]
            for node in top:  # module level, or under a module-level `if` (django-oscar's pattern)
                if node.name.lower() not in created:
                    continue
                meta = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
                options = {}
                for stmt in meta.body if meta else []:
                    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                        options[stmt.targets[0].id] = stmt.value
                if isinstance(options.get("abstract"), ast.Constant) and options["abstract"].value is True:
                    continue
                if "proxy" in options and not (isinstance(options["proxy"], ast.Constant) and options["proxy"].value is False):
                    continue  # a proxy (or maybe one, by settings) has no fields of its own
                if "managed" in options and not (isinstance(options["managed"], ast.Constant) and options["managed"].value is True):
                    continue
                if "swappable" in options or ("app_label" in options and const_str(options["app_label"]) != label):
                    continue
                fields, targets = {}, {}
                for stmt in node.body:
                    target = value = None
                    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                        target, value = stmt.targets[0], stmt.value
                    elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                        target, value = stmt.target, stmt.value
                    if target is not None and isinstance(value, ast.Call) and is_field_callee(dotted(value.func)):
                        fields[target.id] = value
                        targets[target.id] = target
                out.append(ModelClass(label, node.name, rel, src, node, fields, targets, models_import))
        return out

    def model_by_name(self, label: str, name: str) -> ModelClass | None:
        found = [m for m in self.models.get(label, []) if m.name.lower() == name.lower()]
        return found[0] if len(found) == 1 else None

    def all_models(self) -> list[ModelClass]:
        return [m for label in sorted(self.models) for m in self.models[label]]

    # serializers

    def module_of(self, rel: str) -> tuple[str | None, bool]:
        """(dotted module, is a package __init__) of a file inside an app, else (None, False)."""
        best = None
        for app in self.apps.values():
            base = app.dir.path
            if (base == "" or rel.startswith(base + "/")) and (best is None or len(base) > len(best.dir.path)):
                best = app
        if best is None or not best.module:
            return None, False
        rest = rel[len(best.dir.path) + 1 :] if best.dir.path else rel
        parts = rest[:-3].split("/")
        package = parts[-1] == "__init__"
        if package:
            parts = parts[:-1]
        return ".".join([best.module, *parts]) if parts else best.module, package

    def app_of_module(self, module: str):
        found = [a for a in self.apps.values() if a.module and (module == a.module or module.startswith(a.module + "."))]
        return max(found, key=lambda a: len(a.module), default=None)

    def from_imports(self, rel: str, src: Source):
        """(absolute module, imported name, bound name) of each top-level ``from ... import``."""
        module, package = self.module_of(rel)
        for node in src.tree.body:
            if isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    if module is None:
                        continue
                    parts = module.split(".")
                    keep = len(parts) - node.level + (1 if package else 0)
                    base = ".".join(parts[:keep] + ([node.module] if node.module else []))
                for alias in node.names:
                    yield base, alias.name, alias.asname or alias.name

    def resolve_model(self, rel: str, src: Source, ref: str) -> ModelClass | None:
        head, _, last = ref.rpartition(".")
        imported_from = None
        for base, name, bound in self.from_imports(rel, src):
            if head == "" and bound == last:
                imported_from = base
            elif head and bound == head.split(".")[0]:
                imported_from = f"{base}.{name}"
        candidates = [m for m in self.all_models() if m.name == last]
        if imported_from:
            app = self.app_of_module(imported_from)
            narrowed = [m for m in candidates if app is not None and m.app == app.label]
            if narrowed:
                candidates = narrowed
        return candidates[0] if len(candidates) == 1 else None

    def _serializers(self) -> None:
        skip_dirs = {app.dir.migrations_dir for app in self.apps.values() if app.dir.migrations_dir}
        for path in sorted(self.root.rglob("*.py")):
            rel = path.relative_to(self.root).as_posix()
            if any(rel.startswith(d + "/") for d in skip_dirs):
                continue
            try:
                if b"ModelSerializer" not in path.read_bytes():
                    continue
            except OSError:
                continue
            src = self.source(rel)
            if src is None:
                continue
            for node in src.tree.body:  # module-level classes (not those a test builds in a function)
                if not isinstance(node, ast.ClassDef):
                    continue
                bases = [dotted(b) for b in node.bases]
                if not any(b.rpartition(".")[2].endswith("ModelSerializer") for b in bases):
                    continue
                plain = bool(bases) and all(b in ("ModelSerializer", "serializers.ModelSerializer", "rest_framework.serializers.ModelSerializer") for b in bases)
                meta = next((n for n in node.body if isinstance(n, ast.ClassDef) and n.name == "Meta"), None)
                if meta is None:
                    continue
                model_ref, fields_node, names = "", None, []
                for stmt in meta.body:
                    if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                        if stmt.targets[0].id == "model":
                            model_ref = dotted(stmt.value)
                        elif stmt.targets[0].id == "fields" and isinstance(stmt.value, (ast.List, ast.Tuple)):
                            values = [const_str(e) for e in stmt.value.elts]
                            if values and all(v is not None for v in values):
                                fields_node, names = stmt.value, values
                if not model_ref:
                    continue
                declared, sources = set(), []
                for stmt in node.body:
                    if isinstance(stmt, ast.Assign):
                        for t in stmt.targets:
                            if isinstance(t, ast.Name):
                                declared.add(t.id)
                                if isinstance(stmt.value, ast.Call):
                                    s = kwarg(stmt.value, "source")
                                    if const_str(s):
                                        sources.append((t.id, const_str(s), s))
                    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        declared.add(stmt.name)
                model = self.resolve_model(rel, src, model_ref)
                self.serializers.append(Serializer(rel, src, node, plain, model_ref, model, fields_node, names, declared, sources))


# --- mutations ---------------------------------------------------------------------------------


@dataclass
class Expected:
    code: str
    app: str | None
    model: str | None  # lowercased
    field: str | None
    path: str | None = None  # checked for migration and serializer findings
    line: int | None = None  # checked for query findings (the name's line)
    part: str | None = None  # query findings: the name the message must quote
    codes: tuple[str, ...] = ()  # other codes that are right too


@dataclass
class Mutation:
    kind: str
    site: str  # a stable description, for sorting and the report
    files: dict[str, bytes]  # relative path -> new content (created when it does not exist)
    expected: Expected
    target_model: tuple[str, str] | None = None  # (app, model) whose unverified state explains a miss
    serializer: tuple[str, int] | None = None  # (path, class line)
    explained: tuple[str, ...] = ()  # names whose other findings are real consequences, not false
    target_class: str | None = None  # dotted path of the target model's class
    query: tuple[str, int] | None = None  # (path, line) of the query a query mutation breaks


def _new_leaf_name(leaf: Migration, tag: str) -> str:
    match = re.match(r"(\d+)", leaf.name)
    number = int(match.group(1)) + 1 if match else 1
    return f"{number:04d}_djsmut_{tag}"


def _new_migration(corpus: Corpus, label: str, tag: str, header: str, operations: list[str]) -> tuple[str, bytes] | None:
    leaf = corpus.leaf(label)
    if leaf is None or leaf.replaces:
        return None
    name = _new_leaf_name(leaf, tag)
    folder = leaf.path.rsplit("/", 1)[0]
    rel = f"{folder}/{name}.py"
    if (corpus.root / rel).exists():
        return None
    ops = "".join(f"        {op},\n" for op in operations)
    text = (
        f"{header.rstrip()}\n\n\nclass Migration(migrations.Migration):\n"
        f"    dependencies = [\n        ({label!r}, {leaf.name!r}),\n    ]\n\n"
        f"    operations = [\n{ops}    ]\n"
    )
    ast.parse(text)
    return rel, text.encode("utf-8")


def _class_insert(model: ModelClass, line_text: str) -> bytes | None:
    """Insert a statement at the top of a class body (after its docstring)."""
    body = model.node.body
    first = body[1] if len(body) > 1 and isinstance(body[0], ast.Expr) and const_str(body[0].value) else body[0]
    src = model.source
    start = src.line_start(first.lineno)
    indent = src.data[start : src.offset(first.lineno, first.col_offset)]
    if indent.strip() or first.lineno == model.node.lineno:
        return None
    return edit(src.data, [(start, start, indent.decode() + line_text + "\n")])


def _with_models_import(m: ModelClass, data: bytes) -> bytes | None:
    """``data`` (the edited models file) with `from django.db import models` added after the last
    module-level import when the module lacks it and does not bind `models` otherwise."""
    if m.models_import:
        return data
    tree = m.source.tree
    bound = {a.asname or a.name.split(".")[0] for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    bound |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets if isinstance(t, ast.Name)}
    imports = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    if "models" in bound or not imports:
        return None
    at = m.source.offset(imports[-1].end_lineno, imports[-1].end_col_offset)
    if at > len(data) or data[at : at + 1] != b"\n":
        return None
    return data[: at + 1] + b"from django.db import models\n" + data[at + 1 :]


def sites_add_field(c: Corpus) -> list[Mutation]:
    out = []
    for m in c.all_models():
        if NEW_FIELD in m.fields:
            continue
        new = _class_insert(m, f"{NEW_FIELD} = models.IntegerField(null=True, blank=True)")
        if new is not None and m.source.offset(m.node.lineno, 0) < m.source.line_start(m.node.lineno) + 1:
            new = _with_models_import(m, new)  # the import goes above the class: offsets hold
        if new is None:
            continue
        out.append(Mutation("add_field", f"{m.path}:{m.name}", {m.path: new},
                            Expected("DJS211", m.app, m.name.lower(), NEW_FIELD), (m.app, m.name.lower())))  # fmt: skip
    return out


def _field_sites(c: Corpus, kind: str) -> list[Mutation]:
    out = []
    for m in c.all_models():
        for name, call in m.fields.items():
            callee = dotted(call.func)
            if not callee.startswith("models.") or any(k.arg is None for k in call.keywords):
                continue
            src = m.source
            edits = None
            if kind == "alter_max_length" and callee == "models.CharField":
                node = kwarg(call, "max_length")
                if isinstance(node, ast.Constant) and type(node.value) is int:
                    edits = [(*src.span(node), str(node.value + 1))]
            elif kind == "alter_null" and callee not in ("models.ManyToManyField", "models.GeneratedField"):
                node = kwarg(call, "null")
                if isinstance(node, ast.Constant) and isinstance(node.value, bool):
                    edits = [(*src.span(node), str(not node.value))]
                elif node is None:
                    args = [*call.args, *call.keywords]
                    if args:
                        last = max(args, key=lambda a: (a.end_lineno, a.end_col_offset))
                        end = src.span(last)[1]
                        edits = [(end, end, ", null=True")]
                    else:
                        end = src.span(call)[1] - 1
                        edits = [(end, end, "null=True")]
            elif kind == "alter_on_delete" and callee == "models.ForeignKey":
                node = kwarg(call, "on_delete", 1)
                if node is not None and m.models_import:
                    new = "models.CASCADE" if dotted(node).endswith("PROTECT") else "models.PROTECT"
                    edits = [(*src.span(node), new)]
            if edits:
                out.append(Mutation(kind, f"{m.path}:{m.name}.{name}", {m.path: edit(src.data, edits)},
                                    Expected("DJS212", m.app, m.name.lower(), name), (m.app, m.name.lower())))  # fmt: skip
    return out


def _quoted(name: str) -> re.Pattern:
    return re.compile(r"""['"]""" + re.escape(name) + r"""['"]""", re.IGNORECASE)


def _addfield_candidates(c: Corpus) -> list[tuple[Op, ModelClass, str]]:
    """AddField operations whose field is still declared on its (concrete) model and that no later
    operation of the app names again (model and field both quoted in its text)."""
    out = []
    for label in sorted(c.migrations):
        ordered = c.ordered(label)
        replaced = c.replaced(label)
        for i, mig in enumerate(ordered):
            if mig.replaces or mig.name in replaced:
                continue  # a fresh database applies the squashed migration, not the ones it replaces
            for op in mig.ops:
                if op.kind != "AddField":
                    continue
                model_name = const_str(kwarg(op.call, "model_name", 0))
                field_name = const_str(kwarg(op.call, "name", 1))
                if not model_name or not field_name:
                    continue
                model = c.model_by_name(label, model_name)
                if model is None or field_name not in model.fields:
                    continue
                later = [o for o in mig.ops if o.index > op.index] + [o for m2 in ordered[i + 1 :] for o in m2.ops]
                mp, fp = _quoted(model_name), _quoted(field_name)
                if any(
                    o.kind == "RenameModel" and mp.search(o.migration.source.segment(o.call))
                    or (mp.search(o.migration.source.segment(o.call)) and fp.search(o.migration.source.segment(o.call)))
                    for o in later
                ):
                    continue
                out.append((op, model, field_name))
    return out


def _remove_element(src: Source, lst: ast.List, index: int) -> bytes:
    elt = lst.elts[index]
    start, end = src.span(elt)
    data = src.data
    rest = data[end:]
    stripped = rest.lstrip(b" \t")
    if stripped.startswith(b","):
        end += len(rest) - len(stripped) + 1
    elif index > 0:  # the last element without a trailing comma: take the comma before it
        start = data.rindex(b",", 0, start)
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", end)
    if not data[line_start:start].strip() and line_end != -1 and not data[end:line_end].strip():
        start, end = line_start, line_end + 1  # the element had its own lines
    return data[:start] + data[end:]


def sites_delete_addfield(c: Corpus) -> list[Mutation]:
    out = []
    for op, model, field_name in _addfield_candidates(c):
        mig = op.migration
        new = _remove_element(mig.source, mig.ops_node, op.index)
        try:
            ast.parse(new)
        except SyntaxError:
            continue
        out.append(Mutation("delete_addfield", f"{mig.path}:{model.name}.{field_name}", {mig.path: new},
                            Expected("DJS211", mig.app, model.name.lower(), field_name), (mig.app, model.name.lower())))  # fmt: skip
    return out


def sites_duplicate_addfield(c: Corpus) -> list[Mutation]:
    out = []
    for op, model, field_name in _addfield_candidates(c):
        mig = op.migration
        header = _imports(mig.source)
        if header is None or _free_names(op.call, mig.source):
            continue
        made = _new_migration(c, mig.app, "dup", header, [mig.source.segment(op.call)])
        if made is None:
            continue
        rel, data = made
        out.append(Mutation("duplicate_addfield", f"{mig.path}:{model.name}.{field_name}", {rel: data},
                            Expected("DJS202", mig.app, model.name.lower(), field_name, rel), (mig.app, model.name.lower())))  # fmt: skip
    return out


def _imports(src: Source) -> str | None:
    """The module-level imports of a migration, plus `from django.db import migrations, models`."""
    lines = [src.segment(n) for n in src.tree.body if isinstance(n, (ast.Import, ast.ImportFrom)) and getattr(n, "module", None) != "__future__"]
    return "\n".join(["from django.db import migrations, models", *lines])


def _free_names(call: ast.AST, src: Source) -> set[str]:
    """Names a copied expression uses that its file defines (functions, constants): not portable."""
    defined = {
        t.id
        for n in src.tree.body
        if isinstance(n, ast.Assign)
        for t in n.targets
        if isinstance(t, ast.Name)
    } | {n.name for n in src.tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}
    return {n.id for n in ast.walk(call) if isinstance(n, ast.Name) and n.id in defined}


def sites_missing_dependency(c: Corpus) -> list[Mutation]:
    out = []
    for label in sorted(c.migrations):
        for mig in c.ordered(label):
            for app, name, node in mig.dependencies:
                if app not in c.migrations or name not in c.migrations[app] or name.startswith("__"):
                    continue
                new = edit(mig.source.data, [(*mig.source.span(node), repr(MISSING))])
                out.append(Mutation("missing_dependency", f"{mig.path}->({app}, {name})", {mig.path: new},
                                    Expected("DJS102", label, None, None, mig.path)))  # fmt: skip
    return out


def sites_fork_leaf(c: Corpus) -> list[Mutation]:
    out = []
    for label in sorted(c.migrations):
        leaf = c.leaf(label)
        if leaf is None or leaf.replaces or leaf.run_before or leaf.ops_node is None:
            continue
        src = leaf.source
        if not any(isinstance(n, ast.ImportFrom) and n.module == "django.db" and any(a.name == "migrations" for a in n.names) for n in src.tree.body):
            continue
        noop = "[\n        migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop),\n    ]"
        data = edit(src.data, [(*src.span(leaf.ops_node), noop)])
        match = re.match(r"(\d+)", leaf.name)
        name = f"{match.group(1) if match else leaf.name}_djsmut_fork"
        rel = f"{leaf.path.rsplit('/', 1)[0]}/{name}.py"
        if (c.root / rel).exists():
            continue
        out.append(Mutation("fork_leaf", f"{leaf.path}", {rel: data}, Expected("DJS101", label, None, None)))
    return out


def sites_serializer_unknown_name(c: Corpus) -> list[Mutation]:
    out = []
    for s in c.serializers:
        if not s.plain or s.fields_node is None or s.model is None or UNKNOWN_NAME in s.declared:
            continue
        first = s.fields_node.elts[0]
        at = s.source.span(first)[0]
        data = edit(s.source.data, [(at, at, f"{UNKNOWN_NAME!r}, ")])
        out.append(Mutation("serializer_unknown_name", f"{s.path}:{s.node.name}@{s.node.lineno}", {s.path: data},
                            Expected("DJS401", s.model.app, s.model.name.lower(), UNKNOWN_NAME, s.path),
                            (s.model.app, s.model.name.lower()), (s.path, s.node.lineno)))  # fmt: skip
    return out


def sites_rename_field(c: Corpus) -> list[Mutation]:
    out = []
    for s in c.serializers:
        model = s.model
        if model is None:
            continue
        uses = [(n, "DJS401", n) for n in s.names if n not in s.declared]
        uses += [(src.split(".")[0], "DJS402", declared) for declared, src, _ in s.sources if src != "*"]
        for old, code, reported in uses:
            if old not in model.fields:
                continue
            # the models file must not name the field elsewhere (Meta.ordering, indexes, ...)
            mentions = [n for n in ast.walk(model.source.tree) if const_str(n) == old]
            if mentions:
                continue
            new_name = old + SUFFIX
            target = model.field_targets[old]
            models_data = edit(model.source.data, [(*model.source.span(target), new_name)])
            op = f"migrations.RenameField(model_name={model.name.lower()!r}, old_name={old!r}, new_name={new_name!r})"
            made = _new_migration(c, model.app, "rename", "from django.db import migrations", [op])
            if made is None:
                continue
            rel, mig_data = made
            if s.path == model.path:
                continue  # one file holding both: keep the edits simple
            out.append(Mutation("rename_field", f"{s.path}:{s.node.name}@{s.node.lineno}:{model.name}.{old}:{code}",
                                {model.path: models_data, rel: mig_data},
                                Expected(code, model.app, model.name.lower(), reported, s.path),
                                (model.app, model.name.lower()), (s.path, s.node.lineno), (old,)))  # fmt: skip
    return out


def _relation_target(call: ast.Call) -> str | None:
    node = kwarg(call, "to", 0)
    if node is None:
        return None
    text = const_str(node) or dotted(node)
    return text.rpartition(".")[2] if text else None


def _latest_definition(c: Corpus, label: str, model: str, fname: str) -> tuple[Op, ast.Call] | None:
    """The last migration expression that defines app.model.field, when nothing renames it."""
    found = None
    for mig in c.ordered(label):
        for op in mig.ops:
            call = op.call
            if op.kind == "CreateModel" and (const_str(kwarg(call, "name", 0)) or "").lower() == model:
                fields = kwarg(call, "fields", 1)
                for elt in getattr(fields, "elts", []):
                    if isinstance(elt, ast.Tuple) and len(elt.elts) == 2 and const_str(elt.elts[0]) == fname and isinstance(elt.elts[1], ast.Call):
                        found = (op, elt.elts[1])
            elif op.kind in ("AddField", "AlterField") and (const_str(kwarg(call, "model_name", 0)) or "").lower() == model:
                if const_str(kwarg(call, "name", 1)) == fname and isinstance(kwarg(call, "field", 2), ast.Call):
                    found = (op, kwarg(call, "field", 2))
            elif op.kind in ("RenameField", "RemoveField", "RenameModel", "DeleteModel"):
                text = op.migration.source.segment(call)
                if _quoted(model).search(text):
                    found = None if _quoted(fname).search(text) or op.kind in ("RenameModel", "DeleteModel") else found
    return found


def sites_related_name_changed(c: Corpus) -> list[Mutation]:
    out = []
    relations = []  # (holder model, field name, call, related_name Constant, target class name)
    for m in c.all_models():
        for fname, call in m.fields.items():
            if dotted(call.func).rpartition(".")[2] not in ("ForeignKey", "OneToOneField", "ManyToManyField"):
                continue
            rn = kwarg(call, "related_name")
            if const_str(rn) and "%" not in const_str(rn) and not const_str(rn).endswith("+"):
                target = _relation_target(call)
                if target == "self":
                    target = m.name
                relations.append((m, fname, call, rn, target))
    for s in c.serializers:
        if s.model is None or s.fields_node is None:
            continue
        for holder, fname, call, rn, target in relations:
            name = const_str(rn)
            if target != s.model.name or name not in s.names or name in s.declared:
                continue
            found = _latest_definition(c, holder.app, holder.name.lower(), fname)
            if found is None:
                continue
            op, definition = found
            msrc = op.migration.source
            mrn = kwarg(definition, "related_name")
            if const_str(mrn) != name or _free_names(definition, msrc):
                continue
            start, end = msrc.span(definition)
            rs, re_ = msrc.span(mrn)
            new_def = (msrc.data[start:rs] + repr(name + SUFFIX).encode() + msrc.data[re_:end]).decode("utf-8")
            alter = f"migrations.AlterField(model_name={holder.name.lower()!r}, name={fname!r}, field={new_def})"
            made = _new_migration(c, holder.app, "related", _imports(msrc), [alter])
            if made is None or holder.path == s.path:
                continue
            rel, mig_data = made
            models_data = edit(holder.source.data, [(*holder.source.span(rn), repr(name + SUFFIX))])
            out.append(Mutation("related_name_changed", f"{s.path}:{s.node.name}@{s.node.lineno}:{holder.name}.{fname}:{name}",
                                {holder.path: models_data, rel: mig_data},
                                Expected("DJS401", s.model.app, s.model.name.lower(), name, s.path),
                                (s.model.app, s.model.name.lower()), (s.path, s.node.lineno), (name,)))  # fmt: skip
    return out


# --- query mutations (DJS5xx) -----------------------------------------------------------------
#
# Query sites are found with ``ast`` in every module of the tree but migrations: a call of a
# lookup-taking QuerySet method whose receiver is, written out, a chain of calls rooted at
# ``<Model>.<manager>`` where <Model> is a concrete model class of the tree (imported from an
# in-tree app, defined in the module, or bound by ``get_model("label", "Name")``). Custom
# methods in between are allowed (the site says so): a renamed field's old name cannot be an
# annotation there, since Django refuses an annotation that shadows a field.

QUERY_FILTER = {"filter", "exclude", "get", "get_or_create", "update_or_create", "aget", "aget_or_create", "aupdate_or_create"}
QUERY_FIELD = {"values", "values_list", "order_by", "only", "defer", "select_related", "prefetch_related"}
QUERY_EXPR = {"annotate", "aggregate", "alias"}
QUERY_NOT_LOOKUPS = {"defaults", "create_defaults"}
QUERY_AGGREGATES = {"Count", "Sum", "Avg", "Min", "Max", "StdDev", "Variance"}
QUERY_OPAQUE = {"Subquery", "Exists", "OuterRef", "Prefetch", "RawSQL", "Value", "FilteredRelation"}
# Django's own QuerySet/Manager methods: a chain through any other is marked "custom" in the site
DJANGO_QS = {
    "all", "filter", "exclude", "order_by", "values", "values_list", "only", "defer", "distinct", "select_related",
    "prefetch_related", "annotate", "alias", "reverse", "none", "using", "select_for_update", "get_queryset",
}  # fmt: skip
NOT_ROWS = {"union", "intersection", "difference", "extra", "raw", "values", "values_list"}  # names after them differ
BAD_HOP = "djsmuthop"
PLAIN_FIELD_EXCLUDED = {"JSONField", "HStoreField", "ArrayField"}  # any key or index is a valid transform
RELATION_CALLEES = {"models.ForeignKey", "models.OneToOneField", "models.ManyToManyField"}


@dataclass
class QuerySite:
    rel: str
    source: Source
    model: ModelClass  # the chain's root model
    manager: str
    methods: list[str]  # the chain's methods before this call, then this call's
    text: str  # the name as written, "-" included
    role: str  # filter, field, select, prefetch
    line: int
    start: int  # byte offset of the name's text in the file

    @property
    def custom(self) -> bool:
        return any(m not in DJANGO_QS for m in self.methods[:-1])

    @property
    def path_text(self) -> tuple[str, int]:
        """The name without an order_by sign, and its offset."""
        stripped = self.text.lstrip("-+") if self.role == "field" else self.text
        return stripped, self.start + len(self.text) - len(stripped)

    def describe(self) -> str:
        via = "+custom" if self.custom else ""
        return f"{self.rel}:{self.line}:{self.model.name}.{self.manager}{via}.{self.methods[-1]}('{self.text}')"


def _string_start(src: Source, node: ast.Constant) -> int | None:
    """Byte offset of a plain one-line string literal's text (None for prefixed, implicit-concatenated,
    escaped or multi-line ones)."""
    start, end = src.span(node)
    raw = src.data[start:end]
    for quote in (b'"', b"'"):
        if raw.startswith(quote) and raw.endswith(quote) and raw[1:-1] == node.value.encode("utf-8") and len(raw) >= 2:
            if raw.startswith(quote * 3):
                return None
            return start + 1
    return None


def _model_bindings(c: Corpus, rel: str, src: Source) -> dict[str, ModelClass]:
    """Module-level names bound to tree models by `X = get_model("label", "Name")` (oscar's pattern)."""
    out = {}
    for node in src.tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call) and dotted(value.func).rpartition(".")[2] == "get_model" and len(value.args) == 2:
                label, name = const_str(value.args[0]), const_str(value.args[1])
                if label and name:
                    found = c.model_by_name(label, name)
                    if found is not None:
                        out[node.targets[0].id] = found
    return out


def _query_model(c: Corpus, rel: str, src: Source, ref: str, bound: dict[str, ModelClass]) -> ModelClass | None:
    """The tree model a reference names, only when that is certain from the module's own text."""
    head, _, last = ref.rpartition(".")
    if not head and ref in bound:
        return bound[ref]
    if not last[:1].isupper():
        return None
    if not head and any(isinstance(n, ast.ClassDef) and n.name == ref for n in src.tree.body):
        found = [m for m in c.all_models() if m.path == rel and m.name == ref]
        return found[0] if len(found) == 1 else None
    imported_from = None
    for base, name, bound_name in c.from_imports(rel, src):
        if not head and bound_name == last:
            imported_from = base if name == last else None
        elif head and bound_name == head.split(".")[0] and "." not in head:
            imported_from = f"{base}.{name}"
    if imported_from is None:
        return None
    app = c.app_of_module(imported_from)
    if app is None:
        return None
    found = [m for m in c.models.get(app.label, []) if m.name == last]
    return found[0] if len(found) == 1 else None


def _receiver_chain(node: ast.AST) -> tuple[ast.Attribute, list[str]] | None:
    """`M.objects.a().b()` -> (the `M.objects` node, [a, b])."""
    methods = []
    while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        methods.append(node.func.attr)
        node = node.func.value
    if isinstance(node, ast.Attribute) and dotted(node.value):
        return node, methods[::-1]
    return None


def _expression_names(node: ast.AST, out: list[tuple[str, ast.AST, str]]) -> None:
    """Names Django reads in an expression argument: F("a"), Count("b"), Q(c=1)."""
    if isinstance(node, ast.Call):
        name = dotted(node.func).rpartition(".")[2]
        if isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Call):
            _expression_names(node.func.value, out)  # F("a").desc()
            return
        if name in QUERY_OPAQUE:
            return
        if name == "Q":
            for k in node.keywords:
                if k.arg is not None:
                    out.append((k.arg, k, "filter"))
            for a in node.args:
                _expression_names(a, out)
            return
        if name == "F" or name in QUERY_AGGREGATES:
            if node.args and const_str(node.args[0]) not in (None, "*"):
                out.append((const_str(node.args[0]), node.args[0], "field"))
            for k in node.keywords:
                if k.arg == "filter":
                    _expression_names(k.value, out)
            return
    elif isinstance(node, (ast.BinOp, ast.BoolOp, ast.UnaryOp)):
        for child in ast.iter_child_nodes(node):
            _expression_names(child, out)


def _call_names(call: ast.Call, method: str) -> list[tuple[str, ast.AST, str]]:
    out: list[tuple[str, ast.AST, str]] = []
    if method in QUERY_FILTER:
        for k in call.keywords:
            if k.arg is not None and k.arg not in QUERY_NOT_LOOKUPS:
                out.append((k.arg, k, "filter"))
                _expression_names(k.value, out)
            elif k.arg is None and isinstance(k.value, ast.Dict):
                for key in k.value.keys:
                    if const_str(key) and const_str(key) not in QUERY_NOT_LOOKUPS:
                        out.append((const_str(key), key, "filter"))
        for a in call.args:
            _expression_names(a, out)
    elif method in QUERY_FIELD:
        role = {"select_related": "select", "prefetch_related": "prefetch"}.get(method, "field")
        for a in call.args:
            if const_str(a) is not None:
                out.append((const_str(a), a, role))
            elif role == "field":
                _expression_names(a, out)
        if method in ("values", "values_list"):
            for k in call.keywords:
                if k.arg is not None:
                    _expression_names(k.value, out)
    elif method in QUERY_EXPR:
        for a in [*call.args, *(k.value for k in call.keywords)]:
            _expression_names(a, out)
    return out


_BUILD_COPY = re.compile(r"/build/(?:lib|bdist\.[^/]*)/")


def query_sites(c: Corpus) -> list[QuerySite]:
    """Every name written in a query on a tree model (computed once per corpus)."""
    cached = getattr(c, "_query_sites", None)
    if cached is not None:
        return cached
    sites: list[QuerySite] = []
    skip_dirs = {app.dir.migrations_dir for app in c.apps.values() if app.dir.migrations_dir}
    for path in sorted(c.root.rglob("*.py")):
        rel = path.relative_to(c.root).as_posix()
        if any(rel.startswith(d + "/") for d in skip_dirs) or "/migrations/" in f"/{rel}":
            continue
        if _BUILD_COPY.search(f"/{rel}"):
            continue  # setuptools' build output in an sdist: djstate's discovery skips that copy
        try:
            if b".objects" not in path.read_bytes() and b"_manager" not in path.read_bytes() and b"get_model" not in path.read_bytes():
                continue
        except OSError:
            continue
        src = c.source(rel)
        if src is None:
            continue
        bound = _model_bindings(c, rel, src)
        for node in ast.walk(src.tree):
            if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
                continue
            method = node.func.attr
            if method not in QUERY_FILTER | QUERY_FIELD | QUERY_EXPR:
                continue
            found = _receiver_chain(node.func.value)
            if found is None:
                continue
            root, methods = found
            manager = root.attr
            if manager.startswith("__") or manager == "_meta" or any(m in NOT_ROWS for m in methods):
                continue
            model = _query_model(c, rel, src, dotted(root.value), bound)
            if model is None or manager in model.fields:
                continue
            for text, name_node, role in _call_names(node, method):
                if isinstance(name_node, ast.keyword):
                    start = src.offset(name_node.lineno, name_node.col_offset)
                    if src.data[start : start + len(text)] != text.encode():
                        continue
                else:
                    start = _string_start(src, name_node)
                    if start is None:
                        continue
                sites.append(QuerySite(rel, src, model, manager, [*methods, method], text, role, name_node.lineno, start))
    c._query_sites = sites
    return sites


def _rename_target(c: Corpus, m: ModelClass, old: str, new: str) -> tuple[bytes, tuple[str, bytes]] | None:
    """The models file with the field renamed and its RenameField migration, or None."""
    for n in ast.walk(m.node):
        text = const_str(n)
        if text is not None and text.lstrip("-").split("__")[0] == old:
            return None  # the class names it as a string (Meta.ordering, indexes, ...): more than a rename
    # (queries elsewhere in the file that name it break too: their findings count as consequences)
    data = edit(m.source.data, [(*m.source.span(m.field_targets[old]), new)])
    op = f"migrations.RenameField(model_name={m.name.lower()!r}, old_name={old!r}, new_name={new!r})"
    made = _new_migration(c, m.app, "qrename", "from django.db import migrations", [op])
    return (data, made) if made is not None else None


def sites_query_rename_field(c: Corpus) -> list[Mutation]:
    out = []
    for s in query_sites(c):
        text, _ = s.path_text
        old = text.split("__")[0]
        if old not in s.model.fields or not old:
            continue
        made = _rename_target(c, s.model, old, old + SUFFIX)
        if made is None:
            continue
        models_data, (rel, mig_data) = made
        files = {s.model.path: models_data, rel: mig_data}
        out.append(Mutation("query_rename_field", s.describe(), files,
                            Expected("DJS501", s.model.app, s.model.name.lower(), None, s.rel, line=s.line, part=old),
                            (s.model.app, s.model.name.lower()), explained=(old,), query=(s.rel, s.line)))  # fmt: skip
    return out


def _relation_holders(c: Corpus) -> list[tuple[ModelClass, str, ast.Call, ast.AST, ModelClass]]:
    """(holder, field, call, related_name Constant, target model) of relations with a literal related_name."""
    out = []
    for m in c.all_models():
        for fname, call in m.fields.items():
            if dotted(call.func).rpartition(".")[2] not in ("ForeignKey", "OneToOneField", "ManyToManyField"):
                continue
            rn = const_str(kwarg(call, "related_name"))
            if not rn or "%" in rn or rn.endswith("+"):
                continue
            to = kwarg(call, "to", 0)
            text = const_str(to) or dotted(to) if to is not None else ""
            if not text:
                continue
            if text == "self":
                target = m
            elif "." in text and const_str(to):
                label, _, name = text.rpartition(".")
                target = c.model_by_name(label, name)
            else:
                target = _query_model(c, m.path, m.source, text, {}) or c.model_by_name(m.app, text.rpartition(".")[2])
            if target is not None:
                out.append((m, fname, call, kwarg(call, "related_name"), target))
    return out


def sites_query_related_name(c: Corpus) -> list[Mutation]:
    out = []
    relations = _relation_holders(c)
    for s in query_sites(c):
        text, _ = s.path_text
        first = text.split("__")[0]
        for holder, fname, call, rn, target in relations:
            name = const_str(rn)
            if target is not s.model or first != name:
                continue
            if s.role != "prefetch" and kwarg(call, "related_query_name") is not None:
                continue  # queries use the related_query_name, which stays
            found = _latest_definition(c, holder.app, holder.name.lower(), fname)
            if found is None:
                continue
            op, definition = found
            msrc = op.migration.source
            mrn = kwarg(definition, "related_name")
            if const_str(mrn) != name or _free_names(definition, msrc):
                continue
            start, end = msrc.span(definition)
            rs, re_ = msrc.span(mrn)
            new_def = (msrc.data[start:rs] + repr(name + SUFFIX).encode() + msrc.data[re_:end]).decode("utf-8")
            alter = f"migrations.AlterField(model_name={holder.name.lower()!r}, name={fname!r}, field={new_def})"
            made = _new_migration(c, holder.app, "qrelated", _imports(msrc), [alter])
            if made is None:
                continue
            rel, mig_data = made
            models_data = edit(holder.source.data, [(*holder.source.span(rn), repr(name + SUFFIX))])
            out.append(Mutation("query_related_name", f"{s.describe()}:{holder.name}.{fname}",
                                {holder.path: models_data, rel: mig_data},
                                Expected("DJS501", s.model.app, s.model.name.lower(), None, s.rel, line=s.line, part=name,
                                         codes=("DJS502",)),
                                (s.model.app, s.model.name.lower()), explained=(name,), query=(s.rel, s.line)))  # fmt: skip
    return out


def sites_query_bad_hop(c: Corpus) -> list[Mutation]:
    out = []
    for s in query_sites(c):
        text, at = s.path_text
        parts = text.split("__")
        if len(parts) < 2 or parts[0] not in s.model.fields:
            continue
        callee = dotted(s.model.fields[parts[0]].func)
        if not callee.startswith("models.") or callee.rpartition(".")[2] in PLAIN_FIELD_EXCLUDED:
            continue  # a field class that is not Django's may take any transform
        insert = at + len(parts[0]) + 2
        data = edit(s.source.data, [(insert, insert, BAD_HOP + "__")])
        out.append(Mutation("query_bad_hop", s.describe(), {s.rel: data},
                            Expected("DJS501", None, None, None, s.rel, line=s.line, part=BAD_HOP),
                            (s.model.app, s.model.name.lower()), query=(s.rel, s.line)))  # fmt: skip
    return out


SITES = {
    "add_field": sites_add_field,
    "alter_max_length": lambda c: _field_sites(c, "alter_max_length"),
    "alter_null": lambda c: _field_sites(c, "alter_null"),
    "alter_on_delete": lambda c: _field_sites(c, "alter_on_delete"),
    "delete_addfield": sites_delete_addfield,
    "missing_dependency": sites_missing_dependency,
    "fork_leaf": sites_fork_leaf,
    "duplicate_addfield": sites_duplicate_addfield,
    "serializer_unknown_name": sites_serializer_unknown_name,
    "rename_field": sites_rename_field,
    "related_name_changed": sites_related_name_changed,
    "query_rename_field": sites_query_rename_field,
    "query_related_name": sites_query_related_name,
    "query_bad_hop": sites_query_bad_hop,
}


# --- scanning and judging ----------------------------------------------------------------------


class SharedStore(FactsStore):
    """The facts store, keeping records read from the disk cache in memory too, so that the many
    scans of one corpus unpickle each record once."""

    def _load(self, key: str):
        facts = super()._load(key)
        if facts is not None and key not in self.shared:
            self.shared[key] = copy.copy(facts)
        return facts


# The site-packages folder the scans read (``--site-packages oracle``): set per corpus.
SITE_PACKAGES: tuple[str, ...] = ()
ORACLE_VENVS = Path("~/.cache/djstate/oracle-venvs").expanduser()


def oracle_site_packages(corpus) -> tuple[str, ...]:
    """The corpus's oracle venv (tools/oracle_wide.py: the corpus installed with its dependencies)
    as the project's own virtualenv; () when it was not built or its install failed."""
    venv = ORACLE_VENVS / corpus.dirname
    try:
        record = json.loads((venv / ".oracle-venv.json").read_text())
    except (OSError, ValueError):
        return ()
    if not record.get("ok"):
        return ()
    found = sorted((venv / "lib").glob("python3.*/site-packages"))
    return (str(found[0]),) if found else ()


def run_scan(root: Path, shared: dict) -> tuple[dict, object]:
    """What `djstate scan ROOT --format json` prints, and the in-memory result behind it."""
    config = load_config(root, {"site_packages": SITE_PACKAGES} if SITE_PACKAGES else {})
    store = SharedStore(root, default_cache_dir(), shared=shared)
    result = scan(root, config, store)
    return json.loads(json_report.render(result.findings, result.stats)), result


def fkey(f: dict) -> tuple:
    """A finding without its position: edits above it move lines, not findings."""
    return (f["code"], f["severity"], f["path"], f["app"], (f["model"] or "").lower() or None, f["field"], f["message"])


def matches(f: dict, e: Expected) -> bool:
    return (
        f["code"] in (e.code, *e.codes)
        and (e.app is None or f["app"] == e.app)
        and (e.model is None or (f["model"] or "").lower() == e.model)
        and (e.field is None or f["field"] == e.field)
        and (e.path is None or f["path"] == e.path)
        and (e.line is None or f["line"] == e.line)
        and (e.part is None or f"'{e.part}'" in f["message"])
    )


def same_target(f: dict, e: Expected) -> bool:
    if e.line is not None:
        return f["path"] == e.path and f["line"] == e.line
    if e.path is not None and f["path"] == e.path:
        return True
    if e.model is not None:
        return f["app"] == e.app and (f["model"] or "").lower() == e.model and (e.field is None or f["field"] in (e.field, None))
    return f["app"] == e.app


def why_model(p, path: str | None) -> str:
    """Why djstate's models state left a model class unverified, from its ModelClass."""
    builder = p.models_builder
    mc = builder.model_class(path) if builder is not None and path else None
    if mc is None:
        return "not recognised as a model class"
    why = []
    if mc.facts.conditional:
        why.append("defined under an `if`")
    odd = [k for k in ("abstract", "proxy", "managed") if k in mc.meta and not isinstance(mc.meta[k], bool)]
    if odd:
        why.append(f"Meta.{'/'.join(odd)} depends on settings (not a literal)")
    if not mc.known:
        outside = [b.path for b in mc.bases if hasattr(b, "path") and builder.class_facts(b.path) is None
                   and not b.path.startswith(("django.", "builtins."))]
        chain = [b for b in mc.bases if hasattr(b, "path") and (m := builder.model_class(b.path)) is not None and not m.known]
        if outside:
            why.append(f"a base outside the scanned tree: {', '.join(outside)}")
        elif chain:
            why.append(f"a base that is itself unverified: {', '.join(b.path for b in chain)}")
        else:
            why.append("a base or class attribute djstate cannot follow")
    return "; ".join(why) or "an internal error"


def why_uncertain(p, app: str, model: str) -> str:
    """Which migrations of the app djstate could not replay (unknown operations, runtime attributes)."""
    found = []

    def walk(ops):
        for op in ops:
            yield op
            yield from walk(op.nested or [])

    whole_app = app in p.state.uncertain_apps
    for key, mig in sorted(p.migrations.items()):
        if key[0] != app:
            continue
        if mig.opaque_attributes:
            found.append(f"{key[1]} sets {', '.join(sorted(mig.opaque_attributes))} at import time")
        if mig.conditional_operations:
            found.append(f"{key[1]} has operations under an import-time branch")
        for op in walk(mig.operations):
            target = op.args.get("model_name", op.args.get("name"))
            mine = isinstance(target, str) and target.lower() == model
            if not op.known and (mine or (whole_app and not isinstance(target, str))):
                found.append(f"{key[1]} runs {op.kind}, an operation djstate cannot replay")
    scope = f"the whole app {app}" if whole_app else f"{app}.{model}"
    shown = list(dict.fromkeys(found))
    more = f" (+{len(shown) - 3} more)" if len(shown) > 3 else ""
    return f"{scope}: " + ("; ".join(shown[:3]) + more if shown else "an operation it cannot replay")


def why_serializer(p, s, built, name: str | None) -> str:
    """Which of build_fields' conditions left a serializer's names uncertain."""
    from djstate.state.serializer_build import FIELD_HOOKS

    why = []
    if not s.known:
        why.append("a base class djstate cannot follow")
    if not s.declared_known:
        why.append("declared fields it cannot follow")
    if s.members & FIELD_HOOKS:
        why.append(f"overrides {', '.join(sorted(s.members & FIELD_HOOKS))}")
    if not s.meta_known:
        why.append("a Meta it cannot follow")
    info = built.model
    if info is not None:
        if not info.known:
            why.append(f"model {info.key[0]}.{info.name} is not fully known")
        if not getattr(info, "reverse_known", True):
            why.append(f"the reverse relations of {info.key[0]}.{info.name} are not all known")
        catalog = p.serializers.catalog
        if name and catalog.maybe_reverse(name):
            why.append(f"`{name}` may be a reverse accessor of a model djstate cannot see")
        if name and catalog.maybe_runtime_attribute(info, name):
            why.append(f"`{name}` may be set on the model at runtime")
    return "; ".join(why) or "names_certain=False"


def _query_unjudged(p, path: str, line: int, part: str | None = None) -> list[str]:
    """Why djstate did not judge a query: the Unjudged it recorded at (or just above) the line,
    one naming the part first (DJS507's default-manager items say nothing about names)."""
    queries = getattr(p, "queries", None)
    if queries is None:
        return ["the queries stage did not run (an internal error)"]
    if path not in set(p.tree.modules.values()):
        return ["the module is not in djstate's tree of modules"]
    near = [u for u in queries.unjudged if u.path == path and line - 12 <= u.line <= line
            and "bypasses the default manager" not in u.detail]
    near.sort(key=lambda u: (not (part and f"'{part}" in u.detail), u.line != line, -u.line))
    return [f"the query is not judged ({near[0].unit}: {near[0].detail})"] if near else []


def unverified_reason(result, mutation: Mutation, before: int, after: int) -> str | None:
    """Why djstate left the mutated target unjudged, read from its state; None if it did not."""
    p = result.project
    reasons = []
    if mutation.query:
        reasons += _query_unjudged(p, *mutation.query, mutation.expected.part)
    if mutation.target_model:
        app, model = mutation.target_model
        ms = p.models_state
        skipped = {u.unit for u in p.unjudged if u.reason == "django-version"}
        if f"model {app}.{model}" in skipped:  # engine.py: every model comparison left unjudged
            reasons.append(f"model {app}.{model} is not compared: the project pins a Django older than djstate "
                           f"emulates (django-version: {p.django_version.detail})")
        if ms is None:
            reasons.append("the models stage failed (DJS000)")
        else:
            if (app, model) in ms.unverified_models:
                reasons.append(f"model {app}.{model} is unverified in the models state: {why_model(p, mutation.target_class)}")
            elif (app, model) in getattr(ms, "partial_models", set()):
                reasons.append(f"model {app}.{model} has fields djstate cannot see (partial model): added/removed fields not judged")
            elif (app, model) not in ms.models:
                reasons.append(f"model {app}.{model} is not in djstate's models state")
        name = mutation.expected.field
        for side, state in (("models", ms.models if ms is not None else {}), ("migrations", p.state.models if p.state else {})):
            fs = state.get((app, model)).fields.get(name) if (app, model) in state and name else None
            if fs is not None and not fs.known:
                opaque = [k for k, v in fs.kwargs.items() if type(v).__name__ == "Opaque"]
                reasons.append(f"field {app}.{model}.{name} is not fully known in the {side} state (kwargs "
                               f"{', '.join(opaque) or '?'} not readable), so djstate compares none of it")
        if p.state is not None and p.state.is_uncertain(app, model):
            reasons.append(f"the migrations' state of {app}.{model} is uncertain: {why_uncertain(p, app, model)}")
        if app in p.broken_apps:
            reasons.append(f"app {app}'s migration graph is incomplete (unparsable or computed dependencies)")
    if not mutation.target_model and mutation.expected.app in p.broken_apps:
        app = mutation.expected.app
        reasons.append(f"app {app}'s migration graph is incomplete, so graph rules skip it: {why_uncertain(p, app, '')}")
    if mutation.serializer and p.serializers is not None:
        path, line = mutation.serializer
        mine = [(s, b) for s, b in p.serializers.checked() if s.file == path and s.facts.span.line == line]
        if not mine:
            reasons.append("djstate does not check this serializer (not recognised as a serializer class)")
        else:
            s, b = mine[0]
            if b.model is None:
                reasons.append(f"the serializer's Meta.model did not resolve to a model djstate knows ({s.name})")
            elif not b.names_certain:
                reasons.append(f"{s.name}'s field names are not certain to djstate: {why_serializer(p, s, b, mutation.expected.field)}")
    elif mutation.serializer and p.serializers is None:
        reasons.append("the serializers stage did not run (an internal error)")
    errors = [e for e in p.internal_errors]
    touched = set(mutation.files)
    for e in errors:
        if e.path in touched:
            reasons.append(f"internal error in {e.unit}: {e.summary}")
    if after > before and not reasons:
        reasons.append(f"stats.unverified rose from {before} to {after}")
    return "; ".join(reasons) or None


def judge(mutation: Mutation, base_keys: Counter, base_unverified: int, data: dict, result) -> dict:
    new, left = [], Counter(base_keys)
    for f in data["findings"]:
        k = fkey(f)
        if left[k] > 0:
            left[k] -= 1
        else:
            new.append(f)
    e = mutation.expected
    hits = [f for f in new if matches(f, e)]
    # a broken source= on a read-only, optional, nullable or defaulted field is a DJS402 warning:
    # DRF leaves the field out instead of raising (tests/test_djs402_severity.py)
    caught = bool(hits) and all(f["severity"] == "error" or f["code"] == "DJS402" and f["severity"] == "warning"
                                for f in hits)  # fmt: skip
    miss = reason = None
    if not caught:
        if hits:
            miss, reason = "wrong severity", ", ".join(sorted({f["severity"] for f in hits}))
        elif any(f["code"] in (e.code, *e.codes) for f in new):
            miss = "wrong location"
        elif any(same_target(f, e) for f in new if f["severity"] in ("error", "warning")):
            miss = "wrong code"
        else:
            reason = unverified_reason(result, mutation, base_unverified, data["stats"]["unverified"])
            miss = "unverified" if reason else "silent"
    side = [f for f in new if f not in hits and (f["severity"] == "error" or f["code"] == "DJS000")]
    explained = [
        f for f in side
        if (mutation.explained and (f["field"] in mutation.explained
                                    or any(f"'{n}'" in f["message"] or f"`{n}`" in f["message"] for n in mutation.explained)))
        # the old parent of a migration whose dependency was renamed is a leaf now: true, same cause
        or (mutation.kind == "missing_dependency" and f["code"] == "DJS101" and f["app"] == e.app)
    ]  # fmt: skip
    return {
        "caught": caught,
        "got": [_brief(f) for f in new if f["severity"] in ("error", "warning") or f["code"] == "DJS000"][:12],
        "miss": miss,
        "reason": reason,
        "unverified_before": base_unverified,
        "unverified_after": data["stats"]["unverified"],
        "side_effects": [_brief(f) for f in side if f not in explained],
        "consequences": [_brief(f) for f in explained],
    }


def _brief(f: dict) -> dict:
    return {k: f[k] for k in ("code", "severity", "path", "line", "app", "model", "field", "message")}


# --- the run -----------------------------------------------------------------------------------


def run_corpus(corpus, args, records: list, skipped: list, scratch: Path) -> None:
    global SITE_PACKAGES
    src = fetch.ensure(corpus.name)
    SITE_PACKAGES = oracle_site_packages(corpus) if args.site_packages == "oracle" else ()
    if args.site_packages == "oracle" and not SITE_PACKAGES:
        skipped.append({"corpus": corpus.name, "why": "no oracle venv: scanned without site-packages"})
    work = scratch / corpus.dirname
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(src, work, ignore=NOT_SOURCE, symlinks=True)
    shared: dict = {}
    try:
        start = time.perf_counter()
        base_data, base_result = run_scan(work, shared)
        first = warm = time.perf_counter() - start
        if first > args.max_scan_seconds:  # maybe only cold: judge the warm time
            start = time.perf_counter()
            base_data, base_result = run_scan(work, shared)
            warm = time.perf_counter() - start
        if warm > args.max_scan_seconds:
            skipped.append({"corpus": corpus.name, "why": f"warm scan {warm:.1f}s > {args.max_scan_seconds}s"})
            return
        index = Corpus(corpus.name, work, base_result.project)
        # the unmutated copy is a clean project: its query errors are a precision check
        query_errors = [f for f in base_data["findings"] if f["code"].startswith("DJS5") and f["severity"] == "error"]
        skipped.append({"corpus": corpus.name, "why": f"unmutated scan: {len(query_errors)} DJS5xx error finding(s)",
                        "query_errors": [_brief(f) for f in query_errors[:20]]})
        base_keys = Counter(fkey(f) for f in base_data["findings"])
        base_unverified = base_data["stats"]["unverified"]
        counts = Counter()
        print(f"[{corpus.name}] first scan {first:.1f}s, warm {warm:.2f}s, {len(index.apps)} apps, "
              f"{len(index.all_models())} models found, {len(index.serializers)} serializers", flush=True)  # fmt: skip
        for kind in args.kinds:
            try:
                candidates = sorted(SITES[kind](index), key=lambda m: m.site)
            except Exception as exc:  # a site finder that trips on a shape is a harness bug: say so
                skipped.append({"corpus": corpus.name, "why": f"{kind}: site search failed: {exc!r}"})
                continue
            random.Random(f"{args.seed}:{corpus.name}:{kind}").shuffle(candidates)
            for m in candidates:
                if m.target_model:
                    model = index.model_by_name(*m.target_model)
                    module = index.module_of(model.path)[0] if model else None
                    m.target_class = f"{module}.{model.name}" if module else None
            done = 0
            for m in candidates:
                if done >= args.per_kind:
                    break
                record = apply_and_scan(m, work, shared, base_keys, base_unverified)
                if record is None:
                    counts["skip:" + kind] += 1
                    continue
                done += 1
                record.update(corpus=corpus.name, held_out=corpus.held_out, kind=kind, venv=bool(SITE_PACKAGES))
                records.append(record)
                status = "caught" if record["caught"] else f"MISS ({record['miss']})"
                print(f"  {kind:24} {m.site[:90]:90} {status}", flush=True)
            counts[kind] = done
            if not candidates:
                counts["nosite:" + kind] += 1
        skipped.extend({"corpus": corpus.name, "why": f"{k[5:]}: {n} site(s) skipped (the edit could not be applied cleanly)"} for k, n in counts.items() if k.startswith("skip:"))
    finally:
        shutil.rmtree(work, ignore_errors=True)


def apply_and_scan(m: Mutation, work: Path, shared: dict, base_keys: Counter, base_unverified: int) -> dict | None:
    originals: dict[str, bytes | None] = {}
    try:
        for rel, data in m.files.items():
            path = work / rel
            originals[rel] = path.read_bytes() if path.exists() else None
            if rel.endswith(".py"):
                try:
                    ast.parse(data)
                except SyntaxError:
                    return None
            path.write_bytes(data)
        start = time.perf_counter()
        try:
            data, result = run_scan(work, shared)
        except Exception as exc:  # the CLI would exit 2 with this trace
            return {"site": m.site, "files": sorted(m.files), "expected": vars(m.expected), "caught": False,
                    "miss": "scan crashed", "reason": repr(exc), "got": [], "side_effects": [], "consequences": []}  # fmt: skip
        seconds = time.perf_counter() - start
        try:
            verdict = judge(m, base_keys, base_unverified, data, result)
        except Exception as exc:  # a harness bug on one site must not end the run: record it
            verdict = {"caught": False, "miss": "harness error", "reason": repr(exc), "got": [], "side_effects": [], "consequences": []}
        return {"site": m.site, "files": sorted(m.files), "expected": vars(m.expected), "seconds": round(seconds, 2), **verdict}
    finally:
        for rel, old in originals.items():
            path = work / rel
            if old is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(old)


def rate(rows: list[dict]) -> str:
    if not rows:
        return "–"
    caught = sum(r["caught"] for r in rows)
    return f"{caught}/{len(rows)} ({100 * caught / len(rows):.0f}%)"


def render_md(records: list[dict], skipped: list[dict], meta: dict) -> str:
    lines = [
        "# Recall on mutated real projects",
        "",
        f"Written by `tools/mutate.py` (`make recall`) on {meta['date']}, djstate {meta['djstate']} at commit {meta.get('commit')}{' (updates at ' + ', '.join(meta['update_commits']) + ')' if meta.get('update_commits') else ''}"
        f"{' plus uncommitted edits to %d djstate files (the tree is shared; see recall.json)' % len(meta['djstate_dirty']) if meta.get('djstate_dirty') else ''}, seed {meta['seed']}, "
        f"up to {meta['per_kind']} sites per kind per corpus, {meta['corpora_scanned']} corpora scanned, "
        f"{len(records)} mutations, {meta['seconds']:.0f} s"
        f"{' (these corpora re-run later, at the tree of that time: ' + ', '.join(meta['updated']) + ')' if meta.get('updated') else ''}. A mutation is caught when a NEW error finding has the expected "
        "code, app label, model and field (and file for migration/serializer findings). See the tool's docstring for the kinds.",
        "",
        ("The project's virtualenv: each corpus's oracle venv (the corpus installed with its dependencies by "
         "`tools/oracle_wide.py`) was read as `--site-packages`, as djstate reads a user's detected venv; "
         f"{sum(1 for r in records if r.get('venv'))} of {len(records)} mutations were scanned with one."
         if meta.get("site_packages") == "oracle" else
         "No virtualenv: each corpus was scanned alone, without its dependencies (`--site-packages oracle` reads them)."),
        "",
        "## Recall per kind",
        "",
        "| kind | all | held-out | rest |",
        "|---|---|---|---|",
    ]
    for kind in KINDS:
        rows = [r for r in records if r["kind"] == kind]
        if rows:
            lines.append(f"| {kind} | {rate(rows)} | {rate([r for r in rows if r['held_out']])} | {rate([r for r in rows if not r['held_out']])} |")
    lines.append(f"| **all** | {rate(records)} | {rate([r for r in records if r['held_out']])} | {rate([r for r in records if not r['held_out']])} |")
    lines += ["", "## Misses by class", "", "| class | count |", "|---|---|"]
    for cls, n in Counter(r["miss"] for r in records if not r["caught"]).most_common():
        lines.append(f"| {cls} | {n} |")
    lines += ["", "## Recall per corpus", "", "| corpus | held out | recall | misses |", "|---|---|---|---|"]
    by_corpus = defaultdict(list)
    for r in records:
        by_corpus[r["corpus"]].append(r)
    for name in sorted(by_corpus):
        rows = by_corpus[name]
        misses = ", ".join(f"{k}×{n}" for k, n in Counter(r["kind"] for r in rows if not r["caught"]).most_common())
        lines.append(f"| {name} | {'yes' if rows[0]['held_out'] else ''} | {rate(rows)} | {misses} |")
    lines += ["", "## Misses", ""]
    for r in records:
        if r["caught"]:
            continue
        e = r["expected"]
        want = f"{e['code']} {e['app']}.{e['model']}.{e['field']}"
        if e.get("part"):
            want = f"{'/'.join([e['code'], *e.get('codes', ())])} on '{e['part']}' at {e['path']}:{e['line']}"
        got = "; ".join(f"{g['code']} {g['app']}.{g['model']}.{g['field']} ({g['path']}:{g['line']})" for g in r["got"][:3]) or "nothing new"
        why = f" — {r['reason']}" if r.get("reason") else ""
        lines.append(f"- **{r['miss']}** `{r['kind']}` {r['corpus']}: `{r['site']}`; expected {want}; got {got}{why}")
    side = [r for r in records if r["side_effects"]]
    lines += ["", "## Side effects (other new error findings, per mutation: count by code, then the first two)", ""]
    if not side:
        lines.append("None.")
    for r in side:
        codes = ", ".join(f"{c}×{n}" for c, n in Counter(s["code"] for s in r["side_effects"]).most_common())
        lines.append(f"- `{r['kind']}` {r['corpus']} `{r['site']}`: {codes}")
        for s in r["side_effects"][:2]:
            lines.append(f"  - {s['code']} {s['path']}:{s['line']} {s['message'][:160]}")
    consequences = Counter(s["code"] for r in records for s in r.get("consequences", []))
    if consequences:
        lines += ["", "Not counted as side effects (true consequences of the same edit): "
                  + ", ".join(f"{c}×{n}" for c, n in consequences.most_common())
                  + " (a renamed field or related name still named elsewhere; the old parent of a migration whose "
                  "dependency was renamed is a second leaf)."]
    clean = [s for s in skipped if "query_errors" in s]
    skipped = [s for s in skipped if "query_errors" not in s]
    if clean:
        lines += ["", "## Unmutated copies (precision): DJS5xx error findings", ""]
        for s in clean:
            lines.append(f"- {s['corpus']}: {len(s['query_errors'])}")
            lines += [f"  - {f['path']}:{f['line']} {f['code']} {f['message'][:160]}" for f in s["query_errors"][:5]]
    lines += ["", "## Corpora and sites skipped", ""]
    for s in skipped:
        lines.append(f"- {s['corpus']}: {s['why']}")
    if not skipped:
        lines.append("None.")
    return "\n".join(lines) + "\n"


def git_state() -> dict:
    """The commit measured, and whether djstate/ had uncommitted edits (the tree is shared)."""
    import subprocess

    def git(*a: str) -> str:
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    return {"commit": git("rev-parse", "--short", "HEAD"), "djstate_dirty": git("status", "--short", "djstate").splitlines()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", default="", help="comma-separated corpus names (default: all)")
    parser.add_argument("--held-out-only", action="store_true")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated kinds")
    parser.add_argument("--per-kind", type=int, default=2, help="mutation sites per kind per corpus")
    parser.add_argument("--seed", default="djstate-recall-1")
    parser.add_argument("--max-scan-seconds", type=float, default=120.0, help="skip corpora whose warm scan is slower")
    parser.add_argument("--json", type=Path, default=JSON_OUT)
    parser.add_argument("--md", type=Path, default=MD_OUT)
    parser.add_argument("--update", action="store_true", help="replace only the selected corpora's results in --json")
    parser.add_argument("--report-only", action="store_true", help="re-render --md from --json")
    parser.add_argument("--site-packages", choices=("none", "oracle"), default="none",
                        help="oracle: read the corpus's oracle venv (tools/oracle_wide.py) as the project's virtualenv")
    args = parser.parse_args(argv)
    if args.report_only:
        data = json.loads(args.json.read_text())
        args.md.write_text(render_md(data["mutations"], data["skipped"], data["meta"]))
        return 0
    args.kinds = [k.strip() for k in args.kinds.split(",") if k.strip()]
    unknown = [k for k in args.kinds if k not in KINDS]
    if unknown:
        parser.error(f"unknown kinds {unknown}; known: {', '.join(KINDS)}")
    manifest = fetch.load_manifest()
    if args.corpora:
        wanted = [fetch._lookup(n.strip(), manifest) for n in args.corpora.split(",") if n.strip()]
    else:
        wanted = manifest
    if args.held_out_only:
        wanted = [c for c in wanted if c.held_out]
    records: list[dict] = []
    skipped: list[dict] = []
    if args.update and args.json.exists():  # keep the other corpora's results from the last run
        names = {c.name for c in wanted}
        previous = json.loads(args.json.read_text())
        records = [r for r in previous["mutations"] if r["corpus"] not in names]
        skipped = [s for s in previous["skipped"] if s["corpus"] not in names]
    start = time.perf_counter()
    measured = git_state()  # at the start: the shared tree may move during the run
    scanned = 0
    with tempfile.TemporaryDirectory(prefix="djstate-mutate-") as scratch:
        for corpus in wanted:
            try:
                run_corpus(corpus, args, records, skipped, Path(scratch))
                scanned += 1
            except fetch.FetchError as exc:
                skipped.append({"corpus": corpus.name, "why": f"not fetched: {exc}"})
            partial = args.json.with_suffix(".partial.json")
            partial.write_text(json.dumps({"mutations": records, "skipped": skipped}, indent=1) + "\n")
    meta = {
        "date": datetime.date.today().isoformat(), "djstate": __version__, "seed": args.seed, "per_kind": args.per_kind,
        "kinds": args.kinds, "site_packages": args.site_packages, "corpora_scanned": scanned, "seconds": time.perf_counter() - start, **measured,
    }  # fmt: skip
    if args.update and args.json.exists():
        old = json.loads(args.json.read_text())["meta"]
        meta["corpora_scanned"] = len({r["corpus"] for r in records})
        meta["updated"] = sorted(set(old.get("updated", [])) | {c.name for c in wanted})
        meta["update_commits"] = [*old.get("update_commits", []), measured["commit"]]
        meta["commit"] = old.get("commit", meta["commit"])  # the full run's
        meta["seconds"] += old.get("seconds", 0)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"meta": meta, "mutations": records, "skipped": skipped}, indent=1) + "\n")
    args.md.write_text(render_md(records, skipped, meta))
    args.json.with_suffix(".partial.json").unlink(missing_ok=True)
    print(f"{rate(records)} caught; wrote {args.json} and {args.md}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
