"""Fragment clones: copied blocks inside larger units, with exact token ranges."""

from __future__ import annotations

import random

import numpy as np
import pytest

from ctxlens.clones.fragments import FragmentMatch, find_fragments
from ctxlens.clones.streams import UnitStream
from stream_helpers import toy_stream as stream

CALLS = ["foo", "bar", "baz", "qux", "len", "abs", "min", "max"]
OPERATORS = ["+", "-", "*", "/", "%", "<<", ">>", "&", "|", "^"]
LETTERS = "abcdefghijklmnopqrstuvwxyz"


def statements(rng: random.Random, count: int, letters: str = LETTERS) -> list[str]:
    """`count` random lines of 9 tokens each: `x = call ( y op z ) ;`."""
    return [
        f"{rng.choice(letters)} = {rng.choice(CALLS)} ( {rng.choice(letters)} "
        f"{rng.choice(OPERATORS)} {rng.choice(letters)} ) ;"
        for _ in range(count)
    ]


def renamed(lines: list[str], mapping: dict[str, str]) -> list[str]:
    return [" ".join(mapping.get(t, t) for t in line.split()) for line in lines]


RENAME = dict(zip("abcdef", "uvwxyz", strict=True))


def two_units(block: list[str], rng: random.Random) -> tuple[UnitStream, UnitStream]:
    """`block` after 20 filler lines of one unit, and renamed after 30 of another; the
    tokens around it differ on purpose, so the copied run is exactly the block."""
    a = [*statements(rng, 20), "alpha", *block, "gamma", *statements(rng, 20)]
    b = [*statements(rng, 30), "beta", *renamed(block, RENAME), "delta", *statements(rng, 5)]
    return stream(a), stream(b)


def test_pasted_block_is_found_with_exact_token_ranges() -> None:
    rng = random.Random(1)
    block = statements(rng, 7, "abcdef")  # 63 tokens on 7 lines
    a, b = two_units(block, rng)
    found = find_fragments([a, b])
    assert found == [FragmentMatch(0, 181, 244, 1, 271, 334, 1.0)]
    match = found[0]
    assert (int(a.lines[match.start_a]), int(a.lines[match.end_a - 1])) == (22, 28)
    assert (int(b.lines[match.start_b]), int(b.lines[match.end_b - 1])) == (32, 38)
    # Among unrelated units too, and whatever the units' order.
    others = [stream(statements(rng, 40)) for _ in range(5)]
    assert find_fragments([others[0], b, others[1], others[2], a, others[3]]) == [
        FragmentMatch(1, 271, 334, 4, 181, 244, 1.0)
    ]


def test_short_blocks_are_not_reported() -> None:
    rng = random.Random(2)
    block = [*statements(rng, 4, "abcdef"), "return a ;"]  # 39 tokens
    a, b = two_units(block, rng)
    assert find_fragments([a, b]) == []
    assert find_fragments([a, b], min_tokens=30) != []  # the same block, a lower minimum
    few_lines = [" ".join(statements(rng, 4, "abcdef")), " ".join(statements(rng, 3, "abcdef"))]
    a, b = two_units(few_lines, rng)  # 63 tokens on two lines
    assert find_fragments([a, b]) == []
    assert len(find_fragments([a, b], min_lines=2)) == 1


def test_pairs_already_reported_are_skipped() -> None:
    rng = random.Random(3)
    a, b = two_units(statements(rng, 7, "abcdef"), rng)
    c = stream([*statements(rng, 10), "omega", *statements(rng, 7, "abcdef"), "stop"])
    assert find_fragments([a, b, c], skip_pairs={(0, 1)}) == []
    assert find_fragments([a, b, c], skip_pairs={(1, 0)}) == []
    assert len(find_fragments([a, b, c], skip_pairs={(0, 2)})) == 1
    assert find_fragments([stream(["x"])]) == []


def test_suppressed_units_take_no_part() -> None:
    rng = random.Random(4)
    block = statements(rng, 7, "abcdef")
    a, b = two_units(block, rng)
    hidden = UnitStream(b.codes, b.names, b.lines, "", "", suppressed=True)
    assert find_fragments([a, hidden]) == []


def test_a_block_repeated_inside_one_unit() -> None:
    rng = random.Random(5)
    block = statements(rng, 7, "abcdef")
    unit = stream([*statements(rng, 5), "alpha", *block, "gamma", *statements(rng, 5),
                   "beta", *renamed(block, RENAME), "delta"])
    assert find_fragments([unit]) == [FragmentMatch(0, 46, 109, 0, 156, 219, 1.0)]


def test_renaming_must_be_consistent_along_the_run() -> None:
    rng = random.Random(6)
    block = statements(rng, 14, "abcdef")  # 126 tokens
    copy = renamed(block, RENAME)
    # Same tokens, but from line 8 on the copy reads `u` where the original reads `b`.
    crossed = copy[:7] + [" ".join("u" if t == "v" else t for t in line.split())
                          for line in copy[7:]]
    assert crossed != copy
    a = stream(["alpha", *block, "gamma"])
    b = stream(["beta", *crossed, "delta"])
    found = find_fragments([a, b])
    assert found and all(m.tokens < 126 for m in found)
    for m in found:
        assert _consistent(a, m.start_a, b, m.start_b, m.tokens)
    assert find_fragments([a, stream(["beta", *copy, "delta"])]) == [
        FragmentMatch(0, 1, 127, 1, 1, 127, 1.0)
    ]


def test_pieces_around_one_crossed_name() -> None:
    # 126 equal tokens; `a` is used at 0 and 60, `b` at 10 — but the copy reads `b` at 60.
    # Consistent pieces: anything ending before 60, and anything starting after 10 (from
    # there `b`'s earlier use is out of sight). Reported without overlap: [0, 60), [60, 126).
    tokens = [f"k{i}" for i in range(126)]
    original, copy = tokens.copy(), tokens.copy()
    original[0] = copy[0] = "a"
    original[10] = copy[10] = "b"
    original[60], copy[60] = "a", "b"

    def lines(toks: list[str]) -> list[str]:
        return [" ".join(toks[i : i + 9]) for i in range(0, len(toks), 9)]

    a, b = stream(["alpha", *lines(original)]), stream(["beta", *lines(copy)])
    assert find_fragments([a, b]) == [
        FragmentMatch(0, 1, 61, 1, 1, 61, 1.0),
        FragmentMatch(0, 61, 127, 1, 61, 127, 1.0),
    ]


def _consistent(a: UnitStream, sa: int, b: UnitStream, sb: int, n: int) -> bool:
    """Equal codes and a one-to-one renaming over the two ranges (the definition)."""
    if not np.array_equal(a.codes[sa : sa + n], b.codes[sb : sb + n]):
        return False
    forward: dict[int, int] = {}
    backward: dict[int, int] = {}
    for x, y in zip(a.names[sa : sa + n].tolist(), b.names[sb : sb + n].tolist(), strict=True):
        if forward.setdefault(x, y) != y or backward.setdefault(y, x) != x:
            return False
    return True


def test_no_fragment_overlaps_its_own_copy() -> None:
    # One statement 20 times: every shift by a multiple of 9 tokens matches, but a block and
    # its copy may not share tokens.
    unit = stream(["x = foo ( y + z ) ;"] * 20)
    found = find_fragments([unit])
    assert found
    assert all(m.unit_a == m.unit_b == 0 and m.end_a <= m.start_b for m in found)
    assert max(m.tokens for m in found) == 90
    # Shifted copies of one repetition are one finding, not one per shift.
    for m in found:
        for o in found:
            assert m is o or not (m.start_a < o.end_a and o.start_a < m.end_a
                                  and m.start_b < o.end_b and o.start_b < m.end_b)


def test_many_distinct_copies_are_all_found() -> None:
    """The winnowing guarantee over many placements: 100 different 50-token runs, each
    shared by one pair of units amid unrelated tokens, are all found, exactly."""
    rng = random.Random(7)

    def noise(n: int) -> list[str]:
        return [f"t{rng.randrange(10**6)}" for _ in range(n)]

    units: list[UnitStream] = []
    expected: list[FragmentMatch] = []
    for pair in range(100):
        run = [rng.choice("abcdefgh") if rng.random() < 0.3 else f"k{rng.randrange(10**6)}"
               for _ in range(50)]
        before_a, before_b = noise(rng.randint(0, 60)), noise(rng.randint(0, 60))
        units.append(stream([" ".join([*before_a, *run, *noise(rng.randint(0, 60))])]))
        units.append(stream([" ".join([*before_b, *run, *noise(rng.randint(0, 60))])]))
        start_a, start_b = len(before_a), len(before_b)
        expected.append(FragmentMatch(2 * pair, start_a, start_a + 50,
                                      2 * pair + 1, start_b, start_b + 50, 1.0))
    assert find_fragments(units, min_lines=1) == expected


@pytest.mark.parametrize("seed", range(8))
def test_every_copied_run_of_min_tokens_is_found(seed: int) -> None:
    """The winnowing guarantee: any common run of exactly `min_tokens` tokens is found
    wherever it sits, and one token fewer never is."""
    rng = random.Random(seed)
    tokens = [t for line in statements(rng, 12, "abcdef") for t in line.split()]
    for length, expected in [(50, 1), (49, 0)]:
        run = tokens[:length]
        before = " ".join([*statements(rng, rng.randint(1, 30)), "alpha"])
        after = " ".join(["gamma", *statements(rng, 3)])
        a = stream([f"{before} {' '.join(run)} {after}", *["x"] * 8])
        b = stream([f"beta {' '.join(run)} delta", *["x"] * 8])
        found = find_fragments([a, b], min_lines=1)
        assert len(found) == expected
        if expected:
            assert found[0].tokens == length
            assert _consistent(a, found[0].start_a, b, found[0].start_b, length)


@pytest.mark.parametrize("copies", [2, 70])
def test_a_long_run_is_one_fragment_with_exact_ends(copies: int) -> None:
    """A 4,000-token block pasted into many units: seeds all along it are joined and grown
    to the run's exact ends, once per pair — also past MAX_GROUP copies, where a
    fingerprint pairs its places as a star and a chain rather than all with all."""
    rng = random.Random(11)
    block = [f"k{rng.randrange(10**6)}" if rng.random() < 0.7 else rng.choice("abcdefgh")
             for _ in range(4000)]
    units, starts = [], []
    for _ in range(copies):
        before = [f"t{rng.randrange(10**6)}" for _ in range(rng.randint(0, 40))]
        units.append(stream([" ".join([*before, *block, f"z{rng.randrange(10**6)}"])]))
        starts.append(len(before))
    found = find_fragments(units, min_lines=1)
    assert found  # every match is the whole block, at its exact place on both sides
    for m in found:
        assert m.tokens == 4000
        assert (m.start_a, m.start_b) == (starts[m.unit_a], starts[m.unit_b])
    pairs = {(m.unit_a, m.unit_b) for m in found}
    assert len(pairs) == len(found)  # one match per unit pair
    if copies == 2:
        assert pairs == {(0, 1)}
    else:  # the star around the first place, and the chain of successors
        assert {(0, j) for j in range(1, copies)} <= pairs
