"""`ctxlens serve --tcp HOST:PORT` (for debugging) speaks the same protocol; a save brings a
new budget."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient as PyglsClient
from pygls.uris import from_fs_path
from pytest_lsp import LanguageClient

from clone_snippets import PY_NEAR
from lsp.helpers import SERVER, open_document, replace_all, wait_for


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_tcp(ws: Path) -> None:
    port = _free_port()
    proc = subprocess.Popen([*SERVER, "--tcp", f"127.0.0.1:{port}"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        client = PyglsClient("tcp-test", "1")
        for _ in range(500):  # a hang guard while the server imports and listens
            try:
                await client.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        else:
            raise AssertionError("the server never listened")
        result = await client.initialize_async(types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=str(from_fs_path(str(ws))),
            initialization_options={"stabilityProbe": False}))
        assert result.server_info is not None and result.server_info.name == "ctxlens"
        assert result.capabilities.hover_provider
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
    finally:
        proc.wait(timeout=30)


def test_bad_tcp_address() -> None:
    proc = subprocess.run([*SERVER, "--tcp", "nowhere"], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 2 and "HOST:PORT" in proc.stderr


async def test_a_save_brings_a_new_budget(client: LanguageClient, ws: Path,
                                          indexed: dict[str, Any]) -> None:
    first = (await wait_for(lambda: client.budgets, "the first budget"))[-1]
    doc = open_document(client, ws, "py/util.py")
    text = (ws / "py/util.py").read_text() + PY_NEAR
    replace_all(client, doc, text, 2)
    (ws / "py/util.py").write_text(text)
    client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=doc)))
    budgets = await wait_for(lambda: [b for b in client.budgets if b["raw"] != first["raw"]],
                             "a budget after the save")
    assert budgets[-1]["raw"] > first["raw"]
