"""Code actions on a duplicate diagnostic, and what each one does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp.helpers import (
    command,
    diagnostics_for,
    open_document,
    replace_all,
    request,
    uri,
    wait_for,
)


async def _actions(client: LanguageClient, doc: str,
                   diag: types.Diagnostic) -> dict[str, types.CodeAction]:
    found = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=doc), range=diag.range,
        context=types.CodeActionContext(diagnostics=[diag])))
    actions = [a for a in found or [] if isinstance(a, types.CodeAction)]
    return {a.title.split(":")[0].split(" (")[0]: a for a in actions}


def _apply(text: str, edit: types.WorkspaceEdit, doc: str) -> str:
    (change,) = edit.document_changes or []
    assert isinstance(change, types.TextDocumentEdit) and change.text_document.uri == doc
    lines = text.split("\n")
    for e in change.edits:
        assert isinstance(e, types.TextEdit) and e.range.start == e.range.end
        at = e.range.start
        lines[at.line] = lines[at.line][:at.character] + e.new_text + lines[at.line][at.character:]
    return "\n".join(lines)


async def test_collapse_and_expand_change_the_plan_and_the_budget(
        client: LanguageClient, ws: Path, indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/orders.py")
    (diag,) = await diagnostics_for(client, doc)
    class_id = diag.data["classId"]
    first = await wait_for(lambda: client.budgets, "the first budgetChanged")
    collapsed = first[-1]
    # (A pack this small is mostly its header: deduplicated can exceed raw here.)
    assert collapsed["indexing"] is False and collapsed["fitted"] == collapsed["deduplicated"]

    actions = await _actions(client, doc, diag)
    assert set(actions) == {"Expand duplicates", "Show all duplicates", "Ignore this duplicate"}
    expand = actions["Expand duplicates"].command
    assert expand is not None and expand.command == "ctxlens.expandClass"
    budget = await command(client, expand.command, *(expand.arguments or []))
    plan = json.loads((ws / ".ctxlens/plan.json").read_text())
    assert plan["overrides"] == {class_id: "expanded"}
    # The pack now shows both copies in full: more tokens than with the class collapsed.
    assert budget["deduplicated"] > collapsed["deduplicated"]
    assert budget["raw"] == collapsed["raw"]
    await wait_for(lambda: client.budgets[-1] == budget, "budgetChanged after expanding")
    (diag,) = await diagnostics_for(client, doc, lambda d: bool(d) and not d[0].data["collapsed"],
                                    "the diagnostic saying expanded")
    assert "expanded in the context plan" in diag.message

    actions = await _actions(client, doc, diag)
    collapse = actions["Collapse duplicates"].command
    assert collapse is not None and collapse.command == "ctxlens.collapseClass"
    budget = await command(client, collapse.command, *(collapse.arguments or []))
    assert json.loads((ws / ".ctxlens/plan.json").read_text())["overrides"] == {
        class_id: "collapsed"}
    assert budget["deduplicated"] == collapsed["deduplicated"]


async def test_show_duplicates_returns_every_member(client: LanguageClient, ws: Path,
                                                   indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "c/words.c")
    (diag,) = await diagnostics_for(client, doc)
    show = (await _actions(client, doc, diag))["Show all duplicates"].command
    assert show is not None
    locations = await command(client, show.command, *(show.arguments or []))
    assert sorted(loc["uri"] for loc in locations) == sorted([uri(ws, "c/count.c"), doc])
    assert all(loc["range"]["start"]["line"] == 2 for loc in locations)  # both at line 3


async def test_ignore_inserts_the_comment_and_the_duplicate_goes(
        client: LanguageClient, ws: Path, indexed: dict[str, Any]) -> None:
    for rel, other, marker in (("py/orders.py", "py/report.py", "# ctxlens: ignore-duplicate"),
                               ("c/count.c", "c/words.c", "// ctxlens: ignore-duplicate")):
        doc = open_document(client, ws, rel)
        other_doc = open_document(client, ws, other)
        (diag,) = await diagnostics_for(client, doc)
        await diagnostics_for(client, other_doc)
        ignore = (await _actions(client, doc, diag))["Ignore this duplicate"]
        assert ignore.edit is not None and ignore.kind == types.CodeActionKind.QuickFix
        text = (ws / rel).read_text()
        edited = _apply(text, ignore.edit, doc)
        start = diag.range.start.line
        assert edited.split("\n")[start] == marker
        assert edited.split("\n")[start + 1] == text.split("\n")[start]
        replace_all(client, doc, edited, version=2)
        # The class had two members: both diagnostics go.
        await diagnostics_for(client, doc, lambda d: d == [], "no diagnostic after ignoring")
        await diagnostics_for(client, other_doc, lambda d: d == [], "the other member's too")
    classes = await request(client, "ctxlens/cloneClasses", {})
    assert {m["path"] for c in classes["classes"] for m in c["members"]} == {
        "java/Billing.java", "java/Invoice.java", "js/group.js", "js/bucket.js"}


async def test_no_actions_for_other_diagnostics(client: LanguageClient, ws: Path,
                                                indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/util.py")
    foreign = types.Diagnostic(range=types.Range(start=types.Position(line=0, character=0),
                                                 end=types.Position(line=0, character=3)),
                               message="unused import", source="pyflakes")
    assert await _actions(client, doc, foreign) == {}
