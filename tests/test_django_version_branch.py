"""A migration that adds operations under ``if django.VERSION >= (1, 8):`` (django-newsletter
1.2.1's 0002) is replayed with the branch the Django version djstate judges the project as
chooses; before, every model the branch touched was left unverified. The autodetector of the
installed Django is the oracle: the models match the migrations with the branch taken, and an
edit of a field the branch alters is an AlterField for both. A test djstate cannot decide (an
assumed version that the supported releases split on) keeps the models unverified."""

from __future__ import annotations

import pytest

from djstate.django_version import DjangoVersion, version_verdict
from tests.conftest import run_scan, write_project
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

MODELS = '''\
from django.db import models


class Letter(models.Model):
    email = models.EmailField(max_length=254)
    ip = models.GenericIPAddressField(null=True, blank=True)
'''
INITIAL = '''\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Letter",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.EmailField(max_length=75)),
                ("ip", models.IPAddressField(null=True, blank=True)),
            ],
        ),
    ]
'''
BRANCHED = '''\
import django
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("post", "0001_initial")]
    operations = [
        migrations.AlterField(model_name="letter", name="email", field=models.EmailField(max_length=254)),
    ]

    if django.VERSION >= (1, 8):
        operations += [
            migrations.AlterField(
                model_name="letter", name="ip", field=models.GenericIPAddressField(null=True, blank=True)
            ),
        ]
'''


def _tree(models: str = MODELS) -> dict[str, str]:
    return {
        "post/__init__.py": "",
        "post/apps.py": apps_py("post"),
        "post/models.py": models,
        "post/migrations/__init__.py": "",
        "post/migrations/0001_initial.py": INITIAL.replace("IPAddressField", "GenericIPAddressField"),
        "post/migrations/0002_branch.py": BRANCHED,
    }


def test_the_branch_the_version_takes_is_replayed(tmp_path):
    root = write_project(tmp_path, {**_tree(), "pyproject.toml": "[tool.djstate]\ndjango_version = \"5.2\"\n"})
    ours, findings, _ = djstate_operations(root)
    assert django_operations(root, ["post"]) == ours == set()
    state = run_scan(root).project.state
    assert not state.uncertain_models and not state.uncertain_fields  # the branch was decided


def test_an_edit_of_a_field_the_branch_alters_is_drift_for_both(tmp_path):
    edited = MODELS.replace("null=True, blank=True)", "null=True)")
    root = write_project(tmp_path, {**_tree(edited), "pyproject.toml": "[tool.djstate]\ndjango_version = \"5.2\"\n"})
    ours, _, _ = djstate_operations(root)
    assert django_operations(root, ["post"]) == ours == {("AlterField", "letter", "ip")}


@pytest.mark.parametrize(("test", "version", "holds"), [
    ((0, ">=", (1, 8)), DjangoVersion((3, 2), "assumed"), True),  # every supported release agrees
    ((2, "<", (2, 1)), DjangoVersion((6, 1), "assumed"), False),
    ((0, ">=", (5, 0)), DjangoVersion((6, 1), "assumed"), None),  # 3.2 and 6.1 disagree
    ((0, ">=", (5, 0)), DjangoVersion((4, 2), "requirements.txt"), False),
    ((0, ">", (4, 2)), DjangoVersion((4, 2), "config"), True),  # (4, 2, 0, ...) > (4, 2)
    ((2, ">", (4, 2)), DjangoVersion((4, 2), "config"), False),
])  # fmt: skip
def test_version_verdict(test, version, holds):
    assert version_verdict(test, version) is holds
