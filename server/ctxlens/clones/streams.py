"""A unit's tokens as clone detection sees them.

`codes` is the unit with layout and comments gone, every identifier blinded to one code and
every literal replaced by its kind, keywords, operators and called API names kept.
`names` says which identifier stood at each blinded position, numbered in order of first
appearance inside the unit — so (codes, names) is the consistently renamed stream: it
matches `s = p + q` against `d = a + b` but not against `x = x + x`.
Near-miss comparison aligns `codes` and then checks that the aligned `names` map
consistently, which survives an inserted statement that would renumber every later name.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

Codes = npt.NDArray[np.uint32]

# The unit kinds clone detection compares; module code and line windows take no part.
STREAM_KINDS = frozenset({"function", "method", "constructor", "class"})

# Normalised forms of tokens that are not kept verbatim.
IDENTIFIER = "$id"
STRING = "$str"
NUMBER = "$num"
CHAR = "$char"
BOOLEAN = "$bool"  # true/false where the grammar makes them literals
NULL = "$null"
OTHER_LITERAL = "$lit"


@cache
def token_code(text: str) -> int:
    """A stable 32-bit code for a normalised token (same in every process and run)."""
    return zlib.crc32(text.encode("utf-8"))


@dataclass(frozen=True, slots=True)
class UnitStream:
    codes: Codes  # per token: token_code of the normalised token
    names: Codes  # per token: 0, or the identifier's 1-based order of first appearance
    lines: Codes  # per token: 1-based line in the file
    exact_hash: str  # Type-1: the token texts in order (layout and comments ignored)
    renamed_hash: str  # Type-2: (codes, names)
    suppressed: bool = False  # the unit carries a `ctxlens: ignore-duplicate` comment

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def line_span(self) -> int:
        return int(self.lines[-1] - self.lines[0] + 1) if len(self.lines) else 0


def renamed_hash(codes: Codes, names: Codes) -> str:
    digest = hashlib.blake2b(le_buffer(codes), digest_size=16)
    digest.update(le_buffer(names))
    return digest.hexdigest()


def le_buffer(array: Codes) -> memoryview:
    """The array's bytes as little-endian uint32s, to hash without a copy: an array that is
    already contiguous little-endian uint32 (a slice of a token array) is used as it is."""
    return np.ascontiguousarray(array, dtype="<u4").data
