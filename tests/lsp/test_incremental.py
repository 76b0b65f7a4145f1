"""Keeping current: edits (debounced, live clone update), closing without saving, and files
created, changed or deleted on disk (workspace/didChangeWatchedFiles)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from clone_snippets import PY_NEAR
from lsp.helpers import diagnostics_for, open_document, replace_all, request, uri
from lsp.workspace import UNRELATED_PY


def _paths(classes: dict[str, Any]) -> set[frozenset[str]]:
    return {frozenset(m["path"] for m in c["members"]) for c in classes["classes"]}


def _watched(client: LanguageClient, root: Path, *changes: tuple[str, int]) -> None:
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(root, rel), type=types.FileChangeType(kind))
        for rel, kind in changes]))


async def test_an_edit_updates_every_affected_file(client: LanguageClient, ws: Path,
                                                   indexed: dict[str, Any]) -> None:
    orders = open_document(client, ws, "py/orders.py")
    util = open_document(client, ws, "py/util.py")
    (before,) = await diagnostics_for(client, orders)
    assert len(before.related_information or []) == 1
    # Paste a near copy of summarize into util.py, in several quick edits.
    for version, upto in enumerate((10, 200, len(PY_NEAR)), start=2):
        replace_all(client, util, UNRELATED_PY + PY_NEAR[:upto], version)
    (pasted,) = await diagnostics_for(client, util)
    assert pasted.code == "near-miss-clone"
    assert pasted.range.start.line == UNRELATED_PY.count("\n") + 1  # `def summarize_orders`
    # The class grew: the open member elsewhere now lists two others.
    (after,) = await diagnostics_for(client, orders,
                                     lambda d: len(d) == 1 and len(
                                         d[0].related_information or []) == 2,
                                     "orders.py listing the new copy")
    assert {r.location.uri for r in after.related_information or []} == {
        uri(ws, "py/report.py"), util}
    # The edit is not on disk: the index's view of util.py is the buffer's.
    assert (ws / "py/util.py").read_text() == UNRELATED_PY
    # Closing without saving: the disk is the truth again and the copy is gone.
    client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=util)))
    await diagnostics_for(client, orders, lambda d: len(d) == 1 and len(
        d[0].related_information or []) == 1, "orders.py back to one other member")
    assert list(client.diagnostics[util]) == []


async def test_files_changed_on_disk(client: LanguageClient, ws: Path,
                                     indexed: dict[str, Any]) -> None:
    orders = open_document(client, ws, "py/orders.py")
    await diagnostics_for(client, orders)
    # Created outside the editor: a third copy.
    (ws / "py/copy.py").write_text(PY_NEAR.lstrip("\n"))
    _watched(client, ws, ("py/copy.py", 1))
    await diagnostics_for(client, orders, lambda d: len(d) == 1 and len(
        d[0].related_information or []) == 2, "the created copy")
    assert frozenset({"py/orders.py", "py/report.py", "py/copy.py"}) in _paths(
        await request(client, "ctxlens/cloneClasses", {}))
    # Changed: report.py no longer a copy.
    (ws / "py/report.py").write_text(UNRELATED_PY.replace("cwd_name", "home_name"))
    _watched(client, ws, ("py/report.py", 2))
    classes = await _eventually(client, lambda c: frozenset(
        {"py/orders.py", "py/copy.py"}) in _paths(c))
    assert not any("py/report.py" in p for p in _paths(classes))
    # Deleted: orders.py's class is gone with its last other member.
    (ws / "py/copy.py").unlink()
    _watched(client, ws, ("py/copy.py", 3))
    await diagnostics_for(client, orders, lambda d: d == [], "no class left for orders.py")
    # Ignored: the index's own folder.
    _watched(client, ws, (".ctxlens/index.db", 2))
    classes = await request(client, "ctxlens/cloneClasses", {})
    assert len(classes["classes"]) == 3
    # Created where discovery would not look: vendored, built-in excluded, .gitignored.
    # Announced with one that it would, so once that one joins, all were decided.
    (ws / ".gitignore").write_text("scratch/\n")
    dropped = ("vendor/copy.py", "node_modules/pkg/copy.py", "scratch/copy.py")
    for rel in (*dropped, "py/kept.py"):
        (ws / rel).parent.mkdir(parents=True, exist_ok=True)
        (ws / rel).write_text(PY_NEAR.lstrip("\n"))
    _watched(client, ws, *((rel, 1) for rel in (*dropped, "py/kept.py")))
    classes = await _eventually(client, lambda c: any("py/kept.py" in m for m in _paths(c)))
    assert frozenset({"py/orders.py", "py/kept.py"}) in _paths(classes), dropped


async def _eventually(client: LanguageClient, check: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for _ in range(3000):  # a hang guard: 60 s
        result = await request(client, "ctxlens/cloneClasses", {})
        if check(result):
            return result
        await asyncio.sleep(0.02)
    raise AssertionError(f"clone classes never matched: {result}")
