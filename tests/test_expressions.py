"""Reading expressions without evaluating them: expectations written from Python's semantics."""

from __future__ import annotations

import pytest

from djstate.facts.values import Call, Opaque, Ref, render
from djstate.parse import parse_file


def constant(source: str, name: str = "X"):
    facts = parse_file("m.py", "pkg.m", source.encode(), "module")
    return facts.module_facts.constants[name]


@pytest.mark.parametrize(
    "source,expected",
    [
        ("X = 'a\\tb'", "a\tb"),
        ("X = r'a\\tb'", "a\\tb"),
        ("X = b'\\x00\\xff'", b"\x00\xff"),
        ("X = 'caf\\u00e9 \\N{BULLET}'", "café •"),
        ("X = 'a' 'b' \"c\"", "abc"),
        ("X = '''multi\nline'''", "multi\nline"),
        ("X = f'plain {{x}}'", "plain {x}"),
        ("X = 1_000 + 0x10 - -2", 1018),
        ("X = 60 * 60 * 24", 86400),
        ("X = 'a' + 'b'", "ab"),
        ("X = (1,)", (1,)),
        ("X = {'b': 1, **{'a': 2}}", {"b": 1, "a": 2}),
        ("X = {1, 2}", frozenset({1, 2})),
        ("X = set()", frozenset()),
        ("X = [*[1, 2], 3]", [1, 2, 3]),
        ("X = None", None),
        ("X = not True", False),
    ],
)
def test_literals(source, expected):
    assert constant(source) == expected


def test_names_resolve_through_imports():
    source = (
        "from django.db import models as m\n"
        "import django.db.models.deletion\n"
        "from django.utils.translation import gettext_lazy as _\n"
        "from .fields import Money\n"
        "A = m.CASCADE\nB = django.db.models.deletion.PROTECT\nC = _('Name')\n"
        "D = Money(max_digits=4)\nE = unknown_name\nF = f'{A}'\n"
    )
    assert constant(source, "A") == Ref("django.db.models.CASCADE")
    assert constant(source, "B") == Ref("django.db.models.deletion.PROTECT")
    assert constant(source, "C") == "Name"
    assert constant(source, "D") == Call("pkg.fields.Money", (), {"max_digits": 4})
    assert isinstance(constant(source, "E"), Opaque)
    assert isinstance(constant(source, "F"), Opaque)


def test_conditional_constants_are_opaque():
    source = "import os\nif os.environ.get('X'):\n    X = 1\nelse:\n    X = 2\n"
    assert isinstance(constant(source), Opaque)


def test_render_is_canonical():
    assert render({"b": 1, "a": (1,)}) == "{'a': (1,), 'b': 1}"
    assert render(frozenset({"b", "a"})) == "{'a', 'b'}"
    assert render(Call("x.Y", (1,), {"b": 2, "a": 1})) == "x.Y(1, a=1, b=2)"


def test_translation_calls_with_named_parameters_are_their_text():
    # mayan-edms writes verbose_name=_(message='UUID'); Django's migration writer stores 'UUID'
    source = (
        "from django.utils.translation import gettext_lazy as _, pgettext_lazy\n"
        "A = _(message='UUID')\nB = pgettext_lazy('month', message='May')\n"
        "C = pgettext_lazy(context='month', message='May')\nD = _(message='x', other=1)\n"
    )
    assert constant(source, "A") == "UUID"
    assert constant(source, "B") == "May"
    assert constant(source, "C") == "May"
    assert constant(source, "D") == Call("django.utils.translation.gettext_lazy", (), {"message": "x", "other": 1})
