"""Clone classes from groups and near-miss edges: stars, not chains."""

from __future__ import annotations

import numpy as np

from ctxlens.clones.classes import Entry, build_classes, renamed_groups
from ctxlens.clones.model import CloneMember
from ctxlens.clones.streams import UnitStream


def _stream(renamed: str, exact: str | None = None) -> UnitStream:
    z = np.zeros(60, dtype=np.uint32)
    return UnitStream(codes=z, names=z, lines=z + 1, exact_hash=exact or renamed,
                      renamed_hash=renamed)


def _entry(i: int, renamed: str, *, exact: str | None = None, path: str | None = None,
           tokens: int = 100, ancestors: tuple[int, ...] = (), test: bool = False) -> Entry:
    p = path or f"src/m{i}.py"
    return Entry(file_index=i, unit_index=0, path=p, name=f"{p}::f{i}", language="python",
                 start_line=10, end_line=30, tokens=tokens, stream=_stream(renamed, exact),
                 ancestors=ancestors, is_test=test)


def _stub(_e: Entry, _m: CloneMember, _c: CloneMember) -> int:
    return 7


def test_exact_and_renamed_groups() -> None:
    entries = [_entry(0, "r1", exact="e1"), _entry(1, "r1", exact="e1"),
               _entry(2, "r2", exact="e2"), _entry(3, "r2", exact="e3"), _entry(4, "r9")]
    classes = build_classes(entries, {}, _stub)
    kinds = sorted(c.kind for c in classes)
    assert kinds == ["exact", "renamed"]
    for c in classes:
        assert len(c.members) == 2
        assert c.tokens_saved == 100 - 7
        assert c.similarity == 1.0


def test_star_does_not_chain() -> None:
    # Groups 0~1 and 1~2 are similar, 0 and 2 are not: 1 is the centre only if it is
    # the most central; here 1 has two neighbours so it becomes the centre and takes both.
    entries = [_entry(0, "a"), _entry(1, "b"), _entry(2, "c"), _entry(3, "d")]
    edges = {(0, 1): 0.9, (1, 2): 0.85, (2, 3): 0.95}
    classes = build_classes(entries, edges, _stub)
    # Centre is 2 (neighbours 1 and 3 with higher similarity); 0 must not ride along via 1.
    centre = next(c for c in classes if any(m.path == "src/m2.py" for m in c.members))
    paths = {m.path for m in centre.members}
    assert "src/m0.py" not in paths
    for c in classes:
        canon = c.canonical_member
        # every member is directly verified against the canonical member's group
        for m in c.members:
            assert m.similarity >= 0.85 or m is canon
    assert all(c.kind == "near-miss" for c in classes if len(c.members) > 1)


def test_canonical_prefers_non_test_then_shortest_path() -> None:
    entries = [_entry(0, "r", path="tests/test_long_name.py", test=True),
               _entry(1, "r", path="src/pkg/deep/module.py"),
               _entry(2, "r", path="src/a.py")]
    (c,) = build_classes(entries, {}, _stub)
    assert c.canonical_member.path == "src/a.py"
    assert c.tokens_saved == 2 * (100 - 7)


def test_nested_class_is_dropped_when_outer_units_are_copies() -> None:
    # Two copied classes (0, 1) and their copied methods (2 inside 0, 3 inside 1).
    entries = [_entry(0, "cls", tokens=400), _entry(1, "cls", tokens=400),
               _entry(2, "meth", ancestors=(0,)), _entry(3, "meth", ancestors=(1,))]
    classes = build_classes(entries, {}, _stub)
    assert len(classes) == 1 and classes[0].members[0].tokens == 400


def test_renamed_groups_order() -> None:
    entries = [_entry(0, "x"), _entry(1, "y"), _entry(2, "x")]
    assert renamed_groups(entries) == [[0, 2], [1]]


def test_a_member_nested_in_another_member_is_left_out() -> None:
    # X.m and Y.m are renamed copies; the class X is a near copy of that method group.
    entries = [_entry(0, "X", path="a.py"), _entry(1, "m", path="a.py", ancestors=(0,)),
               _entry(2, "m", path="b.py")]
    classes = build_classes(entries, {(0, 1): 0.85}, _stub)
    for c in classes:
        names = {m.name for m in c.members}
        assert not {"a.py::f0", "a.py::f1"} <= names  # never a unit with its own container


def test_a_left_out_near_copy_gets_a_class_with_its_neighbour() -> None:
    # hub has three close variants and one farther one (o); p is near o only.
    entries = [_entry(i, name) for i, name in enumerate(["hub", "n1", "n2", "n3", "o", "p"])]
    edges = {(0, 1): 0.95, (0, 2): 0.95, (0, 3): 0.95, (0, 4): 0.82, (4, 5): 0.9}
    classes = build_classes(entries, edges, _stub)
    member_sets = [{m.path for m in c.members} for c in classes]
    assert {"src/m4.py", "src/m5.py"} in member_sets
    assert all(not ({"src/m0.py", "src/m5.py"} <= s) for s in member_sets)
    assert {"src/m0.py", "src/m1.py", "src/m2.py", "src/m3.py"} in member_sets
