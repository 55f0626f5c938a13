"""Nothing aborts a scan: an unforeseen shape in one unit (a file's facts, a model, a
serializer, a rule, the settings, the graph) is caught where that unit is handled, recorded
as an :class:`InternalError`, and the scan goes on without it (DJS000 reports it)."""

from __future__ import annotations

import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

SUMMARY_LIMIT = 300


@dataclass(frozen=True)
class InternalError:
    unit: str  # what was skipped: "model shop.Book", "rule DJS212", "facts of shop/models.py"
    path: str  # the file to report it at (relative to the root when inside it); "" when unknown
    line: int  # 0 when unknown
    summary: str  # "TypeError: 'Opaque' object is not iterable"
    traceback: str  # shown by `djstate scan --debug`


def summarize(exc: BaseException) -> str:
    """The exception's one-line summary, as Python's last traceback line says it."""
    text = " ".join(str(exc).split())
    summary = f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return summary if len(summary) <= SUMMARY_LIMIT else summary[: SUMMARY_LIMIT - 3] + "..."


def internal_error(exc: BaseException, unit: str, path: str = "", line: int = 0, trace: str | None = None) -> InternalError:
    if trace is None:
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return InternalError(unit, path or "", line or 0, summarize(exc), trace)


class Outcome:
    failed = False


@contextmanager
def isolated(errors: list, unit: str, path: str = "", line: int = 0) -> Iterator[Outcome]:
    """Run the body as one unit: an exception is recorded in ``errors`` and swallowed.

    ``outcome.failed`` tells the caller afterwards, to drop a half-built result."""
    outcome = Outcome()
    try:
        yield outcome
    except Exception as exc:  # an unforeseen shape: a djstate bug, reported as DJS000
        outcome.failed = True
        errors.append(internal_error(exc, unit, path, line))
