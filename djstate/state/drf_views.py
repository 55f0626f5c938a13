"""N+1 in DRF list views (DJS506): a view whose serializer reads, for every object of the
queryset, a relation the queryset neither selects nor prefetches, or runs a query of its own.

What the serializer reads: a declared field with a dotted ``source`` through a foreign key or
one-to-one relation, a nested serializer on a relation, and what a method field's
``get_<name>(self, obj)`` reads on ``obj`` (parse.serializer_methods). A read of a many-valued
relation through ``all()``, ``count()`` or ``exists()`` is served by ``prefetch_related``; one
through ``aggregate()``, ``filter()`` and the like queries per object whatever was prefetched.
"""

from __future__ import annotations

from typing import Any

from djstate.facts.queries import QueryFacts
from djstate.facts.values import Ref

# view methods that may change what is queried or serialized: such views are not judged
VIEW_HOOKS = {"get_serializer_class", "get_serializer", "list", "retrieve", "get_object", "filter_queryset",
              "paginate_queryset", "get_serializer_context"}  # fmt: skip
# DRF classes whose GET serializes every object of the queryset (the others serialize one: no N+1)
LISTING_VIEWS = {"ListAPIView", "ListCreateAPIView", "ModelViewSet", "ReadOnlyModelViewSet", "ListModelMixin"}
# a related manager's methods that a prefetch_related cache answers (RelatedManager.get_queryset()
# returns the prefetched QuerySet; count() and exists() read its result cache)
PREFETCH_SERVED = {"all", "count", "exists"}
# ... and those that build a new query on it: one per object, prefetched or not
PER_OBJECT_QUERY = {"aggregate", "filter", "exclude", "annotate", "order_by", "values", "values_list", "get",
                    "latest", "earliest", "distinct", "select_related", "prefetch_related", "only", "defer"}  # fmt: skip


def judge_views(judge: Any, path: str, facts: QueryFacts, models: dict) -> None:
    """Judge the module's DRF views (``judge``: the QueryJudge; ``models``: chain -> model)."""
    if judge.serializers is None:
        return
    for view in facts.views:
        if not view.bases or not all(b.startswith("rest_framework.") for b in view.bases):
            continue  # an in-tree or third-party base may change the queryset or the serializer
        if set(view.methods) & VIEW_HOOKS or view.serializer is None:
            continue
        if not any(b.rsplit(".", 1)[-1] in LISTING_VIEWS for b in view.bases) or "get" in view.methods:
            continue  # a retrieve, create or update view serializes one object; a get() of its own may not list
        chain, info = facts.chains[view.chain], models.get(view.chain)
        if info is None or chain.root != "manager" or view.chain in judge.own_rows or judge.lookups.certain(info) is not None:
            continue
        target = judge.resolve_value(Ref(view.serializer))
        serializer = judge.serializers.by_path(target.path) if isinstance(target, Ref) else None
        if serializer is None or not serializer.known or not serializer.is_model or not serializer.declared_known:
            continue
        result = judge.serializers.result(serializer)
        if result.model is None or result.model.key != info.key or not result.names_certain:
            continue
        missing: list[tuple[str, str, Any]] = []
        accessors = judge.lookups.accessors(info)

        def note(first: str, name: str, hop: Any) -> None:
            if judge.covered(chain, first, hop) is False and first not in [m[0] for m in missing]:
                missing.append((first, name, hop))

        for declared in serializer.declared.values():
            if declared.name not in result.fields or declared.kwargs.get("write_only") is True:
                continue
            if declared.drf_class == "SerializerMethodField":
                _method_reads(judge, view, serializer, declared, info, accessors, note)
                continue
            if declared.custom:
                continue
            source = declared.source if isinstance(declared.source, str) else declared.name
            first = source.split(".")[0]
            hop = accessors.get(first)
            if hop is None or not ("." in source and hop.single or declared.serializer is not None):
                continue
            note(first, declared.name, hop)
        if missing:
            names = ", ".join(f"'{first}' (field {name})" for first, name, _ in missing)
            single = [m[0] for m in missing if m[2].single]
            many = [m[0] for m in missing if not m[2].single]
            fix = " and ".join(
                f".{how}({', '.join(repr(n) for n in group)})"
                for how, group in (("select_related", single), ("prefetch_related", many)) if group
            )
            judge.problem("DJS506", path, view.span, info,
                          f"{view.view} serializes {serializer.name} for every {info.name} of its queryset, which "
                          f"neither selects nor prefetches {names}: one query per object. Add {fix}")  # fmt: skip


def _method_reads(judge: Any, view: Any, serializer: Any, declared: Any, info: Any, accessors: dict, note: Any) -> None:
    """A method field's reads on the object: loads to cover, and queries no prefetch saves."""
    method = declared.kwargs.get("method_name")
    method = method if isinstance(method, str) else f"get_{declared.name}"
    reads = judge.object_reads.get(serializer.path, {}).get(method)
    if reads is None:
        return  # a method of a base class, or one that rebinds its object: not read
    for read in reads:
        hop = accessors.get(read.attribute)
        if hop is None:
            continue
        if hop.single or read.called in PREFETCH_SERVED:
            note(read.attribute, declared.name, hop)
        elif read.called in PER_OBJECT_QUERY and (serializer.file, read.span) not in judge.per_object_reported:
            judge.per_object_reported.add((serializer.file, read.span))
            judge.problem("DJS506", serializer.file, read.span, info,
                          f"{serializer.name}.{method}() runs obj.{read.attribute}.{read.called}() for every "
                          f"{info.name} that {view.view} lists: one query per object, which prefetch_related "
                          f"cannot save. Compute it in {view.view}'s queryset (.annotate(...)) and read the "
                          f"annotation in {method}()")  # fmt: skip
