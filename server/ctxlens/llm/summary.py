"""The map step's answer: a JSON summary of one part, its schema, and a small validator.

The schema is standard JSON Schema (draft 2020-12) so it can be handed to other tools;
`validate` implements the subset it uses (type, required, properties, items,
additionalProperties, minLength) so the bridge needs no schema library at run time.
The tests check it against `jsonschema` on the same instances.
"""

from __future__ import annotations

import json
import re
from typing import Any

_STRINGS = {"type": "array", "items": {"type": "string"}}

SUMMARY_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ctxlens part summary",
    "type": "object",
    "required": ["modules", "notes"],
    "properties": {
        "part": {"type": "integer"},
        "modules": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["path", "responsibility", "public_interfaces", "dependencies"],
                "properties": {
                    "path": {"type": "string", "minLength": 1},
                    "responsibility": {"type": "string"},
                    "public_interfaces": _STRINGS,
                    "dependencies": _STRINGS,
                },
            },
        },
        "notes": {"type": "string"},
    },
}

_TYPES: dict[str, tuple[type, ...]] = {
    "object": (dict,), "array": (list,), "string": (str,), "integer": (int,),
    "number": (int, float), "boolean": (bool,), "null": (type(None),),
}
_FENCE = re.compile(r"```[A-Za-z]*\s*\n(.*?)\n?```", re.DOTALL)


def validate(instance: Any, schema: dict[str, Any], where: str = "$") -> list[str]:
    """Every way `instance` breaks `schema`, as `$.path: problem` lines; empty when valid."""
    kind = schema.get("type")
    if kind is not None:
        allowed = _TYPES[kind]
        ok = isinstance(instance, allowed)
        if kind in ("integer", "number") and isinstance(instance, bool):
            ok = False  # JSON true is not a number
        if not ok:
            return [f"{where}: expected {kind}, got {_json_type(instance)}"]
    problems: list[str] = []
    if isinstance(instance, str) and len(instance) < schema.get("minLength", 0):
        problems.append(f"{where}: must not be empty")
    if isinstance(instance, dict):
        for key in schema.get("required", ()):
            if key not in instance:
                problems.append(f"{where}: missing key {key!r}")
        props: dict[str, Any] = schema.get("properties", {})
        for key, value in instance.items():
            if key in props:
                problems += validate(value, props[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                problems.append(f"{where}: unexpected key {key!r}")
    if isinstance(instance, list) and "items" in schema:
        for i, item in enumerate(instance):
            problems += validate(item, schema["items"], f"{where}[{i}]")
    return problems


def _json_type(value: Any) -> str:
    names = ((bool, "boolean"), (int, "integer"), (float, "number"), (str, "string"),
             (list, "array"), (dict, "object"), (type(None), "null"))
    return next((name for kind, name in names if isinstance(value, kind)),
                type(value).__name__)


def parse_summary(answer: str) -> tuple[dict[str, Any] | None, list[str]]:
    """The summary in `answer` (bare JSON, or inside a ``` fence), or None with the problems."""
    text = answer.strip()
    fenced = _FENCE.search(text)
    if fenced:
        text = fenced.group(1).strip()
    elif not text.startswith("{") and "{" in text:
        # Prose around the object: take the outermost braces.
        text = text[text.index("{"): text.rindex("}") + 1]
    try:
        value = json.loads(text)
    except ValueError as err:
        return None, [f"not valid JSON: {err}"]
    problems = validate(value, SUMMARY_SCHEMA)
    return (value, []) if not problems else (None, problems)
