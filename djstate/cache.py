"""Per-file facts, cached by content hash, parsed in parallel when cold.

A record is keyed by the file's sha256, its module name, what it is read as, and djstate's
version, so a record can never describe other bytes or an older parser.

The cache is safe to share between concurrent runs: every write goes to a temporary file that
is renamed into place, so a reader sees a whole record or none. A record that cannot be read,
is truncated or holds something else than facts is ignored and parsed again (``--verbose``
says why). ``djstate cache clear`` empties it, and after a run that wrote records the oldest
ones are evicted once the cache is over its size cap (``DJSTATE_CACHE_MAX_MB``, 1024 MB).
"""

from __future__ import annotations

import hashlib
import os
import pickle
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from djstate import __version__

if TYPE_CHECKING:  # imported where used: a scan answered by its snapshot needs none of them
    from djstate.facts.model import FileFacts
    from djstate.isolate import InternalError

PARALLEL_MIN = 48  # below this, starting worker processes costs more than it saves
# a file this large is parsed in a worker even alone: libcst's tree with positions takes several
# hundred bytes per byte of source (a 380 KB module: 250 MB), which this process would keep
BIG_FILE = 48 * 1024
# files this large are parsed one at a time, by one worker, once the others have stopped: two
# workers that each parsed one keep twice that memory (netbox: 15 files, the largest 380 KB)
HUGE_FILE = 96 * 1024
DEFAULT_MAX_MB = 1024
_UNREADABLE = (OSError, pickle.PickleError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError, MemoryError)


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """djstate's version plus a hash of the code that produces facts, so that a record made
    by another parser (even an unreleased edit) is never reused."""
    digest = hashlib.sha256(__version__.encode())
    package = Path(__file__).resolve().parent
    for folder in ("parse", "facts"):
        for source in sorted((package / folder).glob("*.py")):
            digest.update(source.read_bytes())
    digest.update(_libcst_version())  # another libcst may build other trees from the same bytes
    return digest.hexdigest()[:16]


def _libcst_version() -> bytes:
    """libcst's version file, found without importing libcst (a warm scan never needs it)."""
    from importlib.util import find_spec

    spec = find_spec("libcst")
    if spec is None or spec.origin is None:
        return b"no libcst"
    try:
        return (Path(spec.origin).parent / "_version.py").read_bytes()
    except OSError:
        return b"libcst without _version.py"


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
    rejected: list[str] = field(default_factory=list)  # records ignored and rebuilt, with why
    evicted: int = 0
    skipped: int = 0  # files not parsed: their bytes hold nothing the kind reads


def _parse(args: tuple[str, str, bytes, str]) -> tuple[FileFacts, InternalError | None]:
    """One file's facts; an unforeseen shape leaves them empty and says why (in a worker too)."""
    from djstate.facts.model import FileFacts
    from djstate.isolate import isolated
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
        self.written = 0  # records written this run
        # absolute paths (site-packages files and app folders) this run depended on: the scan's
        # snapshot fingerprints the installed packages they lie in (djstate/scan_cache.py)
        self.consulted: set[str] = set()
        self._pool = None  # spawned parse workers, started by the first batch that needs them

    def close(self) -> None:
        """Stop the parse workers (a later batch starts new ones)."""
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None

    def _parse_all(self, todo: list) -> list:
        """Each file's facts: in worker processes for a large batch or a large file (and for any
        batch once they run), else here."""
        big = any(len(args[2]) >= BIG_FILE for _, args in todo)
        if self.jobs == 1 or not todo or not (self._pool is not None or big or len(todo) >= PARALLEL_MIN):
            return [_parse(args) for _, args in todo]
        from concurrent.futures.process import BrokenProcessPool

        results: list = [None] * len(todo)
        small = [i for i, (_, args) in enumerate(todo) if len(args[2]) < HUGE_FILE]
        huge = [i for i, (_, args) in enumerate(todo) if len(args[2]) >= HUGE_FILE]
        try:
            if small:
                pool = self._pool or self._start_pool(self.jobs)
                parsed = pool.map(_parse, [todo[i][1] for i in small], chunksize=1 if len(small) < 64 else 16)
                for i, result in zip(small, parsed):
                    results[i] = result
            if huge:
                self.close()
                pool = self._start_pool(1)
                for i, result in zip(huge, pool.map(_parse, [todo[i][1] for i in huge])):
                    results[i] = result
                self.close()  # its memory is that of the largest file
        except BrokenProcessPool:  # a worker died (killed, out of memory): parse the rest here
            self.close()
        return [result if result is not None else _parse(args) for result, (_, args) in zip(results, todo)]

    def _start_pool(self, workers: int):
        import multiprocessing
        import weakref
        from concurrent.futures import ProcessPoolExecutor

        # spawned, not forked: a forked worker starts with a copy of everything this process
        # holds by then (facts, project) and its RSS counts it again (netbox cold: 805 -> 689 MB)
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))
        weakref.finalize(self, self._pool.shutdown, wait=False)
        return self._pool

    def evict_if_needed(self) -> None:
        """After a run that wrote records, keep the cache under its cap (checked at most once an
        hour: listing a large cache costs more than a warm scan)."""
        if self.cache_dir is None or not self.written:
            return
        stamp = self.cache_dir / "last-eviction"
        try:
            if stamp.exists() and stamp.stat().st_mtime > _now() - 3600:
                return
            stamp.touch()
        except OSError:
            return
        self.stats.evicted += evict(self.cache_dir)

    def _key(self, data: bytes, request: Request) -> str:
        digest = hashlib.sha256(data)
        # a file name that is not UTF-8 (0002_caf\xe9.py) gives a module with lone surrogates
        digest.update(f"\0{request.module}\0{request.kind}\0{parser_fingerprint()}".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def _load(self, key: str) -> FileFacts | None:
        from djstate.facts.model import FileFacts

        if key in self.shared:
            import copy

            return copy.copy(self.shared[key])  # its path is set per tree
        if self.cache_dir is None:
            return None
        path = self.cache_dir / key[:2] / key
        try:
            with open(path, "rb") as handle:
                record = pickle.load(handle)
        except FileNotFoundError:
            return None
        except _UNREADABLE as exc:  # truncated, corrupt, or pickled by an incompatible djstate
            self.stats.rejected.append(f"{path.name}: unreadable ({type(exc).__name__}: {exc})")
            return None
        if not isinstance(record, FileFacts):
            self.stats.rejected.append(f"{path.name}: not a facts record ({type(record).__name__})")
            return None
        return record

    def _store(self, key: str, facts: FileFacts) -> None:
        self.shared[key] = facts
        if self.cache_dir is None:
            return
        target = self.cache_dir / key[:2] / key
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, pickle.dumps(facts, protocol=pickle.HIGHEST_PROTOCOL))
            self.written += 1
        except (OSError, pickle.PicklingError) as exc:  # a read-only cache only costs speed
            self.stats.errors.append(str(exc))

    def load_bundle(self, name: str) -> dict:
        """A dict saved with ``save_bundle`` (empty without a cache, or when it cannot be read)."""
        if self.cache_dir is None:
            return {}
        path = self.cache_dir / "bundles" / name
        try:
            with open(path, "rb") as handle:
                data = pickle.load(handle)
        except FileNotFoundError:
            return {}
        except _UNREADABLE as exc:
            self.stats.rejected.append(f"bundles/{name}: unreadable ({type(exc).__name__}: {exc})")
            return {}
        if not isinstance(data, dict):
            self.stats.rejected.append(f"bundles/{name}: not a bundle ({type(data).__name__})")
            return {}
        return data

    def save_bundle(self, name: str, data: dict) -> None:
        """Replace a bundle atomically (a concurrent reader sees the old one or the new one)."""
        if self.cache_dir is None:
            return
        target = self.cache_dir / "bundles" / name
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            _atomic_write(target, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
        except (OSError, pickle.PicklingError) as exc:  # a read-only cache only costs speed
            self.stats.errors.append(str(exc))

    def problems(self, kind: str) -> list[tuple[Request, FileFacts]]:
        """The files read this run as ``kind`` that could not be read or parsed."""
        return [(r, f) for r, f in self._memory.items() if r.kind == kind and f.problem is not None]

    def facts(self, requests: list[Request]) -> dict[str, FileFacts]:
        from djstate.facts.model import FileFacts, Problem
        from djstate.facts.queries import QueryFacts
        from djstate.markers import may_hold_queries

        out: dict[str, FileFacts] = {}
        todo: list[tuple[str, tuple[str, str, bytes, str]]] = []
        for request in requests:
            if request.path.startswith("/"):
                self.consulted.add(request.path)
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
            if request.kind == "queries" and not may_hold_queries(data):
                # nothing for parse/queries.py to read (djstate/markers.py says why): no libcst
                self.stats.skipped += 1
                self._memory[request] = out[request.path] = FileFacts(request.path, request.module, queries=QueryFacts())
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
        results = self._parse_all(todo)
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


def _atomic_write(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target`` through a temporary file of a unique name and a rename, so
    concurrent runs never see (or leave) half a record."""
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def max_cache_bytes() -> int:
    try:
        return int(float(os.environ.get("DJSTATE_CACHE_MAX_MB", DEFAULT_MAX_MB)) * 1024 * 1024)
    except ValueError:
        return DEFAULT_MAX_MB * 1024 * 1024


def evict(cache_dir: Path, max_bytes: int | None = None) -> int:
    """Delete the oldest records (by modification time) until the cache holds at most 80% of
    ``max_bytes``, if it holds more than ``max_bytes``; stale temporary files go first. Returns
    how many files were deleted. A file another run deletes meanwhile is no error."""
    limit = max_cache_bytes() if max_bytes is None else max_bytes
    entries: list[tuple[float, int, str]] = []
    total = 0
    removed = 0
    try:
        folders = [e.path for e in os.scandir(cache_dir) if e.is_dir(follow_symlinks=False)]
    except OSError:
        return 0
    for folder in folders:
        try:
            with os.scandir(folder) as files:
                for entry in files:
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    if entry.name.endswith(".tmp") and info.st_mtime < _now() - 3600:
                        removed += _unlink(entry.path)  # left by a run that was killed
                        continue
                    total += info.st_size
                    entries.append((info.st_mtime, info.st_size, entry.path))
        except OSError:
            continue
    if total <= limit:
        return removed
    entries.sort()
    for _mtime, size, path in entries:
        if total <= limit * 0.8:
            break
        removed += _unlink(path)
        total -= size
    return removed


def _now() -> float:
    import time

    return time.time()


def _unlink(path: str) -> int:
    try:
        os.unlink(path)
        return 1
    except OSError:
        return 0


def _ours(name: str) -> bool:
    """The names djstate creates in a cache folder: ``ab/`` record folders, bundles, the stamp."""
    return name in ("bundles", "snapshots", "last-eviction") or (len(name) == 2 and all(c in "0123456789abcdef" for c in name))


def clear(cache_dir: Path) -> tuple[int, int]:
    """Delete what djstate put in the cache folder (nothing else there): (files, bytes) removed."""
    files = size = 0
    try:
        names = [n for n in os.listdir(cache_dir) if _ours(n)]
    except OSError:
        return 0, 0
    for name in names:
        path = cache_dir / name
        for dirpath, _dirs, found in os.walk(path):
            for item in found:
                try:
                    size += os.path.getsize(os.path.join(dirpath, item))
                    files += 1
                except OSError:
                    pass
        if path.is_dir() and not path.is_symlink():
            import shutil

            shutil.rmtree(path, ignore_errors=True)
        else:
            files += _unlink(str(path))
    try:
        cache_dir.rmdir()  # only when nothing else is left
    except OSError:
        pass
    return files, size
