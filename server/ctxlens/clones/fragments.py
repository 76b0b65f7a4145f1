"""Fragment clones: blocks copied into larger units, found by winnowing.

A block pasted into two long functions leaves the functions as a whole dissimilar, so the
whole-unit checks miss it. Here every unit's blinded `codes` are cut into k-grams, and
winnowing (Schleimer, Wilkerson & Aiken, SIGMOD 2003) keeps the minimum hash of every
window of w consecutive k-grams. Any common run of t = w + k − 1 tokens contains the same w
k-grams in both places, hence the same selected minimum: with t = `min_tokens`, no long
enough copy can go unseen, yet only ~2/(w + 1) of all positions are kept and compared.

Matching fingerprints are seeds: each is grown to the maximal run of equal codes around it,
and that run is cut into the maximal pieces whose names map one to one (Baker's
parameterised match: at every position, the distance back to the previous use of the
same name must agree on both sides, or point before the piece's start on both). So a
fragment here is Type-1/2: equal normalised tokens, consistently renamed; there is no gap
bridging yet (see `find_fragments`).
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ctxlens.clones.streams import UnitStream
from ctxlens.unique import unique

DEFAULT_KGRAM = 25
# A fingerprint shared by more places than this pairs them as a star and a chain, not all
# with all: 1,000 copies of one boilerplate block would otherwise cost half a million
# seeds, and as many reported pairs for what is one clone class.
MAX_GROUP = 64

# "No earlier use of this name in the unit": farther back than any run can reach.
_FIRST_USE = np.int32(np.iinfo(np.int32).max)

_BASE = np.uint64(0x9E3779B97F4A7C15)  # odd, so invertible mod 2^64
_BASE_INVERSE = np.uint64(pow(int(_BASE), -1, 1 << 64))
_HASH_CHUNK = 1 << 18  # k-grams hashed per pass
_WINNOW_CHUNK = 1 << 16  # windows compared per pass: 64k × w × 8 bytes


@dataclass(frozen=True, slots=True)
class FragmentMatch:
    """Tokens [start_a, end_a) of unit_a match [start_b, end_b) of unit_b (ends exclusive).

    unit_a < unit_b, or the same unit with start_a < start_b and the ranges disjoint.
    `lines` of each stream maps the ranges to source lines.
    """

    unit_a: int
    start_a: int
    end_a: int
    unit_b: int
    start_b: int
    end_b: int
    similarity: float

    @property
    def tokens(self) -> int:
        return self.end_a - self.start_a


def find_fragments(
    streams: Sequence[UnitStream],
    *,
    min_tokens: int = 50,
    min_lines: int = 5,
    skip_pairs: Collection[tuple[int, int]] = frozenset(),
    kgram: int = DEFAULT_KGRAM,
) -> list[FragmentMatch]:
    """Maximal copied runs of ≥ `min_tokens` tokens spanning ≥ `min_lines` lines on both
    sides, between two units or at two places of one unit.

    `skip_pairs` holds unit index pairs (i < j) already reported as whole-unit clones.
    Suppressed units take part in nothing. Exact runs only: a copied block with one edited
    statement in its middle is found as two runs, each only if long enough on its own.
    """
    if min_tokens < 2:
        raise ValueError("min_tokens must be at least 2")
    k = max(1, min(kgram, min_tokens - 1))
    window = min_tokens - k + 1  # the guarantee threshold w + k − 1 is then min_tokens
    units = [
        i
        for i, s in enumerate(streams)
        if len(s) >= min_tokens and s.line_span >= min_lines and not s.suppressed
    ]
    if not units:
        return []
    corpus = _Corpus([streams[i] for i in units])
    seeds = _seed_pairs(corpus, k, window)
    skip = {(min(p), max(p)) for p in skip_pairs}
    found = _grow(corpus, units, seeds, k, min_tokens, min_lines, skip)
    return _dedupe(found)


class _Corpus:
    """All eligible units' tokens end to end, with per-token unit and name-distance arrays."""

    def __init__(self, streams: Sequence[UnitStream]) -> None:
        self.streams = streams
        lengths = np.array([len(s) for s in streams], dtype=np.int64)
        self.offsets = np.concatenate(([0], np.cumsum(lengths)))
        self.codes = np.concatenate([s.codes for s in streams]).astype(np.uint32, copy=False)
        self.unit = np.repeat(np.arange(len(streams), dtype=np.int32), lengths)
        self.prev = _previous_use(np.concatenate([s.names for s in streams]), self.unit)


def _previous_use(names: npt.NDArray[np.uint32], unit: npt.NDArray[np.int32]) -> npt.NDArray[
    np.int32
]:
    """Per token: 0 for a non-identifier, else the distance back to the same name's previous
    use in its unit, or _FIRST_USE. Two equal-codes runs are one renaming of each other iff
    these agree at every position, counting distances that reach before the run as equal."""
    prev = np.zeros(len(names), dtype=np.int32)
    where = np.flatnonzero(names)
    if not len(where):
        return prev
    key = unit[where].astype(np.int64) << np.int64(32) | names[where].astype(np.int64)
    order = np.argsort(key, kind="stable")  # stable: positions ascend within one name
    pos, key = where[order], key[order]
    dist = np.full(len(pos), _FIRST_USE, dtype=np.int32)
    same = key[1:] == key[:-1]
    dist[1:][same] = (pos[1:] - pos[:-1])[same]
    prev[pos] = dist
    return prev


def _kgram_hashes(codes: npt.NDArray[np.uint32], k: int) -> npt.NDArray[np.uint64]:
    """Polynomial hash of every k-gram of `codes` (mod 2^64), via prefix sums: O(n), not O(nk).

    h_i = Σ_j codes[i+j]·B^j; with S_i = Σ_{m<i} codes[m]·B^m, h_i = (S_{i+k} − S_i)·B^−i.
    Computed in chunks so that the temporaries stay a few MiB at any corpus size.
    """
    n = len(codes) - k + 1
    if n <= 0:
        return np.empty(0, dtype=np.uint64)
    out = np.empty(n, dtype=np.uint64)
    chunk = min(_HASH_CHUNK, n)
    with np.errstate(over="ignore"):
        # B^j and B^−j for j = 0, 1, …: (B^(j+1))·B^−1, as B·B^−1 = 1 mod 2^64.
        powers = np.cumprod(np.full(chunk + k, _BASE, dtype=np.uint64)) * _BASE_INVERSE
        inverses = np.cumprod(np.full(chunk, _BASE_INVERSE, dtype=np.uint64)) * _BASE
        for lo in range(0, n, chunk):
            hi = min(lo + chunk, n)
            part = codes[lo : hi + k - 1].astype(np.uint64) * powers[: hi - lo + k - 1]
            prefix = np.zeros(len(part) + 1, dtype=np.uint64)
            np.cumsum(part, out=prefix[1:])
            h = (prefix[k:] - prefix[: hi - lo]) * inverses[: hi - lo]
            # The low bits of a polynomial hash mod 2^64 are weak; winnowing compares whole
            # values, so spread all bits with the MurmurHash3 64-bit finalizer.
            h ^= h >> np.uint64(33)
            h *= np.uint64(0xFF51AFD7ED558CCD)
            h ^= h >> np.uint64(33)
            h *= np.uint64(0xC4CEB9FE1A85EC53)
            h ^= h >> np.uint64(33)
            out[lo:hi] = h
    return out


def _seed_pairs(corpus: _Corpus, k: int, window: int) -> npt.NDArray[np.int64]:
    """Pairs (p, q), p < q, of corpus positions whose k-grams are fingerprints of equal hash."""
    hashes = _kgram_hashes(corpus.codes, k)
    view = np.lib.stride_tricks.sliding_window_view(hashes, window)
    # A window may start wherever all its `window` k-grams lie inside one unit.
    per_unit = np.diff(corpus.offsets) - k - window + 2
    batch_of = np.cumsum(per_unit) // _WINNOW_CHUNK
    cuts = [0, *(np.flatnonzero(np.diff(batch_of)) + 1).tolist(), len(per_unit)]
    found: list[npt.NDArray[np.int64]] = []
    for lo, hi in itertools.pairwise(cuts):
        counts = per_unit[lo:hi]
        starts = np.repeat(corpus.offsets[lo:hi] - np.cumsum(counts) + counts, counts)
        starts += np.arange(len(starts), dtype=np.int64)
        # Rightmost minimum (robust winnowing): a run of equal minima selects one position,
        # not one per window.
        chosen = starts + (window - 1) - np.argmin(view[starts][:, ::-1], axis=1)
        found.append(unique(chosen))
    prints = np.concatenate(found) if found else np.empty(0, dtype=np.int64)
    keys = hashes[prints]
    order = np.argsort(keys, kind="stable")  # stable: positions ascend within one hash
    prints, keys = prints[order], keys[order]
    return _pairs_within_groups(prints, keys)


def _pairs_within_groups(
    items: npt.NDArray[np.int64], keys: npt.NDArray[np.uint64]
) -> npt.NDArray[np.int64]:
    """Pairs of items with equal keys (items sorted by key, ascending within a key).

    Every pair within a small group; a large group pairs each member with its first member
    (a star, as clone classes answer to one member) and with its successor (so the group
    stays connected where a member's run with the first one is too short).
    """
    if len(keys) < 2:
        return np.empty((0, 2), dtype=np.int64)
    new_group = np.concatenate(([True], keys[1:] != keys[:-1]))
    group_start = np.flatnonzero(new_group)
    sizes = np.diff(np.append(group_start, len(keys)))
    size_of = np.repeat(sizes, sizes)
    first_of = np.repeat(group_start, sizes)
    pairs: list[npt.NDArray[np.int64]] = []
    # Small groups: walk offsets 1, 2, …; a position drops out when its group ends.
    live = np.flatnonzero((size_of[:-1] <= MAX_GROUP) & (keys[1:] == keys[:-1]))
    step = 1
    while len(live):
        pairs.append(np.stack([items[live], items[live + step]], axis=1))
        step += 1
        live = live[live + step < len(keys)]
        live = live[keys[live + step] == keys[live]]
    big = np.flatnonzero((size_of > MAX_GROUP) & ~new_group)
    pairs.append(np.stack([items[first_of[big]], items[big]], axis=1))
    successor = big[big - 1 != first_of[big]]
    pairs.append(np.stack([items[successor - 1], items[successor]], axis=1))
    return np.concatenate(pairs)


def _grow(
    corpus: _Corpus,
    units: list[int],
    seeds: npt.NDArray[np.int64],
    k: int,
    min_tokens: int,
    min_lines: int,
    skip: set[tuple[int, int]],
) -> list[FragmentMatch]:
    """Each seed's maximal equal-codes run, cut into consistently renamed pieces.

    Seeds are checked and grown all at once with numpy; Python sees each distinct run once
    (seeds on one diagonal inside one run grow to that same run), not each seed.
    """
    codes, unit, prev, offsets = corpus.codes, corpus.unit, corpus.prev, corpus.offsets
    if not len(seeds):
        return []
    p, q = seeds[:, 0], seeds[:, 1]
    ua, ub = unit[p].astype(np.int64), unit[q].astype(np.int64)
    if skip:
        # Unit pairs already reported as whole-unit clones, in corpus unit numbers.
        corpus_of = {u: i for i, u in enumerate(units)}
        skip_keys = np.array([corpus_of[a] * len(units) + corpus_of[b] for a, b in skip
                              if a in corpus_of and b in corpus_of], dtype=np.int64)
        keep = ~np.isin(ua * len(units) + ub, skip_keys)
        p, q, ua, ub = p[keep], q[keep], ua[keep], ub[keep]
    # Winnowing compared hashes: drop collisions, whose k-grams differ.
    equal = np.ones(len(p), dtype=bool)
    for j in range(k):
        equal &= codes[p + j] == codes[q + j]
    p, q, ua, ub = p[equal], q[equal], ua[equal], ub[equal]
    if not len(p):
        return []
    first, last = _chains(codes, p, q, ua, ub, k)
    # A chain proves its tokens equal from its first seed to its last seed's k-gram end:
    # grow left from the first, right from the last.
    pf, qf, pl, ql, ua, ub = p[first], q[first], p[last], q[last], ua[first], ub[first]
    left = _run_lengths(codes, pf - 1, qf - 1, np.minimum(pf - offsets[ua], qf - offsets[ub]),
                        -1)
    # The last seed's k-gram is known equal: grow from its end.
    right = _run_lengths(codes, pl + k, ql + k,
                         np.minimum(offsets[ua + 1] - pl, offsets[ub + 1] - ql) - k, 1)
    p, q = pf, qf
    right += pl - pf + k  # measured from the first seed
    start, end, diagonal = p - left, p + right, q - p
    # A block and its copy in one unit must not overlap.
    end = np.where(ua == ub, np.minimum(end, start + diagonal), end)
    runs = np.unique(np.stack([start, end, diagonal], axis=1)[end - start >= min_tokens],
                     axis=0)
    found: list[FragmentMatch] = []
    for run_start, run_end, run_diagonal in runs.tolist():
        a_prev = prev[run_start:run_end]
        b_prev = prev[run_start + run_diagonal : run_end + run_diagonal]
        for s, e in _consistent_pieces(a_prev, b_prev, min_tokens):
            match = _match(corpus, units, run_start + s, run_start + e, run_diagonal,
                           min_lines)
            if match is not None:
                found.append(match)
    return found


_RUN_BLOCK = 8  # tokens first compared per seed; the step doubles while runs go on


def _chains(
    codes: npt.NDArray[np.uint32], p: npt.NDArray[np.int64], q: npt.NDArray[np.int64],
    ua: npt.NDArray[np.int64], ub: npt.NDArray[np.int64], k: int,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Seeds sorted along their diagonals and joined into chains of one equal run: first and
    last seed of each chain (indices into p, q; p, q, ua, ub are sorted in place).

    A long copied run yields a seed every few tokens (winnowing keeps one per window);
    growing each alone would walk the whole run once per seed. Two seeds on one diagonal
    join when the tokens between their k-grams are equal too (none, when they overlap).
    """
    order = np.lexsort((p, q - p, ub, ua))
    p[:], q[:], ua[:], ub[:] = p[order], q[order], ua[order], ub[order]
    diagonal = q - p
    gap = p[1:] - p[:-1]  # ≥ 0 along one diagonal
    joins = (ua[1:] == ua[:-1]) & (ub[1:] == ub[:-1]) & (diagonal[1:] == diagonal[:-1])
    # Seeds farther apart than one more k-gram stay apart (winnowing keeps at least one
    # seed per window, so a run rarely has wider gaps): bounds the token checks below.
    joins &= gap <= 2 * k
    far = np.flatnonzero(joins & (gap > k))
    if len(far):
        # Tokens between the k-grams: positions p + k … next p − 1, at most the gap.
        widest = int((gap[far] - k).max())
        between = np.ones(len(far), dtype=bool)
        for j in range(widest):
            inside = j < gap[far] - k
            pa = np.where(inside, p[far] + k + j, 0)
            pb = np.where(inside, q[far] + k + j, 0)
            between &= ~inside | (codes[pa] == codes[pb])
        joins[far] = between
    head = np.concatenate(([True], ~joins))
    first = np.flatnonzero(head)
    last = np.append(first[1:] - 1, len(p) - 1)
    return first, last


def _run_lengths(
    codes: npt.NDArray[np.uint32], a: npt.NDArray[np.int64], b: npt.NDArray[np.int64],
    limit: npt.NDArray[np.int64], step: int,
) -> npt.NDArray[np.int64]:
    """Per seed, how many positions a, a+step, … equal b, b+step, … (at most `limit`)."""
    length = np.zeros(len(a), dtype=np.int64)
    active = np.flatnonzero(limit > 0)
    block = _RUN_BLOCK
    while len(active):
        # Doubling steps: copied runs reach thousands of tokens, most seeds stop in the first.
        offsets = np.arange(block, dtype=np.int64)
        offs = length[active, None] + offsets
        valid = offs < limit[active, None]
        pa = np.where(valid, a[active, None] + step * offs, 0)
        pb = np.where(valid, b[active, None] + step * offs, 0)
        same = valid & (codes[pa] == codes[pb])
        # argmin finds the first False; a row with none is all equal and keeps growing.
        grown = np.where(same.all(axis=1), block, np.argmin(same, axis=1))
        length[active] += grown
        active = active[grown == block]
        block *= 2
    return length


def _consistent_pieces(
    prev_a: npt.NDArray[np.int32], prev_b: npt.NDArray[np.int32], min_tokens: int
) -> list[tuple[int, int]]:
    """Disjoint pieces [s, e), each ≥ min_tokens, of an equal-codes run whose names map one
    to one.

    Where the previous uses differ, the nearer one (d back) would enter any piece starting
    d or more before this position, so the position allows only pieces starting after
    `pos − d`. Scanning left to right, each maximal piece runs until a position forbids its
    start, and the next maximal piece starts where that position allows. Maximal pieces
    overlap; each is trimmed to begin where the last kept one ended (a sub-run of a
    consistent run is consistent), so no tokens are reported twice.
    """
    conflicts = np.flatnonzero(prev_a != prev_b)
    nearer = np.minimum(prev_a[conflicts], prev_b[conflicts])
    maximal: list[tuple[int, int]] = []
    start = 0
    for pos, lowest in zip(conflicts.tolist(), (conflicts - nearer + 1).tolist(), strict=True):
        if lowest > start:
            maximal.append((start, pos))
            start = lowest
    maximal.append((start, len(prev_a)))
    pieces: list[tuple[int, int]] = []
    for s, e in maximal:
        s = max(s, pieces[-1][1]) if pieces else s
        if e - s >= min_tokens:
            pieces.append((s, e))
    return pieces


def _match(
    corpus: _Corpus, units: list[int], start: int, end: int, diagonal: int, min_lines: int
) -> FragmentMatch | None:
    ua, ub = int(corpus.unit[start]), int(corpus.unit[start + diagonal])
    sa = start - int(corpus.offsets[ua])
    sb = start + diagonal - int(corpus.offsets[ub])
    n = end - start
    lines_a, lines_b = corpus.streams[ua].lines, corpus.streams[ub].lines
    span_a = int(lines_a[sa + n - 1]) - int(lines_a[sa]) + 1
    span_b = int(lines_b[sb + n - 1]) - int(lines_b[sb]) + 1
    if min(span_a, span_b) < min_lines:
        return None
    return FragmentMatch(units[ua], sa, sa + n, units[ub], sb, sb + n, 1.0)


def _dedupe(found: list[FragmentMatch]) -> list[FragmentMatch]:
    """Drop a match whose ranges both overlap a longer kept match of the same unit pair
    (seeds on other diagonals of repetitive code find shifted copies of one block)."""
    kept: dict[tuple[int, int], list[FragmentMatch]] = {}
    for m in sorted(found, key=lambda m: (-m.tokens, m.unit_a, m.start_a, m.unit_b, m.start_b)):
        same_pair = kept.setdefault((m.unit_a, m.unit_b), [])
        if not any(
            m.start_a < o.end_a and o.start_a < m.end_a and m.start_b < o.end_b
            and o.start_b < m.end_b
            for o in same_pair
        ):
            same_pair.append(m)
    return sorted(
        (m for ms in kept.values() for m in ms),
        key=lambda m: (m.unit_a, m.start_a, m.unit_b, m.start_b),
    )
