"""The custom protocol (docs/protocol.md): `ctxlens/cloneClasses`, `ctxlens/budget`,
`ctxlens/tokens` and the `ctxlens/budgetChanged` notification's name."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ctxlens.lsp.positions import is_past_end, split_lines, text_in_range
from ctxlens.lsp.view import View
from ctxlens.tokens import count_tokens

CLONE_CLASSES = "ctxlens/cloneClasses"
BUDGET = "ctxlens/budget"
TOKENS = "ctxlens/tokens"
BUDGET_CHANGED = "ctxlens/budgetChanged"


def plain(value: Any) -> Any:
    """pygls hands custom params over as namedtuples; the handlers want JSON values."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def params_object(params: Any, method: str) -> dict[str, Any]:
    value = plain(params)
    if value is None or value == []:
        return {}
    if not isinstance(value, dict):
        raise JsonRpcInvalidParams(message=f"{method}: params must be an object")
    return value


def clone_classes(view: View, path: str | None) -> dict[str, Any]:
    classes = view.snap.classes_in(path) if path is not None else view.snap.sorted_classes()
    out = []
    for c in classes:
        out.append({
            "id": c.id, "kind": c.kind, "similarity": round(c.similarity, 4),
            "tokensSaved": c.tokens_saved, "collapsed": view.collapsed(c),
            "canonical": c.canonical,
            "members": [{"uri": view.uri_of(m.path), "path": m.path, "name": m.name,
                         "range": _range_json(view.span(m.path, m.start_line, m.end_line)),
                         "tokens": m.tokens} for m in c.members],
        })
    return {"model": view.snap.model.name, "encoding": view.snap.encoding,
            "indexing": view.snap.indexing, "classes": out}


def _range_json(r: types.Range) -> dict[str, Any]:
    return {"start": {"line": r.start.line, "character": r.start.character},
            "end": {"line": r.end.line, "character": r.end.character}}


def parse_range(raw: Any) -> types.Range:
    try:
        start, end = raw["start"], raw["end"]
        values = [start["line"], start["character"], end["line"], end["character"]]
    except (KeyError, TypeError) as err:
        raise JsonRpcInvalidParams(message=f"range: expected {{start, end}} positions ({err})"
                                   ) from None
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise JsonRpcInvalidParams(message="range: positions must be non-negative integers")
    rng = types.Range(start=types.Position(line=values[0], character=values[1]),
                      end=types.Position(line=values[2], character=values[3]))
    if (rng.end.line, rng.end.character) < (rng.start.line, rng.start.character):
        raise JsonRpcInvalidParams(message="range: end comes before start")
    return rng


def tokens_of(view: View, text: str, raw_range: Any, position_encoding: str) -> dict[str, Any]:
    if raw_range is not None:
        rng = parse_range(raw_range)
        lines = split_lines(text)
        for pos in (rng.start, rng.end):
            if is_past_end(lines, pos, position_encoding):
                raise JsonRpcInvalidParams(
                    message=f"range: position {pos.line}:{pos.character} is past the end of "
                            f"the document ({len(lines)} lines)")
        text = text_in_range(text, rng, position_encoding)
    return {"tokens": count_tokens(text, view.snap.encoding), "encoding": view.snap.encoding,
            "model": view.snap.model.name}
