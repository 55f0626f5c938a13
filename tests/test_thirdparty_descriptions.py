"""The bundled third-party descriptions (djstate/data/thirdparty.json) against the real packages,
and djstate judging models built on them.

The first tests re-run tools/thirdparty_probe.py in the pinned venv of tools/gen_thirdparty.py
(built on demand, ~15 s once cached) and let Django itself write and check the fixture's
migrations. They fail when the venv cannot be built, and skip only when the package index
cannot be reached. The rest need no venv: every measured case bundled in the JSON is replayed
through djstate's deconstruct, and the fixture (tests/fixtures/thirdparty, migrations written
by Django 5.2 with these packages) is scanned as it is and with one change at a time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from djstate.facts.values import Ref
from djstate.state.fields import deconstruct
from djstate.state.thirdparty_descriptions import THIRD_PARTY_BASES, third_party, third_party_base
from tests.conftest import run_scan

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "thirdparty"
DATA = json.loads((ROOT / "djstate" / "data" / "thirdparty.json").read_text())
_spec = importlib.util.spec_from_file_location("gen_thirdparty", ROOT / "tools" / "gen_thirdparty.py")
gen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(gen)

PACKAGE_APPS = [
    "taggit", "mptt", "treebeard", "polymorphic", "djmoney", "django_countries", "phonenumber_field",
    "ordered_model", "django_extensions",
]  # fmt: skip
DJANGO_SCRIPT = """
import sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth", *sys.argv[2:]],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
    DEFAULT_AUTO_FIELD="django.db.models.AutoField", USE_TZ=True, STATIC_URL="/static/",
)
django.setup()
from django.core.management import call_command
call_command("makemigrations", *[a for a in sys.argv[2:] if a.startswith("shop")], *sys.argv[1].split(), verbosity=1)
"""
# (change to tests/fixtures/thirdparty/shop/models.py, the field or model djstate must name,
#  what Django's makemigrations writes for it)
MUTATIONS = [
    ("country = CountryField(blank=True)", "country = CountryField()", "country", "Alter field country on product"),
    ("tags = TaggableManager(blank=True)", "tags = TaggableManager()", "tags", "Alter field tags on product"),
    ("max_digits=10", "max_digits=12", "price", "Alter field price on product"),
    ("phone = PhoneNumberField(blank=True)", "phone = PhoneNumberField(blank=True, max_length=64)", "phone",
     "Alter field phone on product"),
    ('related_name="children"', 'related_name="kids"', "parent", "Alter field parent on category"),
    ("class Meta(OrderedModel.Meta):", "class Meta:", "Step", "Change Meta options on step"),
    ('related_name="links"', 'related_name="links2"', "page", "Alter field page on link"),
    ('populate_from="title"', 'populate_from="name"', "slug", "Alter field slug on article"),
    ('default_currency="EUR"', 'default_currency="USD"', "price", "Alter field price on product"),
    ('monitor="name"', 'monitor="zone"', "name_changed", "Alter field name_changed on product"),
]  # fmt: skip

# a second MoneyField: Django adds both columns (its contribute_to_class adds <name>_currency)
SECOND_MONEY = (
    "    country = CountryField(blank=True)",
    "    cost = MoneyField(max_digits=8, decimal_places=2)\n    country = CountryField(blank=True)",
    "cost", "Add field cost_currency to product",
)


@pytest.fixture(scope="module")
def venv_python() -> Path:
    try:
        return gen.ensure_venv()
    except gen.VenvError as exc:
        if exc.offline:
            pytest.skip(f"the package index cannot be reached to build the pinned venv: {str(exc)[:300]}")
        pytest.fail(f"the pinned venv of tools/gen_thirdparty.py cannot be built:\n{exc}")


def _django(python: Path, root: Path, options: str, apps: list[str]) -> str:
    proc = subprocess.run(
        [str(python), "-c", DJANGO_SCRIPT, options, *PACKAGE_APPS, *apps], capture_output=True, text=True,
        timeout=300, cwd=root, env={**os.environ, "PYTHONPATH": str(root), "PYTHONDONTWRITEBYTECODE": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


def _mutated(tmp_path: Path, old: str, new: str) -> Path:
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    models = root / "shop" / "models.py"
    text = models.read_text()
    assert text.count(old) == 1, old
    models.write_text(text.replace(old, new))
    return root


# --- against the real packages ------------------------------------------------------------------


def test_bundled_descriptions_are_what_the_pinned_packages_give(venv_python):
    """Each bundled entry, field and base, is measured again from the real package."""
    fresh = gen.generate(venv_python)
    assert fresh["versions"] == DATA["versions"]
    for kind in ("fields", "bases", "models", "others"):
        assert sorted(fresh[kind]) == sorted(DATA[kind]), kind
        for path, entry in fresh[kind].items():
            assert entry == DATA[kind][path], f"{kind} {path} differs: run tools/gen_thirdparty.py"
    assert gen.dump(fresh) == (ROOT / "djstate" / "data" / "thirdparty.json").read_text()


def test_fixture_migrations_are_the_ones_django_writes(venv_python, tmp_path):
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "shop" / "migrations" / "0001_initial.py").unlink()
    _django(venv_python, root, "", ["shop"])
    written = (root / "shop" / "migrations" / "0001_initial.py").read_text().splitlines()[1:]  # no date line
    assert written == (FIXTURE / "shop" / "migrations" / "0001_initial.py").read_text().splitlines()[1:]


def test_django_writes_a_migration_for_each_mutation_and_none_without(venv_python, tmp_path):
    """One Django run: the fixture as app ``shop`` and each mutation as its own app ``shop_<n>``."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("__pycache__"))
    apps = ["shop"]
    for number, (old, new, _, _) in enumerate([*MUTATIONS, SECOND_MONEY]):
        app = f"shop_{number}"
        shutil.copytree(FIXTURE / "shop", root / app, ignore=shutil.ignore_patterns("__pycache__"))
        models, migration = root / app / "models.py", root / app / "migrations" / "0001_initial.py"
        models.write_text(models.read_text().replace(old, new))
        migration.write_text(migration.read_text().replace("to='shop.", f"to='{app}."))
        apps.append(app)
    output = _django(venv_python, root, "--dry-run", apps)
    per_app: dict[str, str] = {}
    for block in output.split("Migrations for '")[1:]:
        app, _, rest = block.partition("'")
        per_app[app] = rest
    assert "shop" not in per_app, per_app.get("shop")  # the fixture itself: no changes
    for number, (_, _, _, django_says) in enumerate([*MUTATIONS, SECOND_MONEY]):
        assert django_says in per_app.get(f"shop_{number}", ""), (number, per_app.get(f"shop_{number}"))
    assert "Add field cost to product" in per_app[f"shop_{len(MUTATIONS)}"]


# --- the bundled data, without the venv ----------------------------------------------------------


def test_the_issue_s_packages_are_all_described():
    fields = {p: e for p, e in DATA["fields"].items() if "error" not in e}
    for path in (
        "taggit.managers.TaggableManager", "mptt.fields.TreeForeignKey", "mptt.fields.TreeOneToOneField",
        "mptt.fields.TreeManyToManyField", "modelcluster.fields.ParentalKey",
        "modelcluster.fields.ParentalManyToManyField", "phonenumber_field.modelfields.PhoneNumberField",
        "djmoney.models.fields.MoneyField", "django_countries.fields.CountryField", "model_utils.fields.MonitorField",
        "django_extensions.db.fields.AutoSlugField", "django_extensions.db.fields.CreationDateTimeField",
        "django_extensions.db.fields.ModificationDateTimeField", "timezone_field.fields.TimeZoneField",
        "django_jsonfield_backport.models.JSONField", "wagtail.fields.RichTextField",
    ):  # fmt: skip
        assert path in fields, path
    for path in (
        "mptt.models.MPTTModel", "treebeard.mp_tree.MP_Node", "treebeard.ns_tree.NS_Node", "treebeard.al_tree.AL_Node",
        "polymorphic.models.PolymorphicModel", "modelcluster.models.ClusterableModel",
        "model_utils.models.TimeStampedModel", "django_extensions.db.models.TimeStampedModel",
        "ordered_model.models.OrderedModel",
    ):  # fmt: skip
        assert path in DATA["bases"] and "error" not in DATA["bases"][path], path
    # StatusField reads the model's STATUS: described as not judgeable, not guessed
    assert "model" in DATA["fields"]["model_utils.fields.StatusField"]["error"]
    assert DATA["others"]["simple_history.models.HistoricalRecords"]["adds_model"] == "Historical{model}"
    assert set(DATA["versions"]) == {*gen.PINS, "django"}


def test_every_bundled_case_replays_through_djstate():
    """A measured case whose kwargs are all judged gives exactly the real deconstruct."""
    checked = 0
    for path, entry in DATA["fields"].items():
        if "error" in entry:
            continue
        judged = None if entry["judged"] == "all" else set(entry["judged"]) | set(entry["required"])
        failures = gen.check_cases(path, entry)
        for key, why in failures.items():
            assert judged is not None and key not in judged, f"{path} {key}: {why}"
        checked += len(entry["cases"])
    assert checked > 300


def test_third_party_bases_name_is_generated():
    assert THIRD_PARTY_BASES["modelcluster.fields.ParentalKey"] == "ForeignKey"
    assert THIRD_PARTY_BASES["mptt.models.TreeForeignKey"] == "ForeignKey"  # an import path
    assert THIRD_PARTY_BASES["wagtail.fields.RichTextField"] == "TextField"
    assert "model_utils.fields.StatusField" not in THIRD_PARTY_BASES


def test_an_import_path_deconstructs_to_the_written_path():
    state = deconstruct("mptt.models.TreeForeignKey", (), {"to": "shop.Node", "on_delete": Ref("django.db.models.deletion.CASCADE")})
    assert state.known and state.path == "mptt.fields.TreeForeignKey"
    assert state.kwargs == {"to": "shop.node", "on_delete": Ref("django.db.models.deletion.CASCADE")}


def test_init_defaults_and_deconstruct_drops_follow_the_description():
    parental = deconstruct("modelcluster.fields.ParentalKey", (), {"to": "shop.Page", "related_name": "links"})
    assert parental.kwargs["on_delete"] == Ref("django.db.models.deletion.CASCADE")  # ParentalKey's setdefault
    tags = deconstruct("taggit.managers.TaggableManager", (), {"blank": True})
    assert tags.kwargs == {
        "blank": True, "help_text": "A comma-separated list of tags.", "through": "taggit.TaggedItem",
        "to": "taggit.Tag", "verbose_name": "Tags",
    }  # fmt: skip
    assert deconstruct("timezone_field.fields.TimeZoneField", (), {}).kwargs == {}  # max_length=63 dropped
    assert deconstruct("timezone_field.fields.TimeZoneField", (), {"max_length": 80}).kwargs == {"max_length": 80}


def test_what_no_case_covers_stays_unknown():
    # manager= was measured with a subclass of taggit's manager: never written, whatever it is
    assert deconstruct("taggit.managers.TaggableManager", (), {"manager": Ref("shop.managers.M")}).known
    assert not deconstruct("taggit.managers.TaggableManager", (), {"related_query_name": "tagged"}).known
    assert not deconstruct("taggit.managers.TaggableManager", (), {"through": Ref("shop.models.Tagged")}).known
    assert not deconstruct("taggit.managers.TaggableManager", (), {"through": "shop.Tagged"}).known  # its tag model
    assert not deconstruct("model_utils.fields.StatusField", (), {}).known
    assert not deconstruct("django_countries.fields.CountryField", (), {"countries": Ref("shop.C")}).known
    assert not deconstruct("djmoney.models.fields.MoneyField", (), {"max_digits": 9, "currency_choices": [("EUR", "€")]}).known


def test_a_described_base_lends_fields_meta_and_managers():
    mptt = third_party_base("mptt.models.MPTTModel")
    assert [f[0] for f in mptt.fields] == ["lft", "rght", "tree_id", "level"]
    assert mptt.options_class == "MPTTMeta"
    assert third_party_base("ordered_model.models.OrderedModel").meta == {"ordering": ("order",)}
    assert third_party()["managers"]["mptt.managers.TreeManager"] is False
    assert third_party()["models"]["taggit.models.Tag"] == "taggit.tag"


# --- judging models built on them ---------------------------------------------------------------


def test_the_fixture_is_judged_whole_with_no_finding():
    result = run_scan(FIXTURE)
    assert [f.message for f in result.findings] == []
    assert result.stats["judged"]["models"] == [8, 8]
    assert "price_currency" in result.project.state.models[("shop", "product")].fields


@pytest.mark.parametrize("old,new,name,django_says", MUTATIONS, ids=[m[2] + ":" + m[1][:24] for m in MUTATIONS])
def test_a_changed_kwarg_is_reported_where_django_writes_a_migration(tmp_path, old, new, name, django_says):
    findings = run_scan(_mutated(tmp_path, old, new)).findings
    assert [f.code for f in findings] == ["DJS213" if name == "Step" else "DJS212"], [f.message for f in findings]
    assert (findings[0].model if name == "Step" else findings[0].field) == name


def test_a_renamed_mptt_field_leaves_the_model_unjudged(tmp_path):
    root = _mutated(tmp_path, '    parent = TreeForeignKey("self"', '    class MPTTMeta:\n        left_attr = "left"\n\n    parent = TreeForeignKey("self"')
    result = run_scan(root)
    assert result.findings == []
    assert result.stats["judged"]["models"] == [7, 8]
    assert any(u.reason == "base-outside-tree" and "Category" in u.unit for u in result.project.unjudged)


def test_a_missing_currency_field_is_reported(tmp_path):
    """django-money's MoneyField adds <name>_currency: a second MoneyField needs both columns."""
    root = _mutated(tmp_path, *SECOND_MONEY[:2])
    messages = sorted(f.message for f in run_scan(root).findings)
    assert len(messages) == 2 and "field cost has no migration" in messages[0] and "cost_currency" in messages[1]
