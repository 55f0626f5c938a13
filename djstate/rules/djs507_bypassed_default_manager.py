"""DJS507: a query through ``_base_manager`` or a second manager that skips the filter of the
model's default manager (the soft-delete pattern)."""

from __future__ import annotations

from typing import Iterable

from djstate.findings import Finding
from djstate.rules.base import Case, Rule

# the cases' app: soft-delete managers in the shapes djstate judges (the migration is Django's)
MODELS = """from django.db import models


class ActiveManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(deleted=False)


class DeletedManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(deleted=True)


class RecentFirstManager(ActiveManager):
    def get_queryset(self):  # keeps ActiveManager's filter (super()), only orders
        qs = super().get_queryset()
        return qs.order_by("-id")


class WithAuthorManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().select_related("author")


class Author(models.Model):
    name = models.CharField(max_length=100, default="")
    deleted = models.BooleanField(default=False)


class Note(models.Model):
    text = models.CharField(max_length=100, default="")
    deleted = models.BooleanField(default=False)

    objects = ActiveManager()  # the default manager: hides deleted notes
    all_objects = models.Manager()
    trash = DeletedManager()


class SoftDeleteModel(models.Model):
    deleted = models.BooleanField(default=False)

    objects = RecentFirstManager()
    everything = models.Manager()

    class Meta:
        abstract = True


class Comment(SoftDeleteModel):
    body = models.TextField(default="")


class Stamped(models.Model):
    created = models.DateTimeField(null=True)

    class Meta:
        abstract = True


class Reply(Stamped, SoftDeleteModel):  # Stamped declares no manager: SoftDeleteModel's come first
    body = models.TextField(default="")


class Ticket(models.Model):
    title = models.CharField(max_length=100, default="")
    deleted = models.BooleanField(default=False)

    plain = models.Manager()
    active = ActiveManager()

    class Meta:
        default_manager_name = "active"
        base_manager_name = "active"


class Page(models.Model):
    author = models.ForeignKey(Author, null=True, on_delete=models.SET_NULL)
    deleted = models.BooleanField(default=False)

    objects = WithAuthorManager()  # the default does not filter
    live = ActiveManager()
"""

MIGRATION = """import django.db.models.deletion
import django.db.models.manager
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Author',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(default='', max_length=100)),
                ('deleted', models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name='Comment',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('deleted', models.BooleanField(default=False)),
                ('body', models.TextField(default='')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Note',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(default='', max_length=100)),
                ('deleted', models.BooleanField(default=False)),
            ],
        ),
        migrations.CreateModel(
            name='Reply',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('deleted', models.BooleanField(default=False)),
                ('created', models.DateTimeField(null=True)),
                ('body', models.TextField(default='')),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='Ticket',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(default='', max_length=100)),
                ('deleted', models.BooleanField(default=False)),
            ],
            options={
                'base_manager_name': 'active',
                'default_manager_name': 'active',
            },
            managers=[
                ('active', django.db.models.manager.Manager()),
            ],
        ),
        migrations.CreateModel(
            name='Page',
            fields=[
                ('id', models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('deleted', models.BooleanField(default=False)),
                ('author', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, to='notes.author')),
            ],
        ),
    ]
"""

APPS = 'from django.apps import AppConfig\n\n\nclass NotesConfig(AppConfig):\n    name = "notes"\n'
HEADER = "from .models import Author, Comment, Note, Page, Reply, Ticket\n\n\n"


def notes_case(source: str) -> Case:
    """The notes app with ``source`` as its queries.py (after the import)."""
    return Case({"notes/__init__.py": "", "notes/apps.py": APPS, "notes/models.py": MODELS,
                 "notes/migrations/__init__.py": "", "notes/migrations/0001_initial.py": MIGRATION,
                 "notes/queries.py": HEADER + source})  # fmt: skip


class BypassedDefaultManager(Rule):
    """A query through ``_base_manager`` or a second manager that skips the default manager's filter.

    ## What it does
    Finds ``Model._base_manager.<method>(...)`` and ``Model.<manager>.<method>(...)`` chains
    where the model's default manager (``Meta.default_manager_name``, else the first manager the
    class declares, else its parent's) has a ``get_queryset()`` that filters rows
    (``return super().get_queryset().filter(deleted=False)``), and the manager the query uses
    does not filter: ``_base_manager`` (a plain ``Manager`` unless ``Meta.base_manager_name``
    names another), ``models.Manager()``, ``QuerySet.as_manager()``, or a manager class whose
    ``get_queryset()`` keeps every row. ``create()`` and ``bulk_create()`` read no rows and are
    not reported. It is information, not an error: the query is valid,
    and such a manager is often there on purpose (``all_objects`` for an admin or a purge job).
    Managers whose classes live outside the scanned tree, or whose ``get_queryset()`` is not a
    plain chain on ``super()``'s queryset, are not judged (``--unverified`` lists them).

    ## Why it matters
    The default manager is where a project says which rows exist for it: soft-deleted,
    unpublished or other tenants' rows are filtered there. A query through another manager sees
    those rows again, which is right for an undelete view and a leak anywhere else. Reviewers
    rarely spot it: ``Note.all_objects.filter(...)`` reads like any other query.

    ## Example
    ```python
    class ActiveManager(models.Manager):
        def get_queryset(self):
            return super().get_queryset().filter(deleted=False)

    class Note(models.Model):
        deleted = models.BooleanField(default=False)
        objects = ActiveManager()
        all_objects = models.Manager()

    Note.all_objects.filter(text__icontains=q)   # deleted notes too
    Note._base_manager.count()                    # deleted notes too
    ```

    ## Fix
    Query through the default manager (``Note.objects``) unless the hidden rows are wanted; when
    they are, say so where the query is (a comment, or a `# djstate: ignore[DJS507]`).
    """

    code = "DJS507"
    name = "bypassed-default-manager"
    severity = "info"
    needs_models = True
    needs_queries = True

    VALID = [
        notes_case(
            "def ok():\n"
            "    return [\n"
            "        Note.objects.all(), Note._default_manager.all(), Note.trash.all(),\n"
            "        Comment.objects.all(), Reply.objects.all(), Ticket.active.all(), Ticket._base_manager.all(),\n"
            "        Page._base_manager.all(), Page.live.all(), Page.objects.all(), Author._base_manager.all(),\n"
            "    ]\n\n\n"
            "def add_note():\n"
            "    Note.all_objects.create(text='x')  # a new row: nothing hidden is read\n"
            "    return []\n"
        ),
    ]
    INVALID = [
        notes_case(
            "def all_notes():\n"
            "    return Note.all_objects.all()  # expect: DJS507\n\n\n"
            "def base_notes():\n"
            "    return Note._base_manager.order_by('id')  # expect: DJS507\n\n\n"
            "def every_comment():\n"
            "    return Comment.everything.all()  # expect: DJS507\n\n\n"
            "def base_comments():\n"
            "    return Comment._base_manager.all()  # expect: DJS507\n\n\n"
            "def plain_tickets():\n"
            "    return Ticket.plain.filter(title='')  # expect: DJS507\n\n\n"
            "def every_reply():\n"
            "    return [\n"
            "        Reply.everything.all(),  # expect: DJS507\n"
            "        Reply._base_manager.all(),  # expect: DJS507\n"
            "    ]\n"
        ),
    ]

    def check(self, project) -> Iterable[Finding]:
        for problem in project.queries.problems:
            if problem.code == self.code:
                yield self.finding(problem.path, problem.span, problem.message, app=problem.app, model=problem.model)
