"""``djstate context``: a compact snapshot of an app's current state, for coding assistants.

Per app: the models with their fields (class and the kwargs that change behaviour or schema),
every relation with its forward name and reverse accessor and query names (both directions),
the managers and the querysets behind them with their public methods, Meta indexes and
constraints, the last five migrations (name, dependencies, one line per operation), the
serializers bound to its models with DRF's field names, the app's open findings, and what
djstate could not judge for it, so the reader knows where the snapshot is blind.

Everything comes from one scan (source only, never imported). The snapshot is data
(:func:`app_snapshot`); :func:`render_markdown` writes it and :func:`fit` trims it to a token
budget, dropping the least useful parts first. Tokens are estimated at four characters each.
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

from djstate.facts.values import Call, Ref, render
from djstate.snapshot.relations import model_relations
from djstate.state.class_bases import class_chain
from djstate.state.paths import canonical_value

MIGRATIONS_SHOWN = 5
# kwargs worth an assistant's tokens: schema, behaviour, validation; not labels and help texts
KEPT_KWARGS = (
    "primary_key", "max_length", "max_digits", "decimal_places", "null", "blank", "unique", "db_index",
    "default", "choices", "on_delete", "auto_now", "auto_now_add", "editable", "db_column", "to_field",
    "through", "size", "base_field",
)  # fmt: skip
UNVERIFIED_LISTED = 12  # Markdown lists this many unjudged items, then counts the rest by reason
LONG_VALUE = 60  # characters of a rendered default or choices before it is shortened


def tokens(text: str) -> int:
    """Four characters a token: close to tiktoken's count on code and Markdown."""
    return (len(text) + 3) // 4


def _short(text: str, limit: int = LONG_VALUE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _kwarg(key: str, value: Any) -> str:
    if key == "choices" and isinstance(value, (list, tuple)):
        values = [render(c[0]) if isinstance(c, (list, tuple)) and c else render(c) for c in value]
        return _short(f"choices=[{', '.join(values)}]")
    if key == "on_delete" and isinstance(value, Ref):
        return value.path.rsplit(".", 1)[-1]
    if value is True:
        return key
    return f"{key}={_short(render(value))}"


def _field(name: str, state: Any) -> dict:
    kwargs = [_kwarg(k, state.kwargs[k]) for k in KEPT_KWARGS if k in state.kwargs and k not in ("to", "through")]
    return {"name": name, "type": state.path.rsplit(".", 1)[-1], "kwargs": kwargs, **({} if state.known else {"unverified": True})}


def _methods(builder: Any, path: str) -> list[str]:
    """Public methods a manager or queryset class and its in-tree bases define."""
    chain = class_chain(path, builder.class_facts, lambda v: builder.resolver.value(canonical_value(v)),
                        lambda p: p.startswith(("django.", "builtins.")))  # fmt: skip
    names = {m.split(":")[0] for c in chain.classes for m in c.methods}
    return sorted(n for n in names if not n.startswith("_"))


def _manager(builder: Any, value: Any) -> tuple[str, str | None]:
    """(how the manager is made, the project class whose methods it offers)."""
    value = builder.resolver.value(canonical_value(value)) if builder else value
    if isinstance(value, Call):
        short = value.path.rsplit(".", 2)
        if value.path.endswith(".as_manager"):
            return f"{short[-2]}.as_manager()", value.path.rsplit(".", 1)[0]
        if value.path.endswith(".from_queryset"):
            return render(value), None
        return f"{short[-1]}()", value.path
    return _short(render(value)), None


def operation_line(op: Any) -> str:
    args = op.args
    model = args.get("model_name") or args.get("name") if op.kind != "CreateModel" else args.get("name")
    parts = [op.kind.rsplit(".", 1)[-1]]
    if op.kind in ("AddField", "AlterField", "RemoveField"):
        parts.append(f"{args.get('model_name')}.{args.get('name')}")
        field = args.get("field")
        if isinstance(field, Call):
            parts.append(field.path.rsplit(".", 1)[-1])
    elif op.kind == "RenameField":
        parts.append(f"{args.get('model_name')}.{args.get('old_name')} -> {args.get('new_name')}")
    elif op.kind == "RenameModel":
        parts.append(f"{args.get('old_name')} -> {args.get('new_name')}")
    elif op.kind == "CreateModel":
        fields = args.get("fields")
        parts.append(f"{model}" + (f" ({len(fields)} fields)" if isinstance(fields, (list, tuple)) else ""))
    elif op.kind in ("AddIndex", "AddConstraint", "RemoveIndex", "RemoveConstraint", "RenameIndex"):
        item = args.get("index") or args.get("constraint")
        name = item.kwargs.get("name") if isinstance(item, Call) else args.get("name") or args.get("new_name")
        parts.append(f"{args.get('model_name')} {name}" if name else f"{args.get('model_name')}")
    elif isinstance(model, str):
        parts.append(model)
    return _short(" ".join(str(p) for p in parts), 90)


def _belongs(item: Any, label: str, folder: str) -> bool:
    """Whether an unjudged item is about this app: its file is in the app, or its unit names it."""
    if folder and item.path and (item.path == folder or item.path.startswith(folder + "/")):
        return True
    unit = item.unit or ""
    return f" {label}." in unit or unit.endswith((f"app {label}", f" {label}")) or f"app {label} " in unit


def app_snapshot(result: Any, label: str) -> dict:
    """Everything djstate knows about one app of a scan, as JSON-able data."""
    project = result.project
    app = project.apps[label]
    folder = app.dir.path
    state = project.models_state
    builder = project.models_builder
    models_out: list[dict] = []
    classes: dict[str, list[str]] = {}  # manager / queryset class -> its methods
    if state is not None:
        relations = model_relations(state, project.resolve_setting, getattr(builder, "_chain", None))
        forward = {(r.source, r.field): r for r in relations}
        reverse: dict[tuple[str, str], list] = {}
        for r in relations:
            if r.target is not None:
                reverse.setdefault(r.target, []).append(r)
        for key in sorted(k for k in state.models if k[0] == label):
            model = state.models[key]
            model_class = state.classes.get(key)
            entry: dict[str, Any] = {"name": model.name, "fields": [], "relations": [], "reverse": []}
            if model_class is not None:
                entry["file"] = model_class.file
            for option in ("db_table", "proxy", "managed", "ordering", "unique_together", "abstract"):
                if option in model.options:
                    entry.setdefault("options", {})[option] = _short(render(model.options[option]))
            parents = [b for b in model.bases if isinstance(b, str)]
            if parents:
                entry["parents"] = parents
            for name, field_state in model.fields.items():
                relation = forward.get((key, name))
                if relation is None:
                    entry["fields"].append(_field(name, field_state))
                    continue
                kwargs = _field(name, field_state)["kwargs"]
                entry["relations"].append({
                    "name": name, "kind": relation.kind, "to": relation.target_text, "kwargs": kwargs,
                    "related_name": relation.accessor, "related_query_name": relation.query_name,
                    **({"through": relation.through} if relation.through else {}),
                })  # fmt: skip
            for r in reverse.get(key, []):
                entry["reverse"].append({"accessor": r.accessor, "query_name": r.query_name,
                                         "from": f"{r.source[0]}.{r.source_name}.{r.field}", "kind": r.kind})  # fmt: skip
            for kind in ("indexes", "constraints"):
                items = model.options.get(kind) or []
                items = items if isinstance(items, (list, tuple)) else [items]  # a value djstate cannot read
                if items:
                    entry[kind] = [_short(render(i).replace("django.db.models.", ""), 160) for i in items]
            if model_class is not None and model_class.managers:
                entry["managers"] = []
                for name, value in model_class.managers:
                    made, path = _manager(builder, value)
                    entry["managers"].append(f"{name} = {made}")
                    if path and builder is not None and path not in classes:
                        classes[path] = _methods(builder, path)
            if key in state.unverified_models or key in state.partial_models:
                entry["partly_known"] = True
            models_out.append(entry)
    common = _common_fields(models_out)
    plan = [k for k in project.graph.plan() if k[0] == label] if project.graph else []
    migrations = []
    for key in plan[-MIGRATIONS_SHOWN:]:
        migration = project.migrations.get(key)
        if migration is None:
            continue
        migrations.append({
            "name": key[1],
            "dependencies": [f"{d.app or d.setting}.{d.name}" for d in migration.dependencies],
            "operations": [operation_line(op) for op in migration.operations],
        })  # fmt: skip
    serializers = []
    if project.serializers is not None:
        for serializer, built in project.serializers.checked():
            if built.model is None or built.model.key[0] != label:
                continue
            serializers.append({
                "name": serializer.name, "file": serializer.file, "model": built.model.name,
                "fields": list(built.fields), **({} if built.names_certain else {"fields_partly_known": True}),
            })  # fmt: skip
    findings = [
        {"code": f.code, "severity": f.severity, "path": f.path, "line": f.line, "message": f.message}
        for f in result.findings if f.app == label or (folder and f.path.startswith(folder + "/"))
    ]  # fmt: skip
    blind = [u for u in project.unjudged if _belongs(u, label, folder)]
    return {
        "app": label,
        "folder": folder or ".",
        "common_fields": common,
        "models": models_out,
        "managers": {path: methods for path, methods in sorted(classes.items())},
        "leaves": [name for a, name in project.graph.leaf_nodes(label)] if project.graph else [],
        "migrations": migrations,
        "serializers": sorted(serializers, key=lambda s: (s["file"], s["name"])),
        "findings": findings,
        "unverified": [dict(zip(("reason", "unit", "detail"), item)) for item in  # sorted: parse order varies
                       sorted({(u.reason, u.unit, _short(u.detail or "", 100)) for u in blind})],
    }


COMMON_MIN_MODELS = 3


def _common_fields(models: list[dict]) -> list[dict]:
    """Plain fields every model of the app has alike (an abstract base's ``created``,
    ``custom_field_data``...), listed once: they are taken out of each model's list."""
    if len(models) < COMMON_MIN_MODELS:
        return []
    signature = lambda f: (f["name"], f["type"], tuple(f["kwargs"]))  # noqa: E731
    shared = set.intersection(*(set(map(signature, m["fields"])) for m in models))
    if not shared:
        return []
    common = [f for f in models[0]["fields"] if signature(f) in shared]
    for model in models:
        model["fields"] = [f for f in model["fields"] if signature(f) not in shared]
    return common


# --- trimming to a budget: least useful first -------------------------------------------------------


def _group_unverified(data: dict) -> None:
    counts = Counter(u["reason"] for u in data["unverified"])
    data["unverified"] = [{"reason": r, "count": n} for r, n in counts.most_common()]


def _serializer_counts(data: dict) -> None:
    for s in data["serializers"]:
        s["fields"] = [f"{len(s['fields'])} fields"] if s["fields"] and not s["fields"][0].endswith(" fields") else s["fields"]


def _fewer_migrations(data: dict) -> None:
    data["migrations"] = data["migrations"][-2:]
    for m in data["migrations"]:
        m["operations"] = m["operations"][:3] + ([f"... {len(m['operations']) - 3} more"] if len(m["operations"]) > 3 else [])


def _no_methods(data: dict) -> None:
    data["managers"] = {path: [] for path in data["managers"]}


def _index_names(data: dict) -> None:
    for model in data["models"]:
        for kind in ("indexes", "constraints"):
            if kind in model:
                model[kind] = [i.split("name=")[-1].split(",")[0].rstrip(")") if "name=" in i else i[:40] for i in model[kind]]


def _no_kwargs(data: dict) -> None:
    for item in data.get("common_fields", []):
        item["kwargs"] = [k for k in item["kwargs"] if k in ("primary_key", "null", "unique")]
    for model in data["models"]:
        for item in model["fields"] + model["relations"]:
            item["kwargs"] = [k for k in item["kwargs"] if k in ("primary_key", "null", "unique")]


def _reverse_names_only(data: dict) -> None:
    for model in data["models"]:
        model["reverse"] = [{"accessor": r["accessor"], "from": r["from"]} for r in model["reverse"] if r["accessor"]]


def _no_plain_fields(data: dict) -> None:
    for model in data["models"]:
        model["fields"] = [f for f in model["fields"] if "primary_key" in f["kwargs"]] + (
            [{"name": f"... {len(model['fields'])} fields", "type": "", "kwargs": []}] if model["fields"] else [])


TRIMS = (_group_unverified, _serializer_counts, _fewer_migrations, _no_methods, _index_names, _no_kwargs,
         _reverse_names_only, _no_plain_fields)  # fmt: skip


def fit(data: dict, budget: int | None, render_fn) -> tuple[str, dict]:
    """The rendering within ``budget`` tokens, trimming the least useful parts first; the last
    resort cuts the text and says so."""
    text = render_fn(data)
    if budget is None or tokens(text) <= budget:
        return text, data
    data = copy.deepcopy(data)
    for trim in TRIMS:
        trim(data)
        data["trimmed"] = data.get("trimmed", []) + [trim.__name__.lstrip("_").replace("_", "-")]
        text = render_fn(data)
        if tokens(text) <= budget:
            return text, data
    cut = max(budget * 4 - 60, 0)
    return text[:cut].rsplit("\n", 1)[0] + f"\n\n(cut to the {budget}-token budget)", data


# --- Markdown -------------------------------------------------------------------------------------------


def _names(r: dict) -> str:
    if not r.get("related_name") and not r.get("accessor"):
        return "no reverse accessor" + (f", query `{r['related_query_name']}`" if r.get("related_query_name") else "")
    accessor = r.get("related_name") or r.get("accessor")
    query = r.get("related_query_name") or r.get("query_name")
    return f"reverse `{accessor}`" + (f", query `{query}`" if query and query != accessor else "")


def render_markdown(data: dict) -> str:
    out = [f"## App `{data['app']}` ({data['folder']})"]
    if data.get("trimmed"):
        out.append(f"(trimmed to its budget: {', '.join(data['trimmed'])})")
    if data["models"]:
        out.append("\n### Models")
    if data.get("common_fields"):
        out.append("Every model below also has: " + "; ".join(
            f"{f['name']} {f['type']}" + (f"({', '.join(f['kwargs'])})" if f["kwargs"] else "") for f in data["common_fields"]))
    for model in data["models"]:
        head = f"**{model['name']}**"
        extras = [f"{k}={v}" for k, v in model.get("options", {}).items()]
        if model.get("parents"):
            extras.append("parents " + ", ".join(model["parents"]))
        if model.get("partly_known"):
            extras.append("partly known to djstate")
        out.append(head + (f" ({'; '.join(extras)})" if extras else ""))
        if model["fields"]:
            out.append("- fields: " + "; ".join(
                f"{f['name']} {f['type']}" + (f"({', '.join(f['kwargs'])})" if f["kwargs"] else "") for f in model["fields"]))
        for r in model["relations"]:
            kwargs = f" ({', '.join(r['kwargs'])})" if r["kwargs"] else ""
            through = f" through {r['through']}" if r.get("through") else ""
            out.append(f"- {r['name']}: {r['kind']} -> {r['to']}{through}{kwargs}; {_names(r)}")
        if model["reverse"]:
            out.append("- reverse: " + "; ".join(
                f"`{r['accessor']}`" + (f" (query `{r['query_name']}`)" if r.get("query_name") and r.get("query_name") != r["accessor"] else "")
                + f" from {r['from']}" for r in model["reverse"] if r["accessor"]))
        if model.get("managers"):
            out.append("- managers: " + "; ".join(model["managers"]))
        for kind in ("indexes", "constraints"):
            if model.get(kind):
                out.append(f"- {kind}: " + "; ".join(model[kind]))
    if data["managers"]:
        out.append("\n### Managers and querysets")
        out += [f"- {path}" + (f": {', '.join(methods)}" if methods else "") for path, methods in data["managers"].items()]
    if data["migrations"]:
        leaves = data["leaves"]
        out.append(f"\n### Migrations (leaf {', '.join(leaves)}{'; CONFLICT: merge needed' if len(leaves) > 1 else ''})")
        own = f"{data['app']}."
        for m in data["migrations"]:
            ops = "; ".join(m["operations"]) or "no operations"
            after = ", ".join(d[len(own):] if d.startswith(own) else d for d in m["dependencies"]) or "nothing"
            out.append(f"- {m['name']} (after {after}): {ops}")
    if data["serializers"]:
        out.append("\n### Serializers")
        for s in data["serializers"]:
            partly = " (names partly known)" if s.get("fields_partly_known") else ""
            out.append(f"- {s['name']} ({s['model']}, {s['file']}): {', '.join(s['fields'])}{partly}")
    out.append("\n### Open findings")
    out += [f"- {f['code']} [{f['severity']}] {f['path']}:{f['line']} {f['message']}" for f in data["findings"]] or ["- none"]
    if data["unverified"]:
        out.append("\n### Not judged by djstate (the snapshot is blind here)")
        listed = data["unverified"] if len(data["unverified"]) <= UNVERIFIED_LISTED else data["unverified"][:UNVERIFIED_LISTED - 2]
        for u in listed:
            if "count" in u:
                out.append(f"- {u['count']} × {u['reason']}")
            else:
                out.append(f"- {u['reason']}: {u['unit']}" + (f" ({u['detail']})" if u["detail"] else ""))
        rest = Counter(u["reason"] for u in data["unverified"][len(listed):])
        if rest:
            out.append(f"- and {sum(rest.values())} more: " + ", ".join(f"{n} × {r}" for r, n in rest.most_common()))
    return "\n".join(out)


def render_json(data: dict) -> str:
    return json.dumps(data, indent=1, ensure_ascii=False)
