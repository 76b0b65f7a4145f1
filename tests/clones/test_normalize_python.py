"""Normalised token streams of Python, from the real tree-sitter-python grammar."""

from __future__ import annotations

import numpy as np

from ctxlens.clones.normalize import lex_file, unit_stream, unit_streams
from ctxlens.clones.streams import (
    UnitStream,
    token_code,
)
from ctxlens.syntax import extract_units, parse
from stream_helpers import lex, normalised


def texts(source: str) -> list[str]:
    data, tokens = lex(source)
    return [data[s:e].decode() for s, e in zip(tokens.starts, tokens.ends, strict=True)]


def whole(source: str) -> UnitStream:
    data, tokens = lex(source)
    lines = source.count("\n") + 1
    return unit_stream(tokens, ((0, len(data)),), 1, lines)


def units(source: str) -> dict[str, UnitStream]:
    data = source.encode()
    tree = parse(data, "python")
    found = extract_units(data, "python", tree=tree).units
    return {u.name: s for u, s in zip(found, unit_streams(tree, data, "python", found),
                                      strict=True)}


# --- Renaming ---------------------------------------------------------------------------------


def test_consistent_renames_match_but_are_not_exact() -> None:
    a = whole("d = a + b\n")
    b = whole("s = p + q\n")
    assert a.renamed_hash == b.renamed_hash
    assert a.exact_hash != b.exact_hash
    assert a.names.tolist() == [1, 0, 2, 0, 3]


def test_same_shape_with_different_name_pattern_does_not_match() -> None:
    assert whole("x = x + x\n").renamed_hash != whole("a = b + c\n").renamed_hash
    assert whole("x = x + x\n").names.tolist() == [1, 0, 1, 0, 1]


def test_renamed_function_bodies_match() -> None:
    found = units(
        "def total(items, rate):\n    acc = 0\n    for it in items:\n        acc += it * rate\n"
        "    return acc\n\n\n"
        "def summe(xs, f):\n    s = 0\n    for x in xs:\n        s += x * f\n    return s\n"
    )
    assert found["total"].renamed_hash == found["summe"].renamed_hash
    assert found["total"].exact_hash != found["summe"].exact_hash


def test_attribute_names_are_blinded_but_called_names_are_kept() -> None:
    assert normalised("obj.size\n") == ["$id", ".", "$id"]
    assert normalised("obj.resize(x)\n") == ["$id", ".", "resize", "(", "$id", ")"]
    assert normalised("foo(x)\n") != normalised("bar(x)\n")
    assert normalised("a.foo(x)\n") != normalised("a.bar(x)\n")
    assert whole("foo(x)\n").renamed_hash != whole("bar(x)\n").renamed_hash
    # Calling the result of a call or subscript has no name to keep.
    assert normalised("f()[0](y)\n") == ["f", "(", ")", "[", "$num", "]", "(", "$id", ")"]
    # Class instantiation is a call: the class name is kept.
    assert normalised("Point(1, 2)\n")[0] == "Point"


def test_called_names_do_not_enter_the_numbering() -> None:
    # `print` is kept as text, so `x` is the first (and only) blinded name.
    stream = whole("print(x)\n")
    assert stream.names.tolist() == [0, 0, 1, 0]


# --- Layout, comments, literals --------------------------------------------------------------


def test_layout_and_comments_keep_the_exact_hash() -> None:
    a = whole("def f(a, b):\n    return a + b  # sum\n")
    b = whole("# header\ndef f(a,b):\n\n    # why\n    return (a\n            + b)\n")
    assert normalised("def f(a, b):\n    return a + b\n") == \
        ["def", "$id", "(", "$id", ",", "$id", ")", ":", "return", "$id", "+", "$id"]
    assert a.exact_hash != b.exact_hash  # the parentheses are tokens
    c = whole("def f(a,b):\n\n    # why\n    return a + \\\n        b\n")
    assert a.exact_hash == c.exact_hash
    assert a.renamed_hash == c.renamed_hash


def test_licence_header_is_dropped() -> None:
    header = "# Copyright (c) 2024 Someone\n# Licensed under the MIT licence.\n\n"
    assert whole(header + "x = 1\n").exact_hash == whole("x = 1\n").exact_hash
    assert texts(header + "x = 1\n") == ["x", "=", "1"]


def test_literal_values_keep_the_renamed_hash_only() -> None:
    a = whole("limit = 10\nname = 'a'\nflag = True\nnone = None\nrate = 1.5\n")
    b = whole("limit = 99\nname = \"zz\"\nflag = False\nnone = None\nrate = 2.0\n")
    assert a.renamed_hash == b.renamed_hash
    assert a.exact_hash != b.exact_hash
    assert normalised("x = 10\ny = 'a'\nz = True\nw = None\nv = 1.5\n")[2::3] == \
        ["$num", "$str", "$bool", "$null", "$num"]


def test_literal_kinds_differ_from_each_other() -> None:
    assert whole("x = 1\n").renamed_hash != whole("x = '1'\n").renamed_hash
    assert whole("x = True\n").renamed_hash != whole("x = None\n").renamed_hash


def test_an_f_string_is_one_string_token() -> None:
    assert normalised('x = f"a{b + c!r:>{width}}d"\n') == ["$id", "=", "$str"]
    # Names inside the string are not blinded identifiers of the unit.
    assert whole('x = f"{y}"\n').names.tolist() == [1, 0, 0]
    assert texts('x = f"a{b}"\n')[-1] == 'f"a{b}"'


def test_implicitly_concatenated_strings_are_one_token_each() -> None:
    assert normalised('x = ("a"\n     "b")\n') == ["$id", "=", "(", "$str", "$str", ")"]


def test_docstrings_are_strings() -> None:
    assert normalised('def f():\n    """Doc."""\n    return 1\n') == \
        ["def", "$id", "(", ")", ":", "$str", "return", "$num"]


def test_keyword_pairs_are_tokens_of_their_own() -> None:
    assert texts("a is not b\n") == ["a", "is", "not", "b"]
    assert whole("a is not b\n").exact_hash == whole("a is  not b\n").exact_hash
    assert texts("a not in b\n") == ["a", "not", "in", "b"]


def test_builtin_names_are_identifiers() -> None:
    # Python's `int` is a name, not a keyword: blinded like any other.
    assert normalised("x: int = y\n") == ["$id", ":", "$id", "=", "$id"]


# --- Imports ----------------------------------------------------------------------------------


def test_imports_are_dropped() -> None:
    assert texts("import os, sys\nfrom a.b import c as d\nfrom . import e\n"
                 "from __future__ import annotations\nx = 1\n") == ["x", "=", "1"]
    assert texts("def f():\n    import json\n    return json\n") == \
        ["def", "f", "(", ")", ":", "return", "json"]


def test_module_units_differing_only_in_imports_are_exact_clones() -> None:
    a = units("import os\n\nLIMIT = compute(3)\n\n\ndef f():\n    pass\n")
    b = units("from typing import Any\nimport sys\n\nLIMIT = compute(3)\n\n\ndef g():\n"
              "    pass\n")
    assert a["<module>"].exact_hash == b["<module>"].exact_hash
    assert a["<module>"].codes.tolist() == b["<module>"].codes.tolist()
    c = units("import os\n\nLIMIT = compute(4)\n")
    assert a["<module>"].exact_hash != c["<module>"].exact_hash


# --- Positions and broken code ----------------------------------------------------------------


def test_starts_ends_and_lines() -> None:
    source = "def f(a):\n\n    return a + 'x'\n"
    data, tokens = lex(source)
    assert [data[s:e] for s, e in zip(tokens.starts, tokens.ends, strict=True)] == \
        [b"def", b"f", b"(", b"a", b")", b":", b"return", b"a", b"+", b"'x'"]
    assert tokens.lines.tolist() == [1, 1, 1, 1, 1, 1, 3, 3, 3, 3]
    assert tokens.starts.tolist() == [0, 4, 5, 6, 7, 8, 15, 22, 24, 26]
    for array in (tokens.codes, tokens.raw, tokens.ident, tokens.starts, tokens.ends,
                  tokens.lines):
        assert array.dtype == np.uint32
    assert np.all(np.diff(tokens.starts.astype(np.int64)) > 0)


def test_raw_and_ident_codes() -> None:
    _, tokens = lex("n = len(n)\n")
    assert tokens.raw.tolist() == [token_code(t) for t in ("n", "=", "len", "(", "n", ")")]
    # Only blinded identifiers carry their text's code in `ident`; the called `len` does not.
    assert tokens.ident.tolist() == [token_code("n"), 0, 0, 0, token_code("n"), 0]


def test_a_file_with_a_syntax_error_still_lexes() -> None:
    source = "def f(:\n    x = compute(1)\n    return x +\n"
    data = source.encode()
    tree = parse(data, "python")
    assert tree is not None and tree.root_node.has_error
    tokens = lex_file(tree, data, "python")
    got = [data[s:e].decode() for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert "compute" in got and "return" in got
    # MISSING leaves inserted by error recovery have no bytes and give no token.
    assert np.all(tokens.ends > tokens.starts)


def test_blank_file_has_no_tokens() -> None:
    assert len(lex_file(parse(b"  \n", "python"), b"  \n", "python")) == 0
    assert len(lex_file(parse(b"# only a comment\n", "python"), b"# only a comment\n",
                        "python")) == 0
