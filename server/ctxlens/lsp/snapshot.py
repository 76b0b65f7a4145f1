"""What the server knows at one moment, read by every request handler.

The engine thread builds a new `Snapshot` after each change and swaps it in whole; the
message loop only ever reads one, so a request never sees half an update and never waits
for the engine. Building one from the previous snapshot and a `CloneDelta` touches only the
classes and paths the delta names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from ctxlens.clones.model import CloneClass
from ctxlens.index.records import FileRecord
from ctxlens.tokens import ModelInfo


@dataclass(frozen=True, slots=True)
class Snapshot:
    root: Path
    model: ModelInfo
    indexing: bool  # True until the first scan and clone detection have finished
    records: Mapping[str, FileRecord] = field(default_factory=dict)  # open buffers win
    skipped: Mapping[str, str] = field(default_factory=dict)  # path -> skip reason
    classes: Mapping[str, CloneClass] = field(default_factory=dict)
    by_path: Mapping[str, frozenset[str]] = field(default_factory=dict)  # path -> class ids
    version: int = 0

    @property
    def encoding(self) -> str:
        return self.model.encoding

    def classes_in(self, path: str) -> list[CloneClass]:
        return sorted((self.classes[c] for c in self.by_path.get(path, ())),
                      key=lambda c: (-c.tokens_saved, c.id))

    def sorted_classes(self) -> list[CloneClass]:
        return sorted(self.classes.values(), key=lambda c: (-c.tokens_saved, c.id))


def index_by_path(classes: Iterable[CloneClass]) -> dict[str, frozenset[str]]:
    found: dict[str, set[str]] = {}
    for c in classes:
        for m in c.members:
            found.setdefault(m.path, set()).add(c.id)
    return {p: frozenset(ids) for p, ids in found.items()}


def with_classes(snap: Snapshot, classes: Iterable[CloneClass]) -> Snapshot:
    by_id = {c.id: c for c in classes}
    return replace(snap, classes=by_id, by_path=index_by_path(by_id.values()),
                   version=snap.version + 1)


def apply_changes(
    snap: Snapshot,
    upserts: Iterable[CloneClass],
    removed: Iterable[str],
    records: Mapping[str, FileRecord | None] | None = None,
) -> tuple[Snapshot, set[str]]:
    """`snap` with classes added/replaced/removed and records replaced (None: gone); also
    the paths whose diagnostics may have changed (every member path, old and new)."""
    classes = dict(snap.classes)
    by_path = dict(snap.by_path)
    touched: set[str] = set()

    def drop(c: CloneClass) -> None:
        for m in c.members:
            touched.add(m.path)
            ids = by_path.get(m.path)
            if ids is not None and c.id in ids:
                rest = ids - {c.id}
                if rest:
                    by_path[m.path] = rest
                else:
                    del by_path[m.path]

    for cid in removed:
        old = classes.pop(cid, None)
        if old is not None:
            drop(old)
    for c in upserts:
        old = classes.get(c.id)
        if old is not None:
            drop(old)
        classes[c.id] = c
        for m in c.members:
            touched.add(m.path)
            by_path[m.path] = by_path.get(m.path, frozenset()) | {c.id}
    new_records = dict(snap.records)
    for path, record in (records or {}).items():
        touched.add(path)
        if record is None:
            new_records.pop(path, None)
        else:
            new_records[path] = record
    return replace(snap, classes=classes, by_path=by_path, records=new_records,
                   version=snap.version + 1), touched


def unit_at(record: FileRecord, line: int) -> int | None:
    """Index of the innermost non-module unit containing 1-based `line`, if any."""
    best: int | None = None
    for i, u in enumerate(record.units):
        if u.kind in ("module", "window"):
            continue
        if u.start_line <= line <= u.end_line and (
                best is None or u.end_line - u.start_line
                <= record.units[best].end_line - record.units[best].start_line):
            best = i
    return best


def member_at(snap: Snapshot, path: str, line: int) -> list[tuple[CloneClass, int]]:
    """(class, member index) of every clone member in `path` containing 1-based `line`,
    innermost first."""
    found = []
    for c in snap.classes_in(path):
        for i, m in enumerate(c.members):
            if m.path == path and m.start_line <= line <= m.end_line:
                found.append((c, i))
    found.sort(key=lambda cm: cm[0].members[cm[1]].end_line - cm[0].members[cm[1]].start_line)
    return found


def members_of_unit(snap: Snapshot, path: str, start_line: int,
                    end_line: int) -> list[tuple[CloneClass, int]]:
    """(class, member index) for members spanning exactly these lines of `path`."""
    return [(c, i) for c in snap.classes_in(path) for i, m in enumerate(c.members)
            if m.path == path and m.start_line == start_line and m.end_line == end_line]


def nearest_other(c: CloneClass, index: int) -> int:
    """The member a diagnostic names: the canonical one, or for the canonical member the
    most similar other member (the same file first, then the lowest path and line)."""
    if index != c.canonical:
        return c.canonical
    others = [i for i in range(len(c.members)) if i != index]
    me = c.members[index]
    return min(others, key=lambda i: (-c.members[i].similarity, c.members[i].path != me.path,
                                      c.members[i].path, c.members[i].start_line))

