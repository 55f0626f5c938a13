"""Values that are equal but spelled differently: ``timedelta(hours=6)`` in a model and
``datetime.timedelta(seconds=21600)`` in its migration, ``logging.DEBUG`` and ``10``.

Django compares the deconstructed *values*; djstate compares text. Where a value is built
by a standard-library constructor from literals, or names a standard-library constant,
djstate computes it (with the standard library, never the project's code) and compares
the results. Where a part cannot be computed the comparison is unknowable, never "differs".
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from typing import Any

from djstate.facts.values import Call, Opaque, Ref, render

# Standard-library constants projects use in defaults and choices (values fixed by the language).
STDLIB_CONSTANTS: dict[str, Any] = {
    "logging.CRITICAL": 50, "logging.FATAL": 50, "logging.ERROR": 40, "logging.WARNING": 30,
    "logging.WARN": 30, "logging.INFO": 20, "logging.DEBUG": 10, "logging.NOTSET": 0,
    "math.pi": 3.141592653589793, "math.e": 2.718281828459045, "math.inf": float("inf"),
    "math.tau": 6.283185307179586,
    "datetime.MINYEAR": 1, "datetime.MAXYEAR": 9999,
}  # fmt: skip

_CONSTRUCTORS = {
    "datetime.timedelta": datetime.timedelta,
    "datetime.date": datetime.date,
    "datetime.time": datetime.time,
    "datetime.datetime": datetime.datetime,
    "decimal.Decimal": decimal.Decimal,
    "uuid.UUID": uuid.UUID,
}
_PLAIN = (bool, int, float, str, bytes, type(None))


class _Unknowable(Exception):
    pass


def comparable(value: Any) -> str | None:
    """Text that is equal exactly when the values are; None when a part cannot be computed."""
    try:
        return render(_evaluate(value))
    except _Unknowable:
        return None


def _evaluate(value: Any) -> Any:
    if isinstance(value, Ref) and value.path in STDLIB_CONSTANTS:
        return STDLIB_CONSTANTS[value.path]
    if isinstance(value, Call) and value.path in _CONSTRUCTORS:
        args = [_evaluate(a) for a in value.args]
        kwargs = {k: _evaluate(v) for k, v in value.kwargs.items()}
        if not all(isinstance(v, _PLAIN) for v in [*args, *kwargs.values()]):
            raise _Unknowable
        try:
            result = _CONSTRUCTORS[value.path](*args, **kwargs)
        except (TypeError, ValueError, OverflowError, decimal.InvalidOperation):
            raise _Unknowable from None
        if isinstance(result, decimal.Decimal):
            return Opaque(f"decimal.Decimal({str(result.normalize())!r})")  # Decimal('1.0') == Decimal('1.00')
        return Opaque(f"{value.path}:{result!r}")  # the canonical repr
    if isinstance(value, Call):
        return Call(value.path, tuple(_evaluate(a) for a in value.args), {k: _evaluate(v) for k, v in value.kwargs.items()})
    if isinstance(value, Ref) and _constant_name(value.path) and not value.path.startswith("django."):
        raise _Unknowable  # a constant of another module: its value is not known here
    if isinstance(value, Opaque):
        raise _Unknowable
    if isinstance(value, list):
        return [_evaluate(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_evaluate(v) for v in value)
    if isinstance(value, dict):
        return {_evaluate(k): _evaluate(v) for k, v in value.items()}
    if isinstance(value, frozenset):
        return frozenset(_evaluate(v) for v in value)
    return value


def _constant_name(path: str) -> bool:
    name = path.rsplit(".", 1)[-1]
    return name.isupper() and any(c.isalpha() for c in name)
