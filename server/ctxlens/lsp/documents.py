"""Keeping the engine current: open, change (debounced), save and close of documents, and
files created, changed or deleted outside the editor."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lsprotocol import types

from ctxlens.config import CONFIG_FILE
from ctxlens.context.plan import PLAN_FILE
from ctxlens.index.analyse import content_hash

if TYPE_CHECKING:
    from ctxlens.lsp.server import CtxlensServer


def _opened(ls: CtxlensServer, params: types.DidOpenTextDocumentParams) -> None:
    st = ls.state
    path = ls.path_of(params.text_document.uri)
    if path is None:
        return  # outside the workspace (or not a file): nothing of ours to say about it
    st.open_uris[path] = params.text_document.uri
    text = params.text_document.text
    snap = st.snap
    record = snap.records.get(path) if snap else None
    if record is not None and record.content_hash == content_hash(
            text.encode("utf-8", errors="surrogatepass")):
        st.buffers[path] = text
        ls.publish({path})  # the index already knows this text
        return
    ls.flush(path)
    ls.publish({path})


def _changed(ls: CtxlensServer, params: types.DidChangeTextDocumentParams) -> None:
    from ctxlens.lsp.server import EDIT_DEBOUNCE_S

    path = ls.path_of(params.text_document.uri)
    if path is None or path not in ls.state.open_uris:
        return
    ls.debounce(f"edit:{path}", EDIT_DEBOUNCE_S, lambda: ls.flush(path))


def _saved(ls: CtxlensServer, params: types.DidSaveTextDocumentParams) -> None:
    path = ls.path_of(params.text_document.uri)
    if path is None:
        return
    timer = ls.state.timers.pop(f"edit:{path}", None)
    if timer is not None:  # the saved text goes in now rather than after the pause
        timer.cancel()
        ls.flush(path)
    ls.after_disk_change()


def _closed(ls: CtxlensServer, params: types.DidCloseTextDocumentParams) -> None:
    st = ls.state
    path = ls.path_of(params.text_document.uri)
    if path is None or path not in st.open_uris:
        return
    timer = st.timers.pop(f"edit:{path}", None)
    if timer is not None:
        timer.cancel()
    uri = st.open_uris.pop(path)
    st.lines_cache.pop(path, None)
    text = st.buffers.pop(path, None)
    if st.engine is not None and text is not None:
        # Unsaved edits are gone with the editor's buffer: the disk is the truth again.
        record = st.snap.records.get(path) if st.snap else None
        disk = _read(ls, path)
        if disk is None:
            st.engine.remove(path)
        elif record is None or record.content_hash != content_hash(disk):
            st.engine.update(path, None)
    if not st.settings.workspace_diagnostics and uri in st.published:
        st.published.discard(uri)
        ls.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _read(ls: CtxlensServer, path: str) -> bytes | None:
    assert ls.state.root is not None
    try:
        return (ls.state.root / path).read_bytes()
    except OSError:
        return None


def _watched(ls: CtxlensServer, params: types.DidChangeWatchedFilesParams) -> None:
    st = ls.state
    engine = st.engine
    index_dir = st.config.discovery.index_dir
    disk_changed = False
    for change in params.changes:
        path = ls.path_of(change.uri)
        if path is None:
            continue
        if path == PLAN_FILE:
            before = st.plan
            ls.reload_plan()
            if st.plan != before:  # not our own save: the CLI or a hand edit
                ls.apply_settings(st.settings)  # re-indexes if the plan's model changed
                ls.schedule_budget()
            continue
        if path == CONFIG_FILE:
            ls.reload_config()
            continue
        if path == index_dir or path.startswith(index_dir + "/") or engine is None:
            continue  # our own index and plan files
        if path in st.open_uris:
            continue  # the editor's buffer wins over the disk while it is open
        disk_changed = True
        if change.type == types.FileChangeType.Deleted:
            snap = st.snap
            known = snap.records if snap else {}
            gone = [p for p in known if p == path or p.startswith(path + "/")]
            for p in gone or [path]:
                engine.remove(p)
        else:
            engine.update(path, None)
    if disk_changed:
        ls.after_disk_change()


def register(ls: CtxlensServer) -> None:
    ls.feature(types.TEXT_DOCUMENT_DID_OPEN)(_opened)
    ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)(_changed)
    ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))(_saved)
    ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)(_closed)
    ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)(_watched)
