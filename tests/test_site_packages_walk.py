"""A site-packages folder: only the AppConfigs that may carry a label the project's migrations
depend on are parsed, and the app chosen for a label is the one the whole folder would give."""

from __future__ import annotations

from pathlib import Path

import pytest

import djstate.load as load
from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import scan

MIGRATION = '''from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = {deps}
    operations = [
        migrations.CreateModel(
            name="{model}",
            fields=[("id", models.AutoField(primary_key=True, serialize=False))],
        ),
    ]
'''
MODELS = '''from django.db import models


class {model}(models.Model):
    pass
'''


def _app(folder: Path, config: str | None, model: str, deps: str = "[]") -> None:
    (folder / "migrations").mkdir(parents=True)
    (folder / "__init__.py").write_text("")
    (folder / "migrations" / "__init__.py").write_text("")
    (folder / "migrations" / "0001_initial.py").write_text(MIGRATION.format(deps=deps, model=model))
    (folder / "models.py").write_text(MODELS.format(model=model))
    if config is not None:
        (folder / "apps.py").write_text(f"from django.apps import AppConfig\n\n\nclass Config(AppConfig):\n{config}")


@pytest.fixture
def layout(tmp_path) -> tuple[Path, Path]:
    root, site = tmp_path / "project", tmp_path / "site-packages"
    _app(root / "shop", '    name = "shop"\n', "Order", '[("extapp", "0001_initial")]')
    (root / "settings.py").write_text('INSTALLED_APPS = ["shop", "extpkg"]\n')
    # the label "extapp" twice: the shallowest app carries it, as with the whole folder
    _app(site / "extpkg", '    name = "extpkg"\n    label = "extapp"\n', "Thing", '[("chained", "0001_initial")]')
    _app(site / "deep" / "sub" / "extapp", None, "Other")
    (site / "deep" / "__init__.py").write_text("")
    (site / "deep" / "sub" / "__init__.py").write_text("")
    # reached only through extpkg's migration: a second round
    _app(site / "chainpkg", '    name = "chainpkg"\n    label = "chained"\n', "Link")
    # no wanted label in its name, folder or config: never parsed
    _app(site / "unrelated", '    name = "unrelated"\n', "Noise")
    return root, site


def _scan(root: Path, site: Path):
    store = FactsStore(root, None, jobs=1)
    requested: list = []
    facts = store.facts

    def spy(requests):
        requested.extend(requests)
        return facts(requests)

    store.facts = spy
    result = scan(root, Config(site_packages=(str(site),), settings="settings"), store)
    return result, requested


def _outcome(result):
    findings = sorted((f.code, f.path, f.line, f.message) for f in result.findings)
    unjudged = sorted(repr(u) for u in result.project.unjudged)
    return findings, unjudged


def test_only_configs_that_may_carry_a_wanted_label_are_parsed(layout):
    root, site = layout
    result, requested = _scan(root, site)
    apps = result.project.apps
    assert apps["extapp"].dir.path == "extpkg" and apps["extapp"].external
    assert apps["chained"].dir.path == "chainpkg" and apps["chained"].external
    assert "unrelated" not in apps and ("unrelated", "noise") not in result.project.state.models
    assert ("extapp", "thing") in result.project.state.models and ("extapp", "other") not in result.project.state.models
    parsed_configs = {r.path.removeprefix(f"{site.resolve().as_posix()}/") for r in requested if r.kind == "apps" and r.path.startswith("/")}
    # deep/sub/extapp may be "extapp" by its folder's name: its config (__init__.py) is read
    assert parsed_configs == {"extpkg/apps.py", "chainpkg/apps.py", "deep/sub/extapp/__init__.py"}
    # the migrations of the chosen apps join the graph; the deeper "extapp" is not read
    assert ("extapp", "0001_initial") in result.project.migrations
    assert ("chained", "0001_initial") in result.project.migrations
    assert not any("deep/sub/extapp/migrations" in r.path for r in requested)
    # bases and fields still resolve anywhere in the folder
    assert result.project.modules["unrelated.models"].endswith("unrelated/models.py")


def test_same_outcome_as_reading_every_config(layout, monkeypatch):
    root, site = layout
    lazy, lazy_requests = _scan(root, site)
    monkeypatch.setattr(load, "_may_carry", lambda *args: True)
    whole, whole_requests = _scan(root, site)
    assert _outcome(lazy) == _outcome(whole)
    assert sorted(lazy.project.apps) == sorted(whole.project.apps)
    assert {k: a.dir.path for k, a in lazy.project.apps.items()} == {k: a.dir.path for k, a in whole.project.apps.items()}
    assert sum(r.kind == "apps" for r in lazy_requests) < sum(r.kind == "apps" for r in whole_requests)
