"""A relation whose field class defines ``contribute_to_class`` may choose its reverse accessor
after Django built the field (nautobot's ForeignKeyWithAutoRelatedName sets
``remote_field.related_name`` from the model's verbose_name_plural: DeviceType.rear_port_templates).
An unknown name on the target is then left unjudged; a plain ForeignKey's target stays judged, and so
does the target of a field class whose contribute_to_class keeps the name (modelcluster's ParentalKey
sets a descriptor on the model, nothing else).

Every line marked ``# expect:`` is run against Django with SQLite and must raise FieldError (or, for
the serializer, DRF's ImproperlyConfigured), every other line of ``good``/``bad`` must run."""

from __future__ import annotations

import textwrap

import pytest

from tests.conftest import expected_markers, run_scan, write_project
from tests.oracle.makemigrations import make_migrations
from tests.oracle.statements import run_statements

RACK = {
    "rack/__init__.py": "",
    "rack/apps.py": "from django.apps import AppConfig\n\n\nclass RackConfig(AppConfig):\n    name = 'rack'\n",
    "rack/fields.py": textwrap.dedent('''\
        import re

        from django.db import models


        class ForeignKeyWithAutoRelatedName(models.ForeignKey):
            def __init__(self, *args, related_name=None, **kwargs):
                super().__init__(*args, related_name=related_name, **kwargs)
                self._autogenerate_related_name = related_name is None

            def contribute_to_class(self, cls, *args, **kwargs):
                super().contribute_to_class(cls, *args, **kwargs)
                if self._autogenerate_related_name and not cls._meta.abstract:
                    related_name = "_".join(re.findall(r"\\w+", str(cls._meta.verbose_name_plural))).lower()
                    self.remote_field.related_name = related_name


        class StatusField(ForeignKeyWithAutoRelatedName):
            def contribute_to_class(self, cls, *args, **kwargs):
                super().contribute_to_class(cls, *args, **kwargs)
                setattr(cls, "get_status_color", lambda self: "red")


        class ParentalKey(models.ForeignKey):
            def contribute_to_class(self, cls, name, **kwargs):
                super().contribute_to_class(cls, name, **kwargs)
                setattr(cls, "_parental_" + self.name, True)
        '''),
    "rack/models.py": textwrap.dedent('''\
        from django.db import models

        from rack.fields import ForeignKeyWithAutoRelatedName, ParentalKey, StatusField


        class DeviceType(models.Model):
            model = models.CharField(max_length=50)


        class Site(models.Model):
            name = models.CharField(max_length=50)


        class Status(models.Model):
            name = models.CharField(max_length=50)


        class RearPortTemplate(models.Model):
            name = models.CharField(max_length=50)
            device_type = ForeignKeyWithAutoRelatedName(DeviceType, models.CASCADE)
            status = StatusField(Status, models.CASCADE)


        class Rack(models.Model):
            name = models.CharField(max_length=50)
            site = models.ForeignKey(Site, models.CASCADE)


        class Slot(models.Model):
            rack = ParentalKey(Rack, models.CASCADE, related_name="slots")
        '''),
    "rack/queries.py": textwrap.dedent('''\
        from rack.models import DeviceType, Rack, Site, Status


        def good():
            DeviceType.objects.filter(rear_port_templates__isnull=True)
            DeviceType.objects.filter(model="x").values("rear_port_templates__name")
            Status.objects.filter(rear_port_templates__isnull=True)
            Site.objects.filter(rack__name="x")
            Rack.objects.filter(slots__isnull=True)


        def bad():
            Site.objects.filter(racks__name="x")  # expect: DJS501
            Rack.objects.filter(sit__name="x")  # expect: DJS501
            Rack.objects.filter(slot__isnull=True)  # expect: DJS502
        '''),
}


def _project(root):
    write_project(root, RACK)
    make_migrations(root, ["rack"])
    return root


def test_djstate_reports_exactly_the_marked_lines(tmp_path):
    root = _project(tmp_path)
    result = run_scan(root)
    got = {(f.path, f.line, f.code) for f in result.findings if f.code.startswith("DJS50")}
    assert got == {m for m in expected_markers(root) if m[2].startswith("DJS50")}


@pytest.mark.oracle
def test_the_marked_lines_fail_in_django_and_the_others_run(tmp_path):
    root = _project(tmp_path)
    outcome = run_statements(root, "rack.queries", ["rack"])
    marked = {line for path, line, _ in expected_markers(root) if path == "rack/queries.py"}
    for line, error in outcome.items():
        assert error == ("FieldError" if line in marked else None), (line, error)
    assert len(marked) == 3 and marked <= set(outcome)
