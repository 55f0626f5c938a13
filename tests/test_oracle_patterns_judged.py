"""Oracle for what djstate now judges instead of leaving unverified (issue 10, part 4).

A migration whose ``dependencies`` are computed at import time (``[...] + getattr(settings,
...)``, as django-helpdesk and dj-stripe write them) still has literal operations; when every
other migration of its app is a known ancestor or descendant, its app's state is replayed in
Django's order and compared. Django's autodetector (tests/test_oracle_drift.py) says what
``makemigrations`` writes; djstate must say the same.
"""

from __future__ import annotations

import pytest

from djstate.state.project import pinned_in_app
from tests.conftest import run_scan, write_project
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

APP = "desk"

MODELS = """\
from django.db import models


class Queue(models.Model):
    title = models.CharField(max_length=100)


class Ticket(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE)
    subject = models.CharField(max_length=200)
    team = models.CharField(max_length=40, null=True)
"""

INITIAL = """\
from django.db import migrations, models
import django.db.models.deletion


class Migration(migrations.Migration):

    initial = True

    dependencies = [
    ]

    operations = [
        migrations.CreateModel(
            name='Queue',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('title', models.CharField(max_length=100)),
            ],
        ),
        migrations.CreateModel(
            name='Ticket',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('subject', models.CharField(max_length=200)),
                ('queue', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to='desk.queue')),
            ],
        ),
    ]
"""

# dependencies computed at import time: a literal parent plus whatever settings add
TEAM = """\
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("desk", "0001_initial"),
    ] + getattr(settings, "DESK_TEAM_DEPENDENCIES", [])

    operations = [
        migrations.AddField(
            model_name='ticket',
            name='team',
            field=models.CharField(max_length=40, null=True),
        ),
    ]
"""

# the whole list computed (dj-stripe's shape), the app's first migration
COMPUTED_INITIAL = INITIAL.replace(
    "    dependencies = [\n    ]\n",
    '    dependencies = getattr(settings, "DESK_INITIAL_DEPENDENCIES", [])\n',
).replace("from django.db import migrations, models\n", "from django.conf import settings\nfrom django.db import migrations, models\n", 1)


def _files(models: str, initial: str = INITIAL) -> dict[str, str]:
    return {
        f"{APP}/__init__.py": "", f"{APP}/apps.py": apps_py(APP), f"{APP}/models.py": models,
        f"{APP}/migrations/__init__.py": "", f"{APP}/migrations/0001_initial.py": initial,
        f"{APP}/migrations/0002_ticket_team.py": TEAM,
    }  # fmt: skip


EDITS = [
    ("unchanged", None),
    ("subject_max_length", ("subject = models.CharField(max_length=200)", "subject = models.CharField(max_length=250)")),
    ("team_not_null", ("team = models.CharField(max_length=40, null=True)", "team = models.CharField(max_length=40, null=True, db_index=True)")),
    ("queue_on_delete", ("on_delete=models.CASCADE", "on_delete=models.PROTECT")),
    ("field_added", ("    team =", "    opened = models.DateTimeField(null=True)\n    team =")),
]


@pytest.mark.parametrize("initial", [INITIAL, COMPUTED_INITIAL], ids=["literal_initial", "computed_initial"])
@pytest.mark.parametrize("edit", [pytest.param(e, id=name) for name, e in EDITS])
def test_computed_dependencies_still_judged(tmp_path, initial, edit):
    models = MODELS if edit is None else MODELS.replace(*edit)
    assert edit is None or edit[0] in MODELS
    root = write_project(tmp_path, _files(models, initial))
    expected = django_operations(root, [APP])
    assert bool(expected) == (edit is not None), f"the fixture does not do what it says: {expected}"
    operations, findings, _ = djstate_operations(root)
    assert operations == expected, f"missing: {expected - operations}, extra: {operations - expected}"
    skipped = [u for u in run_scan(root).project.unjudged if u.unit.startswith(("model ", "field ", "deletion of "))]
    assert skipped == [], skipped  # both models compared whole


def test_unpinned_computed_dependencies_stay_unjudged():
    """Two migrations of the app that no known dependency orders: the computed one may come
    before or after the other, so the app's state is not judged."""
    from djstate.facts.model import Dependency, MigrationFile, Span

    first = MigrationFile("0001_initial", Span())
    computed = MigrationFile("0002_a", Span(), dependencies=[Dependency("desk", "0001_initial", Span())])
    computed.opaque_attributes = ["dependencies"]
    other = MigrationFile("0002_b", Span(), dependencies=[Dependency("desk", "0001_initial", Span())])
    migrations = {("desk", m.name): m for m in (first, computed, other)}
    plan = [("desk", "0001_initial"), ("desk", "0002_a"), ("desk", "0002_b")]
    assert pinned_in_app(plan, migrations) == set()
    other.dependencies.append(Dependency("desk", "0002_a", Span()))
    assert pinned_in_app(plan, migrations) == {("desk", "0002_a")}


# --- what ModelBase does that the class body alone does not say ----------------------------

from tests.oracle.makemigrations import make_migrations  # noqa: E402

SHADOW_MODELS = """\
from django.db import models


class Stamped(models.Model):
    metadata = models.JSONField(null=True)
    code = models.CharField(max_length=20)
    note = models.TextField(blank=True)

    class Meta:
        abstract = True


class Plain(Stamped):
    metadata = None  # removes the inherited field

    @property
    def code(self):  # a property of that name removes it too
        return "x"
"""

META_MODELS = """\
from django.db import models
from django.db.models.base import ModelBase


class Widening(ModelBase):
    def __new__(mcs, name, bases, attrs, **kwargs):
        cls = super().__new__(mcs, name, bases, attrs, **kwargs)
        if not cls._meta.abstract:
            cls._meta.get_field("name").max_length = 60
        return cls


class Tagged(models.Model, metaclass=Widening):
    name = models.CharField(max_length=50)
"""


def _app_files(models: dict[str, str]) -> dict[str, str]:
    files = {f"{APP}/__init__.py": "", f"{APP}/apps.py": apps_py(APP), f"{APP}/migrations/__init__.py": ""}
    files.update({f"{APP}/{name}": text for name, text in models.items()})
    return files


@pytest.mark.parametrize(
    "models,edit",
    [
        pytest.param({"models.py": SHADOW_MODELS}, None, id="shadowed_fields"),
        pytest.param({"models.py": SHADOW_MODELS}, ("    metadata = None  # removes the inherited field\n", ""), id="shadow_removed"),
        pytest.param({"models.py": SHADOW_MODELS}, ('    note = models.TextField(blank=True)', '    note = models.TextField(null=True)'), id="inherited_changed"),
        # a module of the models package that nothing imports: Django never registers Extra
        pytest.param({"models/__init__.py": "from .base import Plain\n",
                      "models/base.py": "from django.db import models\n\n\nclass Plain(models.Model):\n    name = models.CharField(max_length=10)\n",
                      "models/extra.py": "from django.db import models\n\n\nclass Extra(models.Model):\n    name = models.CharField(max_length=10)\n"},
                     None, id="unimported_module"),
        # a metaclass changes a field after the class body ran: the source is not the state
        pytest.param({"models.py": META_MODELS}, None, id="metaclass_changes_field"),
    ],
)
def test_model_base_behaviour_equals_django(tmp_path, models, edit):
    write_project(tmp_path, _app_files(models))
    make_migrations(tmp_path, [APP])
    if edit is not None:
        path = tmp_path / APP / "models.py"
        assert edit[0] in path.read_text()
        path.write_text(path.read_text().replace(*edit))
    expected = django_operations(tmp_path, [APP])
    assert bool(expected) == (edit is not None), f"the fixture does not do what it says: {expected}"
    operations, findings, _ = djstate_operations(tmp_path)
    assert operations == expected, f"missing: {expected - operations}, extra: {operations - expected}"


def test_metaclass_and_unimported_models_are_listed_unjudged(tmp_path):
    write_project(tmp_path, _app_files({"models.py": META_MODELS}))
    make_migrations(tmp_path, [APP])
    items = [u for u in run_scan(tmp_path).project.unjudged if u.unit == f"model {APP}.Tagged"]
    assert [(u.reason, u.detail) for u in items] == [("runtime-attribute", f"metaclass {APP}.models.Widening may change its fields: "
                                                      f'{APP}.models.Widening.__new__ sets cls._meta.get_field("name").max_length')]


def test_state_free_operations_set_in_init_are_replayed():
    """``self.operations = [RunSQL(...)]`` under a vendor check in ``__init__`` (mayan-edms)
    changes no state: the migration stays known; any other assignment keeps it opaque."""
    from djstate.parse import parse_file

    source = '''\
from django.db import connection, migrations


class Migration(migrations.Migration):
    dependencies = [("desk", "0001_initial")]
    operations = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if connection.vendor == "postgresql":
            self.operations = [migrations.RunSQL(sql="SELECT 1", reverse_sql=migrations.RunSQL.noop)]
'''
    parsed = parse_file("desk/migrations/0002_x.py", "desk.migrations.0002_x", source.encode(), "migration").migration
    assert parsed.opaque_attributes == []
    changed = source.replace('migrations.RunSQL(sql="SELECT 1", reverse_sql=migrations.RunSQL.noop)',
                             'migrations.RemoveField(model_name="ticket", name="team")')
    parsed = parse_file("desk/migrations/0002_x.py", "desk.migrations.0002_x", changed.encode(), "migration").migration
    assert parsed.opaque_attributes == ["operations"]
