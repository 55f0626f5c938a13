"""`djstate diff` on git repositories built here, each a sequence of commits reproducing one
failure from the article; and a real corpus committed, mutated and committed again."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from djstate.diff import run_diff
from tests.test_git import commit, git, isolated_git, make_repo, write  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

MODELS = """from django.db import models


class Book(models.Model):
    title = models.CharField(max_length=100)
    pages = models.IntegerField(default=0)
"""
INITIAL = """from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=100)),
                ("pages", models.IntegerField(default=0)),
            ],
        ),
    ]
"""
SERIALIZERS = """from rest_framework import serializers

from .models import Book


class BookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "pages"]
"""
PROJECT = {
    "pyproject.toml": '[tool.djstate]\ndefault_auto_field = "django.db.models.AutoField"\n',
    "shop/__init__.py": "",
    "shop/models.py": MODELS,
    "shop/serializers.py": SERIALIZERS,
    "shop/migrations/__init__.py": "",
    "shop/migrations/0001_initial.py": INITIAL,
}


def add_field_migration(name: str, field: str, parent: str = "0001_initial") -> str:
    return (
        "from django.db import migrations, models\n\n\nclass Migration(migrations.Migration):\n"
        f"    dependencies = [('shop', '{parent}')]\n"
        f"    operations = [migrations.AddField(model_name='book', name='{name}', field={field})]\n"
    )


def diff(repo: Path, left: str, right: str | None = None):
    return run_diff(repo, left, right, None, {})


def codes(findings) -> list[tuple[str, str]]:
    return sorted((f.code, f.path) for f in findings)


def test_clean_base_has_no_findings(tmp_path):
    repo = make_repo(tmp_path / "repo", PROJECT)
    commit(repo, "base")
    write(repo, {"shop/models.py": MODELS + "    # a comment\n"})
    commit(repo, "comment only")
    result = diff(repo, "HEAD~1", "HEAD")
    assert result.left.result.findings == [] and result.right.result.findings == []
    assert result.new_findings == [] and result.fixed_findings == [] and result.models == []


def test_merged_branches_give_conflicting_leaves(tmp_path):
    repo = make_repo(tmp_path / "repo", PROJECT)
    base = commit(repo, "base")
    git(repo, "checkout", "-q", "-b", "feature")
    write(repo, {
        "shop/models.py": MODELS + "    isbn = models.CharField(max_length=13, default='')\n",
        "shop/migrations/0002_book_isbn.py": add_field_migration("isbn", "models.CharField(max_length=13, default='')"),
    })  # fmt: skip
    commit(repo, "isbn")
    git(repo, "checkout", "-q", "-")
    write(repo, {
        "shop/models.py": MODELS + "    price = models.IntegerField(default=0)\n",
        "shop/migrations/0002_book_price.py": add_field_migration("price", "models.IntegerField(default=0)"),
    })  # fmt: skip
    commit(repo, "price")
    main_before = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "merge", "-q", "-X", "ours", "--no-edit", "feature")
    write(repo, {"shop/models.py": MODELS + "    price = models.IntegerField(default=0)\n"
                 "    isbn = models.CharField(max_length=13, default='')\n"})  # fmt: skip
    commit(repo, "merge models")
    result = diff(repo, main_before, "HEAD")
    assert codes(result.new_findings) == [
        ("DJS101", "shop/migrations/0002_book_isbn.py"), ("DJS101", "shop/migrations/0002_book_price.py"),
    ]  # fmt: skip
    assert result.migrations_added == ["shop.0002_book_isbn"]
    assert result.leaves == {"shop": (["0002_book_price"], ["0002_book_isbn", "0002_book_price"])}
    assert base != main_before


def test_field_added_without_migration(tmp_path):
    repo = make_repo(tmp_path / "repo", PROJECT)
    commit(repo, "base")
    write(repo, {"shop/models.py": MODELS + "    rating = models.IntegerField(null=True)\n"})
    commit(repo, "rating")
    result = diff(repo, "HEAD~1", "HEAD")
    assert [(f.code, f.field, f.severity) for f in result.new_findings] == [("DJS211", "rating", "error")]
    # only the edited models.py is parsed again; the left side parsed the migration, models, serializers
    assert result.left.parsed >= 3 and result.right.parsed == 1
    (change,) = result.models
    assert (change.app, change.model, change.change) == ("shop", "Book", "altered")
    assert [(f.name, f.change, f.kwargs) for f in change.fields] == [
        ("rating", "added", {"class": (None, "django.db.models.IntegerField"), "null": (None, "True")})
    ]


def test_renamed_model_field_breaks_the_serializer(tmp_path):
    repo = make_repo(tmp_path / "repo", PROJECT)
    commit(repo, "base")
    write(repo, {
        "shop/models.py": MODELS.replace("pages = ", "page_count = "),
        "shop/migrations/0002_rename.py": (
            "from django.db import migrations\n\n\nclass Migration(migrations.Migration):\n"
            "    dependencies = [('shop', '0001_initial')]\n"
            "    operations = [migrations.RenameField('book', 'pages', 'page_count')]\n"
        ),
    })  # fmt: skip
    commit(repo, "rename pages")
    result = diff(repo, "HEAD~1", "HEAD")
    assert [(f.code, f.path, f.field) for f in result.new_findings] == [("DJS401", "shop/serializers.py", "pages")]
    assert result.serializers["changed"] == ["shop.serializers.BookSerializer"]
    (change,) = result.models
    assert [(f.name, f.change) for f in change.fields] == [("pages", "removed"), ("page_count", "added")]


def test_fixed_findings_and_a_moved_file(tmp_path):
    repo = make_repo(tmp_path / "repo", {**PROJECT, "shop/models.py": MODELS + "    rating = models.IntegerField(null=True)\n"})
    commit(repo, "base with a missing migration")
    git(repo, "mv", "shop/serializers.py", "shop/api.py")
    write(repo, {"shop/migrations/0002_book_rating.py": add_field_migration("rating", "models.IntegerField(null=True)")})
    commit(repo, "migration added, serializers moved")
    result = diff(repo, "HEAD~1", "HEAD")
    assert result.new_findings == []
    assert [(f.code, f.field) for f in result.fixed_findings] == [("DJS211", "rating")]
    assert result.renames == {"shop/serializers.py": "shop/api.py"}
    assert result.serializers["added"] == ["shop.api.BookSerializer"]


def test_working_tree_is_the_default_right_side_and_stays_untouched(tmp_path):
    repo = make_repo(tmp_path / "repo", PROJECT)
    commit(repo, "base")
    write(repo, {"shop/models.py": MODELS + "    rating = models.IntegerField(null=True)\n"})
    status = git(repo, "status", "--porcelain")
    head = git(repo, "rev-parse", "HEAD")
    index = (repo / ".git" / "index").read_bytes()
    result = diff(repo, "HEAD")
    assert [f.code for f in result.new_findings] == ["DJS211"]
    assert result.right.label == "working tree"
    assert (git(repo, "status", "--porcelain"), git(repo, "rev-parse", "HEAD")) == (status, head)
    assert (repo / ".git" / "index").read_bytes() == index


def run_cli(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "djstate.cli", "diff", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=300)  # fmt: skip


def test_cli_exit_codes_and_formats(tmp_path):
    repo = make_repo(tmp_path / "repo", PROJECT)
    commit(repo, "base")
    write(repo, {"shop/models.py": MODELS + "    rating = models.IntegerField(null=True)\n"})
    commit(repo, "rating")
    proc = run_cli(repo, "HEAD~1", "HEAD", "--format", "json", "--no-cache")
    assert proc.returncode == 1, proc.stderr
    data = json.loads(proc.stdout)
    assert [f["code"] for f in data["findings"]["new"]] == ["DJS211"]
    proc = run_cli(repo, "HEAD~1", "HEAD", "--format", "markdown", "--no-cache")
    assert proc.returncode == 1 and proc.stdout.startswith("### djstate: ❌ 1 new finding")
    assert run_cli(repo, "HEAD", "HEAD", "--no-cache").returncode == 0
    assert run_cli(repo, "HEAD~1", "HEAD", "--fail-on", "none", "--no-cache").returncode == 0
    unknown = run_cli(repo, "no-such-branch", "--no-cache")
    assert unknown.returncode == 2 and "unknown revision: no-such-branch" in unknown.stderr
    outside = run_cli(tmp_path, "HEAD", "--no-cache")
    assert outside.returncode == 2 and "not a git repository" in outside.stderr
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    proc = run_cli(shallow, "HEAD~1", "--no-cache")
    assert proc.returncode == 2 and "shallow clone" in proc.stderr and "fetch" in proc.stderr


def test_real_corpus_mutation_reports_exactly_that_finding(tmp_path):
    """django-taggit as released, committed; then one model edit without a migration."""
    from corpora import fetch

    source = fetch.ensure("django-taggit")
    repo = tmp_path / "taggit"
    shutil.copytree(source, repo, symlinks=True)
    make_repo(repo, {})
    commit(repo, "taggit as released")
    models = repo / "taggit" / "models.py"
    text = models.read_text()
    edited = text.replace(
        "class Tag(TagBase):\n", "class Tag(TagBase):\n    color = models.CharField(max_length=7, default='#000000')\n", 1
    )
    assert edited != text
    models.write_text(edited)
    commit(repo, "a field without a migration")
    result = diff(repo, "HEAD~1", "HEAD")
    assert [(f.code, f.app, f.field) for f in result.new_findings] == [("DJS211", "taggit", "color")]
    assert result.fixed_findings == []


def test_related_name_change_breaks_code_using_the_old_reverse_name(tmp_path):
    """The query rules do not exist yet; the serializer that names the reverse accessor is
    the code that still uses the old name here."""
    review = (
        "\n\nclass Review(models.Model):\n"
        "    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name='reviews')\n"
    )
    migration = (
        "from django.db import migrations, models\nimport django.db.models.deletion\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = [('shop', '0001_initial')]\n"
        "    operations = [migrations.CreateModel(name='Review', fields=[\n"
        "        ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),\n"
        "        ('book', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='reviews', to='shop.book')),\n"
        "    ])]\n"
    )
    repo = make_repo(tmp_path / "repo", {
        **PROJECT, "shop/models.py": MODELS + review, "shop/migrations/0002_review.py": migration,
        "shop/serializers.py": SERIALIZERS.replace('"pages"]', '"pages", "reviews"]'),
    })  # fmt: skip
    commit(repo, "reviews")
    write(repo, {
        "shop/models.py": MODELS + review.replace("'reviews'", "'opinions'"),
        "shop/migrations/0003_rename.py": (
            "from django.db import migrations, models\nimport django.db.models.deletion\n\n\n"
            "class Migration(migrations.Migration):\n    dependencies = [('shop', '0002_review')]\n"
            "    operations = [migrations.AlterField('review', 'book', models.ForeignKey("
            "on_delete=django.db.models.deletion.CASCADE, related_name='opinions', to='shop.book'))]\n"
        ),
    })  # fmt: skip
    commit(repo, "related_name opinions")
    result = diff(repo, "HEAD~1", "HEAD")
    assert [(f.code, f.field) for f in result.new_findings] == [("DJS401", "reviews")]
    (change,) = result.models
    assert change.fields[0].kwargs == {"related_name": ("'reviews'", "'opinions'")}


def test_project_in_a_subfolder_of_the_repository(tmp_path):
    repo = make_repo(tmp_path / "repo", {"README.md": "monorepo\n", **{f"backend/{p}": t for p, t in PROJECT.items()}})
    commit(repo, "base")
    write(repo, {"backend/shop/models.py": MODELS + "    rating = models.IntegerField(null=True)\n"})
    commit(repo, "rating")
    result = diff(repo / "backend", "HEAD~1", "HEAD")
    assert [(f.code, f.path) for f in result.new_findings] == [("DJS211", "shop/models.py")]
