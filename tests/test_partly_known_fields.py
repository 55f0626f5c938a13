"""A Django field whose only unknown kwargs are leaves (computed ``choices``, a ``default`` from a
function call) is compared on the kwargs djstate knows (netbox's ``choices=ChoiceSet``,
django-ca's and nautobot's computed choices and defaults).

A change of a known kwarg (max_length, null, on_delete) is reported as Django's autodetector
writes it; a field whose known kwargs agree stays listed unjudged (its computed kwargs may still
differ), and a change of the computed kwarg itself is not claimed. Django is the oracle.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.test_oracle_drift import apps_py, django_operations, djstate_operations

pytestmark = pytest.mark.oracle

CHOICES = '''\
def status_choices():
    return [(name.lower(), name) for name in ("OPEN", "CLOSED")]


def default_status():
    return "open"


LIMIT = {"size": 3, "email": 254}
'''
MODELS = '''\
from django.db import models

from shop.choices import LIMIT, default_status, status_choices


class Ticket(models.Model):
    title = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=status_choices(), default=default_status())
    size = models.IntegerField(default=LIMIT["size"], null=True)
    email = models.EmailField(max_length=LIMIT["email"])
'''


def _project(tmp_path) -> None:
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/choices.py": CHOICES,
                             "shop/models.py": MODELS, "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])


def test_unchanged_fields_with_computed_kwargs_stay_unjudged(tmp_path):
    _project(tmp_path)
    operations, _, _ = djstate_operations(tmp_path)
    assert operations == set()
    units = {u.unit for u in run_scan(tmp_path).project.unjudged}
    assert {"field shop.Ticket.status", "field shop.Ticket.size", "field shop.Ticket.email"} <= units


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("max_length=10,", "max_length=20,"), id="max_length_next_to_computed_choices"),
        pytest.param(("default=LIMIT[\"size\"], null=True)", "default=LIMIT[\"size\"])"), id="null_next_to_computed_default"),
        pytest.param(("models.IntegerField(default", "models.BigIntegerField(default"), id="class_next_to_computed_default"),
        # django-invitations' email: max_length from the app's settings
        pytest.param(('EmailField(max_length=LIMIT["email"])', 'EmailField(max_length=LIMIT["email"], unique=True)'), id="unique_next_to_computed_max_length"),
    ],
)
def test_a_known_kwarg_change_is_reported_as_django_does(tmp_path, edit):
    _project(tmp_path)
    models = tmp_path / "shop" / "models.py"
    assert edit[0] in models.read_text()
    models.write_text(models.read_text().replace(*edit))
    expected = django_operations(tmp_path, ["shop"])
    assert expected, "the edit must be a change Django migrates"
    assert djstate_operations(tmp_path)[0] == expected


def test_a_change_of_the_computed_kwarg_is_not_claimed(tmp_path):
    _project(tmp_path)
    choices = tmp_path / "shop" / "choices.py"
    choices.write_text(CHOICES.replace('("OPEN", "CLOSED")', '("OPEN", "CLOSED", "HELD")'))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "ticket", "status")}
    assert djstate_operations(tmp_path)[0] == set()


TARGETS = '''\
def image_model_string():
    return "shop.Image"
'''
RELATION_MODELS = '''\
from django.db import models

from shop.targets import image_model_string


class Image(models.Model):
    title = models.CharField(max_length=40)


class Slide(models.Model):
    image = models.ForeignKey(image_model_string(), null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
'''


@pytest.mark.parametrize(
    "edit",
    [
        pytest.param(("on_delete=models.SET_NULL", "on_delete=models.CASCADE"), id="on_delete"),
        pytest.param(("null=True, blank=True, ", "null=True, "), id="blank"),
    ],
)
def test_a_relation_with_a_computed_target_is_compared_on_its_other_kwargs(tmp_path, edit):
    """coderedcms' CarouselSlide.image: ``to=get_image_model_string()`` (a setting of wagtail's)."""
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/targets.py": TARGETS,
                             "shop/models.py": RELATION_MODELS, "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    assert djstate_operations(tmp_path)[0] == set()
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace(*edit))
    expected = django_operations(tmp_path, ["shop"])
    assert expected == {("AlterField", "slide", "image")}
    assert djstate_operations(tmp_path)[0] == expected


CHOICES_CLASS = '''\
class Choices:
    """model_utils.Choices in small: iterates as pairs, names as attributes."""

    def __init__(self, *names):
        self._names = names

    def __iter__(self):
        return iter([(n, n) for n in self._names])

    def __len__(self):
        return len(self._names)

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._names:
            raise AttributeError(name)
        return name
'''
LEVEL_MODELS = '''\
from django.db import models

from shop.levels import Choices


class Notice(models.Model):
    LEVELS = Choices("success", "info")
    level = models.CharField("level", choices=LEVELS, default=LEVELS.info, max_length=20)
'''


def test_a_choices_object_next_to_a_computed_default_is_not_compared(tmp_path):
    """django-notifications-hq: ``choices=Choices(...)`` (model_utils), ``default=LEVELS.info``:
    Django writes the pairs, djstate cannot evaluate the object, so no change is claimed."""
    write_project(tmp_path, {"shop/__init__.py": "", "shop/apps.py": apps_py("shop"), "shop/levels.py": CHOICES_CLASS,
                             "shop/models.py": LEVEL_MODELS, "shop/migrations/__init__.py": ""})  # fmt: skip
    make_migrations(tmp_path, ["shop"])
    assert django_operations(tmp_path, ["shop"]) == set()
    assert djstate_operations(tmp_path)[0] == set()
    models = tmp_path / "shop" / "models.py"
    models.write_text(models.read_text().replace("max_length=20", "max_length=30"))
    assert django_operations(tmp_path, ["shop"]) == {("AlterField", "notice", "level")}
    assert djstate_operations(tmp_path)[0] == {("AlterField", "notice", "level")}
