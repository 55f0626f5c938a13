"""The project-level snapshot: an unchanged tree reuses the last scan's report.

A snapshot holds a scan's report (findings, stats, unjudged items, internal errors) and a
manifest: the ``os.stat`` (inode, size, mtime_ns, ctime_ns) of every file and folder the
result may depend on. A later scan of the same root with the same resolved configuration,
djstate and Python stats each manifest path again; when every one is unchanged, the report is
loaded and nothing is parsed (libcst is never imported). Any difference, a missing file, an
unreadable or foreign record is a miss, and the scan runs as usual.

The manifest, built after a scan that missed:

- the scanned tree: every folder discover walks (skipping what it skips: hidden folders,
  ``__pycache__``, virtualenvs, ...) and every ``.py`` file in them. A folder's mtime changes
  when an entry is added, removed or renamed in it, so a new or deleted module is seen
  without listing any folder on a hit;
- the folders the Django version is read from (the root and its parents up to the repository
  root): each of their files, and those of ``requirements/``, ``*.dist-info`` and ``*.egg-info``;
- each site-packages folder: the folder itself, each of its top-level entries, and, for every
  installed package the scan read a file or found an app in, all its folders and ``.py`` files;
- djstate's own package (its code and data), so an edited rule is never answered by an old run.

A snapshot is not written when any manifest entry changed in the second before the scan
started or later (its mtime or ctime is that recent): the scan may have read either version.
Records are written atomically (a temporary file renamed into place), so concurrent runs see a
whole snapshot or none. ``--no-cache`` neither reads nor writes them; ``djstate cache clear``
deletes them.

Known gap: a module added by hand two folders deep inside an installed package the scan read
nothing from is not seen (such a package is fingerprinted by its top-level folder only).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from djstate import __version__

if TYPE_CHECKING:
    from djstate.cache import FactsStore
    from djstate.config import Config
    from djstate.findings import Finding
    from djstate.isolate import InternalError
    from djstate.unverified import Unjudged

FORMAT = "djstate-scan-snapshot-1"
FOLDER = "snapshots"
RACY_NS = 1_000_000_000  # an entry changed this close to the scan's start may have been read either way
# discover never reads below these (discover.SKIP_DIRS, repeated here to avoid importing it on a hit)
SKIP_DIRS = {"node_modules", "site-packages", "dist-packages", "__pycache__", "htmlcov", "__pypackages__", "buck-out"}
VERSION_SUBFOLDERS = ("requirements",)  # and *.dist-info, *.egg-info: what django_version reads


@dataclass
class ScanReport:
    """What ``djstate scan`` prints, from a scan or from its snapshot."""

    root: Path
    config: Config
    findings: list[Finding]
    stats: dict  # ScanResult.stats; "seconds" is this run's
    unjudged: list[Unjudged]
    internal_errors: list[InternalError]
    settings_path: str | None
    reused: bool = False  # loaded from the snapshot
    why_missed: list[str] = field(default_factory=list)  # for --verbose

    @classmethod
    def of(cls, result) -> ScanReport:
        project = result.project
        return cls(project.root, project.config, list(result.findings), dict(result.stats), list(project.unjudged),
                   list(project.internal_errors), project.settings_path)  # fmt: skip


def scan_report(root: Path, config: Config, store: FactsStore) -> ScanReport:
    """The report of a scan of ``root``: the snapshot's when nothing changed, else a scan's
    (whose snapshot is then written). Without a cache (``store.cache_dir`` None), always a scan."""
    why: list[str] = []
    found = lookup(store.cache_dir, root, config, why=why)
    if found is not None:
        return found
    from djstate.engine import scan

    started = time.time_ns()
    report = ScanReport.of(scan(root, config, store))
    reason = save(store.cache_dir, root, config, report, store, started)
    report.why_missed = why + ([f"not saved: {reason}"] if reason else [])
    return report


def slot_key(root: Path, config: Config, select: tuple[str, ...] = ()) -> str:
    """Which snapshot a scan may reuse: the root, the resolved configuration, the rule
    selection, djstate's and Python's versions, and which djstate (its folder: the manifest
    holds that copy's files, so two checkouts sharing a cache never answer for each other)."""
    here = os.path.dirname(os.path.abspath(__file__))
    text = "\0".join((FORMAT, __version__, sys.version, sys.executable, here, str(root), repr(config), repr(tuple(select))))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def _slot_path(cache_dir: Path, key: str) -> Path:
    return cache_dir / FOLDER / key[:32]


def _identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def lookup(cache_dir: Path | None, root: Path, config: Config, select: tuple[str, ...] = (),
           why: list[str] | None = None, remember_miss: bool = False) -> ScanReport | None:  # fmt: skip
    """The stored report when every manifest entry is unchanged, else None (``why`` says why).
    ``remember_miss``: the next lookup of this slot in this process misses at once (the console
    entry point checks first, then hands over to typer's scan, which would check again)."""
    if cache_dir is None:
        return None
    start = time.perf_counter()
    key = slot_key(root, config, select)
    reasons = _MISSED.pop(key, None)  # checked moments ago in this process (djstate/entry.py): still a miss
    report = None
    if reasons is None:
        reasons = []
        report = _load(_slot_path(cache_dir, key), key, reasons)
    if report is None:
        if remember_miss:
            _MISSED[key] = reasons
        if why is not None:
            why += reasons
        return None
    report.reused, report.why_missed = True, []
    report.root, report.config = root, config
    report.stats = dict(report.stats)
    if "seconds" in report.stats:
        report.stats["seconds"] = round(time.perf_counter() - start, 3)
    return report


_MISSED: dict[str, list[str]] = {}  # slot key -> why it missed, in this process


def _load(path: Path, key: str, why: list[str]) -> ScanReport | None:
    try:
        with open(path, "rb") as handle:
            record = pickle.load(handle)
    except FileNotFoundError:
        why.append("no snapshot")
        return None
    except Exception as exc:  # noqa: BLE001 - truncated, corrupt, or written by another djstate: a miss
        why.append(f"snapshot unreadable ({type(exc).__name__})")
        return None
    if not (isinstance(record, dict) and record.get("format") == FORMAT and record.get("key") == key
            and isinstance(record.get("report"), ScanReport)):  # fmt: skip
        why.append("snapshot of another format or key")
        return None
    paths, identities = record.get("paths"), record.get("identities")
    if not isinstance(paths, list) or not isinstance(identities, list) or len(paths) != len(identities) or not paths:
        why.append("snapshot without a manifest")
        return None
    stat = os.stat
    for entry, expected in zip(paths, identities):
        try:
            st = stat(entry)
        except (OSError, TypeError, ValueError):
            why.append(f"{entry}: gone")
            return None
        if (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns) != expected:
            why.append(f"{entry}: changed")
            return None
    return record["report"]


def save(cache_dir: Path | None, root: Path, config: Config, report: ScanReport, store: FactsStore,
         started_ns: int, select: tuple[str, ...] = ()) -> str | None:  # fmt: skip
    """Write the snapshot of a scan that started at ``started_ns`` (``time.time_ns()``).
    Returns why it was not written, or None."""
    if cache_dir is None:
        return "no cache"
    if report.internal_errors:
        return "the scan had internal errors"  # the next djstate may do better: never reused
    paths: list[str] = []
    identities: list[tuple[int, int, int, int]] = []
    try:
        _manifest(root, config, store, paths, identities)
    except OSError as exc:
        return f"cannot fingerprint the tree ({exc})"
    newest = max((max(i[2], i[3]) for i in identities), default=0)
    if newest >= started_ns - RACY_NS:
        return "a file changed during the scan or just before it"
    key = slot_key(root, config, select)
    record = {"format": FORMAT, "key": key, "paths": paths, "identities": identities, "report": report}
    target = _slot_path(cache_dir, key)
    from djstate.cache import _atomic_write

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _atomic_write(target, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
    except (OSError, pickle.PicklingError) as exc:  # a read-only cache only costs speed
        return f"cannot write the snapshot ({exc})"
    return None


def _manifest(root: Path, config: Config, store: FactsStore, paths: list[str], identities: list) -> None:
    def add(path: str, st: os.stat_result) -> None:
        paths.append(path)
        identities.append(_identity(st))

    _walk(str(root), add, skip_virtualenvs=True)
    from djstate.django_version import _folders  # the folders find_django_version reads

    for folder in _folders(root):
        _version_files(str(folder), add)
    for site in config.site_packages:
        _site_packages(str((root / site).resolve()), store, add)
    package = os.path.dirname(os.path.abspath(__file__))
    _walk(package, add, skip_virtualenvs=False, suffixes=(".py", ".json"))


def _walk(top: str, add, *, skip_virtualenvs: bool, suffixes: tuple[str, ...] = (".py",)) -> None:
    """Every folder below ``top`` that discover may walk (links followed, each folder once), and
    the files with these suffixes in them."""
    seen: set[tuple[int, int]] = set()
    stack = [top]
    while stack:
        folder = stack.pop()
        st = os.stat(folder)
        if (st.st_dev, st.st_ino) in seen:
            continue
        seen.add((st.st_dev, st.st_ino))
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
        names = {e.name for e in entries}
        add(folder, st)
        if folder != top and skip_virtualenvs and ("pyvenv.cfg" in names or {"bin", "lib", "include"} <= names):
            continue  # discover skips a virtualenv; the folder's own mtime says if that changes
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if not entry.name.startswith(".") and entry.name not in SKIP_DIRS:
                    stack.append(entry.path)
            elif entry.name.endswith(suffixes):
                try:
                    add(entry.path, entry.stat())
                except FileNotFoundError:  # a dangling link: its folder's mtime covers it
                    continue


def _version_files(folder: str, add) -> None:
    """A folder the Django version is read from: it, its files, and those of the sub-folders
    django_version reads (requirements/, *.dist-info, *.egg-info)."""
    try:
        add(folder, os.stat(folder))
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_file():
                add(entry.path, entry.stat())
            elif entry.is_dir() and (entry.name in VERSION_SUBFOLDERS or entry.name.endswith((".dist-info", ".egg-info"))):
                add(entry.path, entry.stat())
                with os.scandir(entry.path) as inner:
                    for item in sorted(inner, key=lambda e: e.name):
                        if item.is_file():
                            add(item.path, item.stat())
        except OSError:
            continue


def _site_packages(site: str, store: FactsStore, add) -> None:
    """A site-packages folder: it, each top-level entry, and every package the scan read a
    file or found an app in, whole."""
    prefix = site.rstrip("/") + "/"
    used = {p[len(prefix):].split("/", 1)[0] for p in store.consulted if p.startswith(prefix)}
    try:
        add(site, os.stat(site))
        with os.scandir(site) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.name in used and entry.is_dir():
            _walk(entry.path, add, skip_virtualenvs=False)
        else:
            try:
                add(entry.path, entry.stat())
            except FileNotFoundError:
                continue
