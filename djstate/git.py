"""Reading a revision of a project from git objects, for ``djstate diff``.

Nothing here checks out, stages or moves HEAD: trees and blobs are read with ``git ls-tree``
and one ``git cat-file --batch``, and written into a directory outside the repository. A diff
against the working tree runs on a throwaway copy of the index, so git's stat refresh never
writes the real one. Blob contents are the raw committed bytes (no eol/filter conversion).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

SUBMODULE_MODE = "160000"
SYMLINK_MODE = "120000"
SHALLOW_HINT = (
    "fetch more history with `git fetch --deepen=50` or `git fetch --unshallow`"
    " (GitHub Actions: `fetch-depth: 0` in actions/checkout)"
)


class GitError(Exception):
    """A one-line message for the user; the CLI prints it and exits 2."""


def _git(root: Path, *args: str, stdin: bytes | None = None, env: dict | None = None) -> bytes:
    """Stdout of ``git <args>`` run in root; GitError with git's first stderr line on failure."""
    proc = _run_git(root, args, stdin, env)
    if proc.returncode != 0:
        lines = proc.stderr.decode(errors="replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {lines[0] if lines else f'exit {proc.returncode}'}")
    return proc.stdout


def _run_git(root: Path, args, stdin: bytes | None = None, env: dict | None = None):
    full_env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C", **(env or {})}
    try:
        return subprocess.run(
            ["git", *args], check=False, cwd=root, input=stdin, capture_output=True, env=full_env
        )
    except FileNotFoundError:
        if not shutil.which("git"):
            raise GitError("git is not installed (no `git` command on PATH)") from None
        raise GitError(f"not a git repository: {root} (no such directory)") from None


def repo_root(path: Path) -> Path:
    """The top folder of the work tree that contains path."""
    folder = path if path.is_dir() or not path.exists() else path.parent
    proc = _run_git(folder, ["rev-parse", "--show-toplevel"])
    if proc.returncode != 0 or not proc.stdout.strip():
        detail = proc.stderr.decode(errors="replace").strip().splitlines()
        if detail and "not a git repository" not in detail[0]:  # e.g. dubious ownership
            raise GitError(f"not a git repository: {path} ({detail[0].removeprefix('fatal: ')})")
        raise GitError(f"not a git repository: {path}")
    return Path(os.fsdecode(proc.stdout.rstrip(b"\n")))


def resolve(root: Path, rev: str) -> str:
    """The full sha of the commit rev names. A missing rev in a shallow clone (including an
    ancestor cut off by the shallow boundary, such as ``HEAD~1`` at depth 1) says so."""
    if rev and not rev.startswith("-"):
        proc = _run_git(root, ["rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"])
        if proc.returncode == 0:
            return proc.stdout.decode().strip()
    if _git(root, "rev-parse", "--is-shallow-repository").strip() == b"true":
        raise GitError(
            f"revision {rev!r} is not in this shallow clone (or does not exist); {SHALLOW_HINT}"
        )
    raise GitError(f"unknown revision: {rev}")


def list_tree(root: Path, sha: str) -> dict[str, tuple[str, str, int]]:
    """Repo-relative POSIX path -> (mode, blob sha, size) for every file of the commit or tree.
    Submodules are left out; symlinks are kept (mode 120000, the blob is the link target)."""
    files = {}
    for entry in _git(root, "ls-tree", "-r", "-z", "--long", "--full-tree", sha).split(b"\0"):
        if not entry:
            continue
        meta, path = entry.split(b"\t", 1)
        mode, _type, blob, size = meta.decode().split()
        if mode != SUBMODULE_MODE:
            files[os.fsdecode(path)] = (mode, blob, int(size))
    return files


def read_blobs(root: Path, shas: list[str]) -> dict[str, bytes]:
    """sha -> contents, through one ``git cat-file --batch``; missing objects are left out."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    # run() hands all of stdin over while draining stdout (communicate), so it cannot deadlock
    out = _git(root, "cat-file", "--batch", stdin="".join(f"{s}\n" for s in wanted).encode())
    contents, pos = {}, 0
    while pos < len(out):
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3:  # "<name> missing" or "<name> ambiguous"
            continue
        size = int(header[2])
        contents[header[0].decode()] = out[pos : pos + size]
        pos += size + 1  # the content is followed by a newline
    return contents


def _keep_all(path: str) -> bool:
    return True


def _safe_relative(path: str) -> bool:
    parts = path.split("/")
    return not path.startswith("/") and all(
        p not in ("", ".", "..") and p.lower() != ".git" for p in parts
    )


def materialise(
    root: Path, sha: str, dest: Path, subdir: str = "", keep: Callable[[str], bool] = _keep_all
) -> int:
    """Write the files of commit sha (only those under subdir, relative to it) for which
    keep(path relative to dest) is true into dest, a new or empty folder outside the repository.
    Returns how many files and symlinks were written. Symlinks are kept only if they resolve
    inside dest; paths with ``..``, ``.`` or ``.git`` parts are never written."""
    dest = dest.resolve()
    if dest.is_relative_to(root.resolve()):
        raise GitError(f"refusing to write a revision inside the repository: {dest}")
    if dest.exists() and any(dest.iterdir()):
        raise GitError(f"destination folder is not empty: {dest}")
    subdir = subdir.strip("/")
    prefix = "" if subdir in ("", ".") else subdir + "/"
    if prefix and not _safe_relative(prefix[:-1]):
        raise GitError(f"not a folder inside the repository: {subdir}")
    chosen = {}  # path in dest -> (mode, blob sha)
    for path, (mode, blob, _size) in list_tree(root, sha).items():
        rel = path[len(prefix) :]
        if path.startswith(prefix) and _safe_relative(rel) and keep(rel):
            chosen[rel] = (mode, blob)
    contents = read_blobs(root, [blob for _mode, blob in chosen.values()])
    missing = sum(blob not in contents for _mode, blob in chosen.values())
    if missing:
        raise GitError(
            f"{missing} file(s) of {sha[:12]} are missing from the repository (partial clone?)"
        )
    dest.mkdir(parents=True, exist_ok=True)
    written, links, folders = 0, [], set()
    for rel, (mode, blob) in chosen.items():  # files first: no file is written through a link
        target = dest / rel
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if mode == SYMLINK_MODE:
            links.append((target, os.fsdecode(contents[blob])))
            continue
        try:
            target.write_bytes(contents[blob])
        except OSError as error:
            raise GitError(f"cannot write {rel} of {sha[:12]}: {error.strerror}") from None
        written += 1
    created = []
    for link, link_target in links:
        try:
            os.symlink(link_target, link)
            created.append(link)
        except OSError:  # a clash with a folder, or no symlink support
            continue
    # a target can stay inside dest on paper and still escape through another link ("l/../.."):
    # check where each really leads, until removing one no longer changes the others
    while escaping := [link for link in created if not _resolves_inside(link, dest)]:
        for link in escaping:
            link.unlink()
            created.remove(link)
    return written + len(created)


def _resolves_inside(link: Path, dest: Path) -> bool:
    return Path(os.path.realpath(link)).is_relative_to(dest)


def _name_status(root: Path, old: str, new: str | None) -> list[tuple[str, list[str]]]:
    """(status letter, [path] or [old path, new path]) for each change from old to new."""
    revs = [old] if new is None else [old, new]
    args = ["diff", "--name-status", "-z", "-M", "--no-ext-diff", *revs, "--"]
    if new is not None:
        out = _git(root, *args)
    else:  # diff refreshes stat info in the index it reads: let it write a copy
        index = root / os.fsdecode(_git(root, "rev-parse", "--git-path", "index").rstrip(b"\n"))
        with tempfile.TemporaryDirectory(prefix="djstate-index-") as scratch:
            copy = Path(scratch) / "index"
            if index.exists():
                shutil.copyfile(index, copy)
            out = _git(root, *args, env={"GIT_INDEX_FILE": str(copy)})
    fields = out.split(b"\0")
    changes, i = [], 0
    while i < len(fields) and fields[i]:
        status = fields[i].decode()[0]
        count = 2 if status in "RC" else 1
        changes.append((status, [os.fsdecode(p) for p in fields[i + 1 : i + 1 + count]]))
        i += 1 + count
    return changes


def renames(root: Path, old: str, new: str | None) -> dict[str, str]:
    """Old path -> new path of files git sees as renamed or moved from commit old to commit new,
    or to the working tree when new is None. Against the working tree only tracked (or staged)
    files count: a file moved with plain ``mv`` and never added is seen as deleted."""
    return {paths[0]: paths[1] for status, paths in _name_status(root, old, new) if status == "R"}


def changed_paths(root: Path, old: str, new: str | None) -> set[str]:
    """Paths added, modified, deleted or type-changed from old to new (the working tree when new
    is None, with the same limit on untracked files as renames); both sides of a rename."""
    return {path for _status, paths in _name_status(root, old, new) for path in paths}
