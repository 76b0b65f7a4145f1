"""MinHash signatures of many token streams at once, and LSH candidate pairs.

datasketch's `MinHash.update_batch` costs about a quarter of a millisecond per unit, almost
all of it per-call overhead (DESIGN.md, "MinHash cost"). Here every shingle of every stream
is hashed and permuted in a few numpy passes. The rows are datasketch sketches in all but
name: `candidate_pairs` bands them with datasketch's `MinHashLSH` parameters, matching the
bands in bulk, or wraps them as `LeanMinHash`es for a real `MinHashLSH` on shared storage.

The permutations are datasketch 2.0's default scheme, "affine32": the 32-bit shingle hash is
pre-mixed with the MurmurHash3 finalizer, then `a·h + b mod 2^32` with odd `a`. It is a
bijection (no collisions added by the permutation, unlike the older "legacy"
`(a·h + b) mod (2^61 − 1)` folded to 32 bits, which is biased and needs 64-bit modulo per
value), and in uint32 the wraparound *is* the modulo, so it is also the cheapest to bulk.
A `LeanMinHash(seed=seed, hashvalues=row, scheme=SCHEME)` of a row equals datasketch's own
`MinHash(num_perm, seed)` fed the same 32-bit shingle hashes (tests/clones/test_minhash.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt

from ctxlens.unique import unique

SCHEME = "affine32"

U32 = npt.NDArray[np.uint32]

# Fills streams shorter than one shingle, so that a 3-token unit is one shingle that cannot
# equal a real 5-token window; crc32 token codes reach this value with probability 2^-32.
PAD_CODE = np.uint32(0xFFFFFFFF)
EMPTY = np.uint32(0xFFFFFFFF)  # a signature value that saw no shingle (datasketch's too)

# Shingles permuted per pass: 256 KiB of uint32 stays in L2 while all permutations run over it.
_CHUNK_SHINGLES = 1 << 16

# Fixed (not seeded): shingle hashes must stay the same across runs for stored signatures.
# A sum of code·multiplier mod 2^64, high 32 bits kept, is Lemire's multilinear hash.
_SHINGLE_MULTIPLIERS = np.random.default_rng(0x5EED_C7A1).integers(
    1, 1 << 63, size=64, dtype=np.uint64
) | np.uint64(1)


def shingle_hashes(codes: U32, shingle: int = 5) -> U32:
    """The 32-bit hashes of every `shingle`-token window of one stream (one for a short one)."""
    return _bulk_shingles([codes], shingle)[0]


def _shingle_counts(streams: Sequence[U32], shingle: int) -> npt.NDArray[np.intp]:
    if not 1 <= shingle <= len(_SHINGLE_MULTIPLIERS):
        raise ValueError(f"shingle must be in 1..{len(_SHINGLE_MULTIPLIERS)}, got {shingle}")
    lengths = np.fromiter((len(s) for s in streams), dtype=np.intp, count=len(streams))
    return np.where(lengths > 0, np.maximum(lengths - shingle + 1, 1), 0)


def _bulk_shingles(streams: Sequence[U32], shingle: int) -> tuple[U32, npt.NDArray[np.intp]]:
    """All streams' shingle hashes concatenated, and how many each stream has."""
    counts = _shingle_counts(streams, shingle)
    parts: list[U32] = []
    for stream in streams:
        parts.append(np.asarray(stream, dtype=np.uint32))
        if 0 < len(stream) < shingle:
            parts.append(np.full(shingle - len(stream), PAD_CODE, dtype=np.uint32))
    if not parts:
        return np.empty(0, np.uint32), counts
    codes = np.concatenate(parts).astype(np.uint64)
    # Hash every window of the concatenation with contiguous slices (no gathers), then keep
    # the windows that do not cross from one stream into the next.
    width = len(codes) - shingle + 1
    acc = codes[:width] * _SHINGLE_MULTIPLIERS[0]
    for j in range(1, shingle):
        acc += codes[j : j + width] * _SHINGLE_MULTIPLIERS[j]
    padded = counts + np.where(counts > 0, shingle - 1, 0)
    skip = np.repeat(np.cumsum(padded) - padded - (np.cumsum(counts) - counts), counts)
    starts = np.arange(len(skip), dtype=np.intp) + skip
    return (acc[starts] >> np.uint64(32)).astype(np.uint32), counts


def _fmix32(h: U32) -> U32:
    # datasketch's pre-mix for the affine schemes; re-implemented because theirs is private.
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    mixed: U32 = h ^ (h >> np.uint32(16))
    return mixed


@cache
def _permutations(num_perm: int, seed: int) -> tuple[U32, U32]:
    # datasketch 2's affine32 draw (`MinHash._init_permutations`), written out because
    # importing datasketch costs ~0.4 s (it imports scipy.integrate) on every run; the tests
    # compare these with datasketch's own and its sketches with ours.
    gen = np.random.RandomState(seed)
    a = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def signatures(
    streams: Sequence[U32], *, num_perm: int = 128, shingle: int = 5, seed: int = 1
) -> U32:
    """MinHash signatures, shape (len(streams), num_perm), of the streams' shingle sets.

    An empty stream gets the all-`EMPTY` row of an empty datasketch MinHash.
    """
    out = np.empty((len(streams), num_perm), dtype=np.uint32)
    a, b = _permutations(num_perm, seed)
    counts = _shingle_counts(streams, shingle)
    # Batches of whole streams, about _CHUNK_SHINGLES shingles each: bounded memory at any
    # corpus size, and each batch's buffer stays in cache while all permutations run over it.
    batch_of = np.cumsum(counts) // _CHUNK_SHINGLES
    cuts = [0, *(np.flatnonzero(np.diff(batch_of)) + 1).tolist(), len(streams)]
    for lo, hi in itertools.pairwise(cuts):
        if lo < hi:
            out[lo:hi] = _signature_batch(streams[lo:hi], shingle, a, b)
    return out


def _signature_batch(streams: Sequence[U32], shingle: int, a: U32, b: U32) -> U32:
    hashes, counts = _bulk_shingles(streams, shingle)
    # Built transposed, one permutation at a time over the batch: ~7× faster in numpy than
    # broadcasting a (shingles × num_perm) block and reducing it along axis 0.
    out_t = np.full((len(a), len(streams)), EMPTY, dtype=np.uint32)
    out: U32 = out_t.T
    present = np.flatnonzero(counts)
    if not len(present):
        return out
    mixed = _fmix32(hashes)
    seg = (np.cumsum(counts) - counts)[present]
    buf = np.empty_like(mixed)
    mins = np.empty((len(a), len(present)), dtype=np.uint32)
    for k in range(len(a)):
        np.multiply(mixed, a[k], out=buf)  # wraps mod 2^32, as the scheme intends
        buf += b[k]
        np.minimum.reduceat(buf, seg, out=mins[k])
    out_t[:, present] = mins
    return out


# datasketch's optimiser's answers for the default options (tests check them against it),
# so that a run with the defaults need not import datasketch.
KNOWN_LSH_PARAMS: dict[tuple[float, int, tuple[float, float]], tuple[int, int]] = {
    (0.4, 128, (0.5, 0.5)): (32, 4),
}


@cache
def lsh_params(threshold: float, num_perm: int, weights: tuple[float, float]) -> tuple[int, int]:
    """datasketch's (bands, rows per band) for this threshold: its optimiser, run once."""
    known = KNOWN_LSH_PARAMS.get((threshold, num_perm, weights))
    if known is not None:
        return known
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm, weights=weights)
    return int(lsh.b), int(lsh.r)


def candidate_pairs(
    sigs: U32,
    *,
    threshold: float,
    num_perm: int,
    seed: int = 1,
    weights: tuple[float, float] = (0.5, 0.5),
    storage_config: dict[str, object] | None = None,
) -> set[tuple[int, int]]:
    """Row pairs (i < j) that share an LSH band: likely Jaccard ≥ threshold.

    Banding is datasketch's `MinHashLSH(threshold, num_perm, weights)`: its (b, r), its bands.
    Without `storage_config` the bands are matched in bulk with numpy, which yields the same
    pairs as inserting and querying datasketch's in-memory index (tested), 20–30× faster;
    with one (e.g. ``{"type": "redis", ...}``) a real `MinHashLSH` on that storage is filled
    and queried. Rows with no shingle (all `EMPTY`) are left out: they would all collide.
    """
    # Callers see only pairs of row indices, never the index itself, so that the in-memory
    # banding can give way to a shared, persistent LSH (datasketch's Redis or Cassandra
    # `storage_config`, several indexers feeding one index) without any caller changing.
    if storage_config is None:
        pairs = candidate_pair_array(sigs, threshold=threshold, num_perm=num_perm,
                                     weights=weights)
        return set(zip(pairs[:, 0].tolist(), pairs[:, 1].tolist(), strict=True))
    return _datasketch_pairs(
        sigs, _kept_rows(sigs, num_perm).tolist(), threshold, num_perm, seed, weights,
        storage_config
    )


def _kept_rows(sigs: U32, num_perm: int) -> npt.NDArray[np.intp]:
    """Rows with at least one shingle: empty rows (all `EMPTY`) would all collide."""
    if sigs.ndim != 2 or sigs.shape[1] != num_perm:
        raise ValueError(f"expected signatures of shape (n, {num_perm}), got {sigs.shape}")
    return np.flatnonzero((sigs != EMPTY).any(axis=1))


def _datasketch_pairs(
    sigs: U32,
    keep: list[int],
    threshold: float,
    num_perm: int,
    seed: int,
    weights: tuple[float, float],
    storage_config: dict[str, object],
) -> set[tuple[int, int]]:
    from datasketch import LeanMinHash, MinHashLSH

    lsh = MinHashLSH(
        threshold=threshold, num_perm=num_perm, weights=weights, storage_config=storage_config
    )
    sketches = [LeanMinHash(seed=seed, hashvalues=sigs[i], scheme=SCHEME) for i in keep]
    with lsh.insertion_session() as session:
        for i, sketch in zip(keep, sketches, strict=True):
            # Keys are distinct row indices; datasketch's duplicate check would be wasted work.
            session.insert(i, sketch, check_duplication=False)
    pairs: set[tuple[int, int]] = set()
    for i, sketch in zip(keep, sketches, strict=True):
        for j in lsh.query(sketch):
            if j != i:
                pairs.add((i, j) if i < j else (j, i))
    return pairs


def candidate_pair_array(
    sigs: U32, *, threshold: float, num_perm: int, weights: tuple[float, float] = (0.5, 0.5)
) -> npt.NDArray[np.intp]:
    """`candidate_pairs` (in-memory banding) as an (n, 2) array, rows sorted: for callers
    that filter a million pairs with numpy before touching any in Python."""
    keep = _kept_rows(sigs, num_perm)
    bands, rows = lsh_params(threshold, num_perm, weights)
    return _banded_pair_array(sigs[keep], keep, bands, rows)


def _banded_pair_array(sigs: U32, ids: npt.NDArray[np.intp], bands: int,
                       rows: int) -> npt.NDArray[np.intp]:
    found: list[npt.NDArray[np.int64]] = []
    n = len(ids)
    weights = _SHINGLE_MULTIPLIERS[:rows]
    for band in range(bands):
        block = sigs[:, band * rows : (band + 1) * rows].astype(np.uint64)
        # One 64-bit key per band: a false match needs a 64-bit collision, ~n²/2^65 per band.
        key = (block * weights).sum(axis=1, dtype=np.uint64)
        order = np.argsort(key, kind="stable")
        sorted_key = key[order]
        # Walk each bucket by growing offsets; positions drop out once their bucket ends, so
        # the work is the number of pairs, not bucket count × largest bucket.
        live = np.flatnonzero(sorted_key[1:] == sorted_key[:-1])
        d = 1
        while len(live):
            found.append(np.stack([order[live], order[live + d]], axis=1).astype(np.int64))
            d += 1
            live = live[live + d < n]
            live = live[sorted_key[live + d] == sorted_key[live]]
    if not found:
        return np.empty((0, 2), dtype=np.intp)
    local = np.sort(np.concatenate(found), axis=1)
    local = unique(local[:, 0] * n + local[:, 1])  # sorted: ids ascend, so rows do too
    return np.stack([ids[local // n], ids[local % n]], axis=1).astype(np.intp)
