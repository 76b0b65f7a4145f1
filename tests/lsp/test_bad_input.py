"""Bad input is answered with a JSON-RPC error or an empty result, and the server goes on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pytest_lsp import LanguageClient

from lsp.helpers import command, diagnostics_for, open_document, request, uri

INVALID_PARAMS = -32602


async def _error(awaitable: Any) -> JsonRpcException:
    with pytest.raises(JsonRpcException) as info:
        await awaitable
    return info.value


async def _hover(client: LanguageClient, doc: str, line: int, character: int = 0) -> Any:
    return await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc),
        position=types.Position(line=line, character=character)))


async def test_unknown_uris_and_positions_past_the_end(client: LanguageClient, ws: Path,
                                                       indexed: dict[str, Any]) -> None:
    assert await _hover(client, "file:///not/in/the/workspace.py", 0) is None
    assert await _hover(client, "untitled:Untitled-1", 0) is None
    doc = open_document(client, ws, "py/orders.py")
    assert await _hover(client, doc, 500, 3) is None
    err = await _error(request(client, "ctxlens/tokens", {"uri": "file:///elsewhere/a.py"}))
    assert err.code == INVALID_PARAMS and "not a file in the workspace" in err.message
    err = await _error(request(client, "ctxlens/tokens", {"uri": uri(ws, "py/missing.py")}))
    assert err.code == INVALID_PARAMS and "not readable" in err.message
    err = await _error(request(client, "ctxlens/tokens", {"uri": doc, "range": {
        "start": {"line": 0, "character": 0}, "end": {"line": 400, "character": 0}}}))
    assert err.code == INVALID_PARAMS and "past the end" in err.message
    for bad in ({"start": 1}, {"start": {"line": -1, "character": 0},
                               "end": {"line": 0, "character": 0}}, "everything"):
        err = await _error(request(client, "ctxlens/tokens", {"uri": doc, "range": bad}))
        assert err.code == INVALID_PARAMS
    err = await _error(request(client, "ctxlens/cloneClasses", [1, 2]))
    assert err.code == INVALID_PARAMS


async def test_a_binary_file_opened(client: LanguageClient, ws: Path,
                                    indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "assets/logo.png", text="\ufffdPNG\r\n\x1a\n\x00\x00\x01")
    assert await diagnostics_for(client, doc, lambda d: d == []) == []
    assert await _hover(client, doc, 0) is None
    err = await _error(request(client, "ctxlens/tokens", {"uri": doc}))
    assert err.code == INVALID_PARAMS and "binary" in err.message


async def test_malformed_command_arguments(client: LanguageClient, ws: Path,
                                           indexed: dict[str, Any]) -> None:
    cases: list[tuple[str, list[Any], str]] = [
        ("ctxlens.collapseClass", [], "expected [classId]"),
        ("ctxlens.collapseClass", [42], "expected [classId]"),
        ("ctxlens.expandClass", ["no-such-class"], "unknown clone class"),
        ("ctxlens.showDuplicates", ["a", "b"], "expected [classId]"),
        ("ctxlens.addToContext", [], "expected [uri"),
        ("ctxlens.addToContext", ["file:///etc/passwd"], "not a file in the workspace"),
        ("ctxlens.removeFromContext", [{"uri": "x"}], "expected [uri"),
        ("ctxlens.exportPack", [{"format": "pdf"}], "format must be one of"),
        ("ctxlens.exportPack", [{"output": "/tmp/x.md"}], "file:// URI"),
        ("ctxlens.exportPack", ["md"], "expected [] or"),
        ("ctxlens.noSuchCommand", [], "not defined"),
    ]
    for name, args, message in cases:
        err = await _error(command(client, name, *args))
        assert err.code == INVALID_PARAMS, (name, args, err)
        assert message in err.message, (name, args, err.message)
    assert not (ws / ".ctxlens/plan.json").exists()  # nothing was half-applied
    # Still serving.
    doc = open_document(client, ws, "py/orders.py")
    assert len(await diagnostics_for(client, doc)) == 1
