"""Copied blocks inside functions: reported, dropped when an edit makes them stale, found
again after the save."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from lsp.helpers import diagnostics_for, open_document, replace_all, start, stop, wait_indexed
from lsp.workspace import FRAGMENT_A, FRAGMENT_FILES
from trees import write_tree


async def test_fragments_follow_edits_and_saves(tmp_path: Path) -> None:
    ws = write_tree(tmp_path / "ws", dict(FRAGMENT_FILES))
    client = await start(ws)
    try:
        await wait_indexed(client)
        doc = open_document(client, ws, "conf/settings.py")
        (diag,) = await diagnostics_for(client, doc)
        assert diag.code == "fragment-clone" and diag.range.start.line == 7
        assert "copied block" in diag.message and "EnvFile.parse" in diag.message
        edited = "# a new first line\n" + FRAGMENT_A
        replace_all(client, doc, edited, 2)
        await diagnostics_for(client, doc, lambda d: d == [], "the stale fragment dropped")
        (ws / "conf/settings.py").write_text(edited)
        client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=doc)))
        (diag,) = await diagnostics_for(client, doc, lambda d: len(d) == 1,
                                        "the fragment found again after the save")
        assert diag.code == "fragment-clone" and diag.range.start.line == 8
    finally:
        await stop(client)
