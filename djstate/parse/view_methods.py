"""The classes a DRF view's ``get_serializer_class`` returns and its ``get_serializer``
instantiates: ``if self.request.method == "POST": return ExportCreateSerializer`` makes
``ExportCreateSerializer`` a serializer the view uses, although ``serializer_class`` names
another. DJS405 asks whether that view passes the columns the serializer leaves out."""

from __future__ import annotations

from typing import Any

import libcst as cst

from djstate.facts.values import Opaque, Ref
from djstate.parse.expressions import ExpressionReader, LocalNamesReader
from djstate.parse.function_body import FunctionBody

# method -> what its return value is: the class itself, or an instance (a call of the class)
SERIALIZER_GETTERS = {"get_serializer_class": "class", "get_serializer": "instance"}


def _plain_name(node: cst.BaseExpression) -> bool:
    """A name or a dotted name (``serializers.X``), not an attribute of a call's result."""
    while isinstance(node, cst.Attribute):
        node = node.value
    return isinstance(node, cst.Name)


def _alternatives(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    """``A if x else B`` may give either; anything else gives itself."""
    if isinstance(node, cst.IfExp):
        return _alternatives(node.body) + _alternatives(node.orelse)
    return [node]


def returned_classes(func: cst.FunctionDef, reader: ExpressionReader) -> tuple[Ref, ...]:
    """The classes ``get_serializer_class`` returns by name (``return X``, ``return mod.X``,
    either branch of ``X if c else Y``), or ``get_serializer`` returns an instance of
    (``return X(*args, **kwargs)``), each as the path its name resolves to. A name the method
    binds itself (a parameter, an assignment) is left out: what it holds is decided at runtime;
    one it imports (``from .serializers import X``) is read as the import says. Other return
    values (``super().get_serializer_class()``, ``self.serializer_classes[...]``) give nothing."""
    kind = SERIALIZER_GETTERS.get(func.name.value)
    if kind is None:
        return ()
    body = FunctionBody.of(func, reader.scope)
    params = func.params
    every = [*params.posonly_params, *params.params, *params.kwonly_params]
    every += [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
    local: dict[str, Any] = {name: ref for name, ref in body.imported.items() if name not in body.bound}
    for name in body.bound | {p.name.value for p in every}:
        local[name] = Opaque(name)
    if "*" in body.bound:
        return ()  # a star import inside the method may bind any name
    scoped = LocalNamesReader(reader, local)  # a local import reads as it imports, other local names are unknown
    out: list[Ref] = []
    for value in body.returns:
        for node in _alternatives(value) if value is not None else ():
            if kind == "instance":
                if not isinstance(node, cst.Call):
                    continue
                node = node.func
            if not _plain_name(node):
                continue  # `super().x`, a subscript, a call's result
            read = scoped.read(node)
            if isinstance(read, Ref) and read not in out:
                out.append(read)
    return tuple(out)
