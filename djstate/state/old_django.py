"""Models vs migrations for a project pinned to a Django older than 3.2.

djstate emulates the autodetectors of Django 3.2 and newer (``djstate.state.versions``). A
project whose requirements allow only an older Django (shuup: ``Django<2,>=1.8``) is still
compared, on the parts whose meaning has not changed since Django 1.7's autodetector; the
rest is left unjudged under ``django-version``, and only where it differs.

What stays exact, read in Django 1.11's source (shuup's environment) against 3.2's and the
newest's; no Django older than 3.2 runs here, so this is source reading, not a run:

- a model or field missing from the migrations, or left in them (CreateModel, DeleteModel,
  AddField, RemoveField): the autodetector matches models and fields by name in every version;
- ``generate_altered_fields`` writes AlterField when ``deep_deconstruct`` differs, in every
  version. ``Field.deconstruct`` writes ``max_length``, ``null``, ``unique``, ``db_index``,
  ``db_column``, ``primary_key`` and ``default`` with the same defaults in 1.11 as now;
  ``max_digits``/``decimal_places`` (DecimalField), ``to_field``/``db_constraint``/``db_index``
  (ForeignKey), ``db_table``/``through`` (ManyToManyField) and ``auto_now``/``auto_now_add``
  likewise; ``to`` is the model's label in another case, which drift compares case-blind;
- ``on_delete``: before 2.0 it was optional and ``ForeignKey.__init__`` made a missing one
  ``CASCADE`` (1.11's related.py), and migrations of that time leave a CASCADE out (shuup's
  early ones: 319 ForeignKeys without it, its later ones write ``on_delete=CASCADE``, and its
  models, which name it, migrate cleanly); so on both sides a missing ``on_delete`` is CASCADE
  (:func:`with_default_on_delete`);
- ``db_table``, ``order_with_respect_to``, ``unique_together`` and ``index_together`` of Meta;
  ``AlterModelOptions.ALTER_OPTION_KEYS`` less ``default_related_name``, which 1.11 does not
  compare.

What is left unjudged when it differs (:data:`COMPARED_KWARGS` is the allow list):

- ``blank`` (1.11's BooleanField forces ``blank=True`` and drops it from deconstruct; 2.1
  stopped), ``choices`` (default ``[]``, not None), ``db_tablespace`` (default
  ``DEFAULT_INDEX_TABLESPACE``), ``limit_choices_to`` (1.11 does not write it),
  ``related_name`` (1.11 names a hidden many-to-many ``_<class>_<field>_+``, 3.0 added the app
  label), ``editable`` of BinaryField, ``storage``, positional arguments and any other kwarg;
- ``Meta.indexes`` (1.11 added it; its names and deconstructed kwargs changed since),
  ``Meta.constraints`` (2.2) and managers (migrations keep them only since 1.10/1.11).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from djstate.django_version import SUPPORTED, Version
from djstate.facts.values import Ref

# field kwargs whose deconstructed value means the same from Django 1.7 to the newest
COMPARED_KWARGS = frozenset({
    "max_length", "null", "unique", "db_index", "db_column", "primary_key", "default", "max_digits",
    "decimal_places", "to", "on_delete", "to_field", "db_constraint", "through", "db_table",
    "auto_now", "auto_now_add", "class",
})  # fmt: skip
# AlterModelOptions.ALTER_OPTION_KEYS of 3.2+ that 1.11 does not compare
NOT_COMPARED_OPTIONS = frozenset({"default_related_name"})
CASCADE = Ref("django.db.models.deletion.CASCADE")


def is_old(version: Version | None) -> bool:
    """Whether ``version`` (the project's pinned Django) is older than every emulated one."""
    return version is not None and version < SUPPORTED[0]


def with_default_on_delete(state: Any) -> Any:
    """A ForeignKey-like field whose ``on_delete`` is missing (written None by djstate's
    deconstruct) as Django before 2.0 built it: ``on_delete=CASCADE``."""
    if "on_delete" in state.kwargs and state.kwargs["on_delete"] is None:
        return replace(state, kwargs={**state.kwargs, "on_delete": CASCADE})
    return state


def split_changes(changes: list[tuple[str, str, str]]) -> tuple[list[tuple[str, str, str]], list[str]]:
    """(the changes an old Django's autodetector sees the same way, the kwargs left unjudged)."""
    kept = [c for c in changes if c[0] in COMPARED_KWARGS]
    return kept, sorted({c[0] for c in changes if c[0] not in COMPARED_KWARGS})


WHY = {
    "indexes": "Django {v} names and deconstructs Meta.indexes differently from 3.2+",
    "constraints": "Meta.constraints came with Django 2.2 and deconstruct differently since",
    "managers": "migrations keep managers only since Django 1.10; djstate emulates 3.2+",
}


def unjudged_detail(version: Version, what: str) -> str:
    """Why a difference in ``what`` (an option, or kwargs joined by commas) is not judged."""
    v = f"{version[0]}.{version[1]}"
    why = WHY.get(what, "Django {v}'s deconstruct of these is not 3.2's").format(v=v)
    return f"{what} differ: {why}"
