"""Counting many ranges of a file from one encode equals encoding each range alone."""

from __future__ import annotations

import random
import sysconfig
from pathlib import Path

import pytest

from ctxlens.syntax import extract_units
from ctxlens.tokens import get_encoding
from ctxlens.tokens.spans import count_file_and_ranges
from ctxlens.workspace import decode_text
from ctxlens.workspace.languages import language_for_path

ENCODINGS = ["o200k_base", "cl100k_base"]


def _direct(data: bytes, ranges: list[tuple[tuple[int, int], ...]], name: str) -> list[int]:
    enc = get_encoding(name)
    return [len(enc.encode_ordinary(b"".join(data[a:b] for a, b in r).decode("utf-8",
                                                                            "replace")))
            for r in ranges]


def _all_line_ranges(data: bytes) -> list[tuple[tuple[int, int], ...]]:
    """Every [start of line i, end of line j) — the boundaries most likely to go wrong."""
    starts = [0] + [i + 1 for i, c in enumerate(data) if c == 0x0A]
    ends = [i for i, c in enumerate(data) if c == 0x0A] + [len(data)]
    out = []
    for i, s in enumerate(starts):
        for e in ends[i:]:
            if e > s:
                out.append(((s, e),))
                out.append(((s, e + 1),) if e < len(data) else ((s, e),))
    return out


TRICKY = [
    "def f(x):\n    return x)\n\n\n    \n  y = 1\n",
    "a = 1\n/ 2\n//comment\n  /x\n\tb\n",
    "x\r\n  y\r\n\r\n}\r\nz",
    "s = 'it''s'\n's ok'\n'll\n",
    "foo(\n    <|endoftext|>\n)\n",
    "naïve = '東京'\n  🚀 = 1\n\u00a0x\n\x0cy\n\n\n",
    "a\n\n   \n\t\n b \n",
    "123456\n7890\n  12\n",
    "))))\n\n\n((((\n  ;;\n",
    # Joined without a newline, segments merge into one word: `hel` + `lo` is `hello`.
    "x = hel\nlo = 1\nef\n  gh\nij\nklm = 22\n",
]


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("text", TRICKY)
def test_every_line_range_of_tricky_text(name: str, text: str) -> None:
    data = text.encode()
    ranges = _all_line_ranges(data)
    total, counts = count_file_and_ranges(data, text, ranges, name)
    assert total == len(get_encoding(name).encode_ordinary(text))
    assert counts == _direct(data, ranges, name)


def _segment_pairs(data: bytes) -> list[tuple[tuple[int, int], ...]]:
    """Two disjoint line ranges joined, and three — how module units skip functions."""
    lines = _all_line_ranges(data)
    out = []
    for (first,) in lines:
        for (second,) in lines:
            if first[1] < second[0]:
                out.append((first, second))
    third = ((len(data) - 1, len(data)),)
    out += [pair + third for pair in out if pair[1][1] < len(data) - 1]
    return out


@pytest.mark.parametrize("name", ENCODINGS)
@pytest.mark.parametrize("text", TRICKY)
def test_segments_of_tricky_text_count_as_joined(name: str, text: str) -> None:
    data = text.encode()
    ranges = _segment_pairs(data)
    assert len(ranges) > 20
    _, counts = count_file_and_ranges(data, text, ranges, name)
    assert counts == _direct(data, ranges, name)


@pytest.mark.parametrize("name", ENCODINGS)
def test_units_of_real_files(name: str) -> None:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in root.glob("*.py"))
    random.Random(7).shuffle(files)
    checked = 0
    for path in files[:40]:
        data = path.read_bytes()
        text, _ = decode_text(data)
        units = extract_units(data, language_for_path(path.name, data[:64])).units
        ranges = [u.byte_ranges() for u in units]
        total, counts = count_file_and_ranges(data, text, ranges, name)
        assert total == len(get_encoding(name).encode_ordinary(text)), path
        assert counts == _direct(data, ranges, name), path
        checked += len(units)
    assert checked > 500


def test_invalid_utf8_and_bom_fall_back_to_direct_counts() -> None:
    data = b"\xef\xbb\xbfdef f():\n    return '\xff'\n\nclass A:\n    pass\n"
    text = data.decode("utf-8", "replace")
    ranges = [((3, 30),), ((0, len(data)),), ((32, len(data)),)]
    _, counts = count_file_and_ranges(data, text, ranges, "o200k_base")
    assert counts == _direct(data, ranges, "o200k_base")


def test_multi_segment_entries_count_their_joined_text() -> None:
    text = "import os\n\ndef f():\n    pass\n\nx = 1\n"
    data = text.encode()
    ranges = [((0, 11), (29, len(data)))]
    _, counts = count_file_and_ranges(data, text, ranges, "o200k_base")
    assert counts == [len(get_encoding("o200k_base").encode_ordinary("import os\n\nx = 1\n"))]
