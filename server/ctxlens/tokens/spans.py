"""Exact token counts of many byte ranges of one file, encoding the file about once.

Counting each unit of a file with its own `encode` call costs ~2.5× the tokenizer work of
the file (classes contain methods, which are counted again). This module counts them with
one encode of the whole file plus two short encodes per range, and the result is exactly
`len(encode_ordinary(range_text))` — not an estimate. Why that holds:

tiktoken splits text into pieces with a regex and BPE-encodes each piece alone, so a text's
tokens are the concatenation of its pieces' tokens. Call a line start *safe* when the line
holds, after spaces and tabs, a printable ASCII character other than "/". At a safe line
start every piece of the cl100k/o200k patterns ends: a piece can only contain a newline at
its end (punctuation runs absorb trailing newlines, and o200k also "/"; whitespace runs stop
at the last newline before a non-blank line), and no pattern looks behind. The patterns'
lookaheads only look at the character right after a run of whitespace ending in a newline,
where both patterns pick a newline-ending alternative first. So for a range [s, e) with
safe line starts m1 <= m2 inside it, the range's pieces are the pieces of text[s:m1]
alone, the whole file's pieces inside [m1, m2), and the pieces of text[m2:e] alone.
`tests/tokens/test_spans.py` checks this against direct encoding on real files.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from ctxlens.tokens.encodings import get_encoding

Ranges = Sequence[tuple[int, int]]

_SAFE_LINE_START = re.compile(rb"\n(?=[ \t]*[!-.0-~])")
_BOM = b"\xef\xbb\xbf"


@cache
def _token_byte_lengths(encoding: str) -> npt.NDArray[np.int64]:
    enc = get_encoding(encoding)
    lengths = np.zeros(enc.n_vocab, dtype=np.int64)
    for token_id in range(enc.n_vocab):
        with contextlib.suppress(KeyError):  # holes in the id space stay 0
            lengths[token_id] = len(enc.decode_single_token_bytes(token_id))
    return lengths


def _encode_len(text: str, encoding: str) -> int:
    return len(get_encoding(encoding).encode_ordinary(text))


def count_file_and_ranges(
    data: bytes, text: str, ranges: Sequence[Ranges], encoding: str
) -> tuple[int, list[int]]:
    """Token count of the whole file and of each entry of `ranges`.

    `text` is `data` decoded. Each entry is a tuple of byte ranges whose concatenated text is
    counted as one string (units that are not contiguous have several). Contiguous ranges
    take the fast path when `text` is exactly `data` as UTF-8; anything else (a replaced
    invalid byte, a BOM, a multi-range entry) is encoded directly.
    """
    enc = get_encoding(encoding)
    exact_bytes = not data.startswith(_BOM) and "\ufffd" not in text
    if not exact_bytes:
        counts = [_encode_len(_join(data, r), encoding) for r in ranges]
        return len(enc.encode_ordinary(text)), counts
    ids = enc.encode_to_numpy(text, disallowed_special=())
    lengths = _token_byte_lengths(encoding)[ids]
    starts = np.cumsum(lengths) - lengths  # byte offset where each token begins
    contiguous = [k for k, entry in enumerate(ranges) if len(entry) == 1]
    # Safe line starts are looked up per range, near its two ends, rather than listed for
    # the whole file: most lines are never asked about.
    bounds = [_inner_safe_starts(data, *ranges[k][0]) for k in contiguous]
    m1 = np.array([b[0] for b in bounds], dtype=np.int64)
    m2 = np.array([b[1] for b in bounds], dtype=np.int64)
    inside = m1 >= 0
    middle = np.searchsorted(starts, m2) - np.searchsorted(starts, m1)
    lo = np.array([ranges[k][0][0] for k in contiguous], dtype=np.int64)
    hi = np.array([ranges[k][0][1] for k in contiguous], dtype=np.int64)
    # The wrapper's per-call overhead matters here: two short encodes per range.
    encode = enc._core_bpe.encode_ordinary
    counts = [0] * len(ranges)
    for k, entry in enumerate(ranges):
        if len(entry) != 1:
            counts[k] = len(encode(_join(data, entry)))
    for n, k in enumerate(contiguous):
        s, e = int(lo[n]), int(hi[n])
        if inside[n]:
            a, b = int(m1[n]), int(m2[n])
            counts[k] = (len(encode(data[s:a].decode("utf-8"))) + int(middle[n])
                         + len(encode(data[b:e].decode("utf-8"))))
        else:  # no safe line start strictly inside: count it directly
            counts[k] = len(encode(data[s:e].decode("utf-8")))
    return len(ids), counts


def _inner_safe_starts(data: bytes, s: int, e: int) -> tuple[int, int]:
    """The first and last safe line starts strictly inside (s, e), or (-1, -1)."""
    first = _SAFE_LINE_START.search(data, s, e)
    if first is None or first.end() >= e:
        return -1, -1
    nl = data.rfind(b"\n", s, e)
    while nl >= 0:
        if _SAFE_LINE_START.match(data, nl, e) and nl + 1 < e:
            return first.end(), nl + 1
        nl = data.rfind(b"\n", s, nl)
    return -1, -1  # unreachable: `first` itself qualifies


def _join(data: bytes, ranges: Ranges) -> str:
    return b"".join(data[a:b] for a, b in ranges).decode("utf-8", errors="replace")
