"""Request handlers: life cycle, settings, hover, code lens, code actions and the custom
requests. Each one reads the current snapshot through a `View` and calls one feature
module; none of them waits for the engine."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from ctxlens.lsp import actions, custom, hover, lens
from ctxlens.lsp.settings import parse_settings
from ctxlens.tokens import count_tokens

if TYPE_CHECKING:
    from ctxlens.lsp.server import CtxlensServer

WATCHERS_ID = "ctxlens-watched-files"


def _root_of(params: types.InitializeParams) -> Path | None:
    from pygls.uris import to_fs_path

    uris = [f.uri for f in params.workspace_folders or []]
    if params.root_uri:
        uris.append(params.root_uri)
    for uri in uris:
        fs = to_fs_path(uri)
        if fs:
            return Path(fs)
    return Path(params.root_path) if params.root_path else None


def _initialize(ls: CtxlensServer, params: types.InitializeParams) -> None:
    # Only record what we were given: the first file is read after `initialized`.
    ls.start(_root_of(params), params.initialization_options)
    if params.workspace_folders and len(params.workspace_folders) > 1:
        ls.warn(f"{len(params.workspace_folders)} workspace folders open; ctxlens indexes "
                f"the first, {params.workspace_folders[0].name}")


async def _initialized(ls: CtxlensServer, params: types.InitializedParams) -> None:
    ls.begin_indexing()
    caps = ls.client_capabilities.workspace
    watch = caps.did_change_watched_files if caps else None
    if watch is not None and watch.dynamic_registration:
        try:
            await ls.client_register_capability_async(types.RegistrationParams(registrations=[
                types.Registration(
                    id=WATCHERS_ID, method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                    register_options=types.DidChangeWatchedFilesRegistrationOptions(
                        watchers=[types.FileSystemWatcher(glob_pattern="**/*")]))]))
        except Exception as err:  # the client keeps its own watchers, or none
            ls.warn(f"could not watch files on disk: {err}")


def _shutdown(ls: CtxlensServer, params: None) -> None:
    ls.stop()


def _configuration(ls: CtxlensServer, params: types.DidChangeConfigurationParams) -> None:
    if params.settings is None:
        return  # a pull-model ping carries nothing: the settings we have stand
    settings, problems = parse_settings(params.settings)
    for p in problems:
        ls.warn(p)
    ls.apply_settings(settings)


def _hover(ls: CtxlensServer, params: types.HoverParams) -> types.Hover | None:
    path = ls.path_of(params.text_document.uri)
    view = ls.view()
    if path is None or view is None:
        return None
    lines = ls.open_lines(path)
    if lines is not None and (params.position.line < 0 or params.position.line >= len(lines)):
        return None  # past the end of the document
    found = hover.hover(view, path, params.position.line + 1)
    if found is not None or lines is None or path in view.snap.records:
        return found
    if view.snap.skipped.get(path) or not view.snap.indexing:
        return None  # a binary, minified or ignored file takes no part
    text = "\n".join(lines)
    return hover.unknown_file_hover(view, path, text, count_tokens(text, view.snap.encoding))


def _code_lens(ls: CtxlensServer, params: types.CodeLensParams) -> list[types.CodeLens]:
    path = ls.path_of(params.text_document.uri)
    view = ls.view()
    if path is None or view is None:
        return []
    return lens.code_lenses(view, path)


def _code_action(ls: CtxlensServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    path = ls.path_of(uri)
    view = ls.view()
    if path is None or view is None:
        return []
    lines = ls.open_lines(path) or ls._disk_lines(path) or []
    doc = ls.workspace.text_documents.get(uri)
    caps = ls.client_capabilities.workspace
    versioned = bool(caps and caps.workspace_edit and caps.workspace_edit.document_changes)
    return actions.code_actions(view, uri, path, lines, doc.version if doc else None,
                                params.context, versioned)


def _clone_classes(ls: CtxlensServer, params: Any) -> dict[str, Any]:
    args = custom.params_object(params, custom.CLONE_CLASSES)
    view = ls.view()
    if view is None:
        raise JsonRpcInvalidParams(message="no workspace is open")
    path = ls.require_path(args["uri"]) if args.get("uri") is not None else None
    return custom.clone_classes(view, path)


def _budget(ls: CtxlensServer, params: Any) -> dict[str, Any]:
    custom.params_object(params, custom.BUDGET)
    return ls.current_budget()


def _tokens(ls: CtxlensServer, params: Any) -> dict[str, Any]:
    args = custom.params_object(params, custom.TOKENS)
    view = ls.view()
    if view is None:
        raise JsonRpcInvalidParams(message="no workspace is open")
    uri = args.get("uri")
    path = ls.require_path(uri)
    if view.snap.skipped.get(path) == "binary":
        raise JsonRpcInvalidParams(message=f"{path}: a binary file has no tokens")
    lines = ls.open_lines(path)
    if lines is not None:
        text = "\n".join(lines)
    else:
        assert ls.state.root is not None
        try:
            data = (ls.state.root / path).read_bytes()
        except OSError as err:
            raise JsonRpcInvalidParams(message=f"{path}: not open and not readable "
                                               f"({err.strerror or err})") from None
        if b"\0" in data[:8192]:
            raise JsonRpcInvalidParams(message=f"{path}: a binary file has no tokens")
        text = data.decode("utf-8", errors="replace")
    return custom.tokens_of(view, text, args.get("range"), ls.position_encoding)


def register(ls: CtxlensServer) -> None:
    ls.feature(types.INITIALIZE)(_initialize)
    ls.feature(types.INITIALIZED)(_initialized)
    ls.feature(types.SHUTDOWN)(_shutdown)
    ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)(_configuration)
    ls.feature(types.TEXT_DOCUMENT_HOVER)(_hover)
    ls.feature(types.TEXT_DOCUMENT_CODE_LENS, types.CodeLensOptions(resolve_provider=False))(
        _code_lens)
    ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix]))(_code_action)
    ls.feature(custom.CLONE_CLASSES)(_clone_classes)
    ls.feature(custom.BUDGET)(_budget)
    ls.feature(custom.TOKENS)(_tokens)
