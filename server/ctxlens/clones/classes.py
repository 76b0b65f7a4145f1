"""Clone classes from matched units, without chaining.

Units with the same renamed hash form a group (Type-1 and Type-2 copies). Near-miss edges
join groups, but a class is a *star*: one centre group and the groups verified against that
centre, never a neighbour of a neighbour — so every member answers to the canonical one,
and A~B~C~… chains, whose ends share little, cannot form (DESIGN.md, "Clone classes must
not chain").

Canonical member, the rule: the centre group is the most central (largest sum of
similarity × size over its edges, plus its own size); inside it, a member not nested in an
already-collapsed unit, then a path outside tests, then the shortest path, then the earliest
line.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.clones.streams import UnitStream


@dataclass(frozen=True, slots=True)
class Entry:
    """One unit that takes part in detection."""

    file_index: int
    unit_index: int
    path: str
    name: str  # qualified
    language: str
    start_line: int
    end_line: int
    tokens: int
    stream: UnitStream
    ancestors: tuple[int, ...]  # entry indices of enclosing units that also take part
    is_test: bool = False


def renamed_groups(entries: Sequence[Entry]) -> list[list[int]]:
    """Entry indices grouped by renamed hash, in first-seen order."""
    groups: dict[str, list[int]] = defaultdict(list)
    for i, e in enumerate(entries):
        groups[e.stream.renamed_hash].append(i)
    return list(groups.values())


def _star_clusters(
    sizes: Sequence[int], edges: dict[tuple[int, int], float],
    scores: Sequence[float] | None = None,
) -> list[tuple[int, dict[int, float]]]:
    """(centre group, {member group: similarity to centre}) for every class of groups."""
    neighbours: dict[int, dict[int, float]] = defaultdict(dict)
    for (a, b), sim in edges.items():
        neighbours[a][b] = sim
        neighbours[b][a] = sim
    score = ({g: scores[g] for g in range(len(sizes))} if scores is not None else
             {g: sizes[g] + sum(s * sizes[h] for h, s in neighbours[g].items())
              for g in range(len(sizes))})
    assigned: set[int] = set()
    clusters = []
    for g in sorted(range(len(sizes)), key=lambda g: (-score[g], g)):
        if g in assigned:
            continue
        members = {h: s for h, s in neighbours[g].items() if h not in assigned}
        if sizes[g] + sum(sizes[h] for h in members) < 2:
            continue
        assigned.add(g)
        assigned.update(members)
        clusters.append((g, {g: 1.0, **members}))
    return _second_chance(clusters, neighbours, sizes)


def _second_chance(
    clusters: list[tuple[int, dict[int, float]]],
    neighbours: dict[int, dict[int, float]],
    sizes: Sequence[int],
) -> list[tuple[int, dict[int, float]]]:
    """Give a group left alone a class with its best neighbour, when that neighbour is closer
    to it than to the centre it was assigned to.

    A star leaves out a group whose only neighbours were taken by other stars, even when it
    is a verified near copy of one of them. Moving that neighbour to a new star with the
    left-out group keeps every member answering to its centre; the old star keeps the rest.
    """
    centre_of: dict[int, int] = {}
    for k, (_, members) in enumerate(clusters):
        for g in members:
            centre_of[g] = k
    for g in sorted(range(len(sizes)), key=lambda g: -sizes[g]):
        if g in centre_of or not neighbours[g]:
            continue
        best, sim = max(neighbours[g].items(), key=lambda kv: (kv[1], -kv[0]))
        found = centre_of.get(best)
        if found is None:
            continue
        k = found
        centre, members = clusters[k]
        if best == centre or sim <= members[best]:
            continue
        rest = {h: s for h, s in members.items() if h != best}
        if sum(sizes[h] for h in rest) >= 2:
            clusters[k] = (centre, rest)
        else:  # the old star would be a single group: dissolve it
            clusters[k] = (centre, {})
            for h in rest:
                centre_of.pop(h, None)
        new_members = {best: 1.0, g: sim}
        new_members.update({h: s for h, s in neighbours[best].items()
                            if h not in centre_of and h not in new_members})
        clusters.append((best, new_members))
        for h in new_members:
            centre_of[h] = len(clusters) - 1
    return [(c, m) for c, m in clusters if m]


def _class_id(canonical: Entry) -> str:
    # The canonical member alone: a class keeps its id (and a plan's override of it) while
    # copies come and go or its kind changes from renamed to near-miss.
    key = f"{canonical.path}::{canonical.name}:{canonical.stream.renamed_hash}"
    return "c" + hashlib.blake2b(key.encode(), digest_size=5).hexdigest()


def build_classes(
    entries: Sequence[Entry],
    edges: dict[tuple[int, int], float],
    stub_tokens: Callable[[Entry, CloneMember, CloneMember], int],
    scores: Sequence[float] | None = None,
    groups: Sequence[Sequence[int]] | None = None,
) -> list[CloneClass]:
    """Clone classes over `entries`, given verified near-miss `edges` between groups.

    `edges` maps (group a, group b), indices into `renamed_groups(entries)`, to the
    similarity of their representatives. `stub_tokens` counts the reference that replaces a
    member. Classes whose every member sits inside a member of another class are dropped:
    collapsing the outer class already covers them. `scores`, per group, replaces the
    centrality computed from `edges` — for re-clustering part of a larger graph. `groups`:
    `renamed_groups(entries)`, when the caller has it already.
    """
    if groups is None:
        groups = renamed_groups(entries)
    clusters = _star_clusters([len(g) for g in groups], edges, scores)
    in_class = {i for _, members in clusters for g in members for i in groups[g]}
    # Outer units first, so nested classes can pick a canonical that stays visible.
    clusters.sort(key=lambda c: -max(entries[i].tokens for i in groups[c[0]]))
    collapsed: set[int] = set()
    classes = []
    for centre, member_groups in clusters:
        units = [(i, sim) for g, sim in member_groups.items() for i in groups[g]]
        # A unit nested in another member of the same class is not a copy of anything
        # here: its container is (a method inside one of two copied classes).
        inside = {i for i, _ in units}
        units = [(i, sim) for i, sim in units if not inside.intersection(entries[i].ancestors)]
        if len(units) < 2 or not any(i in groups[centre] for i, _ in units):
            continue
        if all(any(a in in_class for a in entries[i].ancestors) for i, _ in units):
            continue
        present = {i for i, _ in units}
        canon = min((i for i in groups[centre] if i in present), key=lambda i: (
            any(a in collapsed for a in entries[i].ancestors), entries[i].is_test,
            len(entries[i].path), entries[i].path, entries[i].start_line))
        kind = _kind([entries[i] for i, _ in units], len(member_groups))
        ordered = sorted(units, key=lambda u: (u[0] != canon, entries[u[0]].path,
                                               entries[u[0]].start_line))
        members = tuple(_member(entries[i], sim) for i, sim in ordered)
        canonical = members[0]
        saved = sum(m.tokens - stub_tokens(entries[i], m, canonical)
                    for (i, _), m in zip(ordered[1:], members[1:], strict=True))
        collapsed.update(i for i, _ in ordered[1:])
        classes.append(CloneClass(
            id=_class_id(entries[canon]), kind=kind,
            similarity=round(min(m.similarity for m in members), 4), canonical=0,
            members=members, tokens_saved=max(saved, 0),
        ))
    classes.sort(key=lambda c: (-c.tokens_saved, c.id))
    return classes


def _kind(units: Iterable[Entry], group_count: int) -> str:
    if group_count > 1:
        return "near-miss"
    hashes = {e.stream.exact_hash for e in units}
    return "exact" if len(hashes) == 1 else "renamed"


def _member(e: Entry, similarity: float) -> CloneMember:
    return CloneMember(path=e.path, name=e.name, start_line=e.start_line, end_line=e.end_line,
                       tokens=e.tokens, similarity=round(similarity, 4),
                       file_index=e.file_index, unit_index=e.unit_index)
