"""FunctionBody: what one function body returns and binds (the parse layer's shared reader for
settings importers and DRF views' get_serializer_class)."""

import libcst as cst
from libcst.metadata import MetadataWrapper

from djstate.parse.expressions import Scope
from djstate.parse.function_body import FunctionBody, target_names
from djstate.parse.importers import extract_importers


def _body(source: str) -> FunctionBody:
    func = cst.parse_module(source).body[0]
    return FunctionBody.of(func, Scope("app.views", is_package=False))


def test_returns_yields_and_bound_names_stop_at_nested_scopes():
    body = _body(
        "def f(x):\n"
        "    a, *b = x\n"
        "    ys = [y for y in x]\n"
        "    def inner():\n        return 1\n"
        "    with open(x) as fh:\n        pass\n"
        "    from .serializers import S\n"
        "    if x:\n        return\n"
        "    return S\n"
    )
    assert body.bound == {"a", "b", "ys", "inner", "fh"}  # not the comprehension's y
    assert [None if r is None else cst.Module([]).code_for_node(r) for r in body.returns] == [None, "S"]
    assert body.imported["S"].path == "app.serializers.S"
    assert not body.yields and _body("def g(x):\n    yield x\n").yields


def test_target_names_in_order():
    target = cst.parse_expression("(a, [b, *c])")
    assert target_names(target) == ["a", "b", "c"]
    assert target_names(cst.parse_expression("self.x")) == []


def _importers(source: str) -> dict:
    module = MetadataWrapper(cst.parse_module(source)).module
    scope = Scope("app.loaders", is_package=False)
    scope.collect(module, None)
    return extract_importers(module, scope)


def test_an_importer_that_rebinds_its_parameter_is_not_one():
    plain = "from django.utils.module_loading import import_string\n\ndef load(path):\n    return import_string(path)\n"
    rebinds = plain.replace("    return", "    path = 'x.Y'\n    return")
    in_comprehension = plain.replace("    return", "    names = [path for path in ()]\n    return")
    assert _importers(plain) == {"load": ("django.utils.module_loading.import_string",)}
    assert _importers(rebinds) == {}
    assert _importers(in_comprehension) == _importers(plain)
