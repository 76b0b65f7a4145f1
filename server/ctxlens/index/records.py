"""What the index knows about one file: the record the scan writes and reports read."""

from __future__ import annotations

from dataclasses import dataclass

from ctxlens.clones.streams import UnitStream
from ctxlens.syntax.units import UnitSpan


@dataclass(frozen=True, slots=True)
class FileRecord:
    """An indexed (not skipped) file with its units and exact token counts.

    `unit_tokens[i]` is the token count of `units[i]` alone, in `encoding`; `tokens` is
    the count of the whole file, which is not the sum of its units (units nest, and BPE
    merges across unit boundaries).
    """

    path: str  # relative to the root, "/" separators
    language: str
    size: int
    mtime_ns: int
    content_hash: str
    lines: int
    decode_errors: int  # invalid UTF-8 sequences replaced while decoding
    error_nodes: int  # tree-sitter ERROR/MISSING nodes (0 for a clean parse)
    encoding: str
    tokens: int
    units: tuple[UnitSpan, ...]
    unit_tokens: tuple[int, ...]
    # Clone-detection token streams, aligned with `units` (None for units that take no part:
    # module code and line windows). Empty unless the scan was asked for them.
    streams: tuple[UnitStream | None, ...] = ()

    def qualified_name(self, index: int) -> str:
        return f"{self.path}::{self.units[index].name}"


@dataclass(frozen=True, slots=True)
class SkipRecord:
    path: str
    reason: str
    detail: str
