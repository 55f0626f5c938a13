"""A relation to a swappable model named by ``swapper.get_model_name(app, model)`` in a model is
its default only when no settings swap it; openwisp-controller swaps it with
``setattr(settings, "DJANGO_X509_CA_MODEL", "pki.Ca")`` in an AppConfig module, which djstate
cannot see. Such a field stays unjudged (settings-value) instead of an AlterField of ``to``."""

from __future__ import annotations

from tests.conftest import run_scan, write_project

APPS = '''\
from django.apps import AppConfig


class {name}Config(AppConfig):
    name = "{label}"
'''
PKI_MODELS = '''\
from django.db import models


class Ca(models.Model):
    name = models.CharField(max_length=10)
'''
VPN_MODELS = '''\
from django.db import models
from swapper import get_model_name


class Vpn(models.Model):
    host = models.CharField(max_length=64)
    ca = models.ForeignKey(get_model_name("django_x509", "Ca"), on_delete=models.CASCADE)
'''
PKI_MIGRATION = '''\
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.CreateModel(
            name="Ca",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name", models.CharField(max_length=10)),
            ],
        ),
    ]
'''
VPN_MIGRATION = '''\
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = [("pki", "0001_initial")]
    operations = [
        migrations.CreateModel(
            name="Vpn",
            fields=[
                ("id", models.AutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("host", models.CharField(max_length={host})),
                ("ca", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, to="pki.ca")),
            ],
        ),
    ]
'''


def _project(tmp_path, host: int) -> None:
    write_project(tmp_path, {
        "settings.py": 'INSTALLED_APPS = ["pki", "vpn"]\nDEFAULT_AUTO_FIELD = "django.db.models.AutoField"\n',
        "pki/__init__.py": "", "pki/apps.py": APPS.format(name="Pki", label="pki"), "pki/models.py": PKI_MODELS,
        "pki/migrations/__init__.py": "", "pki/migrations/0001_initial.py": PKI_MIGRATION,
        "vpn/__init__.py": "", "vpn/apps.py": APPS.format(name="Vpn", label="vpn"), "vpn/models.py": VPN_MODELS,
        "vpn/migrations/__init__.py": "", "vpn/migrations/0001_initial.py": VPN_MIGRATION.format(host=host),
    })  # fmt: skip


def test_swappable_default_is_not_claimed_as_the_relation_target(tmp_path):
    _project(tmp_path, host=64)
    result = run_scan(tmp_path)
    assert [f for f in result.findings if f.code.startswith("DJS2")] == []
    assert any(u.unit == "field vpn.Vpn.ca" for u in result.project.unjudged)  # `to` not claimed


def test_the_model_s_other_fields_are_still_compared(tmp_path):
    _project(tmp_path, host=32)
    found = [(f.code, f.severity) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert ("DJS212", "error") in found


def test_the_field_s_other_kwargs_are_still_compared(tmp_path):
    _project(tmp_path, host=64)
    models = tmp_path / "vpn/models.py"
    models.write_text(models.read_text().replace("on_delete=models.CASCADE", "on_delete=models.PROTECT"))
    found = [(f.code, f.severity, f.message) for f in run_scan(tmp_path).findings if f.code.startswith("DJS2")]
    assert [(c, s) for c, s, _ in found] == [("DJS212", "error")] and "on_delete" in found[0][2]
