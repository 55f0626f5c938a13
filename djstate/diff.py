"""What a change does: two trees scanned, and their schema, migrations, serializers and
findings compared.

Each side is read from git objects (:mod:`djstate.git`) into a temporary folder outside the
repository, never by checking anything out; with one revision the right side is the
working tree itself. Both sides share the content-hash facts cache, so a file that did not
change is parsed once.
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass, field
from types import SimpleNamespace
from pathlib import Path
from typing import Any

from djstate import git
from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import ScanResult, scan
from djstate.facts.values import Ref, render
from djstate.findings import Finding
from djstate.isolate import isolated
from djstate.rules import rule_by_code
from djstate.state.querysets import QueryJudge, project_lookups

# what a tree needs to be scanned: Python sources and the project's configuration
KEPT_SUFFIXES = (".py", ".toml")


@dataclass
class Side:
    label: str  # the revision as given, or "working tree"
    commit: str | None
    result: ScanResult
    parsed: int = 0  # files parsed for this side; the others came from the shared facts


@dataclass
class FieldChange:
    name: str
    change: str  # added, removed, altered
    kwargs: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)  # kwarg -> (old, new)


@dataclass
class ModelChange:
    app: str
    model: str
    change: str  # added, removed, altered
    fields: list[FieldChange] = field(default_factory=list)
    options: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)


@dataclass
class DiffResult:
    left: Side
    right: Side
    models: list[ModelChange]
    migrations_added: list[str]
    migrations_removed: list[str]
    leaves: dict[str, tuple[list[str], list[str]]]  # app -> (old leaves, new leaves), where changed
    serializers: dict[str, list[str]]  # added / removed / changed -> dotted paths
    new_findings: list[Finding]
    fixed_findings: list[Finding]
    renames: dict[str, str]
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "left": {"revision": self.left.label, "commit": self.left.commit, "files_parsed": self.left.parsed},
            "right": {"revision": self.right.label, "commit": self.right.commit, "files_parsed": self.right.parsed},
            "schema": [
                {"app": m.app, "model": m.model, "change": m.change,
                 "fields": [{"name": f.name, "change": f.change,
                             "kwargs": {k: {"old": o, "new": n} for k, (o, n) in f.kwargs.items()}} for f in m.fields],
                 "options": {k: {"old": o, "new": n} for k, (o, n) in m.options.items()}}
                for m in self.models
            ],  # fmt: skip
            "migrations": {
                "added": self.migrations_added,
                "removed": self.migrations_removed,
                "leaves": {app: {"old": old, "new": new} for app, (old, new) in self.leaves.items()},
            },
            "serializers": self.serializers,
            "findings": {
                "new": [f.as_dict() for f in self.new_findings],
                "fixed": [f.as_dict() for f in self.fixed_findings],
            },
            "renames": self.renames,
            "seconds": round(self.seconds, 3),
        }


def run_diff(path: Path, left_rev: str, right_rev: str | None, cache_dir: Path | None, overrides: dict) -> DiffResult:
    """Scan ``left_rev`` and ``right_rev`` (default: the working tree) of the project at ``path``."""
    start = time.perf_counter()
    repo = git.repo_root(path)
    overrides = _with_django_version(path.resolve(), overrides)
    subdir = path.resolve().relative_to(repo).as_posix()
    subdir = "" if subdir == "." else subdir
    left_commit = git.resolve(repo, left_rev)
    right_commit = git.resolve(repo, right_rev) if right_rev is not None else None
    shared: dict = {}  # facts by content hash, shared by both sides even without a disk cache
    with tempfile.TemporaryDirectory(prefix="djstate-diff-", dir=_scratch_parent()) as scratch:
        left_root = Path(scratch) / "left"
        left_root.mkdir()
        git.materialise(repo, left_commit, left_root, subdir, keep=_kept)
        left = Side(left_rev, left_commit, *_scan(left_root, cache_dir, shared, overrides))
        if right_commit is not None:
            right_root = Path(scratch) / "right"
            right_root.mkdir()
            git.materialise(repo, right_commit, right_root, subdir, keep=_kept)
        else:
            right_root = path.resolve()
        right = Side(right_rev or "working tree", right_commit, *_scan(right_root, cache_dir, shared, overrides))
        models = _schema_changes(left.result, right.result)
        stale: list[Finding] = []
        if any("related_name" in f.kwargs for m in models for f in m.fields):
            errors: list = []
            with isolated(errors, "diff of reverse accessors"):
                stale = _stale_accessor_findings(left.result, right.result, FactsStore(left_root, cache_dir, shared=shared),
                                                 FactsStore(right_root, cache_dir, shared=shared), errors)  # fmt: skip
            stale += list(rule_by_code("DJS000")().check(SimpleNamespace(internal_errors=errors)))
    renames = {_strip(old, subdir): _strip(new, subdir) for old, new in git.renames(repo, left_commit, right_commit).items()}
    renames = {old: new for old, new in renames.items() if old is not None and new is not None}
    return DiffResult(
        left, right, models,
        *_migration_changes(left.result, right.result),
        _serializer_changes(left.result, right.result),
        *_finding_changes(left.result.findings, right.result.findings + stale, renames),
        renames, time.perf_counter() - start,
    )  # fmt: skip


def _scratch_parent() -> str | None:
    """A memory-backed folder when the system has one: writing a thousand small files there
    takes a tenth of the time it takes on disk (only sources are written, a few MB)."""
    shm = Path("/dev/shm")
    return str(shm) if shm.is_dir() and os.access(shm, os.W_OK) else None


def _with_django_version(root: Path, overrides: dict) -> dict:
    """Both sides are judged as the Django version of the checkout (its requirement and lock
    files are not materialised for the left side)."""
    from djstate.django_version import find_django_version

    config = load_config(root, overrides)
    found = find_django_version(root, config.django_version, config.site_packages)
    return {**overrides, "django_version": found.setting}


def _kept(path: str) -> bool:
    return path.endswith(KEPT_SUFFIXES)


def _strip(path: str, subdir: str) -> str | None:
    if not subdir:
        return path
    return path[len(subdir) + 1 :] if path.startswith(subdir + "/") else None


def _scan(root: Path, cache_dir: Path | None, shared: dict, overrides: dict) -> tuple[ScanResult, int]:
    config = load_config(root, overrides)
    store = FactsStore(root, cache_dir, shared=shared)
    return scan(root, config, store), store.stats.misses


# --- comparisons ------------------------------------------------------------------------------


def _schema_changes(left: ScanResult, right: ScanResult) -> list[ModelChange]:
    """The models each side defines (the intended schema), model by model and kwarg by kwarg."""
    old = left.project.models_state.models if left.project.models_state else {}
    new = right.project.models_state.models if right.project.models_state else {}
    changes: list[ModelChange] = []
    for key in sorted(set(old) | set(new)):
        before, after = old.get(key), new.get(key)
        if before is None:
            changes.append(ModelChange(key[0], after.name, "added", [FieldChange(n, "added") for n in after.fields]))
            continue
        if after is None:
            changes.append(ModelChange(key[0], before.name, "removed"))
            continue
        change = ModelChange(key[0], after.name, "altered")
        for name in list(before.fields) + [n for n in after.fields if n not in before.fields]:
            a, b = before.fields.get(name), after.fields.get(name)
            if a is None:
                change.fields.append(FieldChange(name, "added", _kwargs_delta(None, b)))
            elif b is None:
                change.fields.append(FieldChange(name, "removed"))
            else:
                delta = _kwargs_delta(a, b)
                if delta:
                    change.fields.append(FieldChange(name, "altered", delta))
        for option in sorted(set(before.options) | set(after.options)):
            a, b = before.options.get(option), after.options.get(option)
            if render(a) != render(b):
                change.options[option] = (_text(a), _text(b))
        if change.fields or change.options:
            changes.append(change)
    return changes


def _kwargs_delta(old: Any, new: Any) -> dict[str, tuple[str | None, str | None]]:
    before = {"class": Ref(old.path), **old.kwargs} if old is not None else {}
    after = {"class": Ref(new.path), **new.kwargs} if new is not None else {}
    out = {}
    for key in list(before) + [k for k in after if k not in before]:
        if key not in after or key not in before or render(before[key]) != render(after[key]):
            out[key] = (_text(before.get(key)) if key in before else None, _text(after.get(key)) if key in after else None)
    return out


def _text(value: Any) -> str | None:
    return None if value is None else render(value)


def _migration_changes(left: ScanResult, right: ScanResult):
    old = {f"{a}.{n}" for a, n in left.project.migrations}
    new = {f"{a}.{n}" for a, n in right.project.migrations}
    leaves: dict[str, tuple[list[str], list[str]]] = {}
    old_leaves = _leaves(left)
    new_leaves = _leaves(right)
    for app in sorted(set(old_leaves) | set(new_leaves)):
        a, b = old_leaves.get(app, []), new_leaves.get(app, [])
        if a != b:
            leaves[app] = (a, b)
    return sorted(new - old), sorted(old - new), leaves


def _leaves(result: ScanResult) -> dict[str, list[str]]:
    graph = result.project.graph
    out: dict[str, list[str]] = {}
    if graph is None:
        return out
    for app, name in graph.leaf_nodes():
        out.setdefault(app, []).append(name)
    return {app: sorted(names) for app, names in out.items()}


def _serializer_changes(left: ScanResult, right: ScanResult) -> dict[str, list[str]]:
    old, new = _serializer_shapes(left), _serializer_shapes(right)
    return {
        "added": sorted(set(new) - set(old)),
        "removed": sorted(set(old) - set(new)),
        "changed": sorted(p for p in set(old) & set(new) if old[p] != new[p]),
    }


def _serializer_shapes(result: ScanResult) -> dict[str, Any]:
    """Per serializer: its Meta, declared fields and the fields DRF builds, as comparable text."""
    analysis = result.project.serializers
    if analysis is None:
        return {}
    shapes = {}
    for serializer, built in analysis.checked():
        meta = {k: render(v[0]) for k, v in (serializer.meta or {}).items()}
        declared = {n: render(d.value) for n, d in serializer.declared.items()}
        fields = {n: (f.drf_class, f.read_only, f.required) for n, f in built.fields.items()}
        shapes[serializer.path] = (meta, declared, fields, sorted(serializer.members))
    return shapes


def _finding_changes(old: list[Finding], new: list[Finding], renames: dict[str, str]):
    """Findings are matched by fingerprint (code, file followed through renames, app, model,
    field and the message without volatile parts): line numbers move when unrelated lines are
    edited, and DJS102's "its latest migration is 'X'" with every new migration."""

    def key(f: Finding, moved: dict[str, str]) -> str:
        return f.fingerprint(moved.get(f.path, f.path))

    before: dict[str, list[Finding]] = {}
    for f in old:
        before.setdefault(key(f, renames), []).append(f)
    after: dict[str, list[Finding]] = {}
    for f in new:
        after.setdefault(key(f, {}), []).append(f)
    added = [f for k, fs in after.items() for f in fs[len(before.get(k, [])) :]]
    fixed = [f for k, fs in before.items() for f in fs[len(after.get(k, [])) :]]
    return sorted(added), sorted(fixed)


# --- what only a comparison can tell -------------------------------------------------------------


def _stale_accessor_findings(left: ScanResult, right: ScanResult, left_store: FactsStore, store: FactsStore,
                             errors: list) -> list[Finding]:  # fmt: skip
    """``obj.<accessor>`` on the right where the left side's reverse accessor of a relation has
    another name (its related_name changed) or is hidden ('+'): AttributeError at runtime (DJS502).

    One scan names only default accessors (``book.review_set``): a name that is no attribute of a
    model might be set by code djstate does not see. The left side says the name was the
    relation's accessor, and the relation is still there under another name."""
    from djstate.suppression import apply_policy

    if left.project.queries is None or right.project.queries is None or not right.project.config.rule_enabled("DJS502"):
        return []
    old, new = _QueryCatalog(left.project, left_store), _QueryCatalog(right.project, store)
    stale: dict[tuple[str, str], dict[str, str]] = {}  # model -> old accessor -> what it is now
    for key in set(old.catalog.state.models) & set(new.catalog.state.models):
        before, after = old.reverse_accessors(key), new.reverse_accessors(key)
        now = {relation: accessor for accessor, relation in after.items()}
        hidden = new.hidden_relations(key)
        for accessor, relation in before.items():
            if accessor not in after and (relation in now or relation in hidden):
                stale.setdefault(key, {})[accessor] = (
                    f"'{now[relation]}' (related_name)" if relation in now else "hidden with related_name='+'")
    if not stale:
        return []
    rule = rule_by_code("DJS502")()
    problems = new.judge_uses(stale, errors)
    findings = [rule.finding(p.path, p.span, p.message, app=p.app, model=p.model) for p in problems]
    return apply_policy(right.project, findings, [])


class _QueryCatalog:
    """One side's models as the query rules see them (the catalogue the scan built its own from)."""

    def __init__(self, project: Any, store: FactsStore) -> None:
        from djstate.markers import source_markers
        from djstate.state.project_catalog import project_catalog
        from djstate.state.lookups import LookupResolver

        self.project = project
        self.store = store
        self.catalog = project_catalog(project, source_markers(project, store))  # its own: judge_uses edits it
        self.lookups = LookupResolver(self.catalog)

    def reverse_accessors(self, key: tuple[str, str]) -> dict[str, tuple[str, str]]:
        """Reverse accessor -> (model whose field it is, field name)."""
        return {e.accessor: (e.hop.owner, e.hop.field_name) for e in self.lookups.reverse_of(key) if e.accessor}

    def hidden_relations(self, key: tuple[str, str]) -> set[tuple[str, str]]:
        return {(e.hop.owner, e.hop.field_name) for e in self.lookups.reverse_of(key) if e.accessor is None}

    def judge_uses(self, stale: dict, errors: list) -> list:
        """The right side's attribute reads of stale accessors, judged as DJS502 judges reads."""
        from djstate.cache import Request

        project = self.project
        names = {name for accessors in stale.values() for name in accessors}
        modules = {m: p for m, p in project.tree.modules.items() if "/migrations/" not in f"/{p}" and not p.startswith("/")}
        facts = self.store.facts([Request(path, module, "queries") for module, path in sorted(modules.items())])
        registered = project_lookups(project, modules, facts)
        # A literal related_name= the tree holds that no placed relation uses may name a relation
        # djstate cannot place (DJS502 then stays silent). A stale name was this relation's
        # accessor on the left, where another relation of the model by that name would have
        # clashed with it (Django's fields.E304): its literal is the old one, kept by the old
        # migrations.
        self.catalog.related_names = frozenset(self.catalog.related_names) - names
        judge = _StaleAccessorJudge(stale, self.catalog, project.models_builder.resolver.value, registered)
        for module, path in sorted(modules.items()):
            found = facts[path].queries
            if found is not None and any(u.attributes[0] in names for u in found.uses):
                with isolated(errors, f"queries of {module}", path):
                    judge.module(path, found)
        return judge.stale_problems


class _StaleAccessorJudge(QueryJudge):
    """The query judge, reporting reads of accessors the left side had (and nothing else)."""

    def __init__(self, stale: dict, *args: Any) -> None:
        super().__init__(*args)
        self.stale = stale
        self.stale_problems: list = []

    def use(self, path: str, use: Any, models: dict) -> None:
        info = self.source_model(use.source, models)
        first = use.attributes[0]
        now = self.stale.get(info.key, {}).get(first) if info is not None else None
        if now is None or use.written or self.lookups.certain(info) is not None:
            return
        if self.may_have_attribute(info, first):
            return
        before = len(self.analysis.problems)
        self.problem("DJS502", path, use.span, info,
                     f"'{first}' is no longer an attribute of {info.key[0]}.{info.name}: it was the reverse accessor "
                     f"of a relation that is now {now}. Reading it raises AttributeError")  # fmt: skip
        self.stale_problems += self.analysis.problems[before:]

    def loops(self, *args: Any) -> None:  # only the reads above are wanted
        return None

    def views(self, *args: Any) -> None:
        return None
