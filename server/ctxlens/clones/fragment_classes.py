"""Fragment clones as clone classes: copied blocks inside units that are not clones whole."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ctxlens.clones.classes import Entry
from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.clones.stubs import stub
from ctxlens.index.records import FileRecord

_Range = tuple[int, int, int]  # (entry index, first line, last line)


def leaves(entries: Sequence[Entry]) -> list[int]:
    """Only innermost units take part: a class shares every token with its own methods, and
    a copied block inside a method is found once, in the method, not again in its class."""
    containers = {a for e in entries for a in e.ancestors}
    return [i for i in range(len(entries)) if i not in containers]


@dataclass(frozen=True, slots=True)
class FragmentSearch:
    """Copied runs as pairs of whole-line ranges, and each range's exact token count."""

    matches: list[tuple[_Range, _Range, float]]  # ordered by (path, first line)
    tokens: dict[_Range, int]


def search_fragments(
    root: Path, records: Sequence[FileRecord], entries: Sequence[Entry],
    skip: Iterable[Sequence[int]], min_tokens: int, min_lines: int, count: Callable[[str], int],
) -> FragmentSearch:
    """Copied runs between leaves, except between leaves in one of `skip` (groups of entry
    indices already collapsed together), with the token count of every range.

    Needs no clone classes, so it can run while near-miss detection does, skipping nothing:
    `fragment_classes` then drops matches between units that detection put in one class,
    which gives what skipping them here would (each unit pair's runs are found apart).
    """
    from ctxlens.clones.fragments import find_fragments

    leaf = leaves(entries)
    position = {i: k for k, i in enumerate(leaf)}
    skip_pairs: set[tuple[int, int]] = set()
    for group in skip:
        ks = sorted(position[i] for i in group if i in position)
        skip_pairs.update((a, b) for a in ks for b in ks if a < b)
    found = find_fragments([entries[i].stream for i in leaf], min_tokens=min_tokens,
                           min_lines=min_lines, skip_pairs=skip_pairs)
    matches = []
    for f in found:
        a = _line_range(entries, leaf[f.unit_a], f.start_a, f.end_a)
        b = _line_range(entries, leaf[f.unit_b], f.start_b, f.end_b)
        if min(a[2] - a[1], b[2] - b[1]) + 1 >= min_lines:
            first, second = sorted((a, b), key=lambda r: (entries[r[0]].path, r[1]))
            matches.append((first, second, f.similarity))
    texts = _FileLines(root, records)
    tokens = {r: count(texts.text(entries[r[0]].file_index, r[1], r[2]))
              for r in sorted({r for m in matches for r in m[:2]})}
    return FragmentSearch(matches, tokens)


def fragment_classes(
    root: Path,
    records: Sequence[FileRecord],
    entries: Sequence[Entry],
    classes: Sequence[CloneClass],
    min_tokens: int,
    min_lines: int,
    count: Callable[[str], int],
    search: FragmentSearch | None = None,
) -> list[CloneClass]:
    """Fragment classes: copied runs between leaves not already collapsed together.

    `search`: `search_fragments` done earlier (skipping less); without it the runs are
    searched here, skipping leaves that share a class.
    """
    entry_of = {(e.file_index, e.unit_index): i for i, e in enumerate(entries)}
    in_class: list[list[int]] = [[entry_of[(m.file_index, m.unit_index)] for m in c.members
                                  if (m.file_index, m.unit_index) in entry_of]
                                 for c in classes]
    if search is None:
        search = search_fragments(root, records, entries, in_class, min_tokens, min_lines,
                                  count)
    # The classes each entry belongs to, itself or through an enclosing unit: two leaves
    # inside members of one class are already collapsed together.
    covered: dict[int, set[int]] = defaultdict(set)
    for c, indices in enumerate(in_class):
        for i in indices:
            covered[i].add(c)

    def classes_of(entry: int) -> set[int]:
        return covered[entry].union(*(covered[a] for a in entries[entry].ancestors))

    # Group matches that share one side's exact range into one class.
    linked: dict[_Range, dict[_Range, float]] = defaultdict(dict)
    for first, second, similarity in search.matches:
        if not classes_of(first[0]) & classes_of(second[0]):
            linked[first][second] = similarity
    out = []
    claimed: set[_Range] = set()
    for canon, others in sorted(linked.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if canon in claimed:
            continue
        rest = {r: s for r, s in others.items() if r not in claimed and r != canon}
        if not rest:
            continue
        claimed.add(canon)
        claimed.update(rest)
        members = [_member(entries, search.tokens, canon, 1.0)]
        members += [_member(entries, search.tokens, r, s) for r, s in sorted(rest.items())]
        canonical = members[0]
        saved = sum(m.tokens - count(stub(records[m.file_index].language, m, canonical))
                    for m in members[1:])
        key = f"fragment:{canonical.path}:{canonical.start_line}-{canonical.end_line}"
        out.append(CloneClass(
            id="c" + hashlib.blake2b(key.encode(), digest_size=5).hexdigest(),
            kind="fragment", similarity=round(min(m.similarity for m in members), 4),
            canonical=0, members=tuple(members), tokens_saved=max(saved, 0),
        ))
    return out


def _line_range(entries: Sequence[Entry], entry: int, start: int, end: int) -> _Range:
    """The whole lines a token run covers: a line the run only starts or ends in is left
    out, so a member never claims a line it does not share in full."""
    lines = entries[entry].stream.lines
    first, last = int(lines[start]), int(lines[end - 1])
    if start > 0 and lines[start - 1] == lines[start]:
        first += 1
    if end < len(lines) and lines[end] == lines[end - 1]:
        last -= 1
    return entry, first, last


class _FileLines:
    """Reads each file with fragments once, for the exact token count of their lines."""

    def __init__(self, root: Path, records: Sequence[FileRecord]) -> None:
        self.root = root
        self.records = records
        self.cache: dict[int, list[bytes]] = {}

    def text(self, file_index: int, first: int, last: int) -> str:
        if file_index not in self.cache:
            data = (self.root / self.records[file_index].path).read_bytes()
            self.cache[file_index] = data.splitlines(keepends=True)
        chunk = b"".join(self.cache[file_index][first - 1:last])
        return chunk.decode("utf-8", errors="replace")


def _member(entries: Sequence[Entry], tokens: dict[_Range, int], r: _Range,
            similarity: float) -> CloneMember:
    e = entries[r[0]]
    return CloneMember(
        path=e.path, name=f"{e.name} (lines {r[1]}-{r[2]})", start_line=r[1], end_line=r[2],
        tokens=tokens[r], similarity=round(similarity, 4),
        file_index=e.file_index, unit_index=-1,
    )
