"""What a feature handler reads: the snapshot, the plan and settings, and how paths become
URIs and engine lines become LSP ranges. Built per request on the message loop; cheap."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from lsprotocol import types

from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.context.plan import ContextPlan
from ctxlens.lsp.settings import Settings
from ctxlens.lsp.snapshot import Snapshot

SpanFn = Callable[[str, int, int], types.Range]


@dataclass(frozen=True, slots=True)
class View:
    snap: Snapshot
    plan: ContextPlan
    settings: Settings
    uri_of: Callable[[str], str]  # root-relative path -> file:// URI
    span: SpanFn  # (path, first line, last line), 1-based inclusive -> Range

    def location(self, m: CloneMember) -> types.Location:
        return types.Location(uri=self.uri_of(m.path),
                              range=self.span(m.path, m.start_line, m.end_line))

    def collapsed(self, c: CloneClass) -> bool:
        return not self.plan.is_expanded(c.id)

    def tokens_label(self) -> str:
        """What every token number is counted in, for the user."""
        return f"{self.snap.encoding}, {self.snap.model.name}"


KIND_CODES = {"exact": "exact-clone", "renamed": "renamed-clone",
              "near-miss": "near-miss-clone", "fragment": "fragment-clone"}


def short_name(m: CloneMember) -> str:
    return m.name.rsplit("::", 1)[-1]


def kind_phrase(c: CloneClass, m: CloneMember) -> str:
    if c.kind == "exact":
        return "exact copy"
    if c.kind == "renamed":
        return "copy with renamed identifiers or changed literals"
    if c.kind == "fragment":
        return "copied block"
    return f"near copy (similarity {m.similarity:.2f})"
