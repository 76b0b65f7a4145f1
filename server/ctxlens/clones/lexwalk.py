"""Whether the clone lexer's tree walk runs in C, and a handle on it when it does.

The walk over every node of every file was a quarter of a cold scan's CPU time in Python, at
the floor of what a Python loop over tree-sitter `Node` objects costs. `ctxlens._lexwalk`
(server/ctxlens/_native/lexwalk.c, built by setup.py when a C compiler is there) does the
same walk over the same tree with a vendored copy of the tree-sitter runtime, reading the
TSNode inside py-tree-sitter's `Node` object. That only holds for the py-tree-sitter version
it was written against, so it is used only when

- the extension imports (it is optional: an install without a compiler has none),
- the installed py-tree-sitter is that version, and
- it reads a parsed file's nodes exactly as py-tree-sitter reports them;

otherwise, or with CTXLENS_PURE_PYTHON=1 in the environment, `lex_file` walks in Python.
Both walks give the same tokens (tests/clones/test_lexwalk.py compares them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from importlib import metadata
from re import Pattern

from tree_sitter import Node

NativeWalk = Callable[[Node, bytes, bytes, bytes, dict[int, Pattern[bytes]], bytes, bool],
                      tuple[bytes, bytes, bytes, bytes, bytes, bytes]]

# A file whose tree has calls, fields, literals and nesting: the check walks all its nodes.
_PROBE = b"""class A(B):
    def f(self, x, *a, **k):
        y = g(x)[0].h(1, 'two', None)
        return [z for z in y if z] or {"k": (x, 2.5)}
"""


@cache
def native_walk() -> NativeWalk | None:
    """The C walk, if it is built, current and reads nodes as py-tree-sitter does."""
    if os.environ.get("CTXLENS_PURE_PYTHON") == "1":
        return None
    try:
        from ctxlens import _lexwalk  # type: ignore[attr-defined]
    except ImportError:
        return None
    try:
        installed = metadata.version("tree-sitter")
    except metadata.PackageNotFoundError:
        return None
    if installed != _lexwalk.BINDING_VERSION or not _reads_nodes_right(_lexwalk.node_facts):
        return None
    walk: NativeWalk = _lexwalk.walk
    return walk


def _reads_nodes_right(node_facts: Callable[[Node], tuple[int, int, int, int, int]]) -> bool:
    from ctxlens.syntax import parse

    tree = parse(_PROBE, "python")
    if tree is None:
        return False
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        facts = (node.kind_id, node.start_byte, node.end_byte, node.child_count,
                 node.named_child_count)
        if node_facts(node) != facts:
            return False
        stack.extend(node.children)
    return True
