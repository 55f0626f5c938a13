"""The replayed state as JSON-able data: every value rendered to its canonical source text."""

from __future__ import annotations

from djstate.facts.values import render
from djstate.state.project import ModelState


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
    }


def state_to_dict(models: dict) -> dict:
    return {f"{app}.{name}": model_to_dict(m) for (app, name), m in sorted(models.items())}
