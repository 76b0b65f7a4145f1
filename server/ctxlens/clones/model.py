"""Clone classes: what detection reports and every later stage reads."""

from __future__ import annotations

from dataclasses import dataclass

CLONE_KINDS = ("exact", "renamed", "near-miss", "fragment")


@dataclass(frozen=True, slots=True)
class CloneMember:
    path: str  # root-relative, "/" separators
    name: str  # qualified: "pkg/mod.py::Class.method", or "path:L10-L42" for a fragment
    start_line: int  # 1-based, inclusive
    end_line: int
    tokens: int  # exact tokens of the member's text, in the report's encoding
    similarity: float  # to the canonical member (1.0 for the canonical itself)
    file_index: int = -1  # position in the scan's file list (engine-internal)
    unit_index: int = -1  # position in that file's units; -1 for fragments


@dataclass(frozen=True, slots=True)
class CloneClass:
    id: str  # stable while the canonical member keeps its place and name
    kind: str  # one of CLONE_KINDS
    similarity: float  # lowest similarity of a member to the canonical one
    canonical: int  # index into members
    members: tuple[CloneMember, ...]
    tokens_saved: int  # non-canonical members' tokens minus the stubs that replace them

    @property
    def canonical_member(self) -> CloneMember:
        return self.members[self.canonical]
