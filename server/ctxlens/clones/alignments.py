"""The alignment behind a near-miss verdict, for many unit pairs at once.

`verify.alignment` says what is computed: the codes of two units aligned by their longest
common subsequence, the renaming read off the identifier pairs that alignment lines up,
and, where any aligned pair disagrees with that renaming, a second alignment with each
identifier carrying its renamed name. This module computes exactly those numbers for
thousands of pairs: one rapidfuzz call per pair and pass (C++, ~5 µs), and every aligned
token's bookkeeping — name pairs, their weights, the renaming, the names kept — in numpy
over all pairs of a chunk together. Done per pair in Python, the bookkeeping cost ~50 µs a
pair, most of a cold scan's near-miss time.

Sequences reach rapidfuzz as strings of one code point per token: codes renumbered densely
(a one-to-one map, so every alignment is the one the codes give), which rapidfuzz reads
several times faster than lists of 32-bit ints. A corpus with more distinct tokens than
Unicode has code points falls back to lists of the same dense numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import numpy as np
import numpy.typing as npt
from rapidfuzz.distance import LCSseq

from ctxlens.clones.streams import UnitStream
from ctxlens.unique import unique

Ints = npt.NDArray[np.int64]
_Opcodes = list[tuple[str, int, int, int, int]]  # (tag, a start, a end, b start, b end)

# Code points a token may take: all of Unicode but the surrogates, which UTF-32 decoding
# refuses.
CODE_POINTS = 0x110000 - 0x800
_SURROGATES = 0xD800

_CHUNK = 1 << 14  # pairs whose bookkeeping shares one pass: bounds the temporaries


def code_point_texts(values: npt.NDArray[np.integer], lengths: Ints) -> list[str]:
    """`values` (each < CODE_POINTS) cut into strings of `lengths` characters, one per value."""
    points = values.astype(np.uint32)
    points[points >= _SURROGATES] += np.uint32(0x800)
    text = points.astype("<u4").tobytes().decode("utf-32-le")
    ends = np.cumsum(lengths).tolist()
    return [text[start:end] for start, end in zip([0, *ends[:-1]], ends, strict=True)]


def alignments(streams: Sequence[UnitStream], pairs: npt.NDArray[np.integer]
               ) -> tuple[Ints, npt.NDArray[np.float64]]:
    """(common tokens, names' consistency) of `verify.alignment` for every (i, j) row of
    `pairs`, indices into `streams`."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    common = np.zeros(len(pairs), dtype=np.int64)
    consistency = np.ones(len(pairs), dtype=np.float64)
    if not len(pairs):
        return common, consistency
    corpus = _Corpus(streams, unique(pairs))
    # Pair, a-name and b-name packed in one int64 key for numpy's sort: chunk so they fit.
    name_bits = max(1, int(corpus.names.max(initial=0)).bit_length())
    chunk = 1 << max(0, min(_CHUNK.bit_length() - 1, 62 - 2 * name_bits))
    for lo in range(0, len(pairs), chunk):
        rows = slice(lo, lo + chunk)
        common[rows], consistency[rows] = _align_chunk(corpus, pairs[rows], name_bits)
    return common, consistency


class _Corpus:
    """The tokens of the streams that take part, end to end, renumbered densely."""

    def __init__(self, streams: Sequence[UnitStream], used: Ints) -> None:
        lengths = np.zeros(len(streams), dtype=np.int64)
        lengths[used] = [len(streams[i]) for i in used.tolist()]
        self.lengths = lengths
        self.offsets = np.concatenate(([0], np.cumsum(lengths)))
        codes = np.concatenate([streams[i].codes for i in used.tolist()])
        self.names = np.concatenate([streams[i].names for i in used.tolist()]).astype(np.int64)
        distinct = unique(codes)
        self.rank = np.searchsorted(distinct, codes).astype(np.int64, copy=False)
        # Codes that carry names (blinded identifiers): a name turns them into new tokens.
        is_named = self.names > 0
        named = unique(codes[is_named])
        self.named_rank = np.zeros(len(codes), dtype=np.int64)
        self.named_rank[is_named] = np.searchsorted(named, codes[is_named])
        self.distinct, self.distinct_named = len(distinct), max(len(named), 1)
        self.max_name = np.zeros(len(streams), dtype=np.int64)
        nonempty = used[lengths[used] > 0]
        if len(nonempty):
            self.max_name[nonempty] = np.maximum.reduceat(self.names, self.offsets[nonempty])
        texts = _sequences(self.rank, lengths[used])
        self.texts: dict[int, str | list[int]] = dict(zip(used.tolist(), texts, strict=True))

    def spans(self, units: Ints) -> tuple[Ints, Ints]:
        """Positions of `units`' tokens end to end, and the index of the unit of each."""
        lengths = self.lengths[units]
        owner = np.repeat(np.arange(len(units), dtype=np.int64), lengths)
        return _ranges(self.offsets[units], lengths), owner


def _ranges(starts: Ints, lengths: Ints) -> Ints:
    """start, start+1, … (length of them) for every (start, length), end to end."""
    total = int(lengths.sum())
    shift: Ints = np.repeat(starts - (np.cumsum(lengths) - lengths), lengths)
    return np.arange(total, dtype=np.int64) + shift


def _sequences(values: Ints, lengths: Ints) -> list[str] | list[list[int]]:
    if not len(values) or int(values.max()) < CODE_POINTS:
        return code_point_texts(values, lengths)
    ends = np.cumsum(lengths).tolist()
    flat = values.tolist()
    return [flat[s:e] for s, e in zip([0, *ends[:-1]], ends, strict=True)]


def _equal_blocks(seqs: Sequence[tuple[str | list[int], str | list[int]]]) -> tuple[
        Ints, Ints, Ints, Ints]:
    """(pair, a start, b start, length) of every equal block of each pair's LCS alignment."""
    rows: list[tuple[int, int, int, int]] = [
        (k, i1, j1, i2 - i1)
        for k, (a, b) in enumerate(seqs)
        for tag, i1, i2, j1, _ in cast(_Opcodes, LCSseq.opcodes(a, b).as_list())
        if tag == "equal"]
    table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    return table[:, 0], table[:, 1], table[:, 2], table[:, 3]


def _aligned_positions(corpus: _Corpus, pairs: Ints, blocks: tuple[Ints, Ints, Ints, Ints]
                       ) -> tuple[Ints, Ints, Ints, Ints]:
    """Per aligned token: its pair, its position in a and in b (in the corpus), and the
    length of the equal block it lies in."""
    pair, a_start, b_start, length = blocks
    block = np.repeat(np.arange(len(length), dtype=np.int64), length)
    within = _ranges(np.zeros(len(length), dtype=np.int64), length)
    k = pair[block]
    a_pos = corpus.offsets[pairs[k, 0]] + a_start[block] + within
    b_pos = corpus.offsets[pairs[k, 1]] + b_start[block] + within
    return k, a_pos, b_pos, length[block]


def _align_chunk(corpus: _Corpus, pairs: Ints, name_bits: int
                 ) -> tuple[Ints, npt.NDArray[np.float64]]:
    n = len(pairs)
    seqs = [(corpus.texts[a], corpus.texts[b]) for a, b in pairs.tolist()]
    blocks = _equal_blocks(seqs)
    common = np.bincount(blocks[0], weights=blocks[3], minlength=n).astype(np.int64)
    k, a_pos, b_pos, weight = _aligned_positions(corpus, pairs, blocks)
    x, y = corpus.names[a_pos], corpus.names[b_pos]
    named = (x | y) > 0
    k, x, y, weight = k[named], x[named], y[named], weight[named]
    aligned_names = np.bincount(k, minlength=n)
    # One row per (pair, a-name, b-name) the alignment lines up: how often, and the summed
    # lengths of the equal blocks it lay in.
    key = k << (2 * name_bits) | x << name_bits | y
    keys, inverse = np.unique(key, return_inverse=True)
    weights = np.bincount(inverse.ravel(), weights=weight).astype(np.int64)
    mask = (1 << name_bits) - 1
    rk, rx, ry = keys >> (2 * name_bits), keys >> name_bits & mask, keys & mask
    mutual = _mutual_best(rk, rx, ry, weights)
    # A pair is consistent when every aligned name pair is in the renaming.
    consistency = np.ones(n, dtype=np.float64)
    redo = np.flatnonzero(np.bincount(rk[~mutual], minlength=n) > 0)
    if len(redo):
        kept, common[redo] = _realign(corpus, pairs, redo, (rk[mutual], rx[mutual],
                                                             ry[mutual]))
        consistency[redo] = kept / aligned_names[redo]
    return common, consistency


def _mutual_best(k: Ints, x: Ints, y: Ints, weight: Ints) -> npt.NDArray[np.bool_]:
    """Rows (sorted by pair, x, y) that enter `verify._renaming`: each name's partner of
    most weight, the lower partner number on a tie, chosen from both sides."""
    mutual = np.zeros(len(k), dtype=bool)
    both = np.flatnonzero((x > 0) & (y > 0))
    if not len(both):
        return mutual
    k, x, y, weight = k[both], x[both], y[both], weight[both]
    # Rows already run by (pair, x), partners ascending; by (pair, y) after one sort.
    best_y = _best_in_runs(k, x, y, weight)
    by_y = np.argsort(k << 32 | y, kind="stable")  # stable: x ascends within a run
    best_x = np.empty(len(k), dtype=np.int64)
    best_x[by_y] = _best_in_runs(k[by_y], y[by_y], x[by_y], weight[by_y])
    mutual[both] = (best_y == y) & (best_x == x)
    return mutual


def _best_in_runs(k: Ints, name: Ints, partner: Ints, weight: Ints) -> Ints:
    """Per row of rows that come in runs of one (k, name), partners ascending within a run:
    the run's partner of most weight, the first (lowest) of equal weights."""
    starts = np.concatenate(([True], (k[1:] != k[:-1]) | (name[1:] != name[:-1])))
    first = np.flatnonzero(starts)
    run = np.cumsum(starts) - 1
    heaviest = np.maximum.reduceat(weight, first)[run] == weight
    at = np.where(heaviest, np.arange(len(k)), len(k))
    best: Ints = partner[np.minimum.reduceat(at, first)][run]
    return best


def _realign(corpus: _Corpus, pairs: Ints, redo: Ints, renaming: tuple[Ints, Ints, Ints]
             ) -> tuple[Ints, Ints]:
    """The second alignment of pairs `redo`: identifiers keyed by their (renamed) name.

    Returns per pair the aligned positions where either side is a name (the names kept)
    and the common tokens.
    """
    sub = pairs[redo]
    a_pos, _ = corpus.spans(sub[:, 0])
    b_pos, b_owner = corpus.spans(sub[:, 1])
    a_names = corpus.names[a_pos]
    b_names = _renamed(corpus, sub, redo, renaming, b_pos, b_owner)
    a_values = _keyed(corpus, a_pos, a_names)
    b_values = _keyed(corpus, b_pos, b_names)
    a_seqs = _sequences(a_values, corpus.lengths[sub[:, 0]])
    b_seqs = _sequences(b_values, corpus.lengths[sub[:, 1]])
    blocks = _equal_blocks(list(zip(a_seqs, b_seqs, strict=True)))
    common = np.bincount(blocks[0], weights=blocks[3], minlength=len(sub)).astype(np.int64)
    k, a_at, b_at, _ = _aligned_positions(corpus, sub, blocks)
    kept = np.bincount(k[(corpus.names[a_at] | corpus.names[b_at]) > 0], minlength=len(sub))
    return kept, common


def _renamed(corpus: _Corpus, sub: Ints, redo: Ints, renaming: tuple[Ints, Ints, Ints],
             b_pos: Ints, b_owner: Ints) -> Ints:
    """b's names as a-names where the renaming maps them; a b-name it leaves out gets a
    number above every a-name of its pair, so it matches nothing."""
    rk, rx, ry = renaming
    names = corpus.names[b_pos]
    pair_of = redo[b_owner]  # the chunk's pair number, as in the renaming rows
    out = np.where(names > 0, corpus.max_name[sub[b_owner, 0]] + names, 0)
    if len(rk):
        table = rk << 32 | ry  # sorted: rows come sorted by (pair, x), so sort here
        order = np.argsort(table)
        table, targets = table[order], rx[order]
        probe = pair_of << 32 | names
        at = np.minimum(np.searchsorted(table, probe), len(table) - 1)
        hit = (names > 0) & (table[at] == probe)
        out[hit] = targets[at[hit]]
    return out


def _keyed(corpus: _Corpus, positions: Ints, names: Ints) -> Ints:
    """Dense values for (code, name): a token without a name keeps its code's number; a named
    one gets a number above all codes, one per (name, named code)."""
    rank = corpus.rank[positions]
    keyed = corpus.distinct + (names - 1) * corpus.distinct_named + corpus.named_rank[positions]
    return np.where(names > 0, keyed, rank)
