"""Skeleton level: a file's signatures, class outlines, docstrings and leading comments, with
every function body replaced by one line in the file's comment syntax.

Which bytes are a body comes from the grammar: for each function/method/constructor unit of the
index, the tree-sitter node found at the unit's byte range (or the first node below it with one)
names its `body` field. Elision is by whole lines, like collapse, so nothing on a kept line is
cut: the lines strictly inside a brace body, or a Python block's lines after its docstring.
One-line bodies stay as they are. Module code (imports, constants) and class headers stay.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from tree_sitter import Node

from ctxlens.clones.stubs import comment
from ctxlens.syntax.extract import parse
from ctxlens.syntax.units import UnitSpan

_BODY_KINDS = frozenset({"function", "method", "constructor"})
_DOC_STRING = frozenset({"string", "concatenated_string"})


def _with_body(node: Node, depth: int = 3) -> Node | None:
    """`node` or the first node below it (breadth-first, `depth` levels) with a `body` field."""
    level = [node]
    for _ in range(depth + 1):
        for n in level:
            if n.child_by_field_name("body") is not None:
                return n
        level = [c for n in level for c in n.named_children]
    return None


def _elided_lines(func: Node, body: Node, language: str) -> tuple[int, int] | None:
    """0-based, inclusive first and last line to elide from `body`, or None for nothing."""
    first, last = body.start_point[0], body.end_point[0]
    if language == "python":
        children = body.named_children
        if (children and children[0].type == "expression_statement"
                and children[0].named_children
                and children[0].named_children[0].type in _DOC_STRING):
            first = children[0].end_point[0] + 1  # keep the docstring
        elif first == func.start_point[0]:
            return None  # `def f(): return 1`
        return (first, last) if first <= last else None
    # Brace (and `do … end`) bodies: keep the opening and the closing line.
    if last - first < 2:
        return None
    return first + 1, last - 1


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def skeleton(
    data: bytes, language: str, units: Sequence[UnitSpan], count: Callable[[str], int],
    keep: Collection[tuple[int, int]] = (),
) -> str:
    """The skeleton of a file: `data` decoded as the indexer decodes it, bodies elided.

    `keep`: 1-based inclusive line ranges whose bodies stay (canonical members that stubs
    in other files point at: a reference must never lead to an elided body).

    `units` are the file's units from the index; `count` counts tokens in the pack's encoding
    (each marker states what it hides). A file without a grammar, or without functions,
    comes back unchanged.
    """
    text = data.decode("utf-8", errors="replace")
    tree = parse(data, language)
    if tree is None:
        return text
    ranges: list[tuple[int, int]] = []
    for unit in units:
        if unit.kind not in _BODY_KINDS or unit.end_byte <= unit.start_byte:
            continue
        node = tree.root_node.descendant_for_byte_range(unit.start_byte, unit.end_byte - 1)
        found = _with_body(node) if node is not None else None
        if found is None:
            continue
        body = found.child_by_field_name("body")
        if body is None or body.end_byte > unit.end_byte or body.start_byte < unit.start_byte:
            continue
        span = _elided_lines(found, body, language)
        # `span` is 0-based rows; `keep` is 1-based lines.
        if span is not None and not any(a - 1 <= span[1] and span[0] <= b - 1
                                        for a, b in keep):
            ranges.append(span)
    lines = text.split("\n")  # "\n" only, as tree-sitter counts rows
    out: list[str] = []
    pos = 0
    for start, end in sorted(ranges, key=lambda r: (r[0], -r[1])):
        if start < pos or end >= len(lines):
            continue  # nested in a body already elided
        hidden = lines[start:end + 1]
        if not any(ln.strip() for ln in hidden):
            continue
        out += lines[pos:start]
        indent = _indent(next(ln for ln in hidden if ln.strip()))
        cr = "\r" if hidden[-1].endswith("\r") else ""
        tokens = count("\n".join(hidden))
        out.append(indent + comment(language, f"[ctxlens] body elided, {tokens} tokens") + cr)
        pos = end + 1
    out += lines[pos:]
    return "\n".join(out)
