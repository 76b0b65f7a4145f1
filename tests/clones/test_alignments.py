"""The bulk alignment gives, pair for pair, what the plain per-token definition gives.

`reference_alignment` below is the definition of `verify.alignment` written the direct way
(a Python loop over every aligned token, dicts for the renaming); it was the product's code
until the bulk version replaced it, and stays here as the oracle.
"""

from __future__ import annotations

import numpy as np
import pytest
from rapidfuzz.distance import LCSseq

from ctxlens.clones import alignments as bulk
from ctxlens.clones.streams import UnitStream
from stream_helpers import random_pairs, toy_stream

_UNMAPPED = 1 << 31


def _aligned(a_seq: list[int], b_seq: list[int], a_names: list[int], b_names: list[int]
             ) -> tuple[int, dict[tuple[int, int], tuple[int, int]]]:
    common = 0
    pairs: dict[tuple[int, int], tuple[int, int]] = {}
    for op in LCSseq.opcodes(a_seq, b_seq):
        if op.tag != "equal":
            continue
        length = op.src_end - op.src_start
        common += length
        for offset, x in enumerate(a_names[op.src_start:op.src_end]):
            y = b_names[op.dest_start + offset]
            if x or y:
                n, weight = pairs.get((x, y), (0, 0))
                pairs[(x, y)] = (n + 1, weight + length)
    return common, pairs


def _renaming(pairs: dict[tuple[int, int], tuple[int, int]]) -> dict[int, int]:
    best_a: dict[int, tuple[int, int]] = {}
    best_b: dict[int, tuple[int, int]] = {}
    for (x, y), (_, weight) in pairs.items():
        if x and y:
            best_a[x] = max(best_a.get(x, (0, 0)), (weight, -y))
            best_b[y] = max(best_b.get(y, (0, 0)), (weight, -x))
    return {-minus_y: x for x, (_, minus_y) in best_a.items() if best_b[-minus_y][1] == -x}


def reference_alignment(a: UnitStream, b: UnitStream) -> tuple[int, float]:
    a_names, b_names = a.names.tolist(), b.names.tolist()
    common, pairs = _aligned(a.codes.tolist(), b.codes.tolist(), a_names, b_names)
    aligned_names = sum(n for n, _ in pairs.values())
    renaming = _renaming(pairs)
    if all(renaming.get(y) == x for x, y in pairs):
        return common, 1.0
    to_a = np.arange(_UNMAPPED, _UNMAPPED + int(b.names.max()) + 1, dtype=np.uint64)
    to_a[list(renaming)] = list(renaming.values())
    to_a[0] = 0
    a_keyed = a.codes.astype(np.uint64) | (a.names.astype(np.uint64) << np.uint64(32))
    b_keyed = b.codes.astype(np.uint64) | (to_a[b.names] << np.uint64(32))
    common, kept = _aligned(a_keyed.tolist(), b_keyed.tolist(), a_names, b_names)
    return common, sum(n for n, _ in kept.values()) / aligned_names


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_bulk_alignments_equal_the_reference(seed: int) -> None:
    streams, pairs = random_pairs(seed, 300)
    common, consistency = bulk.alignments(streams, pairs)
    expected = [reference_alignment(streams[i], streams[j]) for i, j in pairs.tolist()]
    assert common.tolist() == [c for c, _ in expected]
    assert consistency.tolist() == [k for _, k in expected]
    # Both passes ran: some pairs are consistent at once, some needed the second alignment.
    assert 0 < sum(k < 1 for _, k in expected) < len(expected)


def test_chunks_and_list_fallback_give_the_same_numbers(monkeypatch: pytest.MonkeyPatch
                                                        ) -> None:
    streams, pairs = random_pairs(7, 120)
    expected = bulk.alignments(streams, pairs)
    # Chunks of one pair; then too few code points for the tokens, so rapidfuzz gets lists.
    monkeypatch.setattr(bulk, "_CHUNK", 1)
    one_by_one = bulk.alignments(streams, pairs)
    monkeypatch.setattr(bulk, "CODE_POINTS", 3)
    as_lists = bulk.alignments(streams, pairs)
    for got in (one_by_one, as_lists):
        assert got[0].tolist() == expected[0].tolist()
        assert got[1].tolist() == expected[1].tolist()


def test_no_pairs_and_empty_units() -> None:
    empty = UnitStream(np.empty(0, np.uint32), np.empty(0, np.uint32),
                       np.empty(0, np.uint32), "", "")
    common, consistency = bulk.alignments([empty], np.empty((0, 2), dtype=np.intp))
    assert len(common) == len(consistency) == 0
    full = toy_stream(["a = b + c"])
    common, consistency = bulk.alignments([empty, full], np.array([[0, 1], [1, 1]]))
    assert common.tolist() == [0, 5]
    assert consistency.tolist() == [1.0, 1.0]


def test_code_point_texts_skip_the_surrogates() -> None:
    values = np.array([0, 0xD7FF, 0xD800, bulk.CODE_POINTS - 1], dtype=np.int64)
    texts = bulk.code_point_texts(values, np.array([1, 3]))
    assert [len(t) for t in texts] == [1, 3]
    points = [ord(c) for t in texts for c in t]
    assert points == [0, 0xD7FF, 0xE000, 0x10FFFF]
    assert len(set(points)) == len(values)  # one to one
