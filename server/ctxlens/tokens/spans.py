"""Exact token counts of many byte ranges of one file, encoding the file about once.

Counting each unit of a file with its own `encode` call costs ~2.5× the tokenizer work of
the file (classes contain methods, which are counted again). This module counts them with
one encode of the whole file plus a few short encodes per range, and the result is exactly
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
alone, the whole file's pieces inside [m1, m2), and the pieces of text[m2:e] alone. When s
is itself a safe line start of the file (or its start), text[s:m1] is counted from the file
too. An entry of several segments (a module unit) is their joined text: every safe line
start inside a segment is one of the joined text's too, so the same split applies segment
by segment, and only the text around each join is encoded.
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
    counted as one string (units that are not contiguous have several). Entries take the
    fast path when `text` is exactly `data` as UTF-8; otherwise (a replaced invalid byte, a
    BOM) each is encoded directly.
    """
    enc = get_encoding(encoding)
    exact_bytes = not data.startswith(_BOM) and "\ufffd" not in text
    if not exact_bytes:
        counts = [_encode_len(_join(data, r), encoding) for r in ranges]
        return len(enc.encode_ordinary(text)), counts
    ids = enc.encode_to_numpy(text, disallowed_special=())
    lengths = _token_byte_lengths(encoding)[ids]
    starts = np.cumsum(lengths) - lengths  # byte offset where each token begins
    # The wrapper's per-call overhead matters here: a few short encodes per range.
    encode = enc._core_bpe.encode_ordinary
    # A range's first and last lines are often the same text as another range's (a class
    # and its last method end on the same line; `}` closes most blocks): counted once.
    short: dict[bytes, int] = {}

    def count_joined(pieces: list[tuple[int, int]]) -> int:
        joined = b"".join([data[a:b] for a, b in pieces])
        if not joined:
            return 0
        found = short.get(joined)
        if found is None:
            found = short[joined] = len(encode(joined.decode("utf-8", errors="replace")))
        return found

    counts = [0] * len(ranges)
    # (entry, m1, m2): the whole file's tokens in [m1, m2) belong to the entry.
    middles: list[tuple[int, int, int]] = []
    for k, entry in enumerate(ranges):
        # An entry's text is its segments joined. Every safe line start inside a segment is
        # a piece boundary of that text too, so the text splits there: the parts between a
        # segment's first and last safe line starts are counted from the whole file, what
        # lies between them (across segment joins) is encoded.
        total = 0
        since: list[tuple[int, int]] = []  # the text since the last safe line start
        for n, (a, b) in enumerate(entry):
            m1, m2 = _inner_safe_starts(data, a, b)
            if m1 < 0:
                since.append((a, b))
                continue
            # A text that begins at a safe line start of the file (or at its start) begins
            # where the whole file's pieces do: its head is counted from the file too.
            if n or not (a == 0 or _SAFE_LINE_START.match(data, a - 1, b) is not None):
                since.append((a, m1))
            else:
                m1 = a
            total += count_joined(since)
            middles.append((k, m1, m2))
            since = [(m2, b)]
        counts[k] = total + count_joined(since)
    if middles:
        bounds = np.array([(m1, m2) for _, m1, m2 in middles], dtype=np.int64)
        inside = (np.searchsorted(starts, bounds[:, 1])
                  - np.searchsorted(starts, bounds[:, 0])).tolist()
        for (k, _, _), tokens in zip(middles, inside, strict=True):
            counts[k] += tokens
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
