"""A relation whose target is named by ``swapper.get_model_name(app, model)``.

``swapper.get_model_name`` returns the setting that swaps the model when the project sets
it, else the default ``"app.Model"``. djstate judges it as the default (one ``settings-value``
note per swappable model, ``project.replay``). A field of the models naming its target so may
be swapped by settings djstate cannot see (openwisp-controller's ``setattr(settings, ...)``),
so drift compares its ``to`` only against a migration that names the target by the same call:
both then follow the same setting, whatever it says (wagtail 8's swappable Page).
"""

from __future__ import annotations

from typing import Any

from djstate.facts.values import Call


def swapper_target(value: Any, chosen: list[str]) -> str | None:
    """The default label when the relation ``value``'s ``to`` (first argument or keyword) is
    one of the swappable defaults ``chosen`` while resolving it; None otherwise."""
    if not isinstance(value, Call):
        return None
    to = value.args[0] if value.args else value.kwargs.get("to")
    return to if isinstance(to, str) and to in chosen else None


def same_swappable_target(new: Any, old: Any) -> bool:
    """Both fields name their target by ``swapper.get_model_name`` of the same model."""
    return new.swapper_to is not None and old.swapper_to is not None and new.swapper_to.lower() == old.swapper_to.lower()
