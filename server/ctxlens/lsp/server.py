"""`ctxlens serve`: the language server's wiring and its state.

Three kinds of thread, each with one job:
- the message loop (pygls, asyncio) answers every request from the current `Snapshot`
  and never computes anything slow;
- the engine thread owns the live clone view and applies edits (`indexing.Engine`);
- the heavy thread owns the index database: the scan, fragment detection, the pack
  behind the budget, the stability probe. One thread, so two scans never share the index.
Results come back to the loop with `call_soon_threadsafe`; handlers never block on them,
except commands whose answer is the result (collapse → the new budget), which await it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from ctxlens import __version__
from ctxlens.config import Config, ConfigError, load_config
from ctxlens.context.plan import ContextPlan, PlanError, load_plan
from ctxlens.lsp.budget_keeper import BudgetInputs, BudgetJson, BudgetKeeper, provisional_budget
from ctxlens.lsp.positions import UTF16, line_span, split_lines
from ctxlens.lsp.progress import ProgressRelay
from ctxlens.lsp.settings import Settings, effective_config, parse_settings
from ctxlens.lsp.snapshot import Snapshot
from ctxlens.lsp.view import View
from ctxlens.tokens import RegistryError, UnknownModelError, load_registry

if TYPE_CHECKING:
    from ctxlens.lsp.indexing import Engine

log = logging.getLogger(__name__)

EDIT_DEBOUNCE_S = 0.1  # edits closer than this re-index once
DISK_DEBOUNCE_S = 0.5  # saves and disk changes: budget and fragments once per burst


@dataclass(slots=True)
class ServerState:
    root: Path | None = None
    settings: Settings = field(default_factory=Settings)
    base_config: Config = field(default_factory=Config)  # `.ctxlens.toml`
    config: Config = field(default_factory=Config)  # with the editor's settings on top
    plan: ContextPlan = field(default_factory=ContextPlan)
    snap: Snapshot | None = None
    engine: Engine | None = None
    budget: BudgetKeeper | None = None
    stable_limit: int | None = None
    loop: asyncio.AbstractEventLoop | None = None
    open_uris: dict[str, str] = field(default_factory=dict)  # path -> the client's URI
    buffers: dict[str, str] = field(default_factory=dict)  # path -> text sent to the engine
    published: set[str] = field(default_factory=set)  # URIs holding our diagnostics
    timers: dict[str, asyncio.TimerHandle] = field(default_factory=dict)
    lines_cache: dict[str, tuple[int, list[str]]] = field(default_factory=dict)
    shutting_down: bool = False


class CtxlensServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("ctxlens", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = ServerState()
        self.heavy = ThreadPoolExecutor(1, thread_name_prefix="ctxlens-heavy")
        self.progress_relay = ProgressRelay(self, "ctxlens")

    # -- paths and positions ------------------------------------------------------------
    @property
    def position_encoding(self) -> str:
        encoding = self.workspace.position_encoding
        return str(getattr(encoding, "value", encoding) or UTF16)

    def path_of(self, uri: str) -> str | None:
        """Root-relative path of a file:// URI inside the workspace, else None."""
        root = self.state.root
        if root is None or not isinstance(uri, str) or not uri.startswith("file:"):
            return None
        fs = to_fs_path(uri)
        if fs is None:
            return None
        try:
            rel = Path(os.path.abspath(fs)).relative_to(root)
        except ValueError:
            try:
                rel = Path(os.path.realpath(fs)).relative_to(root)
            except ValueError:
                return None
        text = rel.as_posix()
        return None if text in ("", ".") else text

    def uri_of(self, path: str) -> str:
        uri = self.state.open_uris.get(path)
        if uri is not None:
            return uri
        assert self.state.root is not None
        return str(from_fs_path(str(self.state.root / path)))

    def require_path(self, uri: Any) -> str:
        path = self.path_of(uri) if isinstance(uri, str) else None
        if path is None:
            raise JsonRpcInvalidParams(message=f"not a file in the workspace: {uri!r}")
        return path

    def open_lines(self, path: str) -> list[str] | None:
        uri = self.state.open_uris.get(path)
        if uri is None:
            return None
        doc = self.workspace.text_documents.get(uri)
        if doc is None:
            return None
        version = doc.version if doc.version is not None else -1
        cached = self.state.lines_cache.get(path)
        if cached is not None and cached[0] == version:
            return cached[1]
        lines = split_lines(doc.source)
        self.state.lines_cache[path] = (version, lines)
        return lines

    def span(self, path: str, start_line: int, end_line: int) -> types.Range:
        # Without the text (a file that is not open) the end is the start of the next line:
        # reading files here would make a 10,000-class answer read the workspace.
        lines = self.open_lines(path)
        return line_span(start_line, end_line, lines, self.position_encoding)

    def _disk_lines(self, path: str) -> list[str] | None:
        assert self.state.root is not None
        try:
            data = (self.state.root / path).read_bytes()
        except OSError:
            return None
        return split_lines(data.decode("utf-8", errors="replace"))

    def view(self) -> View | None:
        snap = self.state.snap
        if snap is None:
            return None
        return View(snap=snap, plan=self.state.plan, settings=self.state.settings,
                    uri_of=self.uri_of, span=self.span)

    # -- threads → loop -----------------------------------------------------------------
    def to_loop(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self.state.loop
        if loop is None or loop.is_closed() or self.state.shutting_down:
            return
        with contextlib.suppress(RuntimeError):  # the loop closed since the check
            loop.call_soon_threadsafe(fn, *args)

    def debounce(self, key: str, delay: float, fn: Callable[[], None]) -> None:
        loop = self.state.loop
        if loop is None:
            return
        old = self.state.timers.pop(key, None)
        if old is not None:
            old.cancel()

        def fire() -> None:
            self.state.timers.pop(key, None)
            fn()

        self.state.timers[key] = loop.call_later(delay, fire)

    # -- start-up -----------------------------------------------------------------------
    def start(self, root: Path | None, raw_settings: Any) -> None:
        """Record the root and settings; no file is read yet (initialize must be quick)."""
        self.state.root = root.resolve() if root is not None else None
        settings, problems = parse_settings(raw_settings)
        self.state.settings = settings
        for p in problems:
            self.warn(p)

    def begin_indexing(self) -> None:
        # Imported here, after `initialize` has been answered: clone detection pulls in
        # numpy and scipy (through datasketch), most of a second of start-up.
        from ctxlens.lsp.indexing import Engine

        st = self.state
        st.loop = asyncio.get_running_loop()
        if st.root is None:
            self.warn("no workspace folder: ctxlens has nothing to index")
            return
        self.reload_plan()
        self.reload_config(reindex=False)
        try:
            model = load_registry(st.config.models).get(st.config.model)
        except (RegistryError, UnknownModelError) as err:
            self.warn(f"{err}; counting with the default model")
            st.config = replace(st.config, model=None, models={})
            model = load_registry().get(None)
        # Until the engine's first snapshot: nothing known yet, and saying so.
        st.snap = Snapshot(root=st.root, model=model, indexing=True)
        st.engine = Engine(st.root, self.heavy,
                           on_snapshot=lambda s, t: self.to_loop(self.install, s, t),
                           on_progress=lambda p: self.to_loop(self.progress_relay.event, p),
                           buffers=lambda: dict(st.buffers))
        st.budget = BudgetKeeper(self.heavy, self.budget_inputs,
                                 on_change=lambda b: self.to_loop(self.budget_changed, b),
                                 on_error=lambda m: self.to_loop(self.warn, m))
        st.engine.reindex(st.config)

    def reload_config(self, reindex: bool = True) -> None:
        st = self.state
        assert st.root is not None
        try:
            st.base_config = load_config(st.root)
        except ConfigError as err:
            self.warn(f"{err}; using the defaults")
            st.base_config = Config()
        self.apply_settings(st.settings, reindex=reindex, force=True)

    def reload_plan(self) -> None:
        st = self.state
        assert st.root is not None
        try:
            st.plan = load_plan(st.root)
        except PlanError as err:
            # The file is left as it is: a broken plan is the user's to fix, not ours to lose.
            self.warn(f"{err}; using the default plan until it is fixed")
            st.plan = ContextPlan()

    def effective(self, settings: Settings) -> Config:
        config = effective_config(self.state.base_config, settings)
        if settings.model is None and self.state.plan.model is not None:
            config = replace(config, model=self.state.plan.model)
        return config

    def apply_settings(self, settings: Settings, reindex: bool = True,
                       force: bool = False) -> None:
        st = self.state
        old_key, old_config = st.settings.engine_key(), st.config
        config = self.effective(settings)
        try:
            load_registry(config.models).get(config.model)
        except (RegistryError, UnknownModelError) as err:
            self.warn(f"{err}; keeping {st.config.model or 'the default model'}")
            keep = st.settings.model if st.settings.model != settings.model else None
            settings = replace(settings, model=keep)
            config = self.effective(settings)
        st.settings = settings
        st.config = config
        if reindex and st.engine is not None and (
                force or settings.engine_key() != old_key or st.config != old_config):
            st.engine.reindex(st.config)
        elif st.snap is not None:
            self.republish_all()

    def budget_inputs(self) -> BudgetInputs | None:
        """Read on the heavy thread when a budget run starts: the newest plan and config."""
        st = self.state
        if st.root is None or st.snap is None or st.snap.indexing:
            return None
        return BudgetInputs(st.root, st.config, replace(st.plan, model=st.config.model),
                            st.stable_limit)

    # -- snapshots and diagnostics (loop) -----------------------------------------------
    def install(self, snap: Snapshot, touched: set[str]) -> None:
        from ctxlens.lsp.stable_limit import start_probe

        st = self.state
        first = st.snap is None or (st.snap.indexing and not snap.indexing)
        st.snap = snap
        self.publish(touched)
        if first and not snap.indexing:
            self.publish(set(st.open_uris))
            self.schedule_budget()
            if st.settings.stability_probe:
                start_probe(self)

    def publish(self, paths: set[str]) -> None:
        from ctxlens.lsp.diagnostics import file_diagnostics

        st = self.state
        view = self.view()
        if view is None:
            return
        for path in paths:
            is_open = path in st.open_uris
            uri = self.uri_of(path)
            wanted = is_open or (st.settings.workspace_diagnostics and path in view.snap.by_path)
            if not wanted and uri not in st.published:
                continue
            diagnostics = file_diagnostics(view, path) if wanted else []
            if diagnostics:
                st.published.add(uri)
            elif uri in st.published:
                st.published.discard(uri)
            elif not is_open:
                continue
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def republish_all(self) -> None:
        snap = self.state.snap
        if snap is None:
            return
        paths = set(self.state.open_uris)
        paths |= {p for p in (self.path_of(u) for u in self.state.published) if p}
        if self.state.settings.workspace_diagnostics:
            paths |= set(snap.by_path)
        self.publish(paths)

    # -- budget (loop) ------------------------------------------------------------------
    def schedule_budget(self) -> Future[BudgetJson | None] | None:
        budget = self.state.budget
        return budget.schedule() if budget is not None else None

    def budget_changed(self, budget: BudgetJson) -> None:
        from ctxlens.lsp.custom import BUDGET_CHANGED

        self.protocol.notify(BUDGET_CHANGED, budget)

    def current_budget(self) -> BudgetJson:
        st = self.state
        keeper = st.budget
        if keeper is not None and keeper.last is not None:
            return {**keeper.last, "indexing": bool(st.snap and st.snap.indexing)}
        if st.snap is None:
            raise JsonRpcInvalidParams(message="no workspace is open")
        return provisional_budget(st.snap, st.plan, st.stable_limit, st.plan.reserve)

    # -- documents (loop) ---------------------------------------------------------------
    def flush(self, path: str) -> None:
        """Send the open document's text to the engine."""
        st = self.state
        uri = st.open_uris.get(path)
        if uri is None or st.engine is None:
            return
        doc = self.workspace.text_documents.get(uri)
        if doc is None:
            return
        text = doc.source
        st.buffers[path] = text
        st.engine.update(path, text.encode("utf-8", errors="surrogatepass"))

    def after_disk_change(self) -> None:
        self.debounce("disk", DISK_DEBOUNCE_S, self._disk_settled)

    def _disk_settled(self) -> None:
        if self.state.engine is not None:
            self.state.engine.refresh_fragments()
        self.schedule_budget()

    # -- messages -----------------------------------------------------------------------
    def warn(self, message: str) -> None:
        log.warning("%s", message)
        with contextlib.suppress(Exception):  # no transport yet: the log has it
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                             message=f"ctxlens: {message}"))

    def stop(self) -> None:
        st = self.state
        st.shutting_down = True
        for timer in st.timers.values():
            timer.cancel()
        if st.engine is not None:
            st.engine.shutdown()
        self.heavy.shutdown(wait=False, cancel_futures=True)


def create_server() -> CtxlensServer:
    from ctxlens.lsp import commands, documents, features

    ls = CtxlensServer()
    documents.register(ls)
    features.register(ls)
    for name, handler in commands.COMMANDS.items():
        ls.command(name)(_command(handler))
    return ls


def _command(handler: Callable[[CtxlensServer, list[Any]], Any]) -> Callable[..., Any]:
    # pygls reads the handler's signature to convert arguments; `*args: Any` hands them
    # over as sent, and each command checks its own.
    async def run(ls: CtxlensServer, *args: Any) -> Any:
        result = handler(ls, list(args))
        if asyncio.iscoroutine(result):
            result = await result
        return result

    return run


def serve(tcp: tuple[str, int] | None = None) -> None:
    ls = create_server()
    try:
        if tcp is None:
            ls.start_io()
        else:
            ls.start_tcp(*tcp)
    finally:
        ls.stop()
        # Worker threads may be mid-scan; the index commits per batch, so nothing is lost
        # by not waiting for them.
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):  # the protocol writer may have closed it
                stream.flush()
        os._exit(0 if ls.protocol._shutdown else 1)
