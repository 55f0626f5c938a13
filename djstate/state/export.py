"""The replayed state as JSON-able data: every value rendered to its canonical source text."""

from __future__ import annotations

from djstate.facts.values import is_known, render
from djstate.state.project import ModelState


def unverified_parts(model: ModelState) -> list[str]:
    """Keys of the values djstate could not know statically (compared by nobody)."""
    parts = []
    for name, f in model.fields.items():
        if (not f.known and not f.kwargs) or not f.certain:
            parts.append(f"fields.{name}")
        parts += [f"fields.{name}.kwargs.{k}" for k, v in f.kwargs.items() if not is_known(v)]
        parts += [f"fields.{name}.args" for a in f.args[:1] if not all(is_known(x) for x in f.args)]
    parts += [f"options.{k}" for k, v in model.options.items() if not is_known(v)]
    parts += [f"bases.{i}" for i, b in enumerate(model.bases) if not is_known(b)]
    parts += [f"managers.{i}" for i, (_, m) in enumerate(model.managers) if not is_known(m)]
    return sorted(parts)


def model_to_dict(model: ModelState) -> dict:
    return {
        "app": model.app,
        "name": model.name,
        "fields": {
            name: {
                "path": f.path,
                **({"args": [render(a) for a in f.args]} if f.args else {}),
                "kwargs": {k: render(v) for k, v in sorted(f.kwargs.items())},
                "verified": f.known,
            }
            for name, f in model.fields.items()
        },
        "options": {k: render(v) for k, v in sorted(model.options.items())},
        "bases": [render(b) for b in model.bases],
        "managers": [[name, render(m)] for name, m in model.managers],
        "unverified": unverified_parts(model),
    }


def state_to_dict(state) -> dict:
    """Either state (migrations' ProjectState or the models state) in one JSON shape."""
    out = {}
    for (app, name), model in sorted(state.models.items()):
        data = model_to_dict(model)
        if state.is_uncertain(app, name):
            data["unverified"] = ["*"]  # a custom or runtime-chosen operation touched it
        out[f"{app}.{name}"] = data
    return out
