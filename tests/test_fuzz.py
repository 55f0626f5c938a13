"""Fuzzing with real sources: mutated copies of real projects must never end a scan.

Each input is a real project (the bundled bookshop, the drfshop fixture, app folders of
packages installed in the test venv) with 1 to 3 mutations: a list or tuple literal rewritten
as a starred, concatenated or comprehension form, a value wrapped in a call, a statement
deleted or duplicated, the file truncated, a NUL byte or invalid UTF-8 injected. Every scan
must finish; every internal failure must come out as a DJS000 finding, never an exception.

``make test`` runs a bounded number of inputs (derandomized, so the same ones each time);
``make fuzz`` runs many more (DJSTATE_FUZZ_EXAMPLES, within DJSTATE_FUZZ_SECONDS of wall time)
and DJSTATE_FUZZ_REPORT=path writes the DJS000s it saw, grouped by cause, with one mutated file
for each (rewritten every 100 inputs).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import traceback
from collections import Counter
from pathlib import Path

import libcst as cst
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from djstate.cache import FactsStore  # noqa: E402
from djstate.config import load_config  # noqa: E402
from djstate.engine import scan  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SITE_APPS = ["django/contrib/auth", "django/contrib/admin", "taggit", "rest_framework/authtoken",
             "wagtail/images", "allauth/account"]  # fmt: skip
EXAMPLES = int(os.environ.get("DJSTATE_FUZZ_EXAMPLES", "100"))
SECONDS = float(os.environ.get("DJSTATE_FUZZ_SECONDS", "0"))  # 0: no time budget
# the files a mutation most often lands in: those djstate reads for models, migrations,
# serializers, app configs and settings
INTERESTING = re.compile(r"(^|/)(models|serializers|apps|settings|views)\.py$|(^|/)(models|serializers)/\w+\.py$|/migrations/\d")


def _site_packages() -> Path | None:
    import django

    return Path(django.__file__).resolve().parent.parent


# --- mutations ----------------------------------------------------------------------------------


def _focus(node) -> bool:
    """Where djstate's semantics live: a ``class Meta`` body, a ``migrations.X(...)`` call."""
    if isinstance(node, cst.ClassDef):
        return node.name.value == "Meta"
    return (
        isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        and isinstance(node.func.value, cst.Name) and node.func.value.value == "migrations"
    )  # fmt: skip


def _meta_option(node, parents: list) -> bool:
    """A statement of a ``class Meta`` body (``indexes = [...]``), or the value it assigns."""
    if isinstance(node, (cst.List, cst.Tuple)) and parents and isinstance(parents[-1], (cst.Assign, cst.AnnAssign)):
        return parents[-1].value is node and _meta_option(parents[-1], parents[:-1])
    statement = parents[-1:] if isinstance(node, (cst.Assign, cst.AnnAssign)) else [node]
    chain = (parents[:-1] if statement != [node] else parents)[-2:]
    return (
        len(chain) == 2 and isinstance(chain[0], cst.ClassDef) and chain[0].name.value == "Meta"
        and isinstance(chain[1], cst.IndentedBlock)
        and (statement == [node] and _statement(node) or isinstance(statement[0], cst.SimpleStatementLine))
    )  # fmt: skip


class _Where:
    """Which nodes count: anywhere (0), inside a focus node (1), a Meta option itself (2)."""

    def __init__(self, match, focus: int) -> None:
        self.match, self.focus, self.parents, self.inside = match, focus, [], 0

    def accepts(self, node) -> bool:
        if not self.match(node):
            return False
        if self.focus == 2:
            return _meta_option(node, self.parents)
        return not self.focus or self.inside > 0


class _Count(_Where, cst.CSTVisitor):
    """How many nodes each focus accepts, in one pass."""

    def __init__(self, match) -> None:
        super().__init__(match, 0)
        self.counts = [0, 0, 0]

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.match(node):
            self.counts[0] += 1
            self.counts[1] += self.inside > 0
            self.counts[2] += _meta_option(node, self.parents)
        self.inside += _focus(node)
        self.parents.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.parents.pop()
        self.inside -= _focus(original_node)


class _Nth(_Where, cst.CSTTransformer):
    """Replace the n-th node that ``accepts`` (in leave order) with ``replace(node)``."""

    def __init__(self, match, replace, n: int, focus: int) -> None:
        super().__init__(match, focus)
        self.replace, self.n, self.seen = replace, n, 0

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.inside += _focus(node)
        self.parents.append(node)
        return True

    def on_leave(self, original, updated):
        self.parents.pop()
        self.inside -= _focus(original)
        if self.accepts(original):
            self.seen += 1
            if self.seen - 1 == self.n:
                updated = self.replace(updated)
        if isinstance(updated, cst.IndentedBlock) and not updated.body:  # its only statement deleted
            return updated.with_changes(body=[cst.SimpleStatementLine([cst.Pass()])])
        return updated


def _sequence(node) -> bool:
    return isinstance(node, (cst.List, cst.Tuple)) and bool(node.elements)


def _statement(node) -> bool:
    return isinstance(node, (cst.SimpleStatementLine, cst.BaseCompoundStatement))


def _valued(node) -> bool:
    return (
        isinstance(node, cst.Assign)
        or isinstance(node, cst.AnnAssign) and node.value is not None
        or isinstance(node, cst.Arg) and node.keyword is not None
    )


def _paren(node):
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _build(kind, elements):
    if kind is cst.Tuple:
        return cst.Tuple([e.with_changes(comma=cst.Comma()) for e in elements])
    return cst.List([e.with_changes(comma=cst.MaybeSentinel.DEFAULT) for e in elements])


def _starred(node):  # [a, b] -> [*[a], b]
    first, rest = node.elements[0], list(node.elements[1:])
    inner = cst.List([first.with_changes(comma=cst.MaybeSentinel.DEFAULT)])
    return node.with_changes(elements=[cst.StarredElement(inner, comma=cst.Comma()), *rest])


def _concatenated(node):  # [a, b] -> ([a] + [b])
    cut = max(1, len(node.elements) // 2)
    left, right = node.elements[:cut], node.elements[cut:]
    return _paren(cst.BinaryOperation(_build(type(node), left), cst.Add(), _build(type(node), right)))


def _comprehension(node):  # [a, b] -> [x for x in [a, b]]
    name = cst.Name("_fuzz")
    return cst.ListComp(name, cst.CompFor(target=name, iter=_build(cst.List, node.elements)))


def _wrap(function: str):
    def replace(node):
        return node.with_changes(value=cst.Call(cst.Name(function), [cst.Arg(node.value)]))

    return replace


TREE_MUTATIONS = {
    "starred": (_sequence, _starred),
    "concatenated": (_sequence, _concatenated),
    "comprehension": (_sequence, _comprehension),
    "call-foo": (_valued, _wrap("foo")),
    "call-list": (_valued, _wrap("list")),
    "call-tuple": (_valued, _wrap("tuple")),
    "delete-statement": (_statement, lambda node: cst.RemovalSentinel.REMOVE),
    "duplicate-statement": (_statement, lambda node: cst.FlattenSentinel([node, node])),
}
TEXT_MUTATIONS = ("truncate", "nul-byte", "invalid-utf8")
MUTATIONS = (*TREE_MUTATIONS, *TEXT_MUTATIONS)
INVALID_UTF8 = (b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\x80abc")


_PARSED: dict[bytes, cst.Module] = {}


def mutate(data: bytes, kind: str, draw) -> tuple[bytes, str]:
    """One mutation of a file's bytes; ``draw(n)`` picks an index below n. Returns the new
    bytes and what was done ("" when the mutation does not apply to this file)."""
    if kind == "truncate":
        at = draw(len(data) + 1)
        return data[:at], f"truncate at byte {at}"
    if kind in ("nul-byte", "invalid-utf8"):
        at = draw(len(data) + 1)
        insert = b"\0" if kind == "nul-byte" else INVALID_UTF8[draw(len(INVALID_UTF8))]
        return data[:at] + insert + data[at:], f"insert {insert!r} at byte {at}"
    try:
        module = _PARSED.get(data) or cst.parse_module(data.decode("utf-8"))
    except (UnicodeDecodeError, cst.ParserSyntaxError, RecursionError, ValueError):
        return data, ""  # an earlier mutation broke it: only text mutations apply
    if len(_PARSED) < 1000:
        _PARSED[data] = module  # trees are immutable: the pristine files are parsed once
    match, replace = TREE_MUTATIONS[kind]
    # a third of the time a Meta option, a third inside a Meta or a migration operation
    focus = draw(3)
    counter = _Count(match)
    module.visit(counter)
    while focus and not counter.counts[focus]:
        focus -= 1
    if not counter.counts[focus]:
        return data, ""
    n = draw(counter.counts[focus])
    try:
        code = module.visit(_Nth(match, replace, n, focus)).code
    except Exception:  # a libcst tree this rewrite cannot render: not an input
        return data, ""
    return code.encode("utf-8"), f"{kind} #{n}{('', ' in a Meta or operation', ' of a Meta option')[focus]}"


# --- the inputs ---------------------------------------------------------------------------------


class Source:
    """A pristine copy of a real project; mutated in place and restored after each input."""

    def __init__(self, name: str, root: Path) -> None:
        self.name, self.root = name, root
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py"))
        self.files = files
        self.interesting = [f for f in files if INTERESTING.search("/" + f)] or files
        # models and serializers modules: where Meta options are (migrations outnumber them)
        self.metas = [
            f for f in files if "/migrations/" not in f and b"class Meta" in (root / f).read_bytes()
        ] or self.interesting  # fmt: skip
        self.shared: dict = {}  # facts of unchanged files, by content hash, across inputs


def prepare_sources(workdir: Path) -> list[Source]:
    sources = []
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "static", "templates", "locale", "*.mo", "*.po")
    for name, src in (("example", ROOT / "corpora" / "example"), ("drfshop", ROOT / "tests" / "fixtures" / "drfshop")):
        shutil.copytree(src, workdir / name, ignore=ignore)
        sources.append(Source(name, workdir / name))
    site = _site_packages()
    for app in SITE_APPS:
        if site is None or not (site / app).is_dir():
            continue  # a package the venv lacks
        root = workdir / app.replace("/", "_")
        shutil.copytree(site / app, root / app, ignore=ignore)
        sources.append(Source(app, root))
    return sources


def run_one(source: Source) -> "object":
    root = source.root
    return scan(root, load_config(root), FactsStore(root, None, jobs=1, shared=source.shared))


def _cause(error) -> str:
    """An internal error's cause: its kind of unit, exception, and innermost djstate frame."""
    frames = re.findall(r'File "[^"]*?/(djstate/[^"]+)", line (\d+), in (\w+)', error.traceback)
    where = f"{frames[-1][0]}:{frames[-1][2]}" if frames else "?"
    summary = re.sub(r"'[^']*'", "'…'", error.summary)
    return f"{error.unit.split(' ')[0]} | {summary[:120]} | {where}"


# --- the test -----------------------------------------------------------------------------------


def test_mutated_real_sources_never_end_a_scan():
    workdir = Path(tempfile.mkdtemp(prefix="djstate-fuzz-"))
    try:
        sources = prepare_sources(workdir)
        assert len(sources) >= 2
        for source in sources:  # warm the shared facts with the pristine files
            baseline = run_one(source)
            assert baseline.project.internal_errors == [], (source.name, baseline.project.internal_errors)
        _fuzz(sources)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _fuzz(sources: list[Source]) -> None:
    tried = Counter()
    crashes: list[dict] = []
    causes: dict[str, dict] = {}
    start = time.perf_counter()

    def one(data):
        tried["examples"] += 1
        source = data.draw(st.sampled_from(sources), label="source")
        count = data.draw(st.integers(1, 3), label="mutations")
        originals: dict[str, bytes] = {}
        done = []
        try:
            for _ in range(count):
                pool = (source.files, source.interesting, source.metas)[data.draw(st.sampled_from((0, 1, 1, 2, 2)))]
                rel = data.draw(st.sampled_from(pool), label="file")
                kind = data.draw(st.sampled_from(MUTATIONS), label="mutation")
                path = source.root / rel
                before = path.read_bytes()
                after, what = mutate(before, kind, lambda n: data.draw(st.integers(0, max(0, n - 1))))
                if what:
                    originals.setdefault(rel, before)
                    path.write_bytes(after)
                    done.append(f"{rel}: {what}")
                    tried[kind] += 1
            if not done:
                return  # no mutation applied to the files drawn: not an input
            tried["inputs"] += 1
            try:
                result = run_one(source)
            except Exception as exc:  # noqa: BLE001 - the very thing this test looks for
                crashes.append({"source": source.name, "mutations": done, "traceback": traceback.format_exc(),
                                "summary": f"{type(exc).__name__}: {exc}"})  # fmt: skip
                return
            internal = [f for f in result.findings if f.code == "DJS000"]
            errors = result.project.internal_errors
            # every internal failure is reported, once, as a warning naming its unit and exception
            assert len(internal) == len(errors), (done, internal, errors)
            for finding, error in zip(sorted(internal, key=lambda f: f.message), sorted(errors, key=lambda e: f"internal error in {e.unit}: {e.summary}")):
                assert finding.severity == "warning" and error.unit and error.summary
                assert f"internal error in {error.unit}: {error.summary}" in finding.message
            for error in errors:
                tried["DJS000"] += 1
                cause = causes.setdefault(_cause(error), {"count": 0, "example": None})
                cause["count"] += 1
                if cause["example"] is None:
                    files = {rel: (source.root / rel).read_bytes().decode("utf-8", "replace") for rel in originals}
                    cause["example"] = {"source": source.name, "unit": error.unit, "path": error.path,
                                        "line": error.line, "summary": error.summary, "mutations": done,
                                        "traceback": error.traceback, "files": files}  # fmt: skip
        finally:
            for rel, before in originals.items():
                (source.root / rel).write_bytes(before)
            if tried["inputs"] % 100 == 0 and done:
                write_report()

    def write_report() -> dict:
        seconds = time.perf_counter() - start
        report = {"inputs": tried["inputs"], "seconds": round(seconds, 1), "mutations": dict(tried),
                  "tracebacks": len(crashes), "djs000": tried["DJS000"],
                  "causes": {k: v["count"] for k, v in sorted(causes.items(), key=lambda kv: -kv[1]["count"])}}  # fmt: skip
        target = os.environ.get("DJSTATE_FUZZ_REPORT")
        if target:  # written as it goes, so a run stopped early still tells what it found
            full = {**report, "examples": {k: v["example"] for k, v in causes.items()}, "crashes": crashes}
            Path(target).write_text(json.dumps(full, indent=2), encoding="utf-8")
        return report

    def batch(examples: int, number: int):
        test = given(st.data())(one)
        test = settings(max_examples=examples, deadline=None, derandomize=not SECONDS, database=None,
                        suppress_health_check=list(HealthCheck), print_blob=False)(test)  # fmt: skip
        return seed(number)(test) if SECONDS else test

    if not SECONDS:  # make test: the same derandomized examples every time
        batch(EXAMPLES, 0)()
    else:  # make fuzz: seeded batches of 100 until the examples or the time budget are spent
        number = int(os.environ.get("DJSTATE_FUZZ_SEED", "0"))  # another value: other inputs
        while tried["examples"] < EXAMPLES and time.perf_counter() - start < SECONDS:
            batch(min(100, EXAMPLES - tried["examples"]), number)()
            number += 1
    report = write_report()
    seconds = report["seconds"]
    print(f"\nfuzz: {tried['inputs']} inputs in {seconds:.1f}s, {len(crashes)} tracebacks, "
          f"{tried['DJS000']} DJS000 from {len(causes)} causes; mutations {dict(tried)}")  # fmt: skip
    for cause, count in report["causes"].items():
        print(f"  {count:5d}  {cause}")
    if not SECONDS:
        assert tried["inputs"] >= EXAMPLES // 2, "most inputs must get through the mutations"
    assert crashes == [], "\n\n".join(f"{c['source']} {c['mutations']}\n{c['traceback']}" for c in crashes[:5])
