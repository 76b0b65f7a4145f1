"""A context file as the probe reads it: exact token ids and the units inside them.

The pack format arrives with a later issue; until then any text file is a context. Its
units are its blank-line-separated blocks (a copied function is a repeated block), and two
units are duplicates when their text is equal. No torch here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ctxlens.tokens.encodings import get_encoding

_BLOCK = re.compile(rb"\S(?:.*?\S)?(?=\s*\n[ \t]*\n|\s*\Z)", re.DOTALL)


@dataclass(frozen=True, slots=True)
class ContextInput:
    path: str
    encoding: str
    ids: npt.NDArray[np.int64]  # exactly encode_ordinary(text)
    units: tuple[tuple[int, int], ...]  # token spans of the blocks
    keys: tuple[bytes, ...]  # each block's text, for duplicate detection

    @property
    def tokens(self) -> int:
        return int(self.ids.shape[0])


def read_context(path: Path, encoding: str) -> ContextInput:
    """Read and tokenize `path`; raises OSError when unreadable."""
    data = path.read_bytes()
    text = data.decode("utf-8", errors="replace")
    enc = get_encoding(encoding)
    ids = np.asarray(enc.encode_ordinary(text), dtype=np.int64)
    raw = text.encode("utf-8")  # byte offsets of the decoded text, replacements included
    lengths = np.fromiter((len(b) for b in enc.decode_tokens_bytes(ids.tolist())),
                          dtype=np.int64, count=len(ids))
    starts = np.cumsum(lengths) - lengths  # byte offset at which each token begins
    units: list[tuple[int, int]] = []
    keys: list[bytes] = []
    for match in _BLOCK.finditer(raw):
        lo, hi = (int(i) for i in np.searchsorted(starts, [match.start(), match.end()]))
        if hi > lo:
            units.append((lo, hi))
            keys.append(match.group())
    return ContextInput(str(path), encoding, ids, tuple(units), tuple(keys))
