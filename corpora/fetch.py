#!/usr/bin/env python3
"""Fetch the pinned Django corpora listed in corpora/manifest.toml.

Stdlib only (plus `tomli` on Python 3.10, which lacks tomllib). Downloads go
through `python -m pip download`, so pip's usual index/proxy/cert settings
apply; every artifact is checked against its pinned sha256 before use.

    python corpora/fetch.py            # fetch all, print "name version path"
    python corpora/fetch.py wagtail    # fetch only the named corpora
    python corpora/fetch.py --list     # show the manifest, no network
"""
from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import pathlib
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: same API from the tomli backport
    try:
        import tomli as tomllib  # type: ignore[no-redef]
    except ModuleNotFoundError:
        tomllib = None  # type: ignore[assignment]  # reported by load_manifest()

MANIFEST = pathlib.Path(__file__).resolve().with_name("manifest.toml")
# Outside the repo: the corpora are ~190 MB packed, ~660 MB unpacked; never commit them.
CACHE_DIR = pathlib.Path(
    os.environ.get("DJSTATE_CORPORA_DIR") or "~/.cache/djstate/corpora"
).expanduser()
MARKER = ".djstate-sha256"
TIERS = ("core", "wide")
_PIP_TAIL = 15  # lines of pip output worth showing on failure


class FetchError(Exception):
    """A corpus could not be fetched; the message is meant for users."""


@dataclasses.dataclass(frozen=True)
class Corpus:
    name: str
    version: str
    filename: str
    sha256: str
    pip_args: tuple[str, ...] = ()
    note: str = ""
    tier: str = "wide"  # "core": scanned by `make test`; "wide": only on request (DJSTATE_CORPORA, sweep)
    held_out: bool = False  # kept aside to measure fixes; see the manifest header
    batch: int = 1  # which held-out batch (or wide addition) the entry came with; see the manifest header
    oracle_skip: tuple[str, ...] = ()  # dependencies the oracle venv leaves out (they do not build here)

    @property
    def dirname(self) -> str:
        return f"{self.name}-{self.version}"


def load_manifest(path: pathlib.Path | None = None) -> list[Corpus]:
    path = path or MANIFEST  # looked up at call time so tests can point elsewhere
    if tomllib is None:
        raise FetchError("reading the manifest needs Python >= 3.11 or `pip install tomli`")
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise FetchError(f"cannot read manifest {path}: {e}") from None
    corpora, seen = [], set()
    for i, entry in enumerate(data.get("corpus", [])):
        try:
            c = Corpus(
                name=entry["name"],
                version=entry["version"],
                filename=entry["filename"],
                sha256=entry["sha256"].lower(),
                pip_args=tuple(entry.get("pip_args", ())),
                note=entry.get("note", ""),
                tier=entry.get("tier", "wide"),
                held_out=entry.get("held_out", False),
                batch=entry.get("batch", 1),
                oracle_skip=tuple(entry.get("oracle_skip", ())),
            )
        except KeyError as e:
            raise FetchError(f"{path}: corpus #{i + 1} lacks key {e}") from None
        if c.tier not in TIERS:
            raise FetchError(f"{path}: corpus {c.name!r}: tier must be one of {', '.join(TIERS)}, not {c.tier!r}")
        if not isinstance(c.held_out, bool):
            raise FetchError(f"{path}: corpus {c.name!r}: held_out must be true or false")
        if not isinstance(c.batch, int) or isinstance(c.batch, bool) or c.batch < 1:
            raise FetchError(f"{path}: corpus {c.name!r}: batch must be a positive integer")
        if c.name in seen:
            raise FetchError(f"{path}: corpus {c.name!r} listed twice")
        seen.add(c.name)
        corpora.append(c)
    return corpora


def _lookup(name: str, corpora: list[Corpus]) -> Corpus:
    for c in corpora:
        if c.name == name:
            return c
    raise FetchError(f"unknown corpus {name!r} (known: {', '.join(c.name for c in corpora)})")


def _is_complete(folder: pathlib.Path, sha256: str) -> bool:
    try:
        return (folder / MARKER).read_text().strip() == sha256
    except OSError:
        return False


def _sha256(path: pathlib.Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _inside(dest: pathlib.Path, member: str) -> bool:
    target = (dest / member).resolve()
    return target == dest or dest in target.parents


def _unpack(archive: pathlib.Path, dest: pathlib.Path) -> None:
    dest = dest.resolve()
    if archive.suffix in (".whl", ".zip"):
        with zipfile.ZipFile(archive) as z:
            # zipfile silently rewrites "../x" names; refuse them outright instead.
            bad = [n for n in z.namelist() if not _inside(dest, n)]
            if bad:
                raise FetchError(f"{archive.name}: unsafe path in archive: {bad[0]}")
            z.extractall(dest)
    elif archive.name.endswith((".tar.gz", ".tgz", ".tar")):
        with tarfile.open(archive) as t:
            if hasattr(tarfile, "data_filter"):  # 3.10.12+/3.11.4+: blocks traversal, links out, devices
                try:
                    t.extractall(dest, filter="data")
                except tarfile.FilterError as e:
                    raise FetchError(f"{archive.name}: unsafe member: {e}") from None
            else:
                for m in t.getmembers():
                    if not _inside(dest, m.name) or not (m.isfile() or m.isdir()):
                        raise FetchError(f"{archive.name}: unsafe member: {m.name}")
                t.extractall(dest)
    else:
        raise FetchError(f"{archive.name}: unknown archive type")


def _download(c: Corpus, into: pathlib.Path) -> pathlib.Path:
    into.mkdir()
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--dest", str(into), f"{c.name}=={c.version}", *c.pip_args]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if proc.returncode != 0:
        tail = "\n".join("  " + ln for ln in proc.stdout.strip().splitlines()[-_PIP_TAIL:])
        raise FetchError(f"pip download {c.name}=={c.version} failed (exit {proc.returncode}):\n{tail}")
    path = into / c.filename
    if not path.is_file():
        got = ", ".join(p.name for p in into.iterdir()) or "nothing"
        raise FetchError(f"{c.name}: pip fetched {got}, manifest expects {c.filename} (check pip_args)")
    return path


def ensure(name: str) -> pathlib.Path:
    """Return CACHE_DIR/<name>-<version>/ holding the unpacked, verified artifact."""
    c = _lookup(name, load_manifest())
    final = CACHE_DIR / c.dirname
    if _is_complete(final, c.sha256):
        return final
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    print(f"fetching {c.name}=={c.version} ...", file=sys.stderr, flush=True)
    # Work in a temp dir beside the target so the final rename is atomic and a
    # killed run leaves only a ".tmp-*" dir, never a folder that looks complete.
    work = pathlib.Path(tempfile.mkdtemp(prefix=f".tmp-{c.dirname}-", dir=CACHE_DIR))
    try:
        artifact = _download(c, work / "dl")
        got = _sha256(artifact)
        if got != c.sha256:
            raise FetchError(f"{c.filename}: sha256 mismatch: expected {c.sha256}, got {got}")
        tree = work / "tree"
        _unpack(artifact, tree)
        (tree / MARKER).write_text(c.sha256 + "\n")  # last: marks the tree complete
        if final.exists() and not _is_complete(final, c.sha256):
            shutil.rmtree(final)  # stale or partial from an older manifest
        try:
            os.rename(tree, final)
        except OSError:
            if not _is_complete(final, c.sha256):  # a concurrent run may have won the race
                raise
        return final
    finally:
        shutil.rmtree(work, ignore_errors=True)


def ensure_all(names: list[str] | None = None) -> dict[str, pathlib.Path]:
    corpora = load_manifest()
    wanted = [_lookup(n, corpora).name for n in names] if names else [c.name for c in corpora]
    return {n: ensure(n) for n in wanted}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Download the pinned Django corpora into " + str(CACHE_DIR))
    ap.add_argument("--list", action="store_true", help="print the manifest without downloading")
    ap.add_argument("names", nargs="*", metavar="NAME", help="corpora to fetch (default: all)")
    args = ap.parse_args(argv)
    try:
        corpora = load_manifest()
        # Resolve every name first so a typo fails before any download starts.
        selected = [_lookup(n, corpora) for n in args.names] if args.names else corpora
        for c in selected:
            # One at a time so each line appears as soon as that corpus is ready.
            if args.list:
                print(c.name, c.version, c.filename, c.tier + (" held-out" if c.held_out else ""), flush=True)
            else:
                print(c.name, c.version, ensure(c.name), flush=True)
    except (FetchError, OSError) as e:
        print(f"fetch.py: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fetch.py: interrupted", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
