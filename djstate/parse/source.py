"""Reading a file's bytes into a libcst module, with every failure turned into a Problem."""

from __future__ import annotations

import codecs
import io
import re
import tokenize

import libcst as cst

from djstate.facts.model import Problem, Span

MAX_BYTES = 4 * 1024 * 1024  # larger .py files are generated data, not models or migrations

_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")


def decode(data: bytes) -> tuple[str | None, Problem | None]:
    """Decode Python source bytes the way the interpreter would (BOM, PEP 263 cookie)."""
    if len(data) > MAX_BYTES:
        return None, Problem("too-large", f"file is {len(data)} bytes, over the {MAX_BYTES} limit")
    if b"\0" in data:
        return None, Problem("binary", "file contains NUL bytes; not Python source")
    encoding = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    else:
        for line in data.splitlines()[:2]:
            match = _CODING.match(line)
            if match:
                encoding = match.group(1).decode("ascii")
                break
    try:
        return data.decode(encoding), None
    except LookupError:
        return None, Problem("encoding", f"unknown source encoding {encoding!r}")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return None, Problem(
            "encoding", f"not valid {encoding}: byte {exc.object[exc.start]:#x} cannot be decoded", Span(line, 1)
        )


def parse(text: str) -> tuple[cst.Module | None, Problem | None]:
    """Parse source text; a syntax error becomes a Problem with its position."""
    try:
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as exc:
        span = Span(exc.raw_line, exc.raw_column + 1)
        if exc.message.startswith("tokenizer error"):
            span = _tokenizer_error_span(text) or span  # libcst reports these at 1:1
        return None, Problem("syntax", f"syntax error: {exc.message}", span)
    except (RecursionError, MemoryError, ValueError) as exc:  # pathological nesting
        return None, Problem("syntax", f"cannot parse: {type(exc).__name__}")


def _tokenizer_error_span(text: str) -> Span | None:
    """Where the standard tokenizer (no compilation) first fails."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.ERRORTOKEN and not token.string.isspace():
                return Span(token.start[0], token.start[1] + 1)
    except tokenize.TokenError as exc:
        line, column = exc.args[1] if len(exc.args) > 1 else (1, 0)
        return Span(line, column + 1)
    except (SyntaxError, IndentationError) as exc:
        return Span(exc.lineno or 1, (exc.offset or 1))
    return None
