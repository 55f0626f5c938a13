"""Oracle, serializers: the fields djstate computes for each serializer equal DRF's ``get_fields()``.

DRF imports the serializers in a subprocess and builds their fields; djstate reads the
same files as source. Compared per serializer: the field names, and per field its class,
``read_only`` and ``required``. What djstate marks uncertain (a base outside the tree, a
field class it has no model of, fields computed at runtime) is counted, not compared. A
serializer DRF rejects must be one djstate reports an error for.
"""

from __future__ import annotations

import os
import shutil
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import _source_markers, build_models_state, build_serializers, load_project, scan
from tests.oracle.drf import drf_fields

pytestmark = pytest.mark.oracle

SITE = Path(sysconfig.get_paths()["purelib"])
EXAMPLE = Path(__file__).resolve().parent.parent / "corpora" / "example"
CORE_APPS = ["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "rest_framework.authtoken"]
# real packages whose serializers import in the test environment
PACKAGES = {
    "rest_framework.authtoken.serializers": "rest_framework",
    "djoser.serializers": "djoser",
    "dj_rest_auth.serializers": "dj_rest_auth",
    "knox.serializers": "knox",
    "dj_rest_auth.registration.serializers": "dj_rest_auth",
    "dj_rest_auth.social_serializers": "dj_rest_auth",
    "push_notifications.api.rest_framework": "push_notifications",
}
ALLAUTH_APPS = ["django.contrib.sites", "allauth", "allauth.account", "allauth.socialaccount"]


@dataclass
class Comparison:
    serializers: int = 0
    fields: int = 0
    rejected: int = 0  # serializers DRF rejects, matched by a djstate error
    differences: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"{self.serializers} serializers ({self.fields} fields, {self.rejected} rejected by DRF) "
            f"compared, {len(self.differences)} differences, {len(self.unverified)} unverified by djstate"
        )


def analyse(root: Path, auth_user_model: str):
    store = FactsStore(root, None, jobs=1)
    project = load_project(root, Config(auth_user_model=auth_user_model), store)
    project.models_state = build_models_state(project, store)
    return build_serializers(project, store, _source_markers(project))


def compare(oracle: dict, analysis) -> Comparison:
    result = Comparison()
    ours = {s.path: s for s in analysis.serializers}
    for path, theirs in sorted(oracle.items()):
        if theirs.get("kind") is None:
            result.differences.append(f"{path}: the oracle could not import it: {theirs['error']}")
            continue
        mine = ours.get(path)
        if mine is None:
            result.differences.append(f"{path}: djstate did not find this serializer")
            continue
        built = analysis.result(mine)
        if theirs["error"] is not None:
            message = theirs["error"]["message"]
            if built.errors and all(e.kind == "required-default" or not e.name or e.name in message for e in built.errors):
                result.rejected += 1
                result.serializers += 1
            elif not built.names_certain:
                result.unverified.append(f"{path}: DRF raises {theirs['error']['type']}")
            else:
                result.differences.append(f"{path}: DRF raises {theirs['error']}, djstate found no error")
            continue
        if built.errors:
            messages = "; ".join(e.message for e in built.errors)
            result.differences.append(f"{path}: djstate reports errors DRF does not raise: {messages}")
            continue
        if not built.names_certain:
            result.unverified.append(f"{path}: field set")
            continue
        result.serializers += 1
        if set(built.fields) != set(theirs["fields"]):
            result.differences.append(
                f"{path}: names differ: djstate {sorted(built.fields)} vs DRF {sorted(theirs['fields'])}"
            )
            continue
        for name, want in theirs["fields"].items():
            got = built.fields[name]
            result.fields += 1
            for attribute, value in (("class", got.drf_class), ("read_only", got.read_only), ("required", got.required)):
                expected = want[attribute]
                if attribute == "class" and got.origin == "nested" and expected == "NestedSerializer":
                    continue
                if value is None:
                    result.unverified.append(f"{path}.{name}.{attribute}")
                elif value != expected:
                    result.differences.append(f"{path}.{name}: {attribute} djstate {value!r} vs DRF {expected!r}")
            if want.get("child") and got.child is not None and got.child != want["child"]:
                result.differences.append(f"{path}.{name}: child djstate {got.child!r} vs DRF {want['child']!r}")
    return result


def _package_tree(tmp_path: Path) -> Path:
    """django.contrib.auth/contenttypes, DRF and the packages, linked into one tree, so that
    their models and serializers are read as source with their real module names."""
    root = tmp_path / "site"
    (root / "django" / "contrib").mkdir(parents=True)
    (root / "django" / "__init__.py").write_text("")
    (root / "django" / "contrib" / "__init__.py").write_text("")
    for app in ("auth", "contenttypes", "sites"):
        os.symlink(SITE / "django" / "contrib" / app, root / "django" / "contrib" / app)
    for package in {"rest_framework", "allauth", *PACKAGES.values()}:
        os.symlink(SITE / package, root / package)
    return root


def test_real_serializers_equal_drf(tmp_path, capsys):
    oracle = drf_fields(CORE_APPS + ["knox", "push_notifications", *ALLAUTH_APPS], list(PACKAGES))
    analysis = analyse(_package_tree(tmp_path), "auth.User")
    result = compare(oracle, analysis)
    with capsys.disabled():
        print(f"\n[oracle:serializers] authtoken, djoser, dj-rest-auth (+registration), knox, push-notifications: {result.summary()}")
        for line in result.unverified:
            print(f"    unverified: {line}")
        for line in result.differences:
            print(f"    DIFFERENCE: {line}")
    assert result.differences == []
    assert result.serializers >= 20


def test_bookshop_serializers_equal_drf(capsys):
    apps = [
        "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
        "django.contrib.sessions", "rest_framework", "accounts", "catalog",
        "orders.apps.OrdersConfig", "reviews", "inventory", "loyalty", "promotions", "legacy", "scratch",
    ]  # fmt: skip
    modules = ["accounts.serializers", "catalog.serializers", "orders.serializers", "reviews.serializers"]
    oracle = drf_fields(apps, modules, path=EXAMPLE, auth_user_model="accounts.User")
    result = compare(oracle, analyse(EXAMPLE, "accounts.User"))
    with capsys.disabled():
        print(f"\n[oracle:serializers] bookshop example: {result.summary()}")
    assert result.differences == []
    assert result.serializers >= 7


def test_fixture_serializers_equal_drf(capsys):
    """Hand-made edge cases: MTI, proxy, reverse and through relations, depth, hyperlinks,
    uniqueness-driven flags, Meta inheritance, and serializers DRF rejects."""
    root = Path(__file__).resolve().parent / "fixtures" / "drfshop"
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    rejected = sum(1 for entry in oracle.values() if entry["error"])
    result = compare(oracle, analyse(root, "auth.User"))
    with capsys.disabled():
        print(f"\n[oracle:serializers] drfshop fixture: {result.summary()}")
        for line in result.differences:
            print(f"    DIFFERENCE: {line}")
    assert result.differences == []
    assert result.unverified == []
    assert result.rejected == rejected >= 8
    assert result.serializers == len(oracle)
    # the rules turn exactly those rejections into error findings
    scanned = scan(root, Config(auth_user_model="auth.User"), FactsStore(root, None, jobs=1), ("DJS4",))
    reported = {f.message.split(":", 1)[0] for f in scanned.findings if f.severity == "error"}
    assert reported == {path.rsplit(".", 1)[1] for path, entry in oracle.items() if entry["error"]}


# A model edit each, the kind that leaves serializers behind; DRF decides which break.
MODEL_MUTATIONS = {
    "rename-vendor-name": ("    name = models.CharField(max_length=80, unique=True)",
                           "    vendor_name = models.CharField(max_length=80, unique=True)"),
    "change-related-name": ('related_name="products")', 'related_name="items")'),
    "rename-product-title": ("    title = models.CharField(max_length=120)", "    headline = models.CharField(max_length=120)"),
    "drop-property": ("    @property\n    def display_name(self):", "    def _display_name(self):"),
    "drop-reverse-fk": ("    product = models.ForeignKey(Product, on_delete=models.CASCADE)\n    stars",
                        "    stars"),
}  # fmt: skip


@pytest.mark.parametrize("mutation", sorted(MODEL_MUTATIONS))
def test_model_mutation_breaks_the_serializers_drf_says(tmp_path, mutation, capsys):
    """After each model edit, the serializers DRF rejects are exactly those djstate reports
    an error for (and the unchanged rejections of the fixture stay)."""
    root = tmp_path / "drfshop"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "drfshop", root)
    models = root / "shop" / "models.py"
    old, new = MODEL_MUTATIONS[mutation]
    text = models.read_text()
    assert old in text
    models.write_text(text.replace(old, new, 1))
    oracle = drf_fields(["django.contrib.auth", "django.contrib.contenttypes", "rest_framework", "shop"],
                        ["shop.serializers"], path=root)  # fmt: skip
    rejected = {path.rsplit(".", 1)[1] for path, entry in oracle.items() if entry["error"]}
    scanned = scan(root, Config(auth_user_model="auth.User"), FactsStore(root, None, jobs=1), ("DJS4",))
    # the rules for what DRF refuses when it builds the fields (DJS402's broken sources fail
    # later, when an object is serialized, and DJS405/408 when one is created or read)
    built = ("DJS401", "DJS403", "DJS404")
    reported = {f.message.split(":", 1)[0] for f in scanned.findings if f.severity == "error" and f.code in built}
    newly = sorted(rejected - {n for n in rejected if n.startswith("Broken")})
    with capsys.disabled():
        print(f"\n[oracle:serializers] mutation {mutation}: DRF now rejects {newly}")
    assert newly, "the mutation must break at least one serializer"
    assert reported == rejected


def test_renamed_model_field_breaks_a_dotted_source(tmp_path):
    """Vendor.name renamed: ProductPicked's `source="vendor.name"` no longer resolves."""
    root = tmp_path / "drfshop"
    shutil.copytree(Path(__file__).resolve().parent / "fixtures" / "drfshop", root)
    models = root / "shop" / "models.py"
    old, new = MODEL_MUTATIONS["rename-vendor-name"]
    models.write_text(models.read_text().replace(old, new, 1))
    scanned = scan(root, Config(auth_user_model="auth.User"), FactsStore(root, None, jobs=1), ("DJS402",))
    assert [(f.code, f.line, f.field) for f in scanned.findings] == [("DJS402", 41, "vendor_name")]
