"""What wagtail's ``StreamField(...).deconstruct()`` returns, as far as djstate can know it.

``StreamField(block_types, use_json_field=True, block_lookup=None, **kwargs)`` (wagtail 6.2 to
8.0) takes ``min_num``, ``max_num``, ``block_counts`` and ``collapsed`` out of its kwargs for
the top-level block, ignores ``use_json_field``, and hands the rest to ``models.Field``. Its
``deconstruct`` writes Field's kwargs plus the block definitions: ``args=[[(name, id), ...]]``
and ``block_lookup={id: (path, args, kwargs)}`` (older wagtail: the block instances in args).

Django's autodetector compares the whole deconstruction, so a change of ``null`` or ``blank``
makes ``makemigrations`` write an AlterField, and so does a change of a block. Blocks are
instances of classes of wagtail or the project whose deconstruct djstate does not emulate: the
definitions are held as one leaf kwarg (``BLOCKS``) that is never known, so drift compares the
field on its other kwargs and leaves the blocks unjudged (``drift.LEAF_KWARGS``).
"""

from __future__ import annotations

from typing import Any

from djstate.facts.values import Opaque

STREAM_FIELD = "wagtail.fields.StreamField"
# the deconstructed block definitions (args and block_lookup) as one kwarg of djstate's
BLOCKS = "block_types"
PARAMS = ("block_types", "use_json_field", "block_lookup")
# StreamField.__init__ pops these for the top-level StreamBlock: its deconstruct never writes them
BLOCK_OPTIONS = ("min_num", "max_num", "block_counts", "collapsed")


def deconstruct_stream_field(args: tuple, kwargs: dict[str, Any]) -> Any:
    """A :class:`FieldState` of ``StreamField(*args, **kwargs)``: Field's kwargs as
    ``models.Field`` deconstructs them, the block definitions an unknown leaf."""
    from djstate.state.fields import FIELD_PARAMS, FieldState, deconstruct  # fields imports this module

    attrs = dict(kwargs)
    if len(args) > len(PARAMS) or any(p in attrs for p in PARAMS[: len(args)]):
        return FieldState(STREAM_FIELD, dict(kwargs), tuple(args), known=False)  # a TypeError in Python
    attrs.update(zip(PARAMS, args))
    for key in (*PARAMS, *BLOCK_OPTIONS):
        attrs.pop(key, None)
    if any(k not in FIELD_PARAMS for k in attrs):  # Field.__init__ would reject it: not a field djstate knows
        return FieldState(STREAM_FIELD, dict(kwargs), tuple(args), known=False)
    state = deconstruct("django.db.models.Field", (), attrs)
    state.path = STREAM_FIELD
    state.kwargs[BLOCKS] = Opaque("StreamField block definitions")
    state.known = False  # the blocks: drift compares the other kwargs (a leaf's convention)
    return state
