"""What djstate did not judge, and why.

Silence has a cost: every item left unjudged is recall lost. Each one is recorded as an
:class:`Unjudged` with a reason from :data:`REASONS`, so ``djstate scan --unverified`` can list
them grouped by reason and say what to configure to see more. ``stats.unverified`` is their
number.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

# reason -> (what it means, what the user can do about it)
REASONS: dict[str, tuple[str, str]] = {
    "base-outside-tree": (
        "a model or serializer base class lives outside the scanned tree (it may add fields)",
        "let djstate read the installed packages: --site-packages PATH, or a .venv next to the project",
    ),
    "unknown-field-class": (
        "a field class djstate has no model of (a third-party or project field with its own __init__/deconstruct)",
        "--site-packages lets djstate follow third-party field classes to Django's",
    ),
    "maybe-field": (
        "a class attribute built by a call djstate cannot follow may be a field",
        "nothing to configure: the value is computed at import time",
    ),
    "settings-value": (
        "a value chosen by settings (AUTH_USER_MODEL, swappable models, DEFAULT_AUTO_FIELD, "
        "abstract/managed/proxy from settings)",
        "name the settings module (--settings or [tool.djstate] settings) or the value itself",
    ),
    "conditional": (
        "defined under an if/try at import time",
        "nothing to configure: which branch runs depends on the runtime",
    ),
    "dependency-outside-tree": (
        "a migration depends on an app outside the scanned tree",
        "--site-packages lets djstate read that app's migrations",
    ),
    "runtime-migration": (
        "a migration's dependencies or operations are computed at import time, or it uses a custom "
        "operation that changes the state in its own code",
        "nothing to configure",
    ),
    "broken-graph": (
        "the app's migration graph is broken (a missing dependency or a cycle, reported as DJS102/DJS103): "
        "Django stops there, so the state built from it is not judged",
        "fix the DJS102/DJS103 finding first",
    ),
    "unparsable": (
        "a file djstate could not read (reported as DJS100)",
        "fix the file, or exclude it",
    ),
    "duplicate-app-label": (
        "two folders give the same app label; only one can be installed",
        "name the settings module so INSTALLED_APPS decides",
    ),
    "runtime-attribute": (
        "a name code may add at runtime (add_to_class, a patched deconstruct, modeltranslation copies)",
        "nothing to configure",
    ),
    "unknowable-value": (
        "a kwarg value djstate cannot compute (a call, a constant of another module)",
        "nothing to configure",
    ),
    "django-version": (
        "the project pins a Django older than any whose autodetector djstate emulates",
        "set django_version if the pin is stale",
    ),
    "internal-error": (
        "djstate failed on an unforeseen shape (reported as DJS000)",
        "please report it; --debug shows the traceback",
    ),
    "query-unknown": (
        "a query djstate did not judge: its model is not fully known, a custom manager or QuerySet "
        "method may add names, or a name may be an attribute djstate cannot place",
        "--site-packages lets djstate follow model and manager bases outside the tree",
    ),
    "name-on-unknown-model": (
        "a serializer's Meta.fields name that is on no model field or attribute djstate sees, on a model it "
        "cannot read completely (a base outside the tree, a class decorator, fields added at runtime)",
        "--site-packages lets djstate read third-party model bases",
    ),
    "name-maybe-reverse": (
        "a serializer's Meta.fields name that may be the reverse accessor of a relation djstate cannot place "
        "(a model it cannot read, a templated or unplaced related_name, a swappable model apps outside point at)",
        "--site-packages lets djstate read the models that may hold the relation",
    ),
    "name-maybe-runtime": (
        "a serializer's Meta.fields name that code may give the model class at runtime "
        "(Model.x = ..., setattr(Model, ...), add_to_class, a modeltranslation or companion column)",
        "nothing to configure",
    ),
    "completed-by-subclass": (
        "a serializer's Meta.fields name on no model that a subclass declares as a field: DRF fails only "
        "where the base serializer itself is used, which djstate does not follow",
        "nothing to configure",
    ),
    "serializer-unknown": (
        "a serializer whose fields djstate cannot build (a base outside the tree, a get_fields override, "
        "a model or names chosen by settings)",
        "--site-packages lets djstate follow third-party serializer bases",
    ),
}


@dataclass(frozen=True)
class Unjudged:
    reason: str  # a key of REASONS
    unit: str  # what was not judged: "model shop.Book", "field shop.Book.title", "serializer ..."
    path: str = ""  # where it is, relative to the root when inside it
    line: int = 0
    detail: str = ""  # the concrete cause: "base wagtail.models.Page", "settings.AUTH_USER_MODEL"

    def as_dict(self) -> dict:
        return {"reason": self.reason, "unit": self.unit, "path": self.path, "line": self.line, "detail": self.detail}


def grouped(items: list[Unjudged]) -> list[tuple[str, int, list[Unjudged]]]:
    """(reason, count, items) with the largest groups first."""
    counts = Counter(i.reason for i in items)
    return [(reason, count, [i for i in items if i.reason == reason]) for reason, count in counts.most_common()]
