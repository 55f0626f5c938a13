"""A related_name that only old migrations still name does not silence a serializer or query
name: the catalogue counts a migration's literal only while the replayed state holds it."""

from djstate.rules.djs401_unknown_serializer_field import EXTERNAL_APP, MIGRATION, serializer_case
from tests.conftest import run_scan, write_project

SERIALIZER = (
    "class VendorSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = Vendor\n"
    "        fields = ['id', 'items']\n"
)
RENAMED_LATER = (
    "from django.db import migrations, models\nimport django.db.models.deletion\n\n\n"
    "class Migration(migrations.Migration):\n    dependencies = [('shop', '0002_app')]\n"
    "    operations = [migrations.AlterField('product', 'vendor', models.ForeignKey("
    "on_delete=django.db.models.deletion.CASCADE, related_name='products', to='shop.vendor'))]\n"
)


def _outcome(tmp_path, files):
    result = run_scan(write_project(tmp_path, files))
    reported = [f.message for f in result.findings if f.code == "DJS401"]
    silenced = [i.reason for i in result.project.unjudged if i.unit.endswith("VendorSerializer.items")]
    return reported, silenced


def test_an_old_related_name_left_in_a_migration_is_reported(tmp_path):
    # 0001 gave Product.vendor related_name='items'; 0003 changed it to the models' 'products'
    case = serializer_case(SERIALIZER, **EXTERNAL_APP)
    case.files["shop/migrations/0001_initial.py"] = MIGRATION.replace('related_name="products"', 'related_name="items"')
    case.files["shop/migrations/0003_rename_related.py"] = RENAMED_LATER
    reported, silenced = _outcome(tmp_path, case.files)
    assert len(reported) == 1 and "items" in reported[0] and not silenced


def test_a_related_name_the_replayed_state_holds_still_silences(tmp_path):
    # App's fields come from a base outside the tree: only its migration shows owner's
    # related_name='items', and the state still holds it, so Vendor.items may exist
    extra = dict(EXTERNAL_APP)
    extra["shop/migrations/0002_app.py"] = extra["shop/migrations/0002_app.py"].replace("'%(app_label)s_%(class)s'", "'items'")
    case = serializer_case(SERIALIZER, **extra)
    reported, silenced = _outcome(tmp_path, case.files)
    assert not reported and silenced == ["name-maybe-reverse"]
