"""What holds for every language: windows, the module unit, invariants, broken input."""

from __future__ import annotations

from itertools import pairwise

import pytest

from ctxlens.syntax import (
    UNIT_KINDS,
    ParseResult,
    extract_units,
    get_language,
    get_parser,
    window_units,
)
from ctxlens.syntax.extract import compile_rules
from ctxlens.syntax.grammars import GRAMMAR_MODULES
from ctxlens.workspace.languages import PARSED_LANGUAGES

# One small file per language, each with a function inside a class-like container and
# some module code, for the checks that must hold everywhere.
SNIPPETS: dict[str, bytes] = {
    "python": b"import os\n\nclass A:\n    def m(self):\n        return 1\n\ndef f():\n    pass\n",
    "javascript": b"import x from 'y';\nclass A {\n  m() { return 1; }\n}\nconst f = () => 2;\n",
    "typescript": b"type T = 1;\nclass A {\n  m(): number { return 1; }\n}\nfunction f() {}\n",
    "tsx": b"import R from 'r';\nclass A {\n  m() { return <b />; }\n}\nfunction f() {}\n",
    "java": b"package p;\nclass A {\n  int m() { return 1; }\n}\n",
    "c": b"#include <x.h>\nint f(void) {\n  return 1;\n}\nint g(void) { return 2; }\n",
    "cpp": b"#include <x>\nclass A {\n  int m() { return 1; }\n};\nint f() { return 2; }\n",
    "csharp": b"using S;\nclass A {\n  int M() { return 1; }\n}\n",
    "go": b"package p\n\ntype A struct{}\n\nfunc (a A) M() int {\n\treturn 1\n}\n",
    "rust": b"use x;\nimpl A {\n    fn m(&self) -> i32 { 1 }\n}\nfn f() {}\n",
    "php": b"<?php\nuse X;\nclass A {\n  function m() { return 1; }\n}\nfunction f() {}\n",
    "ruby": b"require 'x'\nclass A\n  def m\n    1\n  end\nend\ndef f; end\n",
    "bash": b"set -e\nf() {\n  echo 1\n}\nf\n",
}


def check_invariants(data: bytes, result: ParseResult) -> None:
    """Lines agree with bytes, parents enclose children, the module is only the rest."""
    units = result.units
    top_level: list[tuple[int, int]] = []
    for index, unit in enumerate(units):
        assert unit.kind in UNIT_KINDS and unit.name
        if unit.kind == "module":
            assert index == 0
            continue
        assert unit.start_line == data.count(b"\n", 0, unit.start_byte) + 1
        assert unit.end_line == data.count(b"\n", 0, unit.end_byte - 1) + 1
        if unit.parent == -1:
            top_level.append((unit.start_byte, unit.end_byte))
        else:
            parent = units[unit.parent]
            assert unit.parent < index and parent.kind != "module"
            assert parent.start_byte <= unit.start_byte <= unit.end_byte <= parent.end_byte
    assert top_level == sorted(top_level)
    assert all(a[1] <= b[0] for a, b in pairwise(top_level))
    outside = bytearray(data)
    for start, end in top_level:
        outside[start:end] = b" " * (end - start)
    if units and units[0].kind == "module":
        module = units[0]
        assert module.segments
        covered = bytearray(b" " * len(data))
        for start, end in module.segments:
            assert data[start:end].strip()
            covered[start:end] = data[start:end]
        # Everything outside the top-level units is in a segment, or blank.
        assert bytes(outside).split() == bytes(covered).split()
    else:
        assert not bytes(outside).strip()


def test_every_parsed_language_has_rules_that_match_its_grammar() -> None:
    assert set(GRAMMAR_MODULES) == set(PARSED_LANGUAGES) == set(SNIPPETS)
    for language in PARSED_LANGUAGES:
        compile_rules(language)  # raises on a node type the grammar lacks


def test_grammars_and_parsers_are_loaded_once() -> None:
    assert get_language("python") is get_language("python")
    assert get_parser("rust") is get_parser("rust")


@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_snippet_has_module_class_member_and_invariants(language: str) -> None:
    data = SNIPPETS[language]
    result = extract_units(data, language)
    assert result.error_nodes == 0
    check_invariants(data, result)
    kinds = [u.kind for u in result.units]
    assert kinds[0] == "module"
    assert "method" in kinds or "function" in kinds
    module_text = result.units[0].text(data)
    assert "return 1" not in module_text and "echo 1" not in module_text


@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_truncated_and_garbled_input_never_raises(language: str) -> None:
    data = SNIPPETS[language]
    for cut in range(0, len(data), 3):
        for broken in (data[:cut], data[:cut] + b"}){\n" + data[cut:], data[cut:]):
            check_invariants(broken, extract_units(broken, language))


def test_invalid_utf8_in_a_name_is_replaced_not_raised() -> None:
    data = b"def caf\xe9():\n    pass\n"
    (unit,) = extract_units(data, "python").units
    assert unit.kind == "function" and unit.name.startswith("caf")


def test_module_unit_can_be_first_with_parents_shifted() -> None:
    data = b"x = 1\nclass A:\n    def m(self):\n        pass\n"
    units = extract_units(data, "python").units
    assert [(u.kind, u.name, u.parent) for u in units] == [
        ("module", "<module>", -1), ("class", "A", -1), ("method", "A.m", 1),
    ]
    assert units[units[2].parent].name == "A"


def test_text_of_module_unit_excludes_function_bodies() -> None:
    data = b"import a\n\ndef f():\n    secret = 1\n\nCONST = 2\n"
    module = extract_units(data, "python").units[0]
    assert module.text(data) == "import a\n\n\n\nCONST = 2\n"
    assert [data[a:b] for a, b in module.segments] == [b"import a\n\n", b"\n\nCONST = 2\n"]


# --- Line windows for languages without a grammar ---------------------------------------------


def test_unparsed_language_gets_exact_line_windows() -> None:
    lines = [f"line {n}\n".encode() for n in range(1, 8)]
    data = b"".join(lines)
    result = extract_units(data, "markdown", window_lines=3)
    assert result.error_nodes == 0
    assert [(u.kind, u.name, u.start_line, u.end_line) for u in result.units] == [
        ("window", "lines 1-3", 1, 3),
        ("window", "lines 4-6", 4, 6),
        ("window", "lines 7-7", 7, 7),  # the last one is shorter
    ]
    for unit in result.units:
        assert data[unit.start_byte : unit.end_byte] == b"".join(
            lines[unit.start_line - 1 : unit.end_line]
        )
    assert result.units[-1].end_byte == len(data)


def test_windows_skip_blank_runs_and_keep_a_last_line_without_newline() -> None:
    data = b"a: 1\n\n \n\t\nb: 2\nc: 3"
    units = extract_units(data, "yaml", window_lines=2).units
    assert [(u.name, data[u.start_byte : u.end_byte]) for u in units] == [
        ("lines 1-2", b"a: 1\n\n"),
        ("lines 5-6", b"b: 2\nc: 3"),
    ]


def test_windows_of_blank_or_empty_data_are_none() -> None:
    assert extract_units(b"", "text").units == ()
    assert extract_units(b"\n\n  \n", "text").units == ()


def test_windows_default_to_one_hundred_lines() -> None:
    data = b"x\n" * 250
    assert [u.name for u in extract_units(data, "text").units] == [
        "lines 1-100", "lines 101-200", "lines 201-250",
    ]


def test_window_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        window_units(b"x\n", 0)


def test_a_parsed_language_never_gets_windows() -> None:
    data = b"x = 1\n" * 300
    units = extract_units(data, "python", window_lines=10).units
    assert [u.kind for u in units] == ["module"]
