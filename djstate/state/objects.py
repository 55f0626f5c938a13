"""``deconstruct()`` of the Django objects that live inside model options and field kwargs.

Indexes, constraints and ``Q`` objects rewrite their constructor arguments (lists become
tuples, keyword lookups become children), so the state holds them as Django would write
them back. Other calls are kept as written, which is what ``@deconstructible`` does.
"""

from __future__ import annotations

from typing import Any, Callable

from djstate.facts.values import Call, Opaque, render

F = "django.db.models.F"


def _expressions(args: tuple) -> tuple:
    return tuple(Call(F, (a,), {}) if isinstance(a, str) else a for a in args)


def _index(call: Call) -> Call:
    kw = call.kwargs
    out: dict[str, Any] = {"name": kw.get("name") or ""}
    if kw.get("fields"):
        out["fields"] = list(kw["fields"]) if isinstance(kw["fields"], (list, tuple)) else kw["fields"]
    if kw.get("db_tablespace") is not None:
        out["db_tablespace"] = kw["db_tablespace"]
    for key in ("opclasses", "condition"):
        if kw.get(key):
            out[key] = kw[key]
    if kw.get("include"):
        out["include"] = tuple(kw["include"]) if isinstance(kw["include"], (list, tuple)) else kw["include"]
    for key, value in kw.items():  # subclass options (GinIndex.fastupdate, ...)
        if key not in ("name", "fields", "db_tablespace", "opclasses", "condition", "include", "expressions"):
            out[key] = value
    return Call(call.path, _expressions(call.args), out)


def _constraint_base(kw: dict) -> dict[str, Any]:
    out: dict[str, Any] = {"name": kw.get("name")}
    if kw.get("violation_error_message") is not None:
        out["violation_error_message"] = kw["violation_error_message"]
    if kw.get("violation_error_code") is not None:
        out["violation_error_code"] = kw["violation_error_code"]
    return out


def _unique(call: Call) -> Call:
    kw = call.kwargs
    out = _constraint_base(kw)
    if kw.get("fields"):
        out["fields"] = tuple(kw["fields"]) if isinstance(kw["fields"], (list, tuple)) else kw["fields"]
    for key in ("condition", "deferrable", "opclasses"):
        if kw.get(key):
            out[key] = kw[key]
    if kw.get("include"):
        out["include"] = tuple(kw["include"]) if isinstance(kw["include"], (list, tuple)) else kw["include"]
    if kw.get("nulls_distinct") is not None:
        out["nulls_distinct"] = kw["nulls_distinct"]
    return Call(call.path, _expressions(call.args), out)


def _check(call: Call) -> Call:
    kw = call.kwargs
    out = _constraint_base(kw)
    out["condition"] = kw.get("condition", kw.get("check"))
    return Call(call.path, call.args, out)


def _q(call: Call) -> Call:
    kw = dict(call.kwargs)
    connector = kw.pop("_connector", None)
    negated = kw.pop("_negated", False)
    children = (*call.args, *sorted(kw.items()))
    out: dict[str, Any] = {}
    if connector not in (None, "AND"):
        out["_connector"] = connector
    if negated:
        out["_negated"] = True
    return Call(call.path, tuple(children), out)


NORMALISERS: dict[str, Callable[[Call], Call]] = {
    "django.db.models.Index": _index,
    "django.db.models.UniqueConstraint": _unique,
    "django.db.models.CheckConstraint": _check,
    "django.db.models.Q": _q,
}
for _name in ("BloomIndex", "BrinIndex", "BTreeIndex", "GinIndex", "GistIndex", "HashIndex", "SpGistIndex"):
    NORMALISERS[f"django.contrib.postgres.indexes.{_name}"] = _index


Q = "django.db.models.Q"
COMBINED = "django.db.models.expressions.CombinedExpression"
VALUE = "django.db.models.Value"
# Combinable's arithmetic: operator -> the connector CombinedExpression records
CONNECTORS = {"add": "+", "sub": "-", "mul": "*", "truediv": "/", "mod": "%%", "pow": "^", "floordiv": "//"}
EXPRESSIONS = ("django.db.models.F", "django.db.models.Value", COMBINED, "django.db.models.functions.")


def _operator(call: Call) -> Any:
    """Fold ``Q | Q``, ``Q & Q``, ``~Q`` and ``F(...) * x`` the way Django's operators do;
    any other operator application cannot be known statically."""
    name = call.path[len("operator.") :]
    args = call.args
    if name == "invert" and isinstance(args[0], Call) and args[0].path == Q:
        q = args[0]
        return Call(Q, q.args, {**{k: v for k, v in q.kwargs.items() if k != "_negated"},
                                **({} if q.kwargs.get("_negated") else {"_negated": True})})  # fmt: skip
    if name in ("or_", "and_") and all(isinstance(a, Call) and a.path == Q for a in args):
        connector = "OR" if name == "or_" else "AND"
        children: list = []
        for q in args:  # tree.Node.add: a same-connector or single-child Q is flattened
            q_connector = q.kwargs.get("_connector", "AND")
            if not q.kwargs.get("_negated") and (q_connector == connector or len(q.args) == 1):
                children.extend(q.args)
            else:
                children.append(q)
        return _q(Call(Q, tuple(children), {"_connector": connector}))
    if name in CONNECTORS and any(isinstance(a, Call) and a.path.startswith(EXPRESSIONS) for a in args):
        left, right = (a if isinstance(a, Call) else Call(VALUE, (a,), {}) for a in args)
        return Call(COMBINED, (left, CONNECTORS[name].replace("%%", "%"), right), {})
    return Opaque(render(call))


def normalise_object(value: Any) -> Any:
    """Normalise every known Django object inside a value (innermost first)."""
    if isinstance(value, Call):
        inner = Call(
            value.path,
            tuple(normalise_object(a) for a in value.args),
            {k: normalise_object(v) for k, v in value.kwargs.items()},
        )
        if inner.path.startswith("operator."):
            return _operator(inner)
        normaliser = NORMALISERS.get(inner.path)
        if normaliser is None and "Index" in inner.path.rsplit(".", 1)[-1] and not inner.path.startswith("django."):
            # a project's Index subclass: Index.__init__ still turns positional names into F()
            return Call(inner.path, _expressions(inner.args), inner.kwargs)
        return normaliser(inner) if normaliser else inner
    if isinstance(value, list):
        return [normalise_object(v) for v in value]
    if isinstance(value, tuple):
        return tuple(normalise_object(v) for v in value)
    if isinstance(value, dict):
        return {k: normalise_object(v) for k, v in value.items()}
    return value
