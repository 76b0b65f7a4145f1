"""Clone classes kept current one file at a time, for the editor.

A full detection over a large workspace takes seconds; an edit must not. `LiveClones` holds
what detection builds — renamed-hash groups, one MinHash signature per group in an LSH band
index, verified near-miss edges between groups, the classes — and on `update_file` redoes
only what the file touches: its units leave and rejoin their groups, new groups are
signed, looked up and verified, and the connected components of the group graph that
changed are clustered again (the same star clustering as a full run). Nothing else is
reparsed or compared.

Fragment classes are not kept live: they come from the full detection and are refreshed by
the next one (the language server runs one in the background after saves).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ctxlens.clones.classes import Entry, build_classes
from ctxlens.clones.detect import deduplication_saving, eligible
from ctxlens.clones.minhash import EMPTY, lsh_params, signatures
from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.clones.options import CloneOptions
from ctxlens.clones.stubs import stub
from ctxlens.clones.verify import similarities, within_lcs_bound
from ctxlens.index.analyse import analyse_contents, count_lines
from ctxlens.index.records import FileRecord
from ctxlens.syntax import DEFAULT_WINDOW_LINES
from ctxlens.tokens import count_tokens
from ctxlens.workspace import decode_text
from ctxlens.workspace.languages import language_for_path

_Key = tuple[int, int]  # (file id, unit index)


@dataclass(frozen=True, slots=True)
class CloneDelta:
    added: list[CloneClass]
    removed: list[str]  # ids of classes that are gone
    changed: list[CloneClass]  # same id, different members or savings
    seconds: float


class _Bands:
    """LSH buckets over group signatures, with insert and remove (datasketch's banding)."""

    def __init__(self, threshold: float, num_perm: int) -> None:
        self.bands, self.rows = lsh_params(threshold, num_perm, (0.5, 0.5))
        self.buckets: list[dict[bytes, set[str]]] = [defaultdict(set) for _ in range(self.bands)]

    def _keys(self, sig: npt.NDArray[np.uint32]) -> list[bytes]:
        r = self.rows
        return [sig[b * r:(b + 1) * r].tobytes() for b in range(self.bands)]

    def insert(self, group: str, sig: npt.NDArray[np.uint32]) -> None:
        for bucket, key in zip(self.buckets, self._keys(sig), strict=True):
            bucket[key].add(group)

    def remove(self, group: str, sig: npt.NDArray[np.uint32]) -> None:
        for bucket, key in zip(self.buckets, self._keys(sig), strict=True):
            members = bucket.get(key)
            if members is not None:
                members.discard(group)
                if not members:
                    del bucket[key]

    def query(self, sig: npt.NDArray[np.uint32]) -> set[str]:
        found: set[str] = set()
        for bucket, key in zip(self.buckets, self._keys(sig), strict=True):
            found |= bucket.get(key, set())
        return found


class LiveClones:
    """The workspace's clone classes, updated per file. Not thread-safe."""

    def __init__(self, root: Path, records: Sequence[FileRecord], encoding: str,
                 options: CloneOptions, fragment_classes: Iterable[CloneClass] = ()) -> None:
        self.root = root
        self.encoding = encoding
        self.options = options
        self.records: dict[int, FileRecord] = dict(enumerate(records))
        self.file_ids: dict[str, int] = {r.path: i for i, r in enumerate(records)}
        self.entries: dict[_Key, Entry] = {}
        self.by_file: dict[int, set[_Key]] = defaultdict(set)
        self.children: dict[_Key, list[_Key]] = defaultdict(list)
        self.groups: dict[str, set[_Key]] = defaultdict(set)
        self.signature: dict[str, npt.NDArray[np.uint32]] = {}
        self.edges: dict[str, dict[str, float]] = defaultdict(dict)
        self.bands = _Bands(options.lsh_threshold, options.num_perm)
        self.fragments = list(fragment_classes)
        self._count = lru_cache(maxsize=65536)(lambda text: count_tokens(text, encoding))
        for fid in self.records:
            self._add_entries(fid)
        self._sign_and_link(list(self.groups))
        self.classes: dict[str, CloneClass] = {}
        self.class_groups: dict[str, set[str]] = {}
        self._cluster(set(self.groups), set())

    # -- public -------------------------------------------------------------------------
    @property
    def tokens_raw(self) -> int:
        return sum(r.tokens for r in self.records.values())

    def all_classes(self) -> list[CloneClass]:
        return sorted([*self.classes.values(), *self.fragments],
                      key=lambda c: (-c.tokens_saved, c.id))

    def tokens_deduplicated(self) -> int:
        records = self._record_list()
        return self.tokens_raw - deduplication_saving(records, self.all_classes(), self._count)

    def update_file(self, path: str, data: bytes) -> CloneDelta:
        """Re-index `path` from `data` (the editor's text) and return the classes that changed."""
        started = time.perf_counter()
        fid = self.file_ids.setdefault(path, max(self.records, default=-1) + 1)
        touched = self._drop_entries(fid)
        self.records[fid] = _record_from_bytes(path, data, self.encoding)
        touched |= self._add_entries(fid)
        return self._refresh(touched, started)

    def remove_file(self, path: str) -> CloneDelta:
        started = time.perf_counter()
        fid = self.file_ids.pop(path, None)
        if fid is None:
            return CloneDelta([], [], [], 0.0)
        touched = self._drop_entries(fid)
        del self.records[fid]
        return self._refresh(touched, started)

    # -- internals ----------------------------------------------------------------------
    def _record_list(self) -> list[FileRecord]:
        # Members carry file ids; a list indexed by id keeps detect's helpers working.
        size = max(self.records, default=-1) + 1
        empty = _record_from_bytes("", b"", self.encoding)
        return [self.records.get(i, empty) for i in range(size)]

    def _add_entries(self, fid: int) -> set[str]:
        record = self.records[fid]
        local = eligible([record], self.options)
        touched = set()
        for e in local:
            ancestors = tuple(local[a].unit_index for a in e.ancestors)
            entry = replace(e, file_index=fid, ancestors=ancestors)  # ancestors as unit indices
            key = (fid, e.unit_index)
            self.entries[key] = entry
            self.by_file[fid].add(key)
            for a in ancestors:
                self.children[(fid, a)].append(key)
            self.groups[e.stream.renamed_hash].add(key)
            touched.add(e.stream.renamed_hash)
        return touched

    def _drop_entries(self, fid: int) -> set[str]:
        touched = set()
        for key in self.by_file.pop(fid, set()):
            self.children.pop(key, None)
            group = self.entries.pop(key).stream.renamed_hash
            self.groups[group].discard(key)
            touched.add(group)
        return touched

    def _sign_and_link(self, new_groups: list[str]) -> None:
        """Sign groups that have no signature yet, find and verify their near-miss edges."""
        if not new_groups:
            return
        reps = [self._rep(g) for g in new_groups]
        sigs = signatures([r.stream.codes for r in reps], num_perm=self.options.num_perm)
        for g, sig in zip(new_groups, sigs, strict=True):
            self.signature[g] = sig
        candidates: list[tuple[str, str]] = []
        for g, rep, sig in zip(new_groups, reps, sigs, strict=True):
            if (sig == EMPTY).all():
                continue
            for other in self.bands.query(sig):
                if other == g or other in self.edges[g]:
                    continue
                o = self._rep(other)
                if rep.file_index == o.file_index and (
                        rep.unit_index in o.ancestors or o.unit_index in rep.ancestors):
                    continue
                if within_lcs_bound(rep.stream.codes.tolist(), o.stream.codes.tolist(),
                                    self.options.threshold):
                    candidates.append((g, other))
            self.bands.insert(g, sig)
        # Aligned all at once: one alignment alone pays numpy's per-call costs.
        position = {g: i for i, g in enumerate(dict.fromkeys(g for p in candidates for g in p))}
        streams = [self._rep(g).stream for g in position]
        pairs = np.array([(position[a], position[b]) for a, b in candidates], dtype=np.intp)
        for (g, other), sim in zip(candidates, similarities(streams, pairs), strict=True):
            if sim >= self.options.threshold:
                self.edges[g][other] = sim
                self.edges[other][g] = sim

    def _rep(self, group: str) -> Entry:
        return self.entries[min(self.groups[group])]

    def _refresh(self, touched: set[str], started: float) -> CloneDelta:
        gone = [g for g in touched if not self.groups.get(g)]
        neighbours_of_gone: set[str] = set()
        for g in gone:
            neighbours_of_gone |= set(self.edges.get(g, {}))
            for other in self.edges.pop(g, {}):
                self.edges[other].pop(g, None)
            sig = self.signature.pop(g, None)
            if sig is not None:
                self.bands.remove(g, sig)
            self.groups.pop(g, None)
        fresh = [g for g in touched if self.groups.get(g) and g not in self.signature]
        self._sign_and_link(fresh)
        affected = (touched - set(gone)) | neighbours_of_gone
        before = dict(self.classes)
        self._cluster(affected, set(gone))
        added = [c for cid, c in self.classes.items() if cid not in before]
        removed = [cid for cid in before if cid not in self.classes]
        changed = [c for cid, c in self.classes.items()
                   if cid in before and before[cid] != c]
        return CloneDelta(added, removed, changed, time.perf_counter() - started)

    def _region(self, seeds: set[str], depth: int) -> set[str]:
        """Groups within `depth` near-miss edges of `seeds`, plus the groups of units nested
        in or around theirs (subsumption compares them), plus every group of a class that
        any of those belongs to — the part of the graph an edit can re-shape."""
        region = {g for g in seeds if g in self.groups}
        frontier = set(region)
        for _ in range(depth):
            frontier = {h for g in frontier for h in self.edges.get(g, {})} - region
            region |= frontier
        family: set[str] = set()
        for g in region:
            for key in self.groups[g]:
                e = self.entries[key]
                related = [(e.file_index, a) for a in e.ancestors] + self.children.get(key, [])
                family.update(self.entries[k].stream.renamed_hash for k in related
                              if k in self.entries)
        region |= family
        for gs in self.class_groups.values():
            if gs & region:
                region |= {g for g in gs if g in self.groups}
        return region

    def _score(self, g: str) -> float:
        # The same centrality a full run computes, from every edge of the group.
        return len(self.groups[g]) + sum(s * len(self.groups[h])
                                         for h, s in self.edges.get(g, {}).items())

    def _cluster(self, seeds: set[str], gone: set[str]) -> None:
        groups = self._region(seeds, depth=2)
        stale = groups | gone
        for cid in [cid for cid, gs in self.class_groups.items() if gs & stale]:
            del self.classes[cid]
            del self.class_groups[cid]
        keys = sorted(k for g in groups for k in self.groups[g])
        position = {k: i for i, k in enumerate(keys)}
        local = [replace(self.entries[k], ancestors=tuple(
            position[(k[0], a)] for a in self.entries[k].ancestors if (k[0], a) in position))
            for k in keys]
        order: dict[str, int] = {}
        for e in local:
            order.setdefault(e.stream.renamed_hash, len(order))
        edges = {}
        for g in order:
            for h, sim in self.edges.get(g, {}).items():
                if h in order and order[g] < order[h]:
                    edges[(order[g], order[h])] = sim
        scores = [self._score(g) for g in order]
        for c in build_classes(local, edges, self._stub_tokens, scores):
            self.classes[c.id] = c
            self.class_groups[c.id] = {
                self.entries[(m.file_index, m.unit_index)].stream.renamed_hash
                for m in c.members}

    def _stub_tokens(self, entry: Entry, member: CloneMember, canonical: CloneMember) -> int:
        return int(self._count(stub(entry.language, member, canonical)))


def _record_from_bytes(path: str, data: bytes, encoding: str) -> FileRecord:
    """A file record from text in memory: the same steps as the indexer's workers."""
    language = language_for_path(path, data[:128])
    text, decode_errors = decode_text(data)
    c = analyse_contents(data, text, language, encoding, DEFAULT_WINDOW_LINES)
    return FileRecord(
        path=path, language=language, size=len(data), mtime_ns=0, content_hash="",
        lines=count_lines(data), decode_errors=decode_errors, error_nodes=c.error_nodes,
        encoding=encoding, tokens=c.file_tokens, units=c.units, unit_tokens=c.unit_tokens,
        streams=c.streams,
    )
