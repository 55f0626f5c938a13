"""`djstate diff` on model changes that break an existing query (issue 13): a renamed field
(with its RenameField migration), a changed ``related_name`` and a removed manager each show
up as a new DJS50x finding at the query's file and line, and as nothing before the change.

The project is the query rules' shop (djstate/rules/query_cases.py: tests/data/queryshop's
models and the migration Django wrote for them); every edited model comes with the migration
that keeps it in step, so the query finding is the only new one."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from djstate.diff import run_diff
from djstate.rules.query_cases import APPS, HEADER, MIGRATION, MODELS
from tests.test_git import commit, isolated_git, make_repo, write  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

PROJECT = {
    "pyproject.toml": '[tool.djstate]\ndefault_auto_field = "django.db.models.AutoField"\n',
    "shop/__init__.py": "",
    "shop/apps.py": APPS,
    "shop/models.py": MODELS,
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": MIGRATION,
}
QUERIES = HEADER + (
    "def cheap_titles(q):\n"
    "    return Book.objects.filter(title__icontains=q).values_list('title', flat=True)\n\n\n"
    "def publishers_of_cheap_books():\n"
    "    return Publisher.published.filter(books__price__lt=10).distinct()\n\n\n"
    "def review_count(book: Book):\n"
    "    return book.reviews.count()\n\n\n"
    "def local_publishers():\n"
    "    return Publisher.published.filter(country='FR')\n"
)  # fmt: skip


def line_of(source: str, text: str) -> int:
    (number,) = [n for n, line in enumerate(source.splitlines(), 1) if text in line]
    return number


def migration(name_after: str, operation: str) -> str:
    return (
        "import django.db.models.deletion\nfrom django.db import migrations, models\n\n\n"
        "class Migration(migrations.Migration):\n"
        f"    dependencies = [('shop', '{name_after}')]\n"
        f"    operations = [{operation}]\n"
    )


def committed_shop(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", {**PROJECT, "shop/queries.py": QUERIES})
    commit(repo, "shop with queries")
    return repo


def changed(repo: Path, files: dict[str, str]):
    write(repo, files)
    commit(repo, "model change")
    return run_diff(repo, "HEAD~1", "HEAD", None, {})


def query_findings(findings) -> list:
    return [f for f in findings if f.code.startswith("DJS5")]


def test_the_base_has_no_query_finding(tmp_path):
    repo = committed_shop(tmp_path)
    result = run_diff(repo, "HEAD", "HEAD", None, {})
    assert result.left.result.findings == [] and result.right.result.findings == []
    assert result.left.result.project.queries.judged >= 4  # the queries were read and judged


def test_renamed_field_breaks_the_lookup(tmp_path):
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace("    title = models.CharField", "    name = models.CharField"),
        "shop/migrations/0002_rename_title.py": migration("0001_initial", "migrations.RenameField('book', 'title', 'name')"),
    })  # fmt: skip
    assert query_findings(result.left.result.findings) == []
    assert [(f.code, f.path) for f in result.new_findings] == [("DJS501", "shop/queries.py")] * 2
    assert [f.line for f in result.new_findings] == [line_of(QUERIES, "title__icontains")] * 2
    assert {f.message.split(":")[0] for f in result.new_findings} == {
        "filter('title__icontains')", "values_list('title')"}  # fmt: skip
    assert result.fixed_findings == []


def test_changed_related_name_breaks_the_reverse_lookup(tmp_path):
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace('related_name="books")', 'related_name="titles")'),
        "shop/migrations/0002_related_name.py": migration("0001_initial", (
            "migrations.AlterField('book', 'publisher', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, "
            "related_name='titles', to='shop.publisher'))"
        )),
    })  # fmt: skip
    assert query_findings(result.left.result.findings) == []
    assert [(f.code, f.path, f.line) for f in result.new_findings] == [
        ("DJS501", "shop/queries.py", line_of(QUERIES, "books__price__lt"))]  # fmt: skip
    assert "no field or relation 'books'" in result.new_findings[0].message
    assert result.fixed_findings == []


def test_removed_manager_breaks_the_query(tmp_path):
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace(
            "    published = models.Manager()  # the only manager: Django adds no `objects`\n",
            "    objects = models.Manager()\n",
        ),
        # the default manager was 'published' (written by makemigrations); now it is 'objects'
        "shop/migrations/0002_managers.py": migration("0001_initial", "migrations.AlterModelManagers('publisher', [])"),
    })  # fmt: skip
    assert query_findings(result.left.result.findings) == []
    assert [(f.code, f.path, f.line) for f in result.new_findings] == [
        ("DJS503", "shop/queries.py", line_of(QUERIES, "books__price__lt")),
        ("DJS503", "shop/queries.py", line_of(QUERIES, "country='FR'")),
    ]
    assert all("has no manager 'published'" in f.message for f in result.new_findings)


def test_changed_related_name_breaks_code_reading_the_old_accessor(tmp_path):
    """`book.reviews` was the reverse accessor; after related_name='opinions' it is no attribute
    at all. A single scan cannot call an unknown name an error (code it does not see may set
    it), so diff reports it from what the left side knew (DJS502 at the read)."""
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace('related_name="reviews"', 'related_name="opinions"'),
        "shop/migrations/0002_related_name.py": migration("0001_initial", (
            "migrations.AlterField('review', 'book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, "
            "related_name='opinions', to='shop.book'))"
        )),
    })  # fmt: skip
    assert query_findings(result.left.result.findings) == []
    assert [(f.code, f.path, f.line) for f in result.new_findings] == [
        ("DJS502", "shop/queries.py", line_of(QUERIES, "book.reviews"))]  # fmt: skip
    assert "now 'opinions' (related_name)" in result.new_findings[0].message
    assert result.fixed_findings == []


def test_code_moved_to_the_new_accessor_is_not_reported(tmp_path):
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace('related_name="reviews"', 'related_name="opinions"'),
        "shop/queries.py": QUERIES.replace("book.reviews.count()", "book.opinions.count()"),
        "shop/migrations/0002_related_name.py": migration("0001_initial", (
            "migrations.AlterField('review', 'book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, "
            "related_name='opinions', to='shop.book'))"
        )),
    })  # fmt: skip
    assert result.new_findings == [] and result.fixed_findings == []


def test_a_hidden_relation_breaks_the_old_accessor(tmp_path):
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace('related_name="reviews"', 'related_name="+"'),
        "shop/migrations/0002_hidden.py": migration("0001_initial", (
            "migrations.AlterField('review', 'book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, "
            "related_name='+', to='shop.book'))"
        )),
    })  # fmt: skip
    assert [(f.code, f.line) for f in result.new_findings] == [("DJS502", line_of(QUERIES, "book.reviews"))]
    assert "hidden with related_name='+'" in result.new_findings[0].message


# ---- each change breaks the query at runtime, as the findings say ---------------------------

RUNNER = r"""
import datetime, json
import django
from django.conf import settings

settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "shop"],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
)
django.setup()
from django.core.management import call_command

call_command("migrate", verbosity=0)
from shop import queries
from shop.models import Author, Book, Publisher

publisher = Publisher._default_manager.create(name="P")
book = Book.objects.create(price=5, published_on=datetime.date(2000, 1, 1), publisher=publisher,
                           author=Author.objects.create(name="A"))
calls = {"cheap_titles": lambda: list(queries.cheap_titles("B")),
         "publishers_of_cheap_books": lambda: list(queries.publishers_of_cheap_books()),
         "review_count": lambda: queries.review_count(book), "local_publishers": lambda: list(queries.local_publishers())}
out = {}
for name, call in calls.items():
    try:
        call()
        out[name] = None
    except Exception as exc:
        out[name] = type(exc).__name__
print(json.dumps(out))
"""
CHANGES = {
    "none": ({}, {}),
    "renamed field": ({"shop/models.py": MODELS.replace("    title = models.CharField", "    name = models.CharField"),
                       "shop/migrations/0002_x.py": migration("0001_initial", "migrations.RenameField('book', 'title', 'name')")},
                      {"cheap_titles": "FieldError"}),
    "related_name": ({"shop/models.py": MODELS.replace('related_name="books")', 'related_name="titles")')
                                              .replace('related_name="reviews"', 'related_name="opinions"')},
                     {"publishers_of_cheap_books": "FieldError", "review_count": "AttributeError"}),
    "hidden": ({"shop/models.py": MODELS.replace('related_name="reviews"', 'related_name="+"')},
               {"review_count": "AttributeError"}),
    "removed manager": ({"shop/models.py": MODELS.replace("    published = models.Manager()", "    objects = models.Manager()")},
                        {"publishers_of_cheap_books": "AttributeError", "local_publishers": "AttributeError"}),
}  # fmt: skip


@pytest.mark.parametrize("change", list(CHANGES))
def test_each_change_breaks_exactly_those_queries_at_runtime(tmp_path, change):
    """The schema comes from the models here (migrate's autodetected state is not needed: the
    first migration creates the tables, and the changes touch no column but the renamed one,
    which RenameField renames)."""
    import json
    import os
    import subprocess
    import sys

    files, broken = CHANGES[change]
    root = tmp_path / "project"
    write(root, {**PROJECT, "shop/queries.py": QUERIES, **files})
    proc = subprocess.run([sys.executable, "-c", RUNNER], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=300)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    errors = {name: error for name, error in json.loads(proc.stdout.strip().splitlines()[-1]).items() if error}
    assert errors == broken


def test_an_internal_error_in_the_comparison_is_a_finding_not_a_crash(tmp_path, monkeypatch):
    import djstate.diff

    def broken(*args):
        raise RuntimeError("boom")

    monkeypatch.setattr(djstate.diff._StaleAccessorJudge, "use", broken)
    repo = committed_shop(tmp_path)
    result = changed(repo, {
        "shop/models.py": MODELS.replace('related_name="reviews"', 'related_name="opinions"'),
        "shop/migrations/0002_related_name.py": migration("0001_initial", (
            "migrations.AlterField('review', 'book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, "
            "related_name='opinions', to='shop.book'))"
        )),
    })  # fmt: skip
    assert [(f.code, f.path) for f in result.new_findings] == [("DJS000", "shop/queries.py")]
    assert "internal error in queries of shop.queries: RuntimeError: boom" in result.new_findings[0].message
