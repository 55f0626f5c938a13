"""A related_name that only old migrations still name does not silence a serializer or query
name: the catalogue counts a migration's literal only while the replayed state holds it."""

from djstate.rules.djs401_unknown_serializer_field import EXTERNAL_APP, MIGRATION, serializer_case
from tests.conftest import run_scan, write_project
from tests.oracle.drf import drf_fields

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


def _renamed_then_touched(model: str, field: str):
    """'items' given to Product.vendor by 0001 and renamed by 0003; 0004 runs an operation djstate
    cannot replay on ``model``'s ``field``, which makes that model's replay uncertain."""
    case = serializer_case(SERIALIZER, **EXTERNAL_APP)
    case.files["shop/migrations/0001_initial.py"] = MIGRATION.replace('related_name="products"', 'related_name="items"')
    case.files["shop/migrations/0003_rename_related.py"] = RENAMED_LATER
    case.files["shop/migrations/0004_outside.py"] = (
        "from django.db import migrations\nfrom outside_ops import TouchModel\n\n\n"
        "class Migration(migrations.Migration):\n    dependencies = [('shop', '0003_rename_related')]\n"
        f"    operations = [TouchModel(model_name='{model}', name='{field}')]\n"
    )
    return case


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


def test_a_stale_related_name_on_a_model_read_whole_is_reported(tmp_path):
    # models.py says related_name='products' and no migration was made for it yet: the replayed
    # state still holds 'items' on Product.vendor, but Product's class is read whole, so 'items'
    # does not exist at runtime (Django: Vendor has no attribute 'items'; FieldError in a query)
    case = serializer_case(SERIALIZER, **EXTERNAL_APP)
    case.files["shop/migrations/0001_initial.py"] = MIGRATION.replace('related_name="products"', 'related_name="items"')
    reported, silenced = _outcome(tmp_path, case.files)
    assert len(reported) == 1 and "items" in reported[0] and not silenced
    # DRF judges the models as they are (the external base left out: it plays no part here)
    plain = write_project(tmp_path / "drf", serializer_case(SERIALIZER).files)
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=plain)  # fmt: skip
    error = oracle["shop.serializers.VendorSerializer"]["error"]
    assert error["type"] == "ImproperlyConfigured" and "`items`" in error["message"]


def test_an_uncertain_model_elsewhere_in_the_app_keeps_a_stale_name_reported(tmp_path):
    # an operation djstate cannot replay makes shop.App uncertain; 'items' was only ever given to
    # Product.vendor, whose replay is certain and which 0003 renamed: 'items' is still gone
    case = _renamed_then_touched("app", "owner")
    result = run_scan(write_project(tmp_path, case.files))
    assert ("shop", "app") in result.project.state.uncertain_models
    reported = [f.message for f in result.findings if f.code == "DJS401"]
    assert len(reported) == 1 and "items" in reported[0]


def test_a_name_given_to_a_model_whose_replay_is_uncertain_still_silences(tmp_path):
    # the same, but the operation djstate cannot replay touches Product itself: its state may
    # still hold 'items', so the name is left unjudged
    case = _renamed_then_touched("product", "vendor")
    reported, silenced = _outcome(tmp_path, case.files)
    assert not reported and silenced == ["name-maybe-reverse"]
