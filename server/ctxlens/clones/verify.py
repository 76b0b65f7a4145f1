"""The exact check behind a near-miss clone: ordered token similarity with consistent names.

MinHash/LSH only says two units share many shingles; similar vocabulary is not similar
logic (DESIGN.md, "Clone classes must not chain"). Here the blinded `codes` of two units
are aligned by their longest common subsequence (rapidfuzz, bit-parallel), and the
identifiers that the alignment pairs up must map one to one. Per-unit name numbers are
compared through the alignment, not position by position, so an inserted statement that
renumbers every later name costs only its own tokens.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import Indel

from ctxlens.clones.alignments import CODE_POINTS, alignments, code_point_texts
from ctxlens.clones.streams import Codes, UnitStream
from ctxlens.unique import unique

# The names' consistency (see `alignment`) from which a pair's score counts in full, and
# at which it drops to nothing; linear in between. Calibrated on Python standard-library
# functions of ≥ 50 tokens: of 1,536 planted copies with every name renamed (called ones
# too) and 1–3 statements inserted, deleted or changed that kept ≥ 80 % of their tokens
# aligned, 99.2 % still score ≥ 0.8 (the rest are short functions whose edits crossed two
# or three of ~15 identifier uses); of 2,000 functions with 20 % of their identifier uses
# rewired to other names of the function (same shape, different data flow), 2 % do
# (10 %: 83 %; 30 %: 0.1 %). Moving the zero to 0.6 or 0.4 moves each rate by ~2 points.
# Bump when a change here can change a similarity: cached verdicts carry this version.
VERIFY_VERSION = 1
CONSISTENT = 0.9
INCONSISTENT = 0.5


def consistency_factor(consistency: float) -> float:
    """Weight of the sequence similarity given how consistently the names map.

    Steep on purpose: one crossed identifier changes what code does far more than one
    extra token changes how it reads, so units of one shape whose names are wired
    differently (`x = x + x` against `a = b + c`; a body reading `a` where the other reads
    `b`) must fall below any sensible threshold even when every token lines up: at 0.8
    consistency the factor is 0.75. Linear, not a step, so the score is monotone and moving
    the threshold moves results smoothly; flat from 0.9 because a Type-3 edit usually
    disturbs a pair or two of identifiers next to it.
    """
    if consistency >= CONSISTENT:
        return 1.0
    return max(0.0, (consistency - INCONSISTENT) / (CONSISTENT - INCONSISTENT))


def alignment(a: UnitStream, b: UnitStream) -> tuple[int, float]:
    """(common tokens, consistency) of the best alignment that follows one renaming.

    First the codes alone are aligned and the renaming they support best is read off the
    aligned identifier pairs: each name's partner of most weight, where weight is the
    length of the equal blocks a pair was aligned in (next to an edit, blocks are short and
    the pairing there is a guess — `s . o = o` against `s . o = t or o` aligns the second
    `o` with `t` or with `o`, in a block of 1 or of 4 + what follows — while long blocks pin
    names down); a pair enters the renaming only if each side is the other's choice, ties
    going to the lower name number. Blinded identifiers make that alignment ambiguous next
    to an edit (`m = x` against `m = t or x` may pair `x` with `t`), so when any aligned
    pair disagrees with the renaming the codes are aligned again with each identifier
    carrying its (renamed) name: the common tokens are then those that match *and* follow
    the renaming, and consistency is the share of the first pass's aligned identifiers the
    second one keeps — 1/3 for `x = x + x` against `a = b + c`, ~1 for an edited copy.
    `alignments.alignments` computes it, for many pairs at once.
    """
    common, consistency = alignments([a, b], np.array([[0, 1]]))
    return int(common[0]), float(consistency[0])


def similarity(a: UnitStream, b: UnitStream) -> float:
    """Ordered similarity in [0, 1]: 2·common/(|a|+|b|), with `common` the tokens aligned
    under one renaming (see `alignment`), × the names' consistency factor. 0 when either
    unit has no tokens."""
    return similarities([a, b], np.array([[0, 1]]))[0]


def similarities(streams: Sequence[UnitStream], pairs: npt.NDArray[np.integer]
                 ) -> list[float]:
    """`similarity` of every (i, j) row of `pairs`, indices into `streams`, at once (a pair
    with no common token, an empty unit's included, scores 0)."""
    common, consistency = alignments(streams, pairs)
    lengths = np.fromiter((len(s) for s in streams), dtype=np.int64, count=len(streams))
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    total = lengths[pairs[:, 0]] + lengths[pairs[:, 1]]
    return [2 * c / t * consistency_factor(k) if c else 0.0
            for c, t, k in zip(common.tolist(), total.tolist(), consistency.tolist(),
                               strict=True)]


def folded_texts(streams: Sequence[Codes]) -> list[str]:
    """Each stream's codes folded to one character per token, for `within_lcs_bound`.

    rapidfuzz compares strings natively, several times faster than lists of ints, and a
    string costs 4 bytes a token where a list of 32-bit ints costs ~36 — so every
    candidate's text can be built once, in bulk, and kept for all its pairs. Folding 32-bit
    codes into ~1.1M code points can make two different tokens equal, never two equal
    tokens different: the LCS of folded texts is at least that of the codes, so the bound
    stays a bound (a collision can only let a pair through to the exact check).
    """
    if not streams:
        return []
    lengths = np.fromiter((len(s) for s in streams), dtype=np.int64, count=len(streams))
    codes = np.concatenate([np.asarray(s, dtype=np.uint32) for s in streams])
    return code_point_texts(codes % np.uint32(CODE_POINTS), lengths)


def within_lcs_bound(codes_a: Sequence[int] | str, codes_b: Sequence[int] | str,
                     threshold: float) -> bool:
    """Whether the plain LCS score of two code sequences can reach `threshold`.

    Names can only lower it, so a pair failing here fails `similarity` too. Takes lists
    or `folded_texts`: rapidfuzz reads either several times faster than arrays.
    """
    shorter, total = min(len(codes_a), len(codes_b)), len(codes_a) + len(codes_b)
    if not _long_enough(shorter, total, threshold):
        return False
    max_distance = int(_max_distance(total, threshold))
    return bool(Indel.distance(codes_a, codes_b, score_cutoff=max_distance) <= max_distance)


def within_lcs_bounds(
    pairs: npt.NDArray[np.intp], codes: Sequence[Codes], threshold: float
) -> list[tuple[int, int]]:
    """`within_lcs_bound` for many (i, j) pairs of `codes` at once: the pairs that pass.

    Lengths are checked in numpy (about half of LSH's candidates differ too much in length),
    then rapidfuzz's `cpdist` runs the bit-parallel LCS of every remaining pair in C++ on
    all cores over `folded_texts`, where a Python loop over a million candidates spent more
    time calling than aligning.
    """
    from rapidfuzz.process import cpdist

    lengths = np.fromiter((len(c) for c in codes), dtype=np.int64, count=len(codes))
    la, lb = lengths[pairs[:, 0]], lengths[pairs[:, 1]]
    pairs = pairs[_long_enough(np.minimum(la, lb), la + lb, threshold)]
    if not len(pairs):
        return []
    used = unique(pairs)
    text_of = dict(zip(used.tolist(), folded_texts([codes[i] for i in used]), strict=True))
    first, second = pairs[:, 0].tolist(), pairs[:, 1].tolist()
    max_distance = _max_distance(lengths[pairs[:, 0]] + lengths[pairs[:, 1]], threshold)
    distance = cpdist([text_of[a] for a in first], [text_of[b] for b in second],
                      scorer=Indel.distance, score_cutoff=int(max_distance.max()),
                      dtype=np.int64, workers=-1)
    passed = np.flatnonzero(distance <= max_distance).tolist()
    return [(first[i], second[i]) for i in passed]


def _long_enough(shorter: Any, total: Any, threshold: float) -> Any:
    """The LCS is at most the shorter length: 2·shorter/total bounds the score (scalars or
    arrays)."""
    return (shorter > 0) & (2 * shorter >= threshold * total)


def _max_distance(total: Any, threshold: float) -> Any:
    """The largest Indel distance (= |a| + |b| − 2·LCS) that still reaches `threshold`, in
    integers (scalars or arrays): rapidfuzz rounds a normalised cutoff, which rejected a pair
    scoring exactly the threshold."""
    return np.floor(total * (1 - threshold) + 1e-9).astype(np.int64)
