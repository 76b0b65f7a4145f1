"""Collapse: which clone members become one-line references, and the file text after it.

Two pure halves. `plan_stubs` decides from the clone report and the plan alone (no text);
`apply_stubs` rewrites one file's text line by line. Line-based on purpose: a member is
replaced with whole lines, so nothing before or after it on a shared line is cut in half.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.clones.stubs import stub
from ctxlens.context.plan import ContextPlan, is_focus


@dataclass(frozen=True, slots=True)
class Stub:
    """One member replaced by `text`, a comment in its file's syntax."""

    class_id: str
    path: str
    start_line: int  # 1-based, inclusive, as the member's
    end_line: int
    text: str  # the comment, without indentation
    signature: bool  # near-miss unit: keep its first line(s) so the reader sees what differs


def _contains(outer: CloneMember, inner: CloneMember) -> bool:
    return (outer.path == inner.path and outer.start_line <= inner.start_line
            and inner.end_line <= outer.end_line)


def plan_stubs(
    classes: Sequence[CloneClass], languages: dict[str, str], plan: ContextPlan
) -> tuple[Stub, ...]:
    """The stubs to apply, sorted by (path, start line); `languages` maps path → language.

    Rules, each for a reason:
    - expanded classes (plan overrides) keep every member;
    - members in focus files stay whole: the user asked for those in full;
    - a member that contains a canonical member still referenced by some stub stays whole,
      else a stub would point at text that is no longer in the pack (a copied class often
      holds the canonical copy of its own method);
    - a member inside (or overlapping) a member already stubbed is gone with it: never
      stubbed twice.
    """
    candidates: list[tuple[CloneClass, CloneMember]] = []
    for c in classes:
        if plan.is_expanded(c.id):
            continue
        candidates += [(c, m) for i, m in enumerate(c.members)
                       if i != c.canonical and not is_focus(plan, m.path)]
    # Keeping a member may leave a canonical unreferenced, never the reverse: shrink to a fixed
    # point.
    while True:
        # Canonicals by path: a member can only contain one in its own file (this was the
        # pack's slowest step as an all-pairs test on the standard library).
        referenced: dict[str, list[CloneMember]] = defaultdict(list)
        for k in {id(c): c.canonical_member for c, _ in candidates}.values():
            referenced[k.path].append(k)
        kept = [(c, m) for c, m in candidates
                if not any(_contains(m, k) for k in referenced.get(m.path, ()))]
        if len(kept) == len(candidates):
            break
        candidates = kept
    by_path: dict[str, list[tuple[CloneClass, CloneMember]]] = defaultdict(list)
    for c, m in candidates:
        by_path[m.path].append((c, m))
    stubs: list[Stub] = []
    for path in sorted(by_path):
        items = sorted(by_path[path], key=lambda cm: (cm[1].start_line, -cm[1].end_line, cm[0].id))
        last_end = 0
        for c, m in items:
            if m.start_line <= last_end:
                continue  # nested in (or overlapping) a member stubbed already
            stubs.append(Stub(
                class_id=c.id, path=path, start_line=m.start_line, end_line=m.end_line,
                text=stub(languages[path], m, c.canonical_member),
                signature=m.similarity < 1.0 and m.unit_index >= 0))
            last_end = m.end_line
    return tuple(stubs)


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _signature_length(lines: Sequence[str]) -> int:
    """Lines to keep at the top of a near-miss member: decorators/annotations, then one line."""
    keep = 0
    while keep < len(lines) - 1 and lines[keep].lstrip().startswith("@"):
        keep += 1
    return keep + 1


def _closes_signature(kept: Sequence[str], last: str) -> bool:
    """Whether `last` is a lone closing brace for the one brace the kept lines leave open."""
    opened = sum(ln.count("{") - ln.count("}") for ln in kept)
    return opened == 1 and last.strip() in ("}", "};", "},")


def apply_stubs(text: str, stubs: Sequence[Stub]) -> str:
    """`text` with each stub's lines replaced by its comment at the member's indentation.

    `stubs` belong to this file, do not overlap, and are sorted by start line.
    """
    lines = text.split("\n")  # "\n" only: tree-sitter's line numbers count nothing else
    out: list[str] = []
    pos = 0
    for s in stubs:
        start, end = s.start_line - 1, min(s.end_line, len(lines))
        if start < pos or start >= end:
            continue  # defensive: never reorder or duplicate text
        out += lines[pos:start]
        member = lines[start:end]
        indent = _indent(member[0])
        keep = _signature_length(member) if s.signature and len(member) > 1 else 0
        out += member[:keep]
        if keep:
            body = next((ln for ln in member[keep:] if ln.strip()), "")
            if len(_indent(body)) > len(indent):
                indent = _indent(body)
        # Keep the file's line ending (a CRLF file's lines end in "\r" after the split).
        cr = "\r" if member[-1].endswith("\r") else ""
        out.append(indent + s.text + cr)
        if keep and _closes_signature(member[:keep], member[-1]) and len(member) > keep + 1:
            out.append(member[-1])  # the brace the kept signature opened: braces stay paired
        pos = end
    out += lines[pos:]
    return "\n".join(out)
