"""djstate.git on real repositories built in tmp_path: revisions, trees, blobs, renames, and a
source repository that must come out untouched (work tree, index, HEAD)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from djstate.git import (
    GitError,
    changed_paths,
    list_tree,
    materialise,
    read_blobs,
    renames,
    repo_root,
    resolve,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MODELS = "from django.db import models\n\n\nclass Book(models.Model):\n    title = models.CharField(max_length=50)\n"
LATIN1 = b"# caf\xe9 na\xefve\nx = 1\n"


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch):
    """No user or system git config, a fixed identity, no GIT_DIR/GIT_INDEX_FILE from a hook."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "t")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "t@e")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def commit(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def make_repo(path: Path, files: dict[str, str | bytes]) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    write(path, files)
    return path


def write(repo: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        target = repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode())


def source_state(repo: Path) -> tuple[str, str, bytes]:
    """What materialise/changed_paths must leave alone: status, HEAD, the index file's bytes."""
    status = git(repo, "--no-optional-locks", "status", "--porcelain")
    return status, git(repo, "rev-parse", "HEAD").strip(), (repo / ".git" / "index").read_bytes()


@pytest.fixture
def project(tmp_path) -> Path:
    """Two commits: a Django-ish app, a Latin-1 file, and symlinks inside and out of the tree."""
    repo = make_repo(tmp_path / "repo", {"manage.py": "print('v1')\n", "shop/models.py": MODELS})
    commit(repo, "first")
    write(
        repo,
        {
            "manage.py": "print('v2')\n",
            "shop/migrations/0001_initial.py": "operations = []\n",
            "shop/latin1.py": LATIN1,
            "docs/readme.txt": "docs\n",
        },
    )
    try:
        os.symlink("shop/models.py", repo / "link.py")  # inside: kept
        os.symlink("../../etc/passwd", repo / "escape")  # outside: skipped
        os.symlink("/etc/passwd", repo / "absolute")  # outside: skipped
        os.symlink(".", repo / "here")  # inside (a loop, but inside)
        os.symlink("here/../secret", repo / "sneaky")  # "secret" on paper, ../secret really
    except OSError:
        pytest.skip("symlinks are not supported here")
    commit(repo, "second")
    return repo


def test_repo_root(project, tmp_path):
    assert repo_root(project / "shop") == project.resolve()
    plain = tmp_path / "plain"
    plain.mkdir()
    with pytest.raises(GitError, match=r"^not a git repository: .*plain$"):
        repo_root(plain)
    with pytest.raises(GitError, match="^not a git repository: .*nowhere"):
        repo_root(tmp_path / "nowhere")


def test_git_not_installed(project, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(GitError, match="^git is not installed"):
        repo_root(project)


def test_resolve(project):
    head = git(project, "rev-parse", "HEAD").strip()
    first = git(project, "rev-parse", "HEAD~1").strip()
    assert resolve(project, "HEAD") == head
    assert resolve(project, "HEAD~1") == first
    assert resolve(project, first[:10]) == first
    for bad in ("nope", "HEAD~5", "--all", "0" * 40, ""):
        with pytest.raises(GitError) as error:
            resolve(project, bad)
        assert str(error.value) == f"unknown revision: {bad}"


def test_shallow_clone_says_shallow(project, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", project.resolve().as_uri(), str(clone))
    head = git(project, "rev-parse", "HEAD").strip()
    first = git(project, "rev-parse", "HEAD~1").strip()
    assert resolve(clone, "HEAD") == head
    for cut_off in ("HEAD~1", first, "HEAD^"):
        with pytest.raises(GitError) as error:
            resolve(clone, cut_off)
        message = str(error.value)
        assert message.startswith(f"revision '{cut_off}' is not in this shallow clone")
        assert "git fetch --deepen=50" in message and "git fetch --unshallow" in message
        assert "fetch-depth: 0" in message and "\n" not in message
    assert sorted(list_tree(clone, head)) == sorted(list_tree(project, head))


def test_list_tree_and_read_blobs(project):
    head = resolve(project, "HEAD")
    tree = list_tree(project, head)
    assert sorted(tree) == [
        "absolute",
        "docs/readme.txt",
        "escape",
        "here",
        "link.py",
        "manage.py",
        "shop/latin1.py",
        "shop/migrations/0001_initial.py",
        "shop/models.py",
        "sneaky",
    ]
    mode, blob, size = tree["shop/latin1.py"]
    assert (mode, size) == ("100644", len(LATIN1))
    assert blob == git(project, "hash-object", "shop/latin1.py").strip()
    assert tree["link.py"][0] == "120000" and tree["link.py"][2] == len("shop/models.py")
    missing = "0" * 40
    blobs = read_blobs(
        project, [blob, tree["link.py"][1], tree["shop/models.py"][1], missing, blob]
    )
    assert blobs == {
        blob: LATIN1,
        tree["link.py"][1]: b"shop/models.py",
        tree["shop/models.py"][1]: MODELS.encode(),
    }
    assert read_blobs(project, []) == {}


def test_list_tree_skips_submodules(project, tmp_path):
    inner = make_repo(tmp_path / "inner", {"a.py": "a = 1\n"})
    commit(inner, "inner")
    git(
        project,
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        inner.resolve().as_uri(),
        "vendor",
    )
    sha = commit(project, "with a submodule")
    tree = list_tree(project, sha)
    assert "vendor" not in tree and ".gitmodules" in tree and "vendor/a.py" not in tree


def test_materialise_round_trip(project, tmp_path):
    head = resolve(project, "HEAD")
    dest = tmp_path / "out" / "rev"
    assert (
        materialise(project, head, dest) == 7
    )  # 6 files, link.py, here; not escape/absolute/sneaky
    assert (dest / "shop" / "latin1.py").read_bytes() == LATIN1
    assert (dest / "shop" / "migrations" / "0001_initial.py").read_text() == "operations = []\n"
    assert (dest / "manage.py").read_text() == "print('v2')\n"
    assert os.readlink(dest / "link.py") == "shop/models.py"
    assert (dest / "link.py").read_text() == MODELS
    assert os.readlink(dest / "here") == "."
    for unsafe in ("escape", "absolute", "sneaky"):
        assert not os.path.lexists(dest / unsafe)
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()) == [
        "docs/readme.txt",
        "link.py",
        "manage.py",
        "shop/latin1.py",
        "shop/migrations/0001_initial.py",
        "shop/models.py",
    ]


def test_materialise_subdir_and_keep(project, tmp_path):
    first = resolve(project, "HEAD~1")
    seen = []

    def python_only(path: str) -> bool:
        seen.append(path)
        return path.endswith(".py")

    dest = tmp_path / "shop-head"
    assert (
        materialise(project, resolve(project, "HEAD"), dest, subdir="shop/", keep=python_only) == 3
    )
    assert sorted(seen) == ["latin1.py", "migrations/0001_initial.py", "models.py"]
    assert sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*.py")) == sorted(seen)
    assert materialise(project, first, tmp_path / "shop-first", subdir="shop") == 1
    assert (tmp_path / "shop-first" / "models.py").read_text() == MODELS
    assert materialise(project, first, tmp_path / "none", subdir="nowhere") == 0


def test_materialise_refuses_unsafe_destinations(project, tmp_path):
    head = resolve(project, "HEAD")
    full = tmp_path / "full"
    full.mkdir()
    (full / "old.txt").write_text("x")
    with pytest.raises(GitError, match="^destination folder is not empty"):
        materialise(project, head, full)
    with pytest.raises(GitError, match="^refusing to write a revision inside the repository"):
        materialise(project, head, project / "build" / "old")
    with pytest.raises(GitError, match="^not a folder inside the repository: ../x"):
        materialise(project, head, tmp_path / "up", subdir="../x")
    assert not (project / "build").exists()


def test_source_repository_is_untouched(project, tmp_path):
    write(project, {"manage.py": "print('edited')\n", "untracked.py": "u = 1\n"})
    future = (project / "shop" / "models.py").stat().st_mtime + 1000
    os.utime(project / "shop" / "models.py", (future, future))  # stat-dirty, same content
    before = source_state(project)
    assert before[0] == " M manage.py\n?? untracked.py\n"
    head = resolve(project, "HEAD")
    materialise(project, head, tmp_path / "a")
    materialise(
        project, resolve(project, "HEAD~1"), tmp_path / "b", keep=lambda p: p.endswith(".py")
    )
    assert changed_paths(project, head, None) == {"manage.py"}  # not the stat-dirty models.py
    assert renames(project, head, None) == {}
    assert source_state(project) == before
    assert (project / "manage.py").read_text() == "print('edited')\n"


def test_renames_between_commits_and_against_the_work_tree(tmp_path):
    repo = make_repo(
        tmp_path / "repo",
        {"shop/models.py": MODELS, "shop/views.py": "v = 1\n", "shop/admin.py": "a = 1\n"},
    )
    first = commit(repo, "first")
    (repo / "shop" / "models").mkdir()
    git(repo, "mv", "shop/models.py", "shop/models/book.py")
    write(repo, {"shop/views.py": "v = 2\n", "shop/urls.py": "urlpatterns = []\n"})
    (repo / "shop" / "admin.py").unlink()
    second = commit(repo, "move models")
    assert renames(repo, first, second) == {"shop/models.py": "shop/models/book.py"}
    assert changed_paths(repo, first, second) == {
        "shop/models.py",
        "shop/models/book.py",
        "shop/views.py",
        "shop/urls.py",
        "shop/admin.py",
    }
    assert renames(repo, second, second) == {} and changed_paths(repo, second, second) == set()

    # against the work tree: a staged move counts, a plain `mv` (untracked target) is a delete
    git(repo, "mv", "shop/models/book.py", "shop/book.py")
    os.rename(repo / "shop" / "urls.py", repo / "urls.py")
    assert renames(repo, second, None) == {"shop/models/book.py": "shop/book.py"}
    assert changed_paths(repo, second, None) == {
        "shop/models/book.py",
        "shop/book.py",
        "shop/urls.py",
    }
    assert renames(repo, first, None) == {"shop/models.py": "shop/book.py"}


def test_non_utf8_file_name(tmp_path):
    repo = make_repo(tmp_path / "repo", {})
    name = os.fsdecode(b"caf\xe9.py")
    try:
        (repo / name).write_bytes(LATIN1)
    except (OSError, UnicodeEncodeError):
        pytest.skip("this file system refuses non-UTF-8 names")
    sha = commit(repo, "latin-1 name")
    assert list(list_tree(repo, sha)) == [name]
    assert materialise(repo, sha, tmp_path / "out") == 1
    assert (tmp_path / "out" / name).read_bytes() == LATIN1


def test_read_blobs_many_large_blobs_in_one_process(tmp_path):
    """More bytes than any pipe buffer both ways: must not deadlock."""
    repo = make_repo(tmp_path / "repo", {})
    files = {f"f{i:03}.py": (f"# {i}\n" + "x = 1\n" * 6000).encode() for i in range(300)}
    write(repo, files)
    listing = "\n".join(files) + "\n"
    shas = subprocess.run(
        ["git", "hash-object", "-w", "--stdin-paths"],
        cwd=repo,
        input=listing,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    blobs = read_blobs(repo, shas)
    assert len(blobs) == 300 and sum(map(len, blobs.values())) == sum(map(len, files.values()))
    assert [blobs[sha] for sha in shas] == list(files.values())
