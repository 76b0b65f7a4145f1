"""Packing a file's clone-detection streams into one compressed row of the index."""

from __future__ import annotations

import json
import zlib
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ctxlens.clones.streams import UnitStream

# Bump when normalisation changes what a stream holds: old rows are then ignored.
STREAM_VERSION = 1


def pack_streams(streams: Sequence[UnitStream | None]) -> tuple[str, bytes]:
    """(meta JSON, compressed arrays) for the non-None streams, in unit order."""
    meta = []
    arrays: list[npt.NDArray[np.uint32]] = []
    for i, s in enumerate(streams):
        if s is None:
            continue
        meta.append([i, len(s), s.exact_hash, s.renamed_hash, int(s.suppressed)])
        arrays.extend((s.codes, s.names, s.lines))
    raw = b"".join(np.ascontiguousarray(a, dtype="<u4").tobytes() for a in arrays)
    return json.dumps([len(streams), meta], separators=(",", ":")), zlib.compress(raw, 1)


def unpack_streams(meta_json: str, blob: bytes) -> tuple[UnitStream | None, ...]:
    count, meta = json.loads(meta_json)
    flat = np.frombuffer(zlib.decompress(blob), dtype="<u4").astype(np.uint32, copy=False)
    out: list[UnitStream | None] = [None] * count
    pos = 0
    for i, n, exact, renamed, suppressed in meta:
        # Positional and without a generator: this loop runs once per unit of a whole scan.
        names_at, lines_at, end = pos + n, pos + 2 * n, pos + 3 * n
        out[i] = UnitStream(flat[pos:names_at], flat[names_at:lines_at], flat[lines_at:end],
                            exact, renamed, suppressed == 1)
        pos = end
    return tuple(out)
