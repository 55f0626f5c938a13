"""Oracle for ``django_version``: djstate judged as Django X.Y agrees with Django X.Y.

Each case is a small app. Its initial migration is written by a real ``makemigrations`` of
the case's *writer* version (3.2, 4.2 or 5.1: what an older project has in its migrations
folder); then ``models.py`` is replaced by the case's *judged* models, and for every judged
version:

- Django X.Y, in a cached virtualenv, runs the autodetector (``AUTODETECT`` of
  tests/test_oracle_drift.py, what ``makemigrations --dry-run`` computes);
- djstate scans the same folder with ``django_version = "X.Y"``.

The two sets of operations must be equal, and where the case says which operations it
expects for a version (the real drift it carries), those too.

The virtualenvs live in ``~/.cache/djstate/venvs/django-X.Y`` (``$DJSTATE_VENVS`` moves
them), built once with ``python -m venv`` + ``pip install "django==X.Y.*"``: 3.2 with
Python 3.10, 4.2, 5.1 and 5.2 with 3.11, 6.0 and 6.1 with 3.12 (Django 6 needs 3.12+). A
version whose virtualenv cannot be built is skipped with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from djstate.cache import FactsStore
from djstate.config import load_config
from djstate.engine import scan
from tests.conftest import write_project
from tests.oracle.makemigrations import SCRIPT
from tests.test_oracle_drift import AUTODETECT, DRIFT_CODES, OPERATION

pytestmark = pytest.mark.oracle

VENVS = Path(os.environ.get("DJSTATE_VENVS", Path.home() / ".cache" / "djstate" / "venvs"))
PYENV = Path("/root/.pyenv/versions")
INTERPRETERS = {
    "3.2": [PYENV / "3.10.13/bin/python"],
    "4.2": [PYENV / "3.11.7/bin/python", Path(sys.executable)],
    "5.1": [PYENV / "3.11.7/bin/python", Path(sys.executable)],
    "5.2": [PYENV / "3.11.7/bin/python", Path(sys.executable)],
    "6.0": [PYENV / "3.12.1/bin/python", PYENV / "3.13.0/bin/python"],
    "6.1": [PYENV / "3.12.1/bin/python", PYENV / "3.13.0/bin/python"],
}
JUDGED = ("3.2", "4.2", "5.2", "6.0", "6.1")
_BROKEN: dict[str, str] = {}  # version -> why its virtualenv could not be built (once per run)


def venv_python(version: str) -> Path:
    """The cached virtualenv's python for Django ``version``; built on first use."""
    folder = VENVS / f"django-{version}"
    python = folder / "bin" / "python"
    if (folder / ".djstate-ok").is_file() and python.exists():
        return python
    if version in _BROKEN:
        pytest.skip(_BROKEN[version])
    base = next((p for p in INTERPRETERS[version] if p.exists()), None)
    if base is None:
        _BROKEN[version] = f"no interpreter for Django {version} among {[str(p) for p in INTERPRETERS[version]]}"
        pytest.skip(_BROKEN[version])
    shutil.rmtree(folder, ignore_errors=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    try:
        for command in ([str(base), "-m", "venv", str(folder)],
                        [str(python), "-m", "pip", "install", "-q", f"django=={version}.*"]):  # fmt: skip
            proc = subprocess.run(command, capture_output=True, text=True, timeout=600)
            if proc.returncode != 0:
                raise RuntimeError(f"{' '.join(command)}: {proc.stderr.strip()[-500:]}")
    except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
        _BROKEN[version] = f"cannot build the Django {version} virtualenv: {exc}"
        pytest.skip(_BROKEN[version])
    (folder / ".djstate-ok").write_text(version)
    return python


MAKEMIGRATIONS = SCRIPT  # the top-level app names given are their labels


def run_django(version: str, script: str, root: Path, modules: list[str]) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env["PYTHONPATH"] = str(root)
    command = [str(venv_python(version)), "-W", "ignore", "-c", script, *modules]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, env=env, cwd=root)


def django_operations(version: str, root: Path, modules: list[str]) -> set[tuple] | str:
    """What Django ``version``'s makemigrations would write; the error text when it cannot load."""
    proc = run_django(version, AUTODETECT, root, modules)
    if proc.returncode != 0:
        return proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"
    return {tuple(op) for op in json.loads(proc.stdout)}


def djstate_operations(version: str, root: Path) -> set[tuple]:
    config = load_config(root, {"django_version": version})
    result = scan(root, config, FactsStore(root, None, jobs=1))
    assert result.project.django_version.version == tuple(int(x) for x in version.split("."))
    operations = set()
    for finding in result.findings:
        if finding.code in DRIFT_CODES:
            match = OPERATION.search(finding.message)
            assert match, finding.message
            for name in match.group(1).split("+"):
                operations.add((name, (finding.model or "").lower(), finding.field))
    return operations


# --- the cases --------------------------------------------------------------------------------

APPS = '''\
from django.apps import AppConfig


class BlogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "blog"
'''

HEAD = "from django.db import models\n\n\n"

AUTHOR = '''\
class Author(models.Model):
    name = models.CharField(max_length=50)


'''

ABSTRACT_RELATED_NAME = AUTHOR + '''\
class Written(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="%(class)ss",
                               related_query_name="%(app_label)s_%(class)s")

    class Meta:
        abstract = True


class Article(Written):
    title = models.CharField(max_length=50)


class Note(Written):
    body = models.TextField()
'''

DEFAULT_RELATED_NAME = AUTHOR + '''\
class Article(models.Model):
    author = models.ForeignKey(Author, on_delete=models.CASCADE)
    editor = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="edited")

    class Meta:
        default_related_name = "%(model_name)ss"
'''

THROUGH_FIELDS = AUTHOR + '''\
class Group(models.Model):
    name = models.CharField(max_length=50)
    members = models.ManyToManyField(Author, through="Membership", through_fields=("group", "person"))


class Membership(models.Model):
    group = models.ForeignKey(Group, on_delete=models.CASCADE)
    person = models.ForeignKey(Author, on_delete=models.CASCADE)
    inviter = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="invitations")
'''

M2M_TARGETS = AUTHOR + '''\
class Tag(models.Model):
    name = models.CharField(max_length=20)


class Label(models.Model):
    name = models.CharField(max_length=20)


class Article(models.Model):
    tags = models.ManyToManyField(Tag, blank=True)
'''

# what a 4.2 project writes: CheckConstraint(check=...) and index_together is gone already
CHECK_CONSTRAINT = AUTHOR + '''\
class Book(models.Model):
    pages = models.IntegerField()
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")

    class Meta:
        constraints = [models.CheckConstraint(check=models.Q(pages__gte=1), name="pages_positive")]
        indexes = [models.Index(fields=["pages"], name="book_pages_idx")]
'''


HIDDEN_M2M = AUTHOR + '''\
class Person(models.Model):
    fans = models.ManyToManyField(Author, related_name="+")
    rivals = models.ManyToManyField("self", symmetrical=False, related_name="%(class)s_rivals+")
    friends = models.ManyToManyField("self", blank=True)
'''

MESSAGE_CONSTRAINT = AUTHOR + '''\
class Book(models.Model):
    pages = models.IntegerField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(pages__gte=1), name="pages_positive",
                                              violation_error_message="too short")]
'''


INDEX_TOGETHER = AUTHOR + '''\
class Book(models.Model):
    pages = models.IntegerField()
    title = models.CharField(max_length=10)

    class Meta:
        index_together = [("pages", "title")]
'''


@dataclass
class Case:
    name: str
    writer: str  # the Django version whose makemigrations wrote the migrations
    before: str  # models.py when the migrations were written
    after: str | None = None  # models.py when judged (None: unchanged)
    expected: dict[str, set] = field(default_factory=dict)  # version -> operations it must show
    judged: tuple[str, ...] = JUDGED

    def __str__(self) -> str:
        return self.name


ALTER_AUTHOR = {("AlterField", "article", "author"), ("AlterField", "note", "author")}
CASES = [
    # 3.2 writes related_name="articles" / "notes": an AlterField for every newer Django
    Case("abstract_related_name_by_3_2", "3.2", HEAD + ABSTRACT_RELATED_NAME,
         expected={"3.2": set(), "4.2": ALTER_AUTHOR, "5.2": ALTER_AUTHOR, "6.1": ALTER_AUTHOR},
         judged=("3.2", "4.2", "5.2", "6.1")),
    # ... and a real change is still found under 3.2
    Case("abstract_related_name_by_3_2_plus_field", "3.2", HEAD + ABSTRACT_RELATED_NAME,
         HEAD + ABSTRACT_RELATED_NAME.replace("    body = models.TextField()\n",
                                              "    body = models.TextField()\n    draft = models.BooleanField(default=False)\n"),
         expected={"3.2": {("AddField", "note", "draft")}}, judged=("3.2", "5.2", "6.1")),
    # 4.2 writes the template itself: nothing to do for any version
    Case("abstract_related_name_by_4_2", "4.2", HEAD + ABSTRACT_RELATED_NAME,
         expected={v: set() for v in ("3.2", "4.2", "6.1")}, judged=("3.2", "4.2", "6.1")),
    # 3.2 copies Meta.default_related_name into each relation's related_name
    Case("default_related_name_by_3_2", "3.2", HEAD + DEFAULT_RELATED_NAME,
         expected={"3.2": set(), "6.1": {("AlterField", "article", "author")}}, judged=("3.2", "4.2", "6.1")),
    # 5.1 does not write through_fields; 5.2 does
    Case("through_fields_by_5_1", "5.1", HEAD + THROUGH_FIELDS,
         expected={"4.2": set(), "5.2": {("AlterField", "group", "members")}}, judged=("3.2", "4.2", "5.2", "6.1")),
    Case("through_fields_by_5_1_changed", "5.1", HEAD + THROUGH_FIELDS,
         HEAD + THROUGH_FIELDS.replace('through_fields=("group", "person")', 'through_fields=("group", "person"), blank=True'),
         expected={"4.2": {("AlterField", "group", "members")}, "5.2": {("AlterField", "group", "members")}},
         judged=("4.2", "5.2", "6.1")),
    # a new m2m target: AlterField until 6.0, RemoveField + AddField from 6.1
    Case("m2m_new_target", "4.2", HEAD + M2M_TARGETS,
         HEAD + M2M_TARGETS.replace("ManyToManyField(Tag", "ManyToManyField(Label"),
         expected={"5.2": {("AlterField", "article", "tags")},
                   "6.1": {("RemoveField", "article", "tags"), ("AddField", "article", "tags")}},
         judged=("4.2", "5.2", "6.0", "6.1")),
    # 3.2 renames hidden m2m reverse relations "_blog_person_fans_+" (a symmetrical one too)
    Case("hidden_m2m_by_3_2", "3.2", HEAD + HIDDEN_M2M,
         expected={"3.2": set(), "4.2": {("AlterField", "person", f) for f in ("fans", "rivals", "friends")}},
         judged=("3.2", "4.2", "6.1")),
    # only violation_error_message changes: dropped and re-added until 5.1, AlterConstraint from 5.2
    Case("constraint_message_by_5_1", "5.1", HEAD + MESSAGE_CONSTRAINT,
         HEAD + MESSAGE_CONSTRAINT.replace("too short", "needs a page"), judged=("5.1", "5.2", "6.1"),
         expected={"5.1": {("RemoveConstraint", "book", None), ("AddConstraint", "book", None)},
                   "5.2": {("AlterConstraint", "book", None)}}),
    # an index renamed in Meta: RemoveIndex + AddIndex before 4.1, RenameIndex from 4.1
    Case("index_renamed_by_3_2", "3.2", HEAD + CHECK_CONSTRAINT.replace(
             '        constraints = [models.CheckConstraint(check=models.Q(pages__gte=1), name="pages_positive")]\n', ""),
         HEAD + CHECK_CONSTRAINT.replace(
             '        constraints = [models.CheckConstraint(check=models.Q(pages__gte=1), name="pages_positive")]\n', "")
         .replace("book_pages_idx", "book_pages_ix"), judged=("3.2", "4.2", "6.1"),
         expected={"3.2": {("RemoveIndex", "book", None), ("AddIndex", "book", None)}, "4.2": {("RenameIndex", "book", None)}}),
    # Meta.index_together (removed in 5.1): compared like unique_together until then
    Case("index_together_by_3_2", "3.2", HEAD + INDEX_TOGETHER, judged=("3.2", "4.2"), expected={"3.2": set(), "4.2": set()}),
    Case("index_together_changed_by_3_2", "3.2", HEAD + INDEX_TOGETHER,
         HEAD + INDEX_TOGETHER.replace('("pages", "title")', '("title", "pages")'), judged=("3.2", "4.2"),
         expected={"3.2": {("AlterIndexTogether", "book", None)}, "4.2": {("AlterIndexTogether", "book", None)}}),
    # CheckConstraint(check=...) (removed in 6.0): 4.2 and 5.2 see no change
    Case("check_constraint_by_4_2", "4.2", HEAD + CHECK_CONSTRAINT, judged=("4.2", "5.2"),
         expected={"4.2": set(), "5.2": set()}),
]  # fmt: skip


def write_case(root: Path, case: Case) -> None:
    write_project(root, {"blog/__init__.py": "", "blog/apps.py": APPS, "blog/models.py": case.before,
                         "blog/migrations/__init__.py": ""})  # fmt: skip
    proc = run_django(case.writer, MAKEMIGRATIONS, root, ["blog"])
    assert proc.returncode == 0, f"makemigrations of Django {case.writer} failed:\n{proc.stderr[-3000:]}"
    assert (root / "blog/migrations/0001_initial.py").is_file()
    if case.after is not None:
        (root / "blog/models.py").write_text(case.after)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_djstate_agrees_with_each_django(tmp_path, case: Case):
    write_case(tmp_path, case)
    shutil.rmtree(tmp_path / "blog" / "migrations" / "__pycache__", ignore_errors=True)
    checked = []
    for version in case.judged:
        try:
            expected = django_operations(version, tmp_path, ["blog"])
        except pytest.skip.Exception:
            continue  # that Django's virtualenv is not available
        assert not isinstance(expected, str), f"Django {version} cannot load the case: {expected}"
        ours = djstate_operations(version, tmp_path)
        assert ours == expected, (
            f"Django {version}: missing {sorted(expected - ours)}, extra {sorted(ours - expected)}"
        )
        if version in case.expected:
            assert expected == case.expected[version], f"Django {version} no longer does what the case says"
        checked.append(version)
    if not checked:
        pytest.skip("no Django virtualenv could be built")


def test_check_constraint_by_4_2_fails_to_load_in_6_0(tmp_path):
    """Django 6.0 dropped ``CheckConstraint(check=...)``: the 4.2 project cannot load there,
    so its judgement under 6.0 is Django's error, not a drift. Kept to document why the case
    above is judged by 4.2 and 5.2 only."""
    case = next(c for c in CASES if c.name == "check_constraint_by_4_2")
    write_case(tmp_path, case)
    result = django_operations("6.0", tmp_path, ["blog"])
    assert isinstance(result, str) and "check" in result
