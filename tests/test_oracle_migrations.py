"""Oracle: djstate's replayed state equals Django's ``MigrationLoader(None).project_state()``.

Django (the test venv's version) runs in a subprocess on the installed packages' own
migrations; djstate reads the same files as source. Models, fields (class path and
deconstruct kwargs), options, bases and managers are compared. Values djstate marks as
unverifiable (settings lookups, star imports from outside the tree, import-time branches)
are counted, not compared; every other difference fails.
"""

from __future__ import annotations

import sysconfig
from pathlib import Path

import pytest

from djstate.cache import FactsStore
from djstate.config import Config
from djstate.engine import load_project
from djstate.state.export import state_to_dict
from tests.oracle.compare import compare, django_state

pytestmark = pytest.mark.oracle

SITE = Path(sysconfig.get_paths()["purelib"])
BASE = ["django.contrib.contenttypes", "django.contrib.auth"]
WAGTAIL = [
    "taggit", "modelcluster", "wagtail", "wagtail.admin", "wagtail.users", "wagtail.documents",
    "wagtail.images", "wagtail.embeds", "wagtail.search", "wagtail.contrib.forms",
    "wagtail.contrib.redirects", "wagtail.contrib.search_promotions",
    "wagtail.contrib.simple_translation", "wagtail.sites", "wagtail.snippets", "wagtail.locales",
]  # fmt: skip
SUITES = {
    "django.contrib": (
        BASE + ["django.contrib.admin", "django.contrib.sessions", "django.contrib.sites",
                "django.contrib.flatpages", "django.contrib.redirects"],
        "django/contrib", (),
    ),
    "rest_framework.authtoken": (BASE + ["rest_framework.authtoken"], "rest_framework", ()),
    "taggit": (BASE + ["taggit"], "taggit", ()),
    "wagtail": (BASE + WAGTAIL, "wagtail", ("test/*", "project_template/*")),
    "allauth": (
        BASE + ["django.contrib.sites", "allauth", "allauth.account", "allauth.socialaccount",
                "allauth.mfa", "allauth.usersessions"],
        "allauth", (),
    ),
}  # fmt: skip


@pytest.mark.parametrize("suite", sorted(SUITES))
def test_replayed_state_equals_django(suite, capsys):
    apps, folder, exclude = SUITES[suite]
    oracle = django_state(apps)
    root = SITE / folder
    project = load_project(root, Config(exclude=exclude), FactsStore(root, None, jobs=1))
    labels = {label for label in project.apps if label in set(oracle["migrated_apps"])}
    assert labels, "no app of the suite was found in the tree"
    uncertain = frozenset(project.state.uncertain_apps | project.state.uncertain_models)
    result = compare(oracle["models"], state_to_dict(project.state), labels, uncertain)
    with capsys.disabled():
        print(f"\n[oracle] {suite} (Django {oracle['django']}): {result.summary()}")
    assert result.models > 0
    assert result.differences == []
