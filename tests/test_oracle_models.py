"""Oracle, models side: djstate's models state equals Django's ``ModelState.from_model``.

Django imports the installed apps in a subprocess and deconstructs every model; djstate
reads the same ``models.py`` files as source. Fields (class path and deconstruct kwargs),
options, bases and managers are compared; what djstate marks unverified (settings-chosen
Meta, fields set under `if`, classes outside the tree) is counted, not compared.
"""

from __future__ import annotations

import pytest

from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import build_models_state, load_project
from djstate.state.export import model_to_dict
from tests.oracle.compare import compare, django_state
from tests.test_oracle_migrations import SITE, SUITES

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_models_state_equals_django(suite, capsys):
    apps, folder, exclude = SUITES[suite]
    oracle = django_state(apps, from_models=True)
    root = SITE / folder
    store = FactsStore(root, None, jobs=1)
    project = load_project(root, Config(exclude=exclude), store)
    state = build_models_state(project, store)
    ours = {f"{app}.{name}": model_to_dict(m) for (app, name), m in state.models.items()}
    for app, name in state.unverified_models:
        ours[f"{app}.{name}"]["unverified"] = ["*"]
    for app, name in state.partial_models - state.unverified_models:  # attributes djstate cannot place
        ours[f"{app}.{name}"]["partial"] = True
    labels = {label for label in project.apps if label in set(oracle["installed_labels"])}
    result = compare(oracle["models"], ours, labels)
    with capsys.disabled():
        print(f"\n[oracle:models] {suite} (Django {oracle['django']}): {result.summary()}")
    assert result.models > 0
    assert result.differences == []


def test_bookshop_models_state_equals_django(capsys):
    """The bundled example: its models import fine even though some migrations are broken."""
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent / "corpora" / "example"
    apps = [
        "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
        "django.contrib.sessions", "rest_framework", "accounts", "catalog",
        "orders.apps.OrdersConfig", "reviews", "inventory", "loyalty", "promotions", "legacy", "scratch",
    ]  # fmt: skip
    oracle = django_state(apps, auth_user_model="accounts.User", from_models=True, path=root)
    store = FactsStore(root, None, jobs=1)
    project = load_project(root, Config(), store)
    state = build_models_state(project, store)
    ours = {f"{app}.{name}": model_to_dict(m) for (app, name), m in state.models.items()}
    for app, name in state.unverified_models:
        ours[f"{app}.{name}"]["unverified"] = ["*"]
    for app, name in state.partial_models - state.unverified_models:  # attributes djstate cannot place
        ours[f"{app}.{name}"]["partial"] = True
    labels = {label for label in project.apps if label in set(oracle["installed_labels"])}
    result = compare(oracle["models"], ours, labels)
    with capsys.disabled():
        print(f"\n[oracle:models] bookshop example (Django {oracle['django']}): {result.summary()}")
    assert result.models >= 15
    assert result.differences == []
