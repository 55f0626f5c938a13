"""DJS402's severity follows what DRF does with a source it cannot read (Field.get_attribute):
a required field raises AttributeError when the object is serialized (an error); a read-only,
optional or nullable field, or one with a default, is left out of the response or given its
default or None without a word (a warning). DRF checked on the same fixture."""

import subprocess
import sys
import textwrap

from djstate.rules.djs401_unknown_serializer_field import serializer_case
from tests.conftest import run_scan, write_project

FIELDS = {
    "required": "serializers.CharField(source='label')",
    "read_only": "serializers.CharField(source='label', read_only=True)",
    "optional": "serializers.CharField(source='label', required=False)",
    "nullable": "serializers.CharField(source='label', allow_null=True)",
    "defaulted": "serializers.CharField(source='label', default='x')",
    "read_only_class": "serializers.ReadOnlyField(source='label')",
}
CASE = serializer_case("".join(
    f"class {name.title().replace('_', '')}Serializer(serializers.ModelSerializer):\n"
    f"    shown = {field}\n\n"
    f"    class Meta:\n        model = Product\n        fields = ['id', 'shown']\n\n\n"
    for name, field in FIELDS.items()
))


def test_only_the_required_field_is_an_error(tmp_path):
    result = run_scan(write_project(tmp_path, CASE.files))
    found = {f.message.split(".", 1)[0]: f.severity for f in result.findings if f.code == "DJS402"}
    assert found == {"RequiredSerializer": "error", **{
        f"{name.title().replace('_', '')}Serializer": "warning" for name in FIELDS if name != "required"}}


DRF_CHECK = """
import django
from django.conf import settings
settings.configure(INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", "rest_framework", "shop"],
                   DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}})
django.setup()
from shop import serializers
from shop.models import Product, Vendor
product = Product(id=1, vendor=Vendor(id=1, name="v"), title="t", stock=1)
for name in NAMES:
    cls = getattr(serializers, name.title().replace("_", "") + "Serializer")
    try:
        print(name, "shown" in cls(product).data)
    except AttributeError:
        print(name, "AttributeError")
"""


def test_drf_agrees(tmp_path):
    root = write_project(tmp_path, CASE.files)
    script = textwrap.dedent(DRF_CHECK).replace("NAMES", repr(list(FIELDS)))
    proc = subprocess.run([sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=300,
                          check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    outcome = dict(line.split(" ", 1) for line in proc.stdout.splitlines())
    # the required field raises; the others are left out (read-only, optional) or given a value
    assert outcome == {"required": "AttributeError", "read_only": "False", "optional": "False",
                       "nullable": "True", "defaulted": "True", "read_only_class": "False"}
