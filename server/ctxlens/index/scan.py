"""Index a workspace: discover → (reuse | read, parse, count) → store → records.

The story of a scan in one function, `scan_workspace`; each step lives in its own
module. Both shells (CLI, language server) call this and only this to index.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ctxlens import __version__
from ctxlens.clones.streams import UnitStream
from ctxlens.config import Config
from ctxlens.index.analyse import (
    Analysed,
    AnalyseSettings,
    Failed,
    Outcome,
    analyse_batch,
    warm_up,
)
from ctxlens.index.records import FileRecord, SkipRecord
from ctxlens.index.store import CachedFile, IndexStore
from ctxlens.index.streams_codec import unpack_streams
from ctxlens.syntax.units import UnitSpan
from ctxlens.tokens import ModelInfo, load_registry
from ctxlens.workspace import Candidate, DiscoveryStats, Skip, discover

# Below this many bytes to analyse, starting worker processes costs more than it saves.
INLINE_BYTES = 4 << 20
BATCH_BYTES = 512 << 10
BATCH_FILES = 128

ProgressFn = Callable[["ScanProgress"], None]


@dataclass(frozen=True, slots=True)
class ScanProgress:
    phase: str  # "discover" | "analyse" | "done"
    files_done: int
    files_total: int
    bytes_done: int
    bytes_total: int


@dataclass(slots=True)
class ScanStats:
    discovered: int = 0
    reused: int = 0  # unchanged files: not read at all
    analysed: int = 0  # read; parsed and counted unless their content was known
    parsed: int = 0  # actually parsed and tokenized
    bytes_parsed: int = 0
    seconds: float = 0.0
    workers: int = 1


@dataclass(slots=True)
class ScanResult:
    root: Path
    model: ModelInfo
    files: list[FileRecord]  # indexed files, sorted by path
    skipped: list[SkipRecord]  # sorted by path
    ignored: int  # paths dropped by ignore rules (not listed)
    index_path: Path
    warnings: list[str] = field(default_factory=list)
    stats: ScanStats = field(default_factory=ScanStats)


@dataclass(frozen=True, slots=True)
class _Blob:
    """What the index holds for one (content, unit key)."""

    error_nodes: int
    units: tuple[UnitSpan, ...]
    file_tokens: int
    unit_tokens: tuple[int, ...]
    # The units' clone streams, when the caller asked for them and this scan analysed the
    # contents (stored ones are loaded by `_records`).
    streams: tuple[UnitStream | None, ...] | None


def _options_fingerprint(config: Config) -> str:
    # Cached skip verdicts and unit cuts are only valid under the options (and the ctxlens
    # release) that made them.
    return json.dumps({"discovery": asdict(config.discovery), "window": config.window_lines,
                       "version": __version__}, sort_keys=True, default=list)


def _batches(candidates: list[Candidate]) -> Iterator[list[Candidate]]:
    batch: list[Candidate] = []
    size = 0
    for c in candidates:
        batch.append(c)
        size += c.size
        if size >= BATCH_BYTES or len(batch) >= BATCH_FILES:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _run_analysis(
    todo: list[Candidate],
    settings: AnalyseSettings,
    known: frozenset[tuple[str, str]],
    jobs: int,
) -> Iterator[list[Outcome]]:
    total = sum(c.size for c in todo)
    if jobs <= 1 or total < INLINE_BYTES:
        for batch in _batches(todo):
            yield analyse_batch(batch, settings, known)
        return
    # spawn, not fork: the caller may hold threads (progress bars, the LSP loop).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=jobs, mp_context=context, initializer=warm_up, initargs=(settings, known)
    ) as pool:
        futures: list[Future[list[Outcome]]] = [
            pool.submit(analyse_batch, batch, settings) for batch in _batches(todo)
        ]
        try:
            for future in as_completed(futures):
                yield future.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _cached_outcome(
    entry: CachedFile, candidate: Candidate, known: frozenset[tuple[str, str]]
) -> Outcome | None:
    """The stored outcome of an unchanged file, or None when it must be read again."""
    if entry.size != candidate.size or entry.mtime_ns != candidate.mtime_ns:
        return None
    if entry.skip_reason is not None:
        return Failed(candidate, Skip(candidate.path, entry.skip_reason, entry.skip_detail or ""),
                      entry.content_hash, entry.language)
    if entry.content_hash is None or (entry.content_hash, entry.unit_key) not in known:
        return None  # e.g. counted in another encoding only
    return Analysed(candidate, entry.content_hash, entry.language, entry.unit_key, entry.lines,
                    entry.decode_errors, None, 0, 0, ())


def _cache_row(o: Outcome) -> CachedFile:
    c = o.candidate
    if isinstance(o, Failed):
        return CachedFile(c.path, c.size, c.mtime_ns, o.content_hash, o.language, o.language,
                          o.skip.reason, o.skip.detail, 0, 0)
    return CachedFile(c.path, c.size, c.mtime_ns, o.content_hash, o.language, o.unit_key,
                      None, None, o.decode_errors, o.lines)


def scan_workspace(
    root: Path,
    config: Config,
    *,
    model: str | None = None,
    jobs: int | None = None,
    progress: ProgressFn | None = None,
    with_streams: bool = False,
) -> ScanResult:
    """Index `root` and return what it holds. Unchanged files cost a stat call each.

    `with_streams` also loads each unit's clone-detection token stream into the records.
    """
    started = time.perf_counter()
    root = root.resolve()
    registry = load_registry(config.models)
    info = registry.get(model or config.model)
    jobs = jobs or os.cpu_count() or 1
    settings = AnalyseSettings(config.discovery, info.encoding, config.window_lines)
    index_path = config.index_file(root)
    store = IndexStore(index_path)
    try:
        return _scan(root, config, info, settings, jobs, store, index_path, progress, started,
                     with_streams)
    except sqlite3.DatabaseError as err:
        # The file opened but broke mid-scan: start over on a fresh index once.
        store.recover(err)
        return _scan(root, config, info, settings, jobs, store, index_path, progress, started,
                     with_streams)
    finally:
        store.close()


def _scan(
    root: Path,
    config: Config,
    info: ModelInfo,
    settings: AnalyseSettings,
    jobs: int,
    store: IndexStore,
    index_path: Path,
    progress: ProgressFn | None,
    started: float,
    with_streams: bool,
) -> ScanResult:
    stats = ScanStats(workers=1)
    fingerprint = _options_fingerprint(config)
    if store.get_meta("options") != fingerprint:
        store.forget_files(store.cached_files())
        store.set_meta("options", fingerprint)
    cache = store.cached_files()

    dstats = DiscoveryStats()
    candidates: list[Candidate] = []
    skipped: list[SkipRecord] = []
    for item in discover(root, config.discovery, dstats):
        if isinstance(item, Skip):
            skipped.append(SkipRecord(item.path, item.reason, item.detail))
        else:
            candidates.append(item)
    stats.discovered = len(candidates)
    total_bytes = sum(c.size for c in candidates)
    if progress:
        progress(ScanProgress("discover", 0, len(candidates), 0, total_bytes))

    known = frozenset(store.known_blobs(info.encoding))
    outcomes: list[Outcome] = []
    todo: list[Candidate] = []
    for c in candidates:
        entry = cache.get(c.path)
        reused = _cached_outcome(entry, c, known) if entry else None
        if reused is None:
            todo.append(c)
        else:
            outcomes.append(reused)
    stats.reused = len(outcomes)
    done_bytes = total_bytes - sum(c.size for c in todo)
    done_files = len(outcomes)
    if progress:
        progress(ScanProgress("analyse", done_files, len(candidates), done_bytes, total_bytes))

    fresh: dict[tuple[str, str], _Blob] = {}
    if todo and sum(c.size for c in todo) >= INLINE_BYTES:
        stats.workers = jobs
    for batch in _run_analysis(todo, settings, known, jobs):
        blobs, counts, streams = [], [], []
        for o in batch:
            if isinstance(o, Analysed) and o.units is not None:
                key = (o.content_hash, o.unit_key)
                if key not in fresh:
                    # Unpacked as batches arrive, while the workers are still busy, rather
                    # than all at once after the last one.
                    fresh[key] = _Blob(o.error_nodes, o.units, o.file_tokens, o.unit_tokens,
                                       unpack_streams(*o.packed_streams)
                                       if with_streams and o.packed_streams else None)
                    blobs.append((o.content_hash, o.unit_key, o.error_nodes, o.units))
                    counts.append((o.content_hash, o.unit_key, info.encoding, o.file_tokens,
                                   o.unit_tokens))
                    if o.packed_streams is not None:
                        streams.append((o.content_hash, o.unit_key, o.packed_streams))
                stats.parsed += 1
                stats.bytes_parsed += o.candidate.size
        store.write_batch([_cache_row(o) for o in batch], blobs, counts, streams)
        # Keep only what the records need: units and streams now live in `fresh`.
        outcomes.extend(replace(o, units=None, packed_streams=None)
                        if isinstance(o, Analysed) else o for o in batch)
        stats.analysed += len(batch)
        done_files += len(batch)
        done_bytes += sum(o.candidate.size for o in batch)
        if progress:
            progress(ScanProgress("analyse", done_files, len(candidates), done_bytes,
                                  total_bytes))

    seen = {c.path for c in candidates}
    gone = [p for p in cache if p not in seen]
    if gone:
        store.forget_files(gone)
        store.collect_garbage()

    files, content_skips = _records(outcomes, fresh, store, info.encoding, with_streams)
    skipped.extend(content_skips)
    skipped.sort(key=lambda s: s.path)
    stats.seconds = time.perf_counter() - started
    if progress:
        progress(ScanProgress("done", len(candidates), len(candidates), total_bytes,
                              total_bytes))
    return ScanResult(root=root, model=info, files=files, skipped=skipped,
                      ignored=dstats.ignored, index_path=index_path,
                      warnings=list(store.warnings), stats=stats)


def _records(
    outcomes: Iterable[Outcome],
    fresh: dict[tuple[str, str], _Blob],
    store: IndexStore,
    encoding: str,
    with_streams: bool,
) -> tuple[list[FileRecord], list[SkipRecord]]:
    analysed: list[Analysed] = []
    skips: list[SkipRecord] = []
    for o in outcomes:
        if isinstance(o, Failed):
            skips.append(SkipRecord(o.candidate.path, o.skip.reason, o.skip.detail))
        else:
            analysed.append(o)
    missing = {(a.content_hash, a.unit_key) for a in analysed} - fresh.keys()
    blobs = dict(fresh)
    stored = store.load_streams(missing) if with_streams and missing else {}
    for h, key, err, units, ftok, utok in store.load_blobs(missing, encoding):
        packed = stored.get((h, key))
        blobs[(h, key)] = _Blob(err, units, ftok, utok,
                                unpack_streams(*packed) if packed else None)
    records = []
    for a in analysed:
        blob = blobs[(a.content_hash, a.unit_key)]
        c = a.candidate
        records.append(FileRecord(
            path=c.path, language=a.language, size=c.size, mtime_ns=c.mtime_ns,
            content_hash=a.content_hash, lines=a.lines, decode_errors=a.decode_errors,
            error_nodes=blob.error_nodes, encoding=encoding, tokens=blob.file_tokens,
            units=blob.units, unit_tokens=blob.unit_tokens,
            streams=blob.streams if with_streams and blob.streams else (),
        ))
    records.sort(key=lambda r: r.path)
    return records, skips
