"""Split: a fitted pack too long for one request, as self-contained parts under a limit.

Every part is the shared header (directory tree, token table, collapsed-class index, repeated
file headers, files reduced to fit — all of them about the whole pack) plus its own files, in
path order. The rules, each for a reason:

- *Folders stay together.* Files are placed walking the folder tree in path order: a folder
  goes whole into the current part when it fits, else whole into a fresh part when it fits
  there, else its children are placed the same way one by one. So a part is a run of
  neighbouring modules, and a folder that fits in a part is never spread over two — at the
  price of parts that are not all full.
- *No unit is cut.* A file too large for any part is cut into pieces between top-level units
  (functions, classes, module code between them) of its text as packed, each piece marked
  with a `[ctxlens] piece i of n` comment; a single top-level unit too large for a part is a
  `SplitError` naming it.
- *References resolve inside the part.* A clone stub or a whole-file-copy line in a part
  points at code that is in that part (its file whole) or is repeated in the part's
  "Referenced code from other parts" section, which says which part shows it in full.
  Repeated file headers are in the shared header, so their references always resolve.
- *Counts are exact.* Placement uses estimates (each file's section counted alone); then
  every part is rendered and counted, and while one is over the limit its last file moves to
  the next part. `PackPart.tokens` is `len(encode_ordinary(text))`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from difflib import SequenceMatcher
from itertools import pairwise

from ctxlens.clones.stubs import comment
from ctxlens.context.part_limit import default_part_limit
from ctxlens.context.render import (
    Borrowed,
    PackContent,
    PackedFile,
    PartView,
    Piece,
    borrowed_section,
    file_section,
    render,
)
from ctxlens.syntax.units import UnitSpan

__all__ = ["PackPart", "SplitError", "Target", "default_part_limit", "split_pack"]

MARGIN = 16  # tokens kept free below the limit while placing: estimates miss BPE merges
MAX_ROUNDS = 4  # placements retried with a larger margin when exact counts overshoot


@dataclass(frozen=True, slots=True)
class PackPart:
    index: int  # 1-based
    paths: tuple[str, ...]  # files (root-relative) whose text is in this part
    text: str  # rendered, self-contained
    tokens: int  # exact, model's encoding


class SplitError(Exception):
    """The pack cannot be split under the limit: its shared header, or one unit, is too big."""


@dataclass(frozen=True, slots=True)
class Target:
    """What a reference points at: a canonical clone member, or a whole file (`start_line`
    0). `marker` in the referring file's text is how a piece knows it holds the reference."""

    path: str
    start_line: int
    end_line: int
    name: str


TargetText = Callable[[Target], tuple[str, str]]  # target -> (language, text as shown)


@dataclass(slots=True)
class _Item:
    file: PackedFile  # a whole file, or a piece of one
    cost: int  # estimated tokens of its section
    targets: frozenset[Target]


@dataclass(slots=True)
class _Node:
    items: list[_Item] = field(default_factory=list)  # every item below, in path order
    children: list[_Node | _Item] = field(default_factory=list)
    cost: int = 0
    whole: set[str] = field(default_factory=set)
    targets: set[Target] = field(default_factory=set)

    def add(self, item: _Item) -> None:
        self.items.append(item)
        self.cost += item.cost
        if item.file.piece is None:
            self.whole.add(item.file.path)
        self.targets |= item.targets


def _tree(items: Sequence[_Item]) -> _Node:
    """Folders (and files cut into pieces) as nodes over the items, in path order."""
    root = _Node()
    folders: dict[tuple[str, ...], _Node] = {(): root}
    for item in items:
        parts = item.file.path.split("/")
        chain = [root]
        for depth in range(1, len(parts)):
            key = tuple(parts[:depth])
            if key not in folders:
                folders[key] = _Node()
                folders[key[:-1]].children.append(folders[key])
            chain.append(folders[key])
        if item.file.piece is not None:  # a pieced file is a node of its pieces
            key = (*parts, "")
            if key not in folders:
                folders[key] = _Node()
                chain[-1].children.append(folders[key])
            chain.append(folders[key])
            folders[key].children.append(item)
        else:
            chain[-1].children.append(item)
        for node in chain:
            node.add(item)
    return root


def _cut_points(text: str, original: str, units: Sequence[UnitSpan]
                ) -> dict[int, tuple[int, int]]:
    """Where the packed `text` may be cut: packed line index (cut before it) -> the original
    line span [start, end) of the top-level units before it since the previous cut point.

    Boundaries come from the file's own units (clone stubs and elided bodies can leave the
    packed text unparseable), between top-level units that no other top-level unit spans,
    carried over to the packed text by matching lines: a boundary whose following lines were
    all rewritten is simply not a cut point.
    """
    tops = sorted((u.start_line - 1, u.end_line) for u in units
                  if u.parent == -1 and u.kind != "module")
    ends = sorted({e for _, e in tops if not any(a < e < b for a, b in tops)})
    orig_lines, packed_lines = original.split("\n"), text.split("\n")
    to_packed: dict[int, int] = {}
    for a, b, size in SequenceMatcher(None, orig_lines, packed_lines).get_matching_blocks():
        for k in range(size):
            to_packed[a + k] = b + k
    starts = [a for a, _ in tops]
    cuts: dict[int, tuple[int, int]] = {}
    prev = 0
    for e in ends:
        following = min((a for a in starts if a >= e), default=len(orig_lines) - 1)
        mapped = next((to_packed[g] for g in range(e, following + 1) if g in to_packed), None)
        if mapped is not None and 0 < mapped < len(packed_lines) and mapped not in cuts:
            cuts[mapped] = (prev, e)
            prev = e
    return cuts


def _unit_name(units: Sequence[UnitSpan], first: int, last: int) -> str:
    """The largest top-level unit within original lines [first, last)."""
    inside = [u for u in units if u.parent == -1 and u.kind != "module"
              and first <= u.start_line - 1 and u.end_line <= last]
    if not inside:
        return f"lines {first + 1}-{last} of the file"
    u = max(inside, key=lambda u: u.end_line - u.start_line)
    return f"{u.kind} {u.name} (lines {u.start_line}-{u.end_line})"


def _piece_text(f: PackedFile, lines: Sequence[str], index: int, total: int) -> str:
    body = "\n".join(lines)
    if index > 1:
        body = comment(f.language, f"[ctxlens] piece {index} of {total} of {f.path}, cut "
                                   "between top-level units; the pieces before it are in "
                                   "other parts") + "\n" + body
    if index < total:
        body = body + "\n" + comment(
            f.language, f"[ctxlens] {f.path} continues in piece {index + 1} of {total}") + "\n"
    return body


def _pieces(f: PackedFile, room: int, count: Callable[[str], int],
            targets_in: Callable[[str], frozenset[Target]],
            target_cost: Callable[[Target], int], fmt: str,
            original: tuple[str, Sequence[UnitSpan]]) -> list[_Item]:
    """`f` cut between top-level units into pieces whose sections fit `room` tokens."""
    lines = f.text.split("\n")
    source, units = original
    cut_map = _cut_points(f.text, source, units)
    bounds = [0, *sorted(cut_map), len(lines)]
    chunks = [(a, b) for a, b in pairwise(bounds) if a < b]
    # The original lines each chunk came from, to name a unit too large for a part.
    spans = [cut_map.get(b, (max((e for _, e in cut_map.values()), default=0),
                             len(source.split("\n")))) for _, b in chunks]
    overhead = count(file_section(replace(f, text=_piece_text(f, [""], 2, 3),
                                          piece=Piece(99, 99, 9999, 9999)), fmt))
    groups: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []

    def cost(group: list[tuple[int, int]]) -> int:
        text = "\n".join(lines[group[0][0]:group[-1][1]])
        return overhead + count(text) + sum(target_cost(t) for t in targets_in(text))

    for chunk, span in zip(chunks, spans, strict=True):
        if current and cost([*current, chunk]) > room:
            groups.append(current)
            current = []
        if cost([chunk]) > room:
            name = _unit_name(units, *span)
            raise SplitError(
                f"{f.path}: {name} alone needs about {cost([chunk])} tokens with its markers "
                f"and the code it references, over the {room} tokens a part has left after "
                "the shared header; a unit is never cut in half — raise the part limit, or "
                "fit to a budget so the file becomes a skeleton")
        current.append(chunk)
    if current:
        groups.append(current)
    items = []
    for i, group in enumerate(groups, 1):
        a, b = group[0][0], group[-1][1]
        text = _piece_text(f, lines[a:b], i, len(groups))
        # Lines as packed: a piece ending at a trailing "" holds no extra line.
        last = min(b, len(lines) - (1 if lines[-1] == "" else 0))
        piece = replace(f, text=text, tokens=count(text),
                        piece=Piece(i, len(groups), a + 1, max(last, a + 1)))
        items.append(_Item(piece, count(file_section(piece, fmt)),
                           targets_in("\n".join(lines[a:b]))))
    return items


def split_pack(
    content: PackContent,
    fmt: str,
    limit: int,
    count: Callable[[str], int],
    references: Mapping[str, Sequence[tuple[str, Target]]],
    target_text: TargetText,
    original: Callable[[str], tuple[str, Sequence[UnitSpan]]],
) -> tuple[PackPart, ...]:
    """`content` (the fitted pack) as parts whose rendered text has at most `limit` tokens.

    `references` maps a path to its (marker, target) pairs: the line in its text that refers
    and what it refers to; `target_text` gives a target's language and text as the pack
    shows it; `original` a file's text on disk and its units (for files cut into pieces).
    Raises `SplitError` when the shared header or one unit does not fit.
    """
    empty = replace(content, part=PartView(999, 999, ()))
    header = count(render(empty, fmt))
    if header + MARGIN >= limit:
        raise SplitError(
            f"the shared header alone (directory tree, token table and indexes of "
            f"{len(content.files)} files) is {header} tokens, over the part limit of {limit} "
            "tokens: raise the part limit or pack a smaller selection")
    target_costs: dict[Target, int] = {}

    def target_cost(t: Target) -> int:
        if t not in target_costs:
            language, text = target_text(t)
            target_costs[t] = count(borrowed_section(
                Borrowed(t.path, language, t.start_line, t.end_line, t.name, text, 999), fmt))
        return target_costs[t]

    for margin in (MARGIN * 4 ** k for k in range(MAX_ROUNDS)):
        room = limit - header - margin
        if room <= 0:
            break
        items: list[_Item] = []
        for f in content.files:
            refs = references.get(f.path, ())

            def targets_in(text: str, refs: Sequence[tuple[str, Target]] = refs
                           ) -> frozenset[Target]:
                return frozenset(t for marker, t in refs if marker in text)

            item = _Item(f, count(file_section(f, fmt)), frozenset(t for _, t in refs))
            alone = item.cost + sum(target_cost(t) for t in item.targets if t.path != f.path)
            items += [item] if alone <= room else _pieces(f, room, count, targets_in,
                                                          target_cost, fmt, original(f.path))
        groups = _place(_tree(items), room, target_cost)
        parts = _render_exact(content, fmt, limit, count, groups, target_text)
        if parts is not None:
            return parts
    raise SplitError(f"could not place the pack's files in parts under {limit} tokens "
                     "(estimates kept overshooting); raise the part limit")


def _place(root: _Node, room: int, target_cost: Callable[[Target], int]) -> list[list[_Item]]:
    groups: list[_Node] = [_Node()]

    def cost_with(part: _Node, node: _Node | _Item) -> int:
        more = node if isinstance(node, _Node) else _single(node)
        whole = part.whole | more.whole
        needed = part.targets | more.targets
        return part.cost + more.cost + sum(target_cost(t) for t in needed if t.path not in whole)

    def take(part: _Node, node: _Node | _Item) -> None:
        for item in (node.items if isinstance(node, _Node) else [node]):
            part.add(item)

    def place(node: _Node | _Item) -> None:
        current = groups[-1]
        if cost_with(current, node) <= room:
            take(current, node)
            return
        fresh = _Node()
        if current.items and cost_with(fresh, node) <= room:
            groups.append(fresh)
            take(fresh, node)
            return
        if isinstance(node, _Item):
            # Checked when the items were made: an item always fits a fresh part.
            groups.append(fresh)
            take(fresh, node)
            return
        for child in node.children:
            place(child)

    for child in root.children:
        place(child)
    return [g.items for g in groups if g.items]


def _single(item: _Item) -> _Node:
    node = _Node()
    node.add(item)
    return node


def _render_exact(
    content: PackContent, fmt: str, limit: int, count: Callable[[str], int],
    groups: list[list[_Item]], target_text: TargetText,
) -> tuple[PackPart, ...] | None:
    """Render and count each part; move a part's last file on while it is over the limit.
    None when a part of one item is over (the caller places again with a wider margin)."""
    groups = [list(g) for g in groups]
    for _ in range(3):
        moved = False
        rendered: list[tuple[str, int]] = []
        i = 0
        while i < len(groups):
            text, tokens = _render_part(content, fmt, count, groups, i, target_text)
            if tokens <= limit:
                rendered.append((text, tokens))
                i += 1
                continue
            if len(groups[i]) == 1:
                return None
            if i + 1 == len(groups):
                groups.append([])
            groups[i + 1].insert(0, groups[i].pop())
            moved = True
        if not moved:
            return tuple(
                PackPart(index=i + 1, paths=tuple(dict.fromkeys(it.file.path for it in g)),
                         text=text, tokens=n)
                for i, (g, (text, n)) in enumerate(zip(groups, rendered, strict=True)))
        # A move can change the number of parts and where borrowed code lives: count again.
    return None


def _render_part(content: PackContent, fmt: str, count: Callable[[str], int],
                 groups: list[list[_Item]], i: int, target_text: TargetText) -> tuple[str, int]:
    home = {it.file.path: k + 1 for k, g in enumerate(groups) for it in g
            if it.file.piece is None}
    items = groups[i]
    whole = {it.file.path for it in items if it.file.piece is None}
    needed = sorted({t for it in items for t in it.targets if t.path not in whole},
                    key=lambda t: (t.path, t.start_line, t.end_line, t.name))
    borrowed = []
    for t in needed:
        language, text = target_text(t)
        borrowed.append(Borrowed(t.path, language, t.start_line, t.end_line, t.name, text,
                                 home.get(t.path)))
    view = PartView(index=i + 1, total=len(groups), files=tuple(it.file for it in items),
                    borrowed=tuple(borrowed))
    text = render(replace(content, part=view), fmt)
    return text, count(text)
