"""The engine thread: index the workspace, keep clone classes live, publish snapshots.

One worker thread owns the `LiveClones` view (it is not thread-safe): the first scan,
every edit, every file changed on disk and every re-index run there, in order, so an edit
never races a scan. After each step the thread builds a new `Snapshot` and hands it, with
the paths whose diagnostics may have changed, to the server, which swaps it in on the
message loop. Fragment classes (copied blocks inside functions) are not kept live by the
engine; an edit drops those touching the edited file, and after a save they are found
again over the whole workspace on a second thread, so edits are never held up by it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from ctxlens.clones.detect import eligible
from ctxlens.clones.live import LiveClones
from ctxlens.clones.model import CloneClass
from ctxlens.config import Config
from ctxlens.index import FileRecord, ScanProgress, ScanResult, scan_workspace
from ctxlens.index.analyse import analyse_contents, content_hash, count_lines
from ctxlens.lsp.progress import Progress
from ctxlens.lsp.snapshot import Snapshot, apply_changes, with_classes
from ctxlens.tokens import count_tokens, load_registry
from ctxlens.workspace import classify_content, decode_text, language_for_path, path_exclusion

log = logging.getLogger(__name__)


SnapshotFn = Callable[[Snapshot, set[str]], None]
ProgressFn = Callable[[Progress], None]
BuffersFn = Callable[[], Mapping[str, str]]  # open documents: path -> current text


def buffer_record(path: str, data: bytes, encoding: str, window_lines: int) -> FileRecord:
    """A file record from the editor's text: the same steps the indexer's workers take."""
    language = language_for_path(path, data[:128])
    text, decode_errors = decode_text(data)
    c = analyse_contents(data, text, language, encoding, window_lines)
    return FileRecord(
        path=path, language=language, size=len(data), mtime_ns=0,
        content_hash=content_hash(data), lines=count_lines(data),
        decode_errors=decode_errors, error_nodes=c.error_nodes, encoding=encoding,
        tokens=c.file_tokens, units=c.units, unit_tokens=c.unit_tokens, streams=c.streams)


class Engine:
    """Owns the live clone view on one thread; everything else talks to it by message."""

    def __init__(self, root: Path, heavy: ThreadPoolExecutor, on_snapshot: SnapshotFn,
                 on_progress: ProgressFn, buffers: BuffersFn) -> None:
        self.root = root.resolve()
        self._on_snapshot = on_snapshot
        self._on_progress = on_progress
        self._buffers = buffers
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="ctxlens-engine")
        self._side = heavy  # shared with everything else that uses the index database
        self._lock = threading.Lock()
        self._pending: dict[str, bytes | None] = {}  # path -> text (None: read the disk)
        self._removed: set[str] = set()
        self._generation = 0
        self._config = Config()
        self._live: LiveClones | None = None
        self._snap: Snapshot | None = None
        self._dirty_since_fragments: set[str] = set()

    # -- called from the message loop ---------------------------------------------------
    def reindex(self, config: Config) -> Future[None]:
        with self._lock:
            self._generation += 1
            generation = self._generation
        return self._thread.submit(self._index, config, generation)

    def update(self, path: str, data: bytes | None) -> Future[None]:
        """Queue `path`'s new text (None: read it from disk); queued updates coalesce."""
        with self._lock:
            self._pending[path] = data
            self._removed.discard(path)
        return self._thread.submit(self._drain)

    def remove(self, path: str) -> Future[None]:
        with self._lock:
            self._pending.pop(path, None)
            self._removed.add(path)
        return self._thread.submit(self._drain)

    def refresh_fragments(self) -> Future[None]:
        return self._thread.submit(self._start_fragments)

    def shutdown(self) -> None:
        self._thread.shutdown(wait=False, cancel_futures=True)

    # -- engine thread ------------------------------------------------------------------
    def _publish(self, snap: Snapshot, touched: set[str]) -> None:
        self._snap = snap
        self._on_snapshot(snap, touched)

    def _index(self, config: Config, generation: int) -> None:
        """Start a scan on the side thread; until it is installed, edits keep records of
        the open buffers (so hovers answer) and clone classes wait."""
        self._config = config
        self._live = None
        try:
            model = load_registry(config.models).get(config.model)
        except Exception as err:  # the server checks settings first; a config can still fail
            log.error("cannot index: %s", err)
            self._on_progress(Progress("begin", "Indexing", 0))
            self._on_progress(Progress("end", f"Indexing failed: {err}"))
            return
        previous = self._snap
        provisional = Snapshot(root=self.root, model=model, indexing=True) if (
            previous is None or previous.model != model) else replace(previous, indexing=True)
        self._publish(provisional, set())
        self._on_progress(Progress("begin", "Indexing: finding files", 0))
        future = self._side.submit(self._build, config)

        def done(f: Future[tuple[ScanResult, LiveClones, float]]) -> None:
            if f.cancelled():
                return
            err = f.exception()
            if err is not None:  # a bad config or an unreadable root: say so, keep serving
                log.error("indexing failed: %s", err)
                self._on_progress(Progress("end", f"Indexing failed: {err}"))
                self._thread.submit(self._fail, generation)
                return
            self._thread.submit(self._install, *f.result(), generation)

        future.add_done_callback(done)

    def _build(self, config: Config) -> tuple[ScanResult, LiveClones, float]:
        started = time.perf_counter()
        last = [0.0]

        def progress(p: ScanProgress) -> None:
            now = time.perf_counter()
            if p.phase != "analyse" or now - last[0] < 0.2:
                return
            last[0] = now
            pct = int(90 * p.files_done / max(p.files_total, 1))
            self._on_progress(Progress("report", f"{p.files_done:,}/{p.files_total:,} files",
                                       pct))

        result = scan_workspace(self.root, config, with_streams=True, progress=progress)
        n = len(result.files)
        self._on_progress(Progress("report", f"{n:,}/{n:,} files; finding duplicates", 90))
        live = LiveClones(result.root, result.files, result.model.encoding, config.clones)
        if config.clones.fragments:
            self._on_progress(Progress("report", f"{n:,}/{n:,} files; finding copied blocks",
                                       95))
            live.fragments = _fragments(live, config)
        return result, live, started

    def _fail(self, generation: int) -> None:
        if generation == self._generation and self._snap is not None:
            self._publish(replace(self._snap, indexing=False), set())

    def _install(self, result: ScanResult, live: LiveClones, started: float,
                 generation: int) -> None:
        if generation != self._generation:
            return  # a newer re-index is on its way
        previous = self._snap
        self._live = live
        self._dirty_since_fragments.clear()
        snap = Snapshot(root=self.root, model=result.model, indexing=False,
                        records={r.path: r for r in result.files},
                        skipped={s.path: s.reason for s in result.skipped},
                        version=(previous.version + 1) if previous else 1)
        snap = with_classes(snap, live.all_classes())
        touched = set(snap.by_path) | (set(previous.by_path) if previous else set())
        self._publish(snap, touched)
        # Open documents that differ from the disk: the buffer is the truth.
        for path, text in self._buffers().items():
            record = snap.records.get(path)
            data = text.encode("utf-8")
            if record is None or record.content_hash != content_hash(data):
                with self._lock:
                    self._pending[path] = data
        self._drain()
        done = (f"Indexed {len(result.files):,} files: "
                f"{len(live.classes) + len(live.fragments):,} clone classes "
                f"({time.perf_counter() - started:.1f} s)")
        log.info("%s", done)
        self._on_progress(Progress("end", done))

    def _drain(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
            removed, self._removed = self._removed, set()
        if not pending and not removed:
            return
        live, snap = self._live, self._snap
        if snap is None:
            return
        if live is None:
            # Still indexing: keep what the buffers say so hovers can answer, and leave
            # clones to the end of the scan (which re-applies open buffers).
            changes: dict[str, FileRecord | None] = {p: None for p in removed}
            for path, data in pending.items():
                raw = self._admitted(path, data, snap)
                changes[path] = None if raw is None else buffer_record(
                    path, raw, snap.encoding, self._config.window_lines)
            self._publish(*apply_changes(snap, (), (), changes))
            return
        upserts: dict[str, CloneClass] = {}
        gone: set[str] = set()
        records: dict[str, FileRecord | None] = {}
        dropped = self._drop_fragments(set(pending) | removed)
        for path in removed:
            delta = live.remove_file(path)
            _merge(upserts, gone, delta.added + delta.changed, delta.removed)
            records[path] = None
        for path, data in pending.items():
            raw = self._admitted(path, data, snap)
            if raw is None:
                if path in live.file_ids:  # now binary, too large, unreadable: it leaves
                    delta = live.remove_file(path)
                    _merge(upserts, gone, delta.added + delta.changed, delta.removed)
                records[path] = None
                continue
            delta = live.update_file(path, raw)
            _merge(upserts, gone, delta.added + delta.changed, delta.removed)
            records[path] = live.records[live.file_ids[path]]
        self._dirty_since_fragments |= set(pending) | removed
        new, touched = apply_changes(snap, upserts.values(), gone | dropped, records)
        self._publish(new, touched)

    def _admitted(self, path: str, data: bytes | None, snap: Snapshot) -> bytes | None:
        """`path`'s new bytes, or None when it takes no part (unreadable, binary, minified,
        generated, too large, or a new file the ignore rules drop)."""
        raw = _bytes_of(self.root, path, data)
        if raw is None:
            return None
        options = self._config.discovery
        # A file new since the scan: would discovery have walked to it?
        if path not in snap.records and path_exclusion(self.root, path, options) is not None:
            return None
        if len(raw) > options.max_file_bytes or classify_content(path, raw, options):
            return None
        return raw

    def _drop_fragments(self, paths: set[str]) -> set[str]:
        """Forget fragment classes with a member in `paths`: their lines are stale."""
        live = self._live
        if live is None or not live.fragments:
            return set()
        stale = {c.id for c in live.fragments if any(m.path in paths for m in c.members)}
        if stale:
            live.fragments = [c for c in live.fragments if c.id not in stale]
        return stale

    def _start_fragments(self) -> None:
        live = self._live
        if live is None or not self._config.clones.fragments or not self._dirty_since_fragments:
            return
        self._dirty_since_fragments.clear()
        records = dict(live.records)
        classes = list(live.classes.values())
        config = self._config
        generation = self._generation
        encoding = live.encoding
        future = self._side.submit(_find_fragments, live.root, records, classes, config,
                                   encoding)

        def done(f: Future[list[CloneClass]]) -> None:
            if f.cancelled() or f.exception() is not None:
                if not f.cancelled():
                    log.error("fragment detection failed: %s", f.exception())
                return
            self._thread.submit(self._install_fragments, f.result(), records, generation)

        future.add_done_callback(done)

    def _install_fragments(self, found: list[CloneClass], records: Mapping[int, FileRecord],
                           generation: int) -> None:
        live, snap = self._live, self._snap
        if live is None or snap is None or generation != self._generation:
            return
        # Files edited while detection ran have moved on: their fragments wait for the
        # next save.
        fresh = [c for c in found if all(
            live.records.get(m.file_index) is records.get(m.file_index) for m in c.members)]
        old = [c.id for c in live.fragments]
        live.fragments = fresh
        self._publish(*apply_changes(snap, fresh, set(old) - {c.id for c in fresh}))


def _merge(upserts: dict[str, CloneClass], gone: set[str], changed: Sequence[CloneClass],
           removed: Sequence[str]) -> None:
    for cid in removed:
        upserts.pop(cid, None)
        gone.add(cid)
    for c in changed:
        upserts[c.id] = c
        gone.discard(c.id)


def _bytes_of(root: Path, path: str, data: bytes | None) -> bytes | None:
    if data is not None:
        return data
    try:
        return (root / path).read_bytes()
    except OSError:
        return None


def _fragments(live: LiveClones, config: Config) -> list[CloneClass]:
    return _find_fragments(live.root, dict(live.records), list(live.classes.values()), config,
                           live.encoding)


def _find_fragments(root: Path, records: Mapping[int, FileRecord],
                    classes: Sequence[CloneClass], config: Config,
                    encoding: str) -> list[CloneClass]:
    """Fragment classes over the live view's files, as a full detection finds them: the
    same entries and classes go into the same function, with members' file indices being
    the live view's file ids."""
    from ctxlens.clones.fragment_classes import fragment_classes

    size = max(records, default=-1) + 1
    empty = FileRecord("", "text", 0, 0, "", 0, 0, 0, encoding, 0, (), ())
    listed = [records.get(i, empty) for i in range(size)]
    count = lru_cache(maxsize=1 << 16)(lambda text: count_tokens(text, encoding))
    options = config.clones
    return fragment_classes(root, listed, eligible(listed, options), classes,
                            options.min_tokens, options.min_lines, count)
