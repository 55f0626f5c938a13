"""A relation whose model and migration both name the target by
``swapper.get_model_name(app, model)`` follow the same setting, whatever it says: its ``to``
agrees, and the field is judged whole (wagtail 8's swappable Page: the ForeignKeys of
wagtailcore, wagtailforms, wagtailredirects and the test apps; their migrations use swapper as
swapper's documentation asks). A migration naming the default label literally still leaves ``to``
unjudged (tests/test_swapper_models.py, openwisp-controller). Django's autodetector is the oracle.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

PAGES_MODELS = '''\
import swapper
from django.db import models


class Page(models.Model):
    title = models.CharField(max_length=40)

    class Meta:
        swappable = swapper.swappable_setting("pages", "Page")
'''
PAGES_MIGRATION = '''\
import swapper
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Page",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=40)),
            ],
            options={"swappable": swapper.swappable_setting("pages", "Page")},
        ),
    ]
'''
LINKS_MODELS = '''\
import swapper
from django.db import models


class Link(models.Model):
    page = models.ForeignKey(swapper.get_model_name("pages", "Page"), null=True, on_delete=models.CASCADE, related_name="+")
'''
LINKS_MIGRATION = '''\
import django.db.models.deletion
import swapper
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [swapper.dependency("pages", "Page")]
    operations = [
        migrations.CreateModel(
            name="Link",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "page",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to={to},
                    ),
                ),
            ],
        ),
    ]
'''
SWAPPER_TO = 'swapper.get_model_name("pages", "Page")'


def _project(tmp_path, to: str = SWAPPER_TO) -> None:
    files = {"settings.py": 'INSTALLED_APPS = ["pages", "links"]\n'}
    for app, models, migration in (("pages", PAGES_MODELS, PAGES_MIGRATION), ("links", LINKS_MODELS, LINKS_MIGRATION.format(to=to))):
        files.update({f"{app}/__init__.py": "", f"{app}/apps.py": apps_py(app), f"{app}/models.py": models,
                      f"{app}/migrations/__init__.py": "", f"{app}/migrations/0001_initial.py": migration})  # fmt: skip
    write_project(tmp_path, files)


def _edit(root, old: str, new: str) -> None:
    models = root / "links" / "models.py"
    assert old in models.read_text()
    models.write_text(models.read_text().replace(old, new))


def test_a_target_named_by_swapper_on_both_sides_is_judged(tmp_path):
    pytest.importorskip("swapper")
    _project(tmp_path)
    assert django_operations(tmp_path, ["pages", "links"]) == set()
    assert djstate_operations(tmp_path)[0] == set()
    unjudged = run_scan(tmp_path).project.unjudged
    assert not [u for u in unjudged if u.unit == "field links.Link.page"]
    # the default is still a judgement about settings: one note for the swappable model
    assert [u.reason for u in unjudged if u.unit == "pages.Page"] == ["settings-value"]


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("on_delete=models.CASCADE", "on_delete=models.PROTECT"), id="on_delete"),
        pytest.param(("null=True, ", "null=True, blank=True, "), id="blank"),
    ],
)
def test_a_change_next_to_it_is_reported_as_django_does(tmp_path, edit):
    pytest.importorskip("swapper")
    _project(tmp_path)
    _edit(tmp_path, *edit)
    expected = django_operations(tmp_path, ["pages", "links"])
    assert expected == {("AlterField", "link", "page")}
    assert djstate_operations(tmp_path)[0] == expected


def test_a_literal_target_in_the_migration_stays_unjudged(tmp_path):
    """Settings may swap the models' target but never the migration's literal one."""
    pytest.importorskip("swapper")
    _project(tmp_path, to='"pages.page"')
    assert django_operations(tmp_path, ["pages", "links"]) == set()  # with no setting, the default
    assert djstate_operations(tmp_path)[0] == set()
    unjudged = run_scan(tmp_path).project.unjudged
    assert [u.reason for u in unjudged if u.unit == "field links.Link.page"] == ["unknowable-value"]
