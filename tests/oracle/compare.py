"""Run the oracle in a subprocess and compare its state with djstate's, model by model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent


def django_state(
    apps: list[str], auth_user_model: str = "auth.User", from_models: bool = False, path: Path | None = None
) -> dict:
    """Django's state in a subprocess; ``path`` is put on sys.path (a project folder)."""
    cmd = [sys.executable, str(HERE / "dump_django_state.py"), "--auth-user-model", auth_user_model]
    for app in apps:
        cmd += ["--app", app]
    if from_models:
        cmd.append("--from-models")
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env)
    if proc.returncode != 0:
        raise RuntimeError(f"oracle failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


@dataclass
class Comparison:
    models: int = 0
    fields: int = 0
    differences: list[str] = field(default_factory=list)
    unverified: list[str] = field(default_factory=list)  # values djstate says it cannot know

    def summary(self) -> str:
        return (
            f"{self.models} models, {self.fields} fields compared, {len(self.differences)} differences, "
            f"{len(self.unverified)} values unverified by djstate"
        )


def compare(oracle: dict, ours: dict, labels: set[str], uncertain: frozenset = frozenset()) -> Comparison:
    """Compare models of the given app labels: field paths, args, kwargs, options, bases, managers.

    Models djstate marks unverified (touched by runtime-chosen or custom operations) are
    counted, not compared; anything else that differs is a difference.
    """
    result = Comparison()
    for key, theirs in sorted(oracle.items()):
        if theirs["app"] not in labels:
            continue
        result.models += 1
        mine = ours.get(key)
        if mine is None:
            if theirs["app"] in uncertain or (theirs["app"], key.split(".", 1)[1]) in uncertain:
                result.unverified.append(key)
            else:
                result.differences.append(f"{key}: model missing from djstate's state")
            continue
        if "*" in mine.get("unverified", []):
            result.unverified.append(key)
            continue
        partial = bool(mine.get("partial"))  # attributes djstate cannot place may be fields: Django may have more
        their_names = [n for n in theirs["fields"] if not partial or n in mine["fields"]]
        if their_names != list(mine["fields"]):
            result.differences.append(f"{key}: field names/order {list(theirs['fields'])} != {list(mine['fields'])}")
        unknown = set(mine.get("unverified", []))
        if partial:
            unknown |= {f"fields.{n}" for n in theirs["fields"] if n not in mine["fields"]}
            unknown |= {f"managers.{i}" for i in range(len(mine["managers"]))}
            if len(theirs["managers"]) != len(mine["managers"]):
                theirs = {**theirs, "managers": mine["managers"]}  # one of those attributes may be a manager
        for name, their_field in theirs["fields"].items():
            result.fields += 1
            if f"fields.{name}" in unknown:
                result.unverified.append(f"{key}.{name}")
                continue
            my_field = {k: v for k, v in mine["fields"].get(name, {}).items() if k != "verified"}
            their_field = {"args": [], **their_field, "kwargs": dict(their_field["kwargs"])}
            my_field = {"args": [], **my_field, "kwargs": dict(my_field.get("kwargs", {}))}
            for kwarg in list(my_field["kwargs"]):
                if f"fields.{name}.kwargs.{kwarg}" in unknown:
                    result.unverified.append(f"{key}.{name}.{kwarg}")
                    my_field["kwargs"].pop(kwarg)
                    their_field["kwargs"].pop(kwarg, None)
            if their_field != my_field:
                result.differences.append(f"{key}.{name}:\n    django:  {their_field}\n    djstate: {my_field}")
        for part in ("options", "bases", "managers"):
            theirs_part, mine_part = theirs[part], mine[part]
            if part == "options":
                skip = {k for k in mine_part if f"options.{k}" in unknown}
                theirs_part = {k: v for k, v in theirs_part.items() if k not in skip}
                mine_part = {k: v for k, v in mine_part.items() if k not in skip}
            else:
                skip = {i for i in range(len(mine_part)) if f"{part}.{i}" in unknown}
                theirs_part = [v for i, v in enumerate(theirs_part) if i not in skip]
                mine_part = [v for i, v in enumerate(mine_part) if i not in skip]
            result.unverified += [f"{key}.{part}.{k}" for k in sorted(skip)]
            if theirs_part != mine_part:
                result.differences.append(f"{key} {part}:\n    django:  {theirs_part}\n    djstate: {mine_part}")
    for key, mine in ours.items():
        if mine["app"] in labels and key not in oracle and "*" not in mine.get("unverified", []):
            result.differences.append(f"{key}: model in djstate's state but not in Django's")
    return result
