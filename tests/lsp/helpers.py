"""Driving `ctxlens serve` from tests: start it over stdio with a real client, wait for
what it sends, open and edit documents."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

SERVER = [sys.executable, "-m", "ctxlens.cli", "serve"]
LANGUAGES = {".py": "python", ".java": "java", ".js": "javascript", ".c": "c"}
DEFAULT_SETTINGS: dict[str, Any] = {"stabilityProbe": False}
WAIT_S = 60.0  # a hang guard, not a speed target


def uri(root: Path, rel: str) -> str:
    return str(from_fs_path(str(root / rel)))


def _code_action_or_command(obj: Any, _: type) -> types.Command | types.CodeAction:
    converter = _CONVERTER[0]
    # LSP tells them apart by `command` being a string (a Command) or an object (a
    # CodeAction's command); lsprotocol 2025.0.0 only looks for the key, and turns a code
    # action that runs a command into a Command with a stringified dict.
    if isinstance(obj.get("command"), str):
        return converter.structure(obj, types.Command)  # type: ignore[no-any-return]
    return converter.structure(obj, types.CodeAction)  # type: ignore[no-any-return]


_CONVERTER: list[Any] = []


def record_extras(client: LanguageClient) -> None:
    """Handlers for what the server sends beyond pytest-lsp's defaults."""
    converter = client.protocol._converter
    _CONVERTER[:] = [converter]
    converter.register_structure_hook(types.Command | types.CodeAction,  # type: ignore[arg-type]
                                      _code_action_or_command)
    client.budgets = []  # type: ignore[attr-defined]
    client.registrations = []  # type: ignore[attr-defined]

    @client.feature("ctxlens/budgetChanged")
    def budget_changed(params: Any) -> None:
        client.budgets.append(plain(params))  # type: ignore[attr-defined]

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)  # type: ignore[attr-defined]


async def initialize(client: LanguageClient, root: Path, settings: dict[str, Any] | None = None,
                     capabilities: str = "visual-studio-code") -> types.InitializeResult:
    record_extras(client)
    return await client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(capabilities),
        root_uri=str(from_fs_path(str(root))),
        workspace_folders=[types.WorkspaceFolder(uri=str(from_fs_path(str(root))),
                                                 name=root.name)],
        initialization_options=DEFAULT_SETTINGS if settings is None else settings))


async def start(root: Path, settings: dict[str, Any] | None = None,
                capabilities: str = "visual-studio-code",
                env: dict[str, str] | None = None,
                extra_args: tuple[str, ...] = ()) -> LanguageClient:
    client = await ClientServerConfig(server_command=[*SERVER, *extra_args],
                                      server_env=env).start()
    assert isinstance(client, LanguageClient)
    await initialize(client, root, settings, capabilities)
    return client


async def stop(client: LanguageClient) -> None:
    await client.shutdown_session()
    await client.stop()


async def wait_for(predicate: Callable[[], Any], what: str, timeout: float = WAIT_S) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)


def plain(value: Any) -> Any:
    """pygls hands custom results over as namedtuples: back to JSON values."""
    if hasattr(value, "_asdict"):
        return {k: plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


async def request(client: LanguageClient, method: str, params: Any) -> Any:
    return plain(await client.protocol.send_request_async(method, params))


async def command(client: LanguageClient, name: str, *arguments: Any) -> Any:
    return plain(await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=name, arguments=list(arguments))))


async def wait_indexed(client: LanguageClient) -> dict[str, Any]:
    """Until the server says its first index is complete; returns ctxlens/cloneClasses."""
    deadline = time.monotonic() + WAIT_S
    while True:
        result = await request(client, "ctxlens/cloneClasses", {})
        if not result["indexing"]:
            return dict(result)
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for indexing")
        await asyncio.sleep(0.05)


def open_document(client: LanguageClient, root: Path, rel: str,
                  text: str | None = None) -> str:
    doc_uri = uri(root, rel)
    if text is None:
        text = (root / rel).read_text("utf-8")
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=doc_uri,
                                             language_id=LANGUAGES.get(Path(rel).suffix, "text"),
                                             version=1, text=text)))
    return doc_uri


def replace_all(client: LanguageClient, doc_uri: str, text: str, version: int) -> None:
    """A whole-document edit, sent as the incremental change VS Code would send."""
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=doc_uri, version=version),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))


async def diagnostics_for(client: LanguageClient, doc_uri: str,
                          check: Callable[[list[types.Diagnostic]], bool] = bool,
                          what: str = "diagnostics") -> list[types.Diagnostic]:
    async def ready() -> None:
        await wait_for(lambda: doc_uri in client.diagnostics
                       and check(list(client.diagnostics[doc_uri])), f"{what} for {doc_uri}")

    await ready()
    return list(client.diagnostics[doc_uri])
