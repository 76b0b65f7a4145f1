"""Code lenses: above each unit, `412 tokens · 2 duplicates · collapse saves 800`."""

from __future__ import annotations

from lsprotocol import types

from ctxlens.lsp.snapshot import members_of_unit
from ctxlens.lsp.view import View

SHOW_DUPLICATES = "ctxlens.showDuplicates"
LENS_KINDS = ("function", "method", "constructor", "class")


def code_lenses(view: View, path: str) -> list[types.CodeLens]:
    record = view.snap.records.get(path)
    if record is None:
        return []
    base = f"exact tokens in {view.tokens_label()}"
    lenses = []
    for unit, tokens in zip(record.units, record.unit_tokens, strict=True):
        if unit.kind not in LENS_KINDS:
            continue
        title = f"{tokens:,} tokens"
        command = ""
        arguments: list[object] = []
        tooltip = base
        found = members_of_unit(view.snap, path, unit.start_line, unit.end_line)
        if found:
            duplicates = sum(len(c.members) - 1 for c, _ in found)
            saves = sum(c.tokens_saved for c, _ in found)
            title += (f" · {duplicates} duplicate{'s' if duplicates != 1 else ''}"
                      f" · collapse saves {saves:,}")
            command = SHOW_DUPLICATES
            arguments = [found[0][0].id]
            tooltip += f"; collapsing saves {saves:,} tokens; click to list the duplicates"
        span = view.span(path, unit.start_line, unit.start_line)
        lenses.append(types.CodeLens(
            range=types.Range(start=span.start, end=span.start),
            command=types.Command(title=title, command=command, tooltip=tooltip,
                                  arguments=arguments or None)))
    return lenses
