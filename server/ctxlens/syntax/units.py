"""Syntax units: the functions, methods, constructors and classes of a file.

A unit is the smallest piece of code ctxlens counts, compares and collapses. The bytes of
a file that belong to no top-level unit (imports, globals, script code) form one more
unit of kind "module". Files without a grammar are cut into line windows.
"""

from __future__ import annotations

from dataclasses import dataclass

UNIT_KINDS = ("function", "method", "constructor", "class", "module", "window")


@dataclass(frozen=True, slots=True)
class UnitSpan:
    """Where one unit lies in its file. Paths are added by the caller (`path::name`)."""

    kind: str  # one of UNIT_KINDS
    name: str  # qualified inside the file: "Class.method", "<module>", "lines 1-100"
    start_line: int  # 1-based, inclusive
    end_line: int  # 1-based, inclusive
    start_byte: int  # offset into the file's bytes
    end_byte: int  # exclusive
    parent: int = -1  # index of the enclosing unit in the same list; -1 at top level
    # Byte ranges that make up the unit when it is not contiguous (only "module" units,
    # whose code sits between the top-level units). Empty means [start_byte, end_byte).
    segments: tuple[tuple[int, int], ...] = ()

    def byte_ranges(self) -> tuple[tuple[int, int], ...]:
        return self.segments or ((self.start_byte, self.end_byte),)

    def text(self, data: bytes) -> str:
        """The unit's source text, decoded as the file is (invalid UTF-8 replaced)."""
        raw = b"".join(data[a:b] for a, b in self.byte_ranges())
        return raw.decode("utf-8", errors="replace")


@dataclass(frozen=True, slots=True)
class ParseResult:
    units: tuple[UnitSpan, ...]
    error_nodes: int = 0  # ERROR/MISSING nodes in the tree; 0 on a clean parse
