"""Slicing a file's tokens into unit streams: identifier numbering, multi-range module units,
suppression comments, and the regex lexer for languages without a grammar."""

from __future__ import annotations

import hashlib
import sysconfig
from pathlib import Path

import numpy as np

from ctxlens.clones.normalize import (
    FileTokens,
    first_appearance,
    lex_file,
    streams_of,
    unit_stream,
    unit_streams,
)
from ctxlens.clones.streams import (
    BOOLEAN,
    IDENTIFIER,
    NULL,
    NUMBER,
    STRING,
    UnitStream,
    renamed_hash,
    token_code,
)
from ctxlens.syntax import extract_units, parse

LABELS = {token_code(kind): kind for kind in (IDENTIFIER, STRING, NUMBER, BOOLEAN, NULL)}
MARK = "ctxlens: ignore-duplicate"


def units(source: str, language: str = "python") -> dict[str, UnitStream]:
    data = source.encode()
    tree = parse(data, language)
    found = extract_units(data, language, tree=tree).units
    return {u.name: s for u, s in zip(found, unit_streams(tree, data, language, found),
                                      strict=True)}


def text_tokens(source: str) -> tuple[bytes, FileTokens]:
    data = source.encode()
    return data, lex_file(None, data, "text")


def normalised_text(source: str) -> list[str]:
    data, tokens = text_tokens(source)
    return [LABELS.get(int(code), data[start:end].decode())
            for code, start, end in zip(tokens.codes, tokens.starts, tokens.ends, strict=True)]


# --- Numbering and hashes ---------------------------------------------------------------------


def test_first_appearance_numbers_by_first_occurrence() -> None:
    ident = np.array([7, 0, 3, 7, 0, 9, 3], dtype=np.uint32)
    assert first_appearance(ident).tolist() == [1, 0, 2, 1, 0, 3, 2]
    # Value order must not matter, only position.
    assert first_appearance(np.array([9, 1, 5], dtype=np.uint32)).tolist() == [1, 2, 3]
    assert first_appearance(np.zeros(3, dtype=np.uint32)).tolist() == [0, 0, 0]
    assert first_appearance(np.zeros(0, dtype=np.uint32)).tolist() == []


def test_unit_stream_slices_by_byte_range_and_hashes() -> None:
    source = "a = 1\nb = a\nc = b\n"
    data = source.encode()
    tokens = lex_file(parse(data, "python"), data, "python")
    middle = unit_stream(tokens, ((6, 12),), 2, 2)
    assert middle.lines.tolist() == [2, 2, 2]
    # Numbered inside the unit: `b` is first here, although `a` came first in the file.
    assert middle.names.tolist() == [1, 0, 2]
    assert middle.renamed_hash == renamed_hash(middle.codes, middle.names)
    assert middle.exact_hash != unit_stream(tokens, ((12, 18),), 3, 3).exact_hash
    assert middle.renamed_hash == unit_stream(tokens, ((12, 18),), 3, 3).renamed_hash
    assert len(unit_stream(tokens, ((0, 0),), 1, 1)) == 0
    # A token belongs to the range its first byte is in.
    assert len(unit_stream(tokens, ((1, 6),), 1, 1)) == 2  # `=` and `1`


def test_module_unit_joins_its_segments() -> None:
    source = ("LIMIT = 3\n\n\ndef f():\n    return LIMIT\n\n\n"
              "TOTAL = LIMIT + 1\n")
    found = units(source)
    module = found["<module>"]
    assert module.lines.tolist() == [1, 1, 1, 8, 8, 8, 8, 8]
    assert module.names.tolist() == [1, 0, 0, 2, 0, 1, 0, 0]
    assert len(found["f"]) == 7


def test_unit_streams_match_unit_stream_per_unit() -> None:
    source = "import os\n\n\nclass A:\n    def m(self):\n        return os.sep\n\nx = A()\n"
    data = source.encode()
    tree = parse(data, "python")
    found = extract_units(data, "python", tree=tree).units
    tokens = lex_file(tree, data, "python")
    for unit, stream in zip(found, unit_streams(tree, data, "python", found), strict=True):
        alone = unit_stream(tokens, unit.byte_ranges(), unit.start_line, unit.end_line)
        assert stream.exact_hash == alone.exact_hash
        assert stream.codes.tolist() == alone.codes.tolist()


def _reference_stream(tokens: FileTokens, ranges: tuple[tuple[int, int], ...]
                      ) -> tuple[list[int], list[int], str, str]:
    """One unit's stream the slow, obvious way: a token per start offset in the ranges, and
    a dict numbering identifiers as they come."""
    picked = [i for i, start in enumerate(tokens.starts.tolist())
              if any(a <= start < b for a, b in ranges)]
    seen: dict[int, int] = {}
    names = [0 if not tokens.ident[i] else seen.setdefault(int(tokens.ident[i]), len(seen) + 1)
             for i in picked]
    codes = tokens.codes[picked].astype("<u4")
    exact = hashlib.blake2b(tokens.raw[picked].astype("<u4").tobytes(), digest_size=16)
    renamed = hashlib.blake2b(codes.tobytes() + np.array(names, dtype="<u4").tobytes(),
                              digest_size=16)
    return codes.tolist(), names, exact.hexdigest(), renamed.hexdigest()


def test_all_units_of_a_file_at_once_match_the_obvious_way() -> None:
    # Nested classes and methods share identifiers with each other and with the module code
    # between them: each unit must still number its own from 1.
    path = Path(sysconfig.get_paths()["stdlib"]) / "argparse.py"
    sources = [path.read_bytes(),
               b"x = 1\n\nclass A:\n    y = x\n    class B:\n        def m(self, x):\n"
               b"            return self.y + x\n    def n(self):\n        return x\n\nz = x\n"]
    for data in sources:
        tree = parse(data, "python")
        found = extract_units(data, "python", tree=tree).units
        assert any(u.parent >= 0 for u in found) and any(u.segments for u in found)
        tokens = lex_file(tree, data, "python")
        streams = streams_of(tokens, [(u.byte_ranges(), u.start_line) for u in found])
        for unit, stream in zip(found, streams, strict=True):
            codes, names, exact, renamed = _reference_stream(tokens, unit.byte_ranges())
            assert stream.codes.tolist() == codes, unit.name
            assert stream.names.tolist() == names, unit.name
            assert (stream.exact_hash, stream.renamed_hash) == (exact, renamed), unit.name


# --- Suppression ------------------------------------------------------------------------------


def test_marker_inside_a_function_suppresses_it_alone() -> None:
    found = units(f"A = 1\n\n\ndef f():\n    # {MARK}\n    return 1\n\n\ndef g():\n"
                  "    return 1\n\n\nX = 1\n")
    assert found["f"].suppressed
    assert not found["g"].suppressed
    assert not found["<module>"].suppressed  # the module's ranges skip the functions


def test_marker_on_the_line_above_suppresses_the_definition_below() -> None:
    found = units(f"# {MARK}\n@decorated\ndef f():\n    return 1\n\n\ndef g():\n    return 1\n")
    assert found["f"].suppressed and not found["g"].suppressed
    # A blank line between: the comment is not about the definition any more.
    found = units(f"# {MARK}\n\ndef f():\n    return 1\n")
    assert not found["f"].suppressed


def test_marker_at_the_end_of_a_doc_block_above_counts() -> None:
    source = (f"class A {{\n    /**\n     * Kept apart on purpose. {MARK}\n"
              "     * Really.\n     */\n    int f() { return 1; }\n\n"
              "    int g() { return 1; }\n}\n")
    found = units(source, "java")
    assert found["A.f"].suppressed
    assert not found["A.g"].suppressed
    assert found["A"].suppressed  # the marker lies inside the class


def test_marker_outside_a_comment_does_not_suppress() -> None:
    found = units(f"def f():\n    return '{MARK}'\n")
    assert not found["f"].suppressed
    data = f"x = '{MARK}'\n".encode()
    assert lex_file(parse(data, "python"), data, "python").suppressions == ()


def test_suppression_offsets_and_lines() -> None:
    source = f"int x = 1;  // {MARK}\n/* a\n{MARK} */\n"
    data = source.encode()
    tokens = lex_file(parse(data, "c"), data, "c")
    assert tokens.suppressions == (data.index(MARK.encode()),
                                   data.rindex(MARK.encode()))
    assert tokens.suppression_lines == (1, 3)


# --- Languages without a grammar --------------------------------------------------------------


def test_text_lexer_splits_words_numbers_strings_and_punctuation() -> None:
    assert normalised_text('let total = compute(count, "x", 3.5) -- why\n') == \
        ["let", "$id", "=", "compute", "(", "$id", ",", "$str", ",", "$num", ")"]
    assert normalised_text("if x == null { return true }") == \
        ["if", "$id", "=", "=", "$null", "{", "return", "$bool", "}"]


def test_text_lexer_drops_comments_and_finds_markers() -> None:
    source = f"# head\nval a = 1 // tail\n/* block\n {MARK} */\nval b = 2\n"
    data, tokens = text_tokens(source)
    got = [data[s:e].decode() for s, e in zip(tokens.starts, tokens.ends, strict=True)]
    assert got == ["val", "a", "=", "1", "val", "b", "=", "2"]
    assert tokens.lines.tolist() == [2, 2, 2, 2, 5, 5, 5, 5]
    assert tokens.suppressions == (data.index(MARK.encode()),)
    assert tokens.suppression_lines == (4,)


def test_text_lexer_renames_and_literals() -> None:
    def stream(source: str) -> UnitStream:
        data, tokens = text_tokens(source)
        return unit_stream(tokens, ((0, len(data)),), 1, 1)

    a, b, c = stream("val d = a + b"), stream("val s = p + q"), stream("val x = x + x")
    assert a.renamed_hash == b.renamed_hash != c.renamed_hash
    assert a.exact_hash != b.exact_hash
    assert stream("x = 'a'").renamed_hash == stream('x = "bb"').renamed_hash
    assert stream("x = 'a'").exact_hash != stream('x = "bb"').exact_hash
    assert stream("x  =  1 # c").exact_hash == stream("x = 1").exact_hash


def test_text_lexer_keeps_utf8_words_whole() -> None:
    data, tokens = text_tokens("größe = maß\n")
    assert [data[s:e].decode() for s, e in zip(tokens.starts, tokens.ends, strict=True)] == \
        ["größe", "=", "maß"]


def test_blank_text_has_no_tokens() -> None:
    assert len(text_tokens("")[1]) == 0
    assert len(text_tokens("  \n# only a comment\n")[1]) == 0
