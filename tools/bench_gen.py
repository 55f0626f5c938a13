"""A generated Django project of N tiny apps, for measuring how djstate grows with size.

Each app ``appNNNN`` has an AppConfig, a models.py of three models (a foreign key inside the
app and one to another app's model), a chain of migrations that builds exactly that state
(so a clean scan has no finding), and a DRF serializers.py. A settings module lists every app.

    python tools/bench_gen.py OUT --apps 1000 [--migrations 5]

The app an app points to is ``(i - 1) // 2``: a tree of cross-app dependencies, every app
but the first depends on an earlier one, so the graph has no cycle.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

ID = 'models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")'


def app_name(i: int) -> str:
    return f"app{i:04d}"


def target_of(i: int) -> int:
    """The app whose Author this app's Review points to (itself for the first app)."""
    return (i - 1) // 2 if i else 0


def models_py(i: int, migrations: int) -> str:
    other = app_name(target_of(i))
    extra = "".join(f"    extra_{k} = models.IntegerField(default=0)\n" for k in range(4, migrations + 1))
    return f'''from django.db import models


class Author(models.Model):
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    bio = models.TextField(blank=True, default="")

    def __str__(self):
        return self.name


class Book(models.Model):
    title = models.CharField(max_length=200)
    author = models.ForeignKey(Author, on_delete=models.CASCADE, related_name="books")
    published = models.DateField(null=True)


class Review(models.Model):
    book = models.ForeignKey(Book, on_delete=models.CASCADE)
    reviewer = models.ForeignKey("{other}.Author", on_delete=models.SET_NULL, null=True, related_name="+")
    score = models.IntegerField(default=0)
{extra}'''


def migration_files(i: int, migrations: int) -> dict[str, str]:
    name, other = app_name(i), app_name(target_of(i))
    header = "from django.db import migrations, models\nimport django.db.models.deletion\n\n\n"
    files = {
        "0001_initial.py": header + f'''class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Author",
            fields=[
                ("id", {ID}),
                ("name", models.CharField(max_length=100)),
                ("email", models.EmailField(blank=True, max_length=254)),
            ],
        ),
        migrations.CreateModel(
            name="Book",
            fields=[
                ("id", {ID}),
                ("title", models.CharField(max_length=200)),
                ("published", models.DateField(null=True)),
                ("author", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="books", to="{name}.author")),
            ],
        ),
    ]
''',
    }
    other_dep = f'        ("{other}", "0001_initial"),\n' if other != name else ""
    files["0002_review.py"] = header + f'''class Migration(migrations.Migration):
    dependencies = [
        ("{name}", "0001_initial"),
{other_dep}    ]

    operations = [
        migrations.CreateModel(
            name="Review",
            fields=[
                ("id", {ID}),
                ("score", models.IntegerField(default=0)),
                ("book", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="{name}.book")),
                ("reviewer", models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="{other}.author")),
            ],
        ),
    ]
'''
    files["0003_author_bio.py"] = header + f'''class Migration(migrations.Migration):
    dependencies = [
        ("{name}", "0002_review"),
    ]

    operations = [
        migrations.AddField(
            model_name="author",
            name="bio",
            field=models.TextField(blank=True, default=""),
        ),
    ]
'''
    previous = "0003_author_bio"
    for k in range(4, migrations + 1):
        current = f"{k:04d}_review_extra_{k}"
        files[f"{current}.py"] = header + f'''class Migration(migrations.Migration):
    dependencies = [
        ("{name}", "{previous}"),
    ]

    operations = [
        migrations.AddField(
            model_name="review",
            name="extra_{k}",
            field=models.IntegerField(default=0),
        ),
    ]
'''
        previous = current
    return files


def serializers_py() -> str:
    return '''from rest_framework import serializers

from .models import Book, Review


class BookSerializer(serializers.ModelSerializer):
    class Meta:
        model = Book
        fields = ["id", "title", "author", "published"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = Review
        fields = "__all__"
'''


def apps_py(i: int) -> str:
    name = app_name(i)
    return f'''from django.apps import AppConfig


class {name.capitalize()}Config(AppConfig):
    name = "{name}"
    default_auto_field = "django.db.models.BigAutoField"
'''


def generate(out: Path, apps: int, migrations: int = 5) -> Path:
    """Write the project into ``out`` (replacing it); returns ``out``."""
    if migrations < 3:
        raise ValueError("at least 3 migrations per app")
    if out.exists():
        shutil.rmtree(out)
    (out / "benchsite").mkdir(parents=True)
    (out / "benchsite" / "__init__.py").write_text("")
    installed = ",\n".join(f'    "{app_name(i)}"' for i in range(apps))
    (out / "benchsite" / "settings.py").write_text(
        'SECRET_KEY = "bench"\nUSE_TZ = True\nDEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"\n'
        'DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}\n'
        f'INSTALLED_APPS = [\n    "rest_framework",\n{installed},\n]\n'
    )
    (out / "manage.py").write_text(
        "import os\nimport sys\n\n"
        'if __name__ == "__main__":\n'
        '    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchsite.settings")\n'
        "    from django.core.management import execute_from_command_line\n\n"
        "    execute_from_command_line(sys.argv)\n"
    )
    for i in range(apps):
        app = out / app_name(i)
        (app / "migrations").mkdir(parents=True)
        (app / "__init__.py").write_text("")
        (app / "apps.py").write_text(apps_py(i))
        (app / "models.py").write_text(models_py(i, migrations))
        (app / "serializers.py").write_text(serializers_py())
        (app / "migrations" / "__init__.py").write_text("")
        for filename, text in migration_files(i, migrations).items():
            (app / "migrations" / filename).write_text(text)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--apps", type=int, default=500)
    parser.add_argument("--migrations", type=int, default=5, help="migrations per app (>= 3)")
    args = parser.parse_args()
    generate(args.out, args.apps, args.migrations)


if __name__ == "__main__":
    main()
