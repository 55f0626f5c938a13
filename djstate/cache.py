"""Per-file facts, cached by content hash, parsed in parallel when cold.

A record is keyed by the file's sha256, its module name, what it is read as, and djstate's
version, so a record can never describe other bytes or an older parser.
"""

from __future__ import annotations

import copy
import hashlib
import os
import pickle
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from djstate import __version__
from djstate.facts.model import FileFacts, Problem
from djstate.isolate import InternalError, isolated

PARALLEL_MIN = 48  # below this, starting worker processes costs more than it saves


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """djstate's version plus a hash of the code that produces facts, so that a record made
    by another parser (even an unreleased edit) is never reused."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for folder in ("parse", "facts"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def default_cache_dir() -> Path:
    env = os.environ.get("DJSTATE_CACHE_DIR")
    if env:
        return Path(env)
    return Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "djstate" / "facts"


@dataclass(frozen=True)
class Request:
    path: str  # relative to root
    module: str
    kind: str


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    errors: list[str] = field(default_factory=list)


def _parse(args: tuple[str, str, bytes, str]) -> tuple[FileFacts, InternalError | None]:
    """One file's facts; an unforeseen shape leaves them empty and says why (in a worker too)."""
    from djstate.parse import parse_file  # the parsing layer loads in workers only when needed

    path, module, _, kind = args
    errors: list[InternalError] = []
    with isolated(errors, f"facts of {path} (read as {kind})", path):
        return parse_file(*args), None
    return FileFacts(path, module), errors[0]


class FactsStore:
    def __init__(self, root: Path, cache_dir: Path | None, jobs: int | None = None, shared: dict | None = None) -> None:
        self.root = root
        self.cache_dir = cache_dir
        # records by key, shared between stores (the two trees of a diff) without a disk cache
        self.shared = shared if shared is not None else {}
        self.jobs = jobs or os.cpu_count() or 1
        self.stats = CacheStats()
        self.internal_errors: list[InternalError] = []  # files whose facts could not be extracted
        self.failed: set[str] = set()  # their paths: their content is unknown, not empty
        self._memory: dict[Request, FileFacts] = {}  # this run's facts, asked for again and again

    def _key(self, data: bytes, request: Request) -> str:
        digest = hashlib.sha256(data)
        # a file name that is not UTF-8 (0002_caf\xe9.py) gives a module with lone surrogates
        digest.update(f"\0{request.module}\0{request.kind}\0{parser_fingerprint()}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def _load(self, key: str) -> FileFacts | None:
        if key in self.shared:
            return copy.copy(self.shared[key])  # its path is set per tree
        if self.cache_dir is None:
            return None
        try:
            with open(self.cache_dir / key[:2] / key, "rb") as handle:
                return pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
            return None

    def _store(self, key: str, facts: FileFacts) -> None:
        self.shared[key] = facts
        if self.cache_dir is None:
            return
        target = self.cache_dir / key[:2] / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as handle:
                pickle.dump(facts, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, target)
        except OSError as exc:  # a read-only cache only costs speed
            self.stats.errors.append(str(exc))

    def problems(self, kind: str) -> list[tuple[Request, FileFacts]]:
        """The files read this run as ``kind`` that could not be read or parsed."""
        return [(r, f) for r, f in self._memory.items() if r.kind == kind and f.problem is not None]

    def facts(self, requests: list[Request]) -> dict[str, FileFacts]:
        out: dict[str, FileFacts] = {}
        todo: list[tuple[str, tuple[str, str, bytes, str]]] = []
        for request in requests:
            if request in self._memory:
                out[request.path] = self._memory[request]
                continue
            if request.kind == "module":  # a file read for its classes already has its names
                richer = self._memory.get(Request(request.path, request.module, "models"))
                if richer is not None:
                    out[request.path] = richer
                    continue
            try:
                data = (self.root / request.path).read_bytes()
            except OSError as exc:
                out[request.path] = FileFacts(
                    request.path, request.module, problem=Problem("unreadable", f"cannot read file: {exc.strerror or exc}")
                )
                continue
            key = self._key(data, request)
            cached = self._load(key)
            if cached is not None:
                self.stats.hits += 1
                cached.path = request.path
                out[request.path] = cached
            else:
                self.stats.misses += 1
                todo.append((key, (request.path, request.module, data, request.kind)))
        if len(todo) >= PARALLEL_MIN and self.jobs > 1:
            with ProcessPoolExecutor(max_workers=self.jobs) as pool:
                results = list(pool.map(_parse, [args for _, args in todo], chunksize=16))
        else:
            results = [_parse(args) for _, args in todo]
        for (key, args), (facts, error) in zip(todo, results):
            if error is None:
                self._store(key, facts)
            else:  # never cached: the next djstate may read it
                self.internal_errors.append(error)
                self.failed.add(args[0])
            out[args[0]] = facts
        for request in requests:
            if request.path in out:
                self._memory[request] = out[request.path]
        return out
