"""Clone detection over an indexed workspace: units → groups → near-miss → fragments → classes.

The story: pick the units that take part (`eligible`), group exact and renamed copies by
hash, find near-miss candidates among one representative per group with MinHash/LSH and
verify each by an ordered token alignment, build star-shaped classes, then look for
copy-pasted fragments inside units that are not already clones of each other.
"""

from __future__ import annotations

import fnmatch
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ctxlens.clones.classes import Entry, build_classes, renamed_groups
from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.clones.options import CloneOptions
from ctxlens.clones.streams import STREAM_KINDS, UnitStream
from ctxlens.clones.stubs import stub
from ctxlens.index.records import FileRecord
from ctxlens.index.scan import ScanResult
from ctxlens.tokens import count_tokens, get_encoding

# Paths that hold tests, for `ignore_tests` and for preferring non-test canonical members.
_TEST_PATH = re.compile(
    r"(^|/)(tests?|testing|__tests__|spec)/|(^|/)test_[^/]*$|_test\.[^/]+$|"
    r"(Test|Tests|Spec)\.[A-Za-z]+$|\.(test|spec)\.[jt]sx?$"
)


@dataclass(slots=True)
class CloneReport:
    classes: list[CloneClass]
    tokens_raw: int
    tokens_deduplicated: int
    units_compared: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def is_test_path(path: str) -> bool:
    return _TEST_PATH.search(path) is not None


def eligible(records: Sequence[FileRecord], options: CloneOptions) -> list[Entry]:
    entries: list[Entry] = []
    for fi, record in enumerate(records):
        if not record.streams:
            continue
        test = is_test_path(record.path)
        if (test and options.ignore_tests) or any(
                fnmatch.fnmatch(record.path, g) for g in options.exclude):
            continue
        index_of: dict[int, int] = {}
        for ui, (unit, stream) in enumerate(zip(record.units, record.streams, strict=True)):
            if (stream is None or unit.kind not in STREAM_KINDS or stream.suppressed
                    or len(stream) < options.min_tokens
                    or unit.end_line - unit.start_line + 1 < options.min_lines):
                continue
            ancestors = []
            parent = unit.parent
            while parent >= 0:
                if parent in index_of:
                    ancestors.append(index_of[parent])
                parent = record.units[parent].parent
            index_of[ui] = len(entries)
            entries.append(Entry(
                file_index=fi, unit_index=ui, path=record.path,
                name=record.qualified_name(ui), language=record.language,
                start_line=unit.start_line, end_line=unit.end_line,
                tokens=record.unit_tokens[ui], stream=stream, ancestors=tuple(ancestors),
                is_test=test,
            ))
    return entries


class VerdictCache(Protocol):
    """Where verified near-miss verdicts outlive a run (the index), keyed by group hashes."""

    def near_miss_verdicts(self, pairs: Iterable[tuple[str, str]], threshold: float,
                           version: str) -> dict[tuple[str, str], float]: ...

    def store_near_miss_verdicts(self, verdicts: dict[tuple[str, str], float],
                                 threshold: float, version: str) -> None: ...


def _verdict_version() -> str:
    from ctxlens.clones.verify import VERIFY_VERSION
    from ctxlens.index.streams_codec import STREAM_VERSION

    return f"s{STREAM_VERSION}v{VERIFY_VERSION}"


def near_miss_edges(
    entries: Sequence[Entry], groups: Sequence[Sequence[int]], options: CloneOptions,
    cache: VerdictCache | None = None, timings: dict[str, float] | None = None,
) -> dict[tuple[int, int], float]:
    """Verified near-miss edges between groups. With a `cache`, pairs verified in an earlier
    run (same groups, threshold and verifier) are not aligned again. `timings` receives the
    seconds of each step."""
    clock = _Clock(timings, "near_miss.")
    from ctxlens.clones.minhash import candidate_pair_array, signatures
    from ctxlens.clones.verify import within_lcs_bounds

    reps = [entries[g[0]] for g in groups]
    if len(reps) < 2:
        return {}
    sigs = signatures([e.stream.codes for e in reps], num_perm=options.num_perm)
    clock.lap("signatures")
    pairs = candidate_pair_array(sigs, threshold=options.lsh_threshold,
                                 num_perm=options.num_perm)
    clock.lap("candidates")
    files = np.fromiter((e.file_index for e in reps), dtype=np.intp, count=len(reps))
    # A unit and one nested inside it are not copies of each other.
    nested = [i for i in np.flatnonzero(files[pairs[:, 0]] == files[pairs[:, 1]]).tolist()
              if groups[int(pairs[i, 0])][0] in reps[int(pairs[i, 1])].ancestors
              or groups[int(pairs[i, 1])][0] in reps[int(pairs[i, 0])].ancestors]
    pairs = np.delete(pairs, nested, axis=0)
    # Cheap bounds over all candidates at once, before any per-pair Python.
    survivors = within_lcs_bounds(pairs, [e.stream.codes for e in reps], options.threshold)
    clock.lap("bounds")
    hashes = [e.stream.renamed_hash for e in reps]

    def key(a: int, b: int) -> tuple[str, str]:
        return (hashes[a], hashes[b]) if hashes[a] < hashes[b] else (hashes[b], hashes[a])

    version = _verdict_version()
    known = (cache.near_miss_verdicts((key(a, b) for a, b in survivors), options.threshold,
                                      version) if cache is not None else {})
    unknown = [(a, b) for a, b in survivors if key(a, b) not in known]
    clock.lap("cached")
    # The bound is passed: align, all pairs at once.
    scores = _similarities_on_two_cores([e.stream for e in reps],
                                        np.array(unknown, dtype=np.intp).reshape(-1, 2))
    clock.lap("align")
    fresh = {key(a, b): score if score >= options.threshold else -1.0
             for (a, b), score in zip(unknown, scores, strict=True)}
    verdicts = known | fresh
    edges = {(a, b): verdicts[key(a, b)] for a, b in survivors
             if verdicts[key(a, b)] >= 0}
    if cache is not None and fresh:
        cache.store_near_miss_verdicts(fresh, options.threshold, version)
    clock.lap("store")
    return edges


class _Clock:
    """Seconds since the last lap, added to `timings[prefix + name]` (when there is one)."""

    def __init__(self, timings: dict[str, float] | None, prefix: str) -> None:
        self.timings, self.prefix, self.last = timings, prefix, time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            key = self.prefix + name
            self.timings[key] = self.timings.get(key, 0.0) + now - self.last
        self.last = now


# Pairs below which a second process costs more than it saves (~15 ms to fork 1 GB, ~30 µs a pair).
_SPLIT_PAIRS = 4096


def _similarities_on_two_cores(streams: Sequence[UnitStream], pairs: npt.NDArray[np.intp]
                               ) -> list[float]:
    """`similarities`, the second half of the pairs in a forked child when that is safe.

    It pays when a core is free; on two cores the fragment search usually still holds the
    other one at this point, and the split then gains little (~0.2 s of 2.5 s on 120 MB).
    """
    from ctxlens.clones.background import Deferred, fork_is_safe
    from ctxlens.clones.verify import similarities

    if len(pairs) < _SPLIT_PAIRS or not fork_is_safe():
        return similarities(streams, pairs)
    half = len(pairs) // 2
    second = Deferred(lambda: similarities(streams, pairs[half:]))
    return similarities(streams, pairs[:half]) + second.result()


def find_clones(
    root: Path, records: Sequence[FileRecord], encoding: str, options: CloneOptions,
    cache: VerdictCache | None = None,
) -> CloneReport:
    """Clone classes among `records` (scanned with streams). `cache`, usually the index,
    keeps near-miss verdicts between runs so a warm run only verifies new groups."""
    started = time.perf_counter()
    timings: dict[str, float] = {}

    @lru_cache(maxsize=1 << 16)  # stubs repeat; fragment texts need not stay in memory
    def _count(text: str) -> int:
        return count_tokens(text, encoding)

    def stub_tokens(entry: Entry, member: CloneMember, canonical: CloneMember) -> int:
        return _count(stub(entry.language, member, canonical))

    clock = _Clock(timings, "")
    entries = eligible(records, options)
    groups = renamed_groups(entries)
    clock.lap("eligible")
    search = None
    if options.fragments:
        from ctxlens.clones.background import Deferred
        from ctxlens.clones.fragment_classes import fragment_classes, search_fragments

        # Fragment search needs no classes: on another core while near-miss runs here. Both
        # sides count tokens, so the encoding is loaded (~0.5 s) once, before the fork.
        get_encoding(encoding)
        search = Deferred(lambda: search_fragments(root, records, entries, (),
                                                   options.min_tokens, options.min_lines,
                                                   _count))
        clock.lap("fragments.start")
    edges = near_miss_edges(entries, groups, options, cache, timings)
    clock.lap("near_miss")
    classes = build_classes(entries, edges, stub_tokens, groups=groups)
    clock.lap("classes")
    if search is not None:
        # Not forked: search here, skipping what the classes already collapse.
        classes += fragment_classes(root, records, entries, classes, options.min_tokens,
                                    options.min_lines, _count,
                                    search.result() if search.forked else None)
        classes.sort(key=lambda c: (-c.tokens_saved, c.id))
        clock.lap("fragments")
    raw = sum(r.tokens for r in records)
    saved = deduplication_saving(records, classes, _count)
    return CloneReport(classes=classes, tokens_raw=raw, tokens_deduplicated=raw - saved,
                       units_compared=len(entries), seconds=time.perf_counter() - started,
                       timings=timings)


def find_clones_indexed(result: ScanResult, options: CloneOptions,
                        records: Sequence[FileRecord] | None = None) -> CloneReport:
    """`find_clones` over a scan's files (or the subset `records` of them), keeping near-miss
    verdicts in the scan's index, so a repeat only aligns pairs it has not seen."""
    import sqlite3

    from ctxlens.index.store import IndexStore

    files = result.files if records is None else records
    try:
        store = IndexStore(result.index_path)
    except (OSError, sqlite3.Error):
        # The cache only saves time: without it detection still answers.
        return find_clones(result.root, files, result.model.encoding, options)
    try:
        return find_clones(result.root, files, result.model.encoding, options, store)
    finally:
        store.close()


def deduplication_saving(
    records: Sequence[FileRecord], classes: Sequence[CloneClass], count: Callable[[str], int]
) -> int:
    """Tokens that collapsing every class saves, each line range counted once.

    A collapsed member inside another collapsed member (a method of a copied class, a
    fragment of a copied function) is already gone with its container.
    """
    by_file: dict[int, list[tuple[int, int, int]]] = defaultdict(list)
    for c in classes:
        canonical = c.canonical_member
        for i, m in enumerate(c.members):
            if i != c.canonical:
                stub_cost = count(stub(records[m.file_index].language, m, canonical))
                by_file[m.file_index].append(
                    (m.start_line, m.end_line, max(m.tokens - stub_cost, 0)))
    total = 0
    for items in by_file.values():
        items.sort(key=lambda it: (it[0], -it[1]))
        outer_end = 0
        for _start, end, value in items:
            if end <= outer_end:
                continue  # inside a member already counted
            total += value
            outer_end = max(outer_end, end)
    return total
