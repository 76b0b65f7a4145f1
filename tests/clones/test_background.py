"""Work in a forked child: the same value as in place, and never lost when the child fails."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from clone_snippets import FRAGMENT_ONE, FRAGMENT_TWO, PY_NEAR, PY_ORIGINAL
from ctxlens.clones import background
from ctxlens.clones.background import Deferred
from ctxlens.clones.classes import renamed_groups
from ctxlens.clones.detect import eligible, find_clones
from ctxlens.clones.fragment_classes import search_fragments
from ctxlens.clones.options import CloneOptions
from ctxlens.config import Config
from ctxlens.index import scan_workspace
from ctxlens.tokens import count_tokens
from stream_helpers import random_pairs
from trees import write_tree

PARENT = os.getpid()


def _fork(monkeypatch: pytest.MonkeyPatch, allowed: bool) -> None:
    # pytest's own threads make the real check say no; the children here touch no locks.
    monkeypatch.setattr(background, "fork_is_safe", lambda: allowed)


def test_forked_work_runs_in_a_child(monkeypatch: pytest.MonkeyPatch) -> None:
    _fork(monkeypatch, True)
    deferred = Deferred(lambda: (os.getpid(), list(range(100_000))))
    assert deferred.forked
    pid, values = deferred.result()  # larger than a pipe's buffer
    assert pid != PARENT and values == list(range(100_000))


def test_without_fork_the_work_waits_for_result(monkeypatch: pytest.MonkeyPatch) -> None:
    _fork(monkeypatch, False)
    calls: list[int] = []
    deferred = Deferred(lambda: calls.append(os.getpid()) or len(calls))
    assert not deferred.forked and calls == []
    assert deferred.result() == 1 and calls == [PARENT]
    assert deferred.result() == 1 and calls == [PARENT]  # done once


def test_a_forked_result_is_received_once(monkeypatch: pytest.MonkeyPatch) -> None:
    _fork(monkeypatch, True)
    deferred = Deferred(os.getpid)
    first = deferred.result()
    assert deferred.forked and first != PARENT
    assert deferred.result() == first  # not recomputed here


def _fails_in_child() -> str:
    if os.getpid() != PARENT:
        raise RuntimeError("only in the child")
    return "redone in the parent"


def _dies_in_child() -> str:
    if os.getpid() != PARENT:
        os._exit(3)
    return "redone in the parent"


def _unpicklable() -> object:
    return lambda: os.getpid()


@pytest.mark.parametrize("work", [_fails_in_child, _dies_in_child])
def test_a_failed_child_costs_time_not_the_result(monkeypatch: pytest.MonkeyPatch,
                                                  work: object) -> None:
    _fork(monkeypatch, True)
    deferred = Deferred(work)  # type: ignore[arg-type]
    assert deferred.forked
    assert deferred.result() == "redone in the parent"


def test_an_unpicklable_value_is_computed_again_here(monkeypatch: pytest.MonkeyPatch) -> None:
    _fork(monkeypatch, True)
    value = Deferred(_unpicklable).result()
    assert callable(value) and value() == PARENT


def test_forked_fragment_search_gives_the_same_classes(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "d.py": PY_NEAR,
                                 "one.py": FRAGMENT_ONE, "two.py": FRAGMENT_TWO})
    result = scan_workspace(root, Config(), with_streams=True, jobs=1)
    options = CloneOptions(min_tokens=40, min_lines=4)
    # Searched without skipping, a.py and d.py (near-miss copies) share runs too, which the
    # classes must then drop.
    entries = eligible(result.files, options)
    search = search_fragments(root, result.files, entries, (), options.min_tokens,
                              options.min_lines, lambda t: count_tokens(t, "o200k_base"))
    paths = {frozenset((entries[a[0]].path, entries[b[0]].path)) for a, b, _ in search.matches}
    assert frozenset(("a.py", "d.py")) in paths
    assert renamed_groups(entries)

    reports = []
    for allowed in (False, True):
        _fork(monkeypatch, allowed)
        reports.append(find_clones(root, result.files, "o200k_base", options))
    in_place, forked = reports
    assert forked.classes == in_place.classes
    kinds = sorted(c.kind for c in forked.classes)
    assert "fragment" in kinds and "near-miss" in kinds
    fragment_paths = {frozenset(m.path for m in c.members) for c in forked.classes
                      if c.kind == "fragment"}
    assert frozenset(("a.py", "d.py")) not in fragment_paths


def test_alignments_split_across_two_processes_give_the_same_scores(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from ctxlens.clones import detect
    from ctxlens.clones.verify import similarities

    streams, pairs = random_pairs(11, 200)
    alone = similarities(streams, pairs)
    _fork(monkeypatch, True)
    monkeypatch.setattr(detect, "_SPLIT_PAIRS", 8)
    forks: list[int] = []
    real_init = Deferred.__init__

    def counting_init(self: Deferred[object], work: object) -> None:
        real_init(self, work)  # type: ignore[arg-type]
        forks.append(int(self.forked))

    monkeypatch.setattr(Deferred, "__init__", counting_init)
    assert detect._similarities_on_two_cores(streams, pairs) == alone
    assert forks == [1]
    assert 0 < sum(s >= 0.8 for s in alone) < len(alone)
