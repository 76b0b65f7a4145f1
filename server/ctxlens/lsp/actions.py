"""Code actions on a duplicate diagnostic: collapse or expand the class in the context plan,
show every member, or ignore this member (a suppression comment in the file's syntax)."""

from __future__ import annotations

from collections.abc import Mapping

from lsprotocol import types

from ctxlens.clones.model import CloneClass
from ctxlens.clones.stubs import comment
from ctxlens.lsp.diagnostics import SOURCE
from ctxlens.lsp.snapshot import member_at
from ctxlens.lsp.view import View

SUPPRESSION = "ctxlens: ignore-duplicate"
COLLAPSE = "ctxlens.collapseClass"
EXPAND = "ctxlens.expandClass"
SHOW = "ctxlens.showDuplicates"


def _member_of(view: View, path: str, diag: types.Diagnostic) -> tuple[CloneClass, int] | None:
    """The clone member a diagnostic stands for: from its data when it still names a
    known class and member, else by its first line."""
    data = diag.data if isinstance(diag.data, Mapping) else {}
    c = view.snap.classes.get(str(data.get("classId")))
    index = data.get("memberIndex")
    if c is not None and isinstance(index, int) and 0 <= index < len(c.members) \
            and c.members[index].path == path:
        return c, index
    found = member_at(view.snap, path, diag.range.start.line + 1)
    return found[0] if found else None


def _suppression_edit(view: View, uri: str, path: str, lines: list[str], line: int,
                      version: int | None, versioned: bool) -> types.WorkspaceEdit:
    """Insert the marker on its own line above 0-based `line`, indented like it."""
    record = view.snap.records.get(path)
    language = record.language if record is not None else "text"
    target = lines[line] if 0 <= line < len(lines) else ""
    indent = target[:len(target) - len(target.lstrip())]
    text = f"{indent}{comment(language, SUPPRESSION)}\n"
    at = types.Position(line=line, character=0)
    edit = types.TextEdit(range=types.Range(start=at, end=at), new_text=text)
    if versioned:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=uri,
                                                                        version=version),
            edits=[edit])])
    return types.WorkspaceEdit(changes={uri: [edit]})


def code_actions(view: View, uri: str, path: str, lines: list[str], version: int | None,
                 context: types.CodeActionContext,
                 versioned_edits: bool) -> list[types.CodeAction]:
    if context.only and not any(
            types.CodeActionKind.QuickFix.value.startswith(str(k)) for k in context.only):
        return []
    actions: list[types.CodeAction] = []
    seen: set[tuple[str, int]] = set()
    for diag in context.diagnostics:
        if diag.source != SOURCE:
            continue
        found = _member_of(view, path, diag)
        if found is None or (found[0].id, found[1]) in seen:
            continue
        c, index = found
        seen.add((c.id, index))
        member = c.members[index]
        saved = f"{c.tokens_saved:,} tokens ({view.snap.encoding})"
        if view.collapsed(c):
            actions.append(types.CodeAction(
                title=f"Expand duplicates: show all {len(c.members)} copies in full in the "
                      f"context pack (costs {saved})",
                kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
                command=types.Command(title="Expand duplicates", command=EXPAND,
                                      arguments=[c.id])))
        else:
            actions.append(types.CodeAction(
                title=f"Collapse duplicates: keep one copy in the context pack (saves {saved})",
                kind=types.CodeActionKind.QuickFix, diagnostics=[diag], is_preferred=True,
                command=types.Command(title="Collapse duplicates", command=COLLAPSE,
                                      arguments=[c.id])))
        actions.append(types.CodeAction(
            title=f"Show all duplicates ({len(c.members)} copies)",
            kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
            command=types.Command(title="Show all duplicates", command=SHOW,
                                  arguments=[c.id])))
        actions.append(types.CodeAction(
            title="Ignore this duplicate (adds a `ctxlens: ignore-duplicate` comment)",
            kind=types.CodeActionKind.QuickFix, diagnostics=[diag],
            edit=_suppression_edit(view, uri, path, lines, member.start_line - 1, version,
                                   versioned_edits)))
    return actions

