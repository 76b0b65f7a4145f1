"""Hover: over a unit, its exact tokens, cost, share of the window and its duplicates;
anywhere else in a file, the file's totals."""

from __future__ import annotations

from lsprotocol import types

from ctxlens.clones.model import CloneClass
from ctxlens.index.records import FileRecord
from ctxlens.lsp.snapshot import member_at, members_of_unit, unit_at
from ctxlens.lsp.view import View, kind_phrase, short_name
from ctxlens.tokens import ModelInfo

MAX_LISTED = 8  # duplicates listed in one hover; the rest are counted


def money(usd: float) -> str:
    if usd == 0:
        return "$0"
    if usd < 0.01:
        return f"${usd:.6f}".rstrip("0")
    return f"${usd:,.2f}"


def share(part: int, whole: int) -> str:
    ratio = part / max(whole, 1)
    return f"{ratio:.2%}" if ratio < 1 else f"{ratio:,.1f}×"


def cost_line(model: ModelInfo, tokens: int) -> str:
    return (f"{money(model.input_cost(tokens))} as {model.name} input "
            f"(${model.input_price:g} per 1M tokens) · {share(tokens, model.context_window)} "
            f"of its {model.context_window:,}-token window")


def _duplicates(view: View, found: list[tuple[CloneClass, int]], path: str) -> list[str]:
    lines = []
    for c, index in found:
        others = [(i, m) for i, m in enumerate(c.members) if i != index]
        state = "collapsed" if view.collapsed(c) else "expanded"
        lines.append(f"**{len(others)} duplicate{'s' if len(others) != 1 else ''}** "
                     f"({c.kind}, class `{c.id}`, {state}) · collapsing saves "
                     f"{c.tokens_saved:,} tokens ({view.snap.encoding})")
        for i, m in others[:MAX_LISTED]:
            role = "canonical" if i == c.canonical else kind_phrase(c, m)
            where = m.path if m.path != path else "this file"
            lines.append(f"- `{short_name(m)}` {where}:{m.start_line} — {role}, "
                         f"{m.tokens:,} tokens")
        if len(others) > MAX_LISTED:
            lines.append(f"- … and {len(others) - MAX_LISTED} more")
    return lines


def _fragments_at(view: View, path: str, line: int) -> list[tuple[CloneClass, int]]:
    return [cm for cm in member_at(view.snap, path, line) if cm[0].kind == "fragment"]


def unit_hover(view: View, record: FileRecord, index: int, line: int) -> types.Hover:
    unit = record.units[index]
    tokens = record.unit_tokens[index]
    model = view.snap.model
    parts = [f"**{unit.name}** ({unit.kind}) · **{tokens:,} tokens** "
             f"({view.tokens_label()}, exact)",
             cost_line(model, tokens)]
    found = members_of_unit(view.snap, record.path, unit.start_line, unit.end_line)
    found += [cm for cm in _fragments_at(view, record.path, line) if cm not in found]
    if found:
        parts.extend(_duplicates(view, found, record.path))
    elif view.snap.indexing:
        parts.append("_Indexing: duplicates are not known yet._")
    else:
        parts.append("No duplicates.")
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value="\n\n".join(parts)),
        range=view.span(record.path, unit.start_line, unit.end_line))


def file_hover(view: View, record: FileRecord, line: int) -> types.Hover:
    model = view.snap.model
    units = sum(1 for u in record.units if u.kind not in ("module", "window"))
    parts = [f"**{record.path}** · **{record.tokens:,} tokens** ({view.tokens_label()}, "
             f"exact, whole file) · {record.lines:,} lines · {units:,} units",
             cost_line(model, record.tokens)]
    classes = view.snap.classes_in(record.path)
    if classes:
        members = [(c, m) for c in classes for m in c.members if m.path == record.path]
        saved = sum(c.tokens_saved for c in classes)
        parts.append(f"Duplicated logic here: {len(members)} clone member"
                     f"{'s' if len(members) != 1 else ''} in {len(classes)} class"
                     f"{'es' if len(classes) != 1 else ''}; collapsing them saves up to "
                     f"{saved:,} tokens ({view.snap.encoding}) across the workspace")
    # A fragment member (a copied block) can sit outside any unit's own hover.
    inside = _fragments_at(view, record.path, line)
    if inside:
        parts.extend(_duplicates(view, inside, record.path))
    if view.snap.indexing:
        parts.append("_Indexing: duplicates are not known yet._")
    return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown,
                                                    value="\n\n".join(parts)))


def hover(view: View, path: str, line: int) -> types.Hover | None:
    """The hover at 1-based `line` of `path`, or None when the file takes no part."""
    record = view.snap.records.get(path)
    if record is None:
        return None
    index = unit_at(record, line)
    if index is None:
        return file_hover(view, record, line)
    return unit_hover(view, record, index, line)


def unknown_file_hover(view: View, path: str, text: str, tokens: int) -> types.Hover:
    """While indexing, before the engine has seen an open file: its exact count only."""
    model = view.snap.model
    reason = view.snap.skipped.get(path)
    note = (f"_Not indexed ({reason})._" if reason else
            "_Indexing: units and duplicates are not known yet._")
    return types.Hover(contents=types.MarkupContent(
        kind=types.MarkupKind.Markdown,
        value=f"**{path}** · **{tokens:,} tokens** ({view.tokens_label()}, exact, whole "
              f"file) · {text.count(chr(10)) + 1:,} lines\n\n{cost_line(model, tokens)}\n\n{note}"))
