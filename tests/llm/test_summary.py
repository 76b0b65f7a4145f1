"""The map step's schema: our small validator agrees with jsonschema; answers are parsed."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from ctxlens.llm.summary import SUMMARY_SCHEMA, parse_summary, validate

MODULE = {"path": "a.py", "responsibility": "r", "public_interfaces": ["f"],
          "dependencies": ["b"]}
INSTANCES: list[Any] = [
    {"part": 1, "modules": [MODULE], "notes": ""},
    {"modules": [], "notes": "n", "extra": True},
    {"modules": [MODULE]},  # no notes
    {"part": "1", "modules": [], "notes": ""},
    {"part": True, "modules": [], "notes": ""},
    {"modules": [{**MODULE, "path": ""}], "notes": ""},
    {"modules": [{**MODULE, "public_interfaces": "f"}], "notes": ""},
    {"modules": [{k: v for k, v in MODULE.items() if k != "dependencies"}], "notes": ""},
    {"modules": [{**MODULE, "dependencies": [1, 2]}], "notes": ""},
    {"modules": {"a.py": MODULE}, "notes": ""},
    [MODULE],
    "summary",
    None,
    {"part": 1.5, "modules": [], "notes": ""},
]


@pytest.mark.parametrize("instance", INSTANCES)
def test_validator_agrees_with_jsonschema(instance: Any) -> None:
    reference = jsonschema.Draft202012Validator(SUMMARY_SCHEMA)
    expected = not list(reference.iter_errors(instance))
    ours = validate(instance, SUMMARY_SCHEMA)
    assert (not ours) == expected, ours


def test_problems_say_where() -> None:
    problems = validate({"modules": [{**MODULE, "dependencies": "b"}]}, SUMMARY_SCHEMA)
    assert "$: missing key 'notes'" in problems
    assert "$.modules[0].dependencies: expected array, got string" in problems


@pytest.mark.parametrize("answer", [
    json.dumps({"modules": [MODULE], "notes": "x"}),
    "```json\n" + json.dumps({"modules": [MODULE], "notes": "x"}) + "\n```",
    "Here is the summary:\n" + json.dumps({"modules": [MODULE], "notes": "x"}) + "\nDone.",
])
def test_parse_accepts_bare_fenced_and_wrapped_json(answer: str) -> None:
    value, problems = parse_summary(answer)
    assert problems == [] and value is not None and value["modules"][0]["path"] == "a.py"


@pytest.mark.parametrize("answer, words", [
    ("The part holds a parser.", "not valid JSON"),
    ('{"modules": [', "not valid JSON"),
    ('{"modules": "a.py", "notes": ""}', "expected array"),
])
def test_parse_rejects(answer: str, words: str) -> None:
    value, problems = parse_summary(answer)
    assert value is None and any(words in p for p in problems)
