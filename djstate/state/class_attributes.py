"""What a class body's attribute may be, judged from its rendered source alone: plain values
and builtin descriptors that are never model fields, one call that may build one, an instance
of a class, a ``Meta`` that belongs to a model, and the names a known ``contribute_to_class``
gives the class. The models builder (djstate.state.models) asks these where it cannot follow
the value's class.
"""

from __future__ import annotations

import re

from djstate.facts.model import ClassFacts
from djstate.facts.values import SPLICE, Call
from djstate.state.paths import canonical_path


# classes outside the tree whose contribute_to_class is read (the source in the oracle venvs):
# the names it gives the model class beside the attribute itself. django-simple-history 3.x's
# HistoricalRecords sets save_without_historical_record (and the attribute, as a descriptor);
# with related_name= its historical model's FK gives the model that reverse accessor too.
CONTRIBUTED_NAMES = {"simple_history.models.HistoricalRecords": frozenset({"save_without_historical_record"})}


def _contributed_names(value: Call) -> frozenset[str] | None:
    added = CONTRIBUTED_NAMES.get(canonical_path(value.path))
    if added is None or value.args or set(value.kwargs) & {"related_name", "custom_model_name", "bases"}:
        return None  # positional options, or a reverse accessor / model djstate does not name
    return added


def _capitalised(path: str) -> bool:
    name = path.rsplit(".", 1)[-1]
    return name[:1].isupper() and not name.endswith(("Manager", "QuerySet"))


# `make_field(...)`: one call whose result could be a field (lists, sums, lambdas cannot)
def _splice_only(source: str) -> bool:
    """The rendering of one list or tuple display with starred parts, ``djstate.splice(...)``,
    and nothing after its closing parenthesis."""
    if not source.startswith(SPLICE + "("):
        return False
    depth, quote = 0, ""
    for index, char in enumerate(source):
        if quote:
            quote = "" if char == quote and source[index - 1] != "\\" else quote
        elif char in "'\"":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return index == len(source) - 1
    return False


_SINGLE_CALL = re.compile(r"^[\w.]+(?:\[[^\]]*\])*\(.*\)$", re.DOTALL)  # `f(...)`, `FIELDS["name"](...)`
# callables that build plain values, never an object with contribute_to_class (what ModelBase adds)
PLAIN_VALUE_BUILTINS = {"set", "frozenset", "dict", "list", "tuple", "str", "int", "float", "bool", "bytes", "range", "len",
                        "abs", "round", "sum", "sorted", "min", "max"}  # fmt: skip
PLAIN_VALUE_MODULES = {
    "collections", "re", "datetime", "decimal", "uuid", "pathlib", "logging", "threading", "weakref", "string",
    "hashlib", "math", "zoneinfo", "ipaddress", "fractions", "os", "json",
}  # fmt: skip
_STRING_LITERAL = re.compile(r"'[^'\\\n]*(?:\\.[^'\\\n]*)*'" r'|"[^"\\\n]*(?:\\.[^"\\\n]*)*"')
# methods of those values that return plain values again (`set(A).difference(B)`)
PLAIN_VALUE_METHODS = {"difference", "union", "intersection", "symmetric_difference", "copy", "lower", "upper",
                       "strip", "split", "join", "format", "replace", "keys", "values", "items"}  # fmt: skip


def _plain_value_call(source: str) -> bool:
    """Whether a class attribute's source is a call that can only build a plain value: a builtin
    constructor or a function of a standard-library module that returns data (optionally followed by
    methods of that value), read as text: `collections.defaultdict(builtins.set)`, `re.compile(...)`."""
    match = re.match(r"([\w.]+)\(", source)
    if match is None:
        return False
    callee = match.group(1).removeprefix("builtins.")
    if callee not in PLAIN_VALUE_BUILTINS and callee.split(".")[0] not in PLAIN_VALUE_MODULES:
        return False
    rest = _STRING_LITERAL.sub("0", source[match.end() - 1:])  # parentheses inside strings do not count
    while rest:
        depth, end = 0, None
        for index, char in enumerate(rest):  # the call's closing parenthesis (strings with parens: give up)
            if char in "'\"":  # a string djstate could not delimit
                return False
            depth += char == "("
            depth -= char == ")"
            if depth == 0:
                end = index
                break
        if end is None:
            return False
        rest = rest[end + 1:]
        method = re.match(r"\.(\w+)\(", rest)
        if rest and (method is None or method.group(1) not in PLAIN_VALUE_METHODS):
            return False
        rest = rest[method.end() - 1:] if method else ""
    return True


_DESCRIPTOR_CALL = re.compile(r"^(property|classmethod|staticmethod)\(.*\)$", re.DOTALL)


def _builtin_descriptor(source: str, facts: ClassFacts, module: str) -> bool:
    """``x = property(getter)``: the parser leaves a call of an unbound name opaque, so a
    ``property`` call that is opaque is the builtin unless the class body rebinds the name.
    Beside a star import the name is read as the module's own (``ipam.models.ip.property``)."""
    found = _DESCRIPTOR_CALL.match(source.removeprefix(f"{module}."))
    rebound = {a.name for a in facts.attributes} | {m.split(":")[0] for m in facts.methods}
    return found is not None and found.group(1) not in rebound

MODEL_ONLY_OPTIONS = {
    "db_table", "ordering", "verbose_name_plural", "unique_together", "indexes", "constraints",
    "abstract", "app_label", "managed", "proxy", "get_latest_by", "default_related_name", "permissions",
}  # fmt: skip


def _model_meta(meta: ClassFacts | None) -> bool:
    """A ``Meta`` that belongs to a model: model options, no ``model =`` (forms, serializers)."""
    if meta is None:
        return False
    names = {a.name for a in meta.attributes}
    return "model" not in names and bool(names & MODEL_ONLY_OPTIONS or meta.bases)
