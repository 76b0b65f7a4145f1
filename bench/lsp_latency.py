"""Benchmark: the language server's latency on a large workspace, through a real client.

    .venv/bin/python bench/lsp_latency.py [--mb 120] [--hovers 300] [--lenses 150]
                                          [--edits 40] [--keep DIR]

Builds the same ≥ 100 MB tree of real code as clone_speed.py (its `build_tree`: the standard
library, the npm CLI's JavaScript, the JDK's java.base, then this environment's
site-packages), starts `ctxlens serve` over stdio and drives it with pygls's LanguageClient
(VS Code's client capabilities, from pytest-lsp's profiles). It waits until indexing has
ended (work-done progress `end`) and the first budget has been announced
(`ctxlens/budgetChanged`), so no background work competes with the measurements, then opens
Python files that hold clone members and measures, each as the client sees it (request sent
→ response read):
  hover        textDocument/hover over units of the open files
  code lens    textDocument/codeLens of an open file
  edit → diag  didChange (a comment line inserted at the top, then removed) → the
               publishDiagnostics for that file whose ranges moved with the edit; this
               includes the server's 100 ms edit debounce
Targets (issue 7): hover and code lens p95 ≤ 50 ms; edit → diagnostics p95 ≤ 300 ms.
The stability probe is switched off (`stabilityProbe: false`) so that it does not run torch
beside the measurements.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path
from pytest_lsp import client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
from clone_speed import build_tree

WAIT_INDEX_S = 3600.0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


class Bench:
    def __init__(self) -> None:
        self.client = LanguageClient("ctxlens-bench", "1")
        self.published: dict[str, tuple[float, list[types.Diagnostic]]] = {}
        self.changed = asyncio.Event()
        self.progress_end = asyncio.Event()
        self.budget: dict[str, Any] | None = None
        self.budget_seen = asyncio.Event()
        self.messages: list[str] = []
        c = self.client

        @c.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published[params.uri] = (time.perf_counter(), list(params.diagnostics))
            self.changed.set()

        @c.feature(types.WINDOW_WORK_DONE_PROGRESS_CREATE)
        def create(params: types.WorkDoneProgressCreateParams) -> None:
            return None

        @c.feature(types.PROGRESS)
        def progress(params: types.ProgressParams) -> None:
            value = params.value
            kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
            message = value.get("message") if isinstance(value, dict) else getattr(
                value, "message", None)
            if message:
                print(f"  progress: {message}", flush=True)
            if kind == "end":
                self.progress_end.set()

        @c.feature(types.CLIENT_REGISTER_CAPABILITY)
        def register(params: types.RegistrationParams) -> None:
            return None

        @c.feature(types.WINDOW_SHOW_MESSAGE)
        def show(params: types.ShowMessageParams) -> None:
            self.messages.append(params.message)
            print(f"  server says: {params.message}", flush=True)
            if "budget" in params.message:
                self.budget_seen.set()  # it failed: measure anyway, and say so

        @c.feature("ctxlens/budgetChanged")
        def budget(params: Any) -> None:
            self.budget = params._asdict() if hasattr(params, "_asdict") else params
            self.budget_seen.set()

    async def wait_published(self, uri: str, since: float, check: Any,
                             timeout: float = 30.0) -> float:
        deadline = time.perf_counter() + timeout
        while True:
            got = self.published.get(uri)
            if got is not None and got[0] > since and check(got[1]):
                return got[0]
            self.changed.clear()
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise TimeoutError(f"no diagnostics for {uri}")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.changed.wait(), remaining)


def _first_line(diagnostics: list[types.Diagnostic]) -> int | None:
    lines = [d.range.start.line for d in diagnostics if d.code != "fragment-clone"]
    return min(lines) if lines else None


def _report(label: str, values: list[float], target: float) -> None:
    p95 = pct(values, 0.95)
    print(f"{label:<26}{len(values):>5}{statistics.median(values):>9.1f}{p95:>9.1f}"
          f"{max(values):>9.1f}  p95 ≤ {target:.0f} ms: {'met' if p95 <= target else 'MISSED'}",
          flush=True)


def _peak_rss_mb(pid: int | None) -> float:
    """The server process's peak resident set (VmHWM), read before it exits."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return float("nan")


def _plain(value: Any) -> Any:
    if hasattr(value, "_asdict"):
        return {k: _plain(v) for k, v in value._asdict().items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


async def run(tree: Path, hovers: int, lenses: int, edits: int) -> dict[str, Any]:
    b = Bench()
    c = b.client
    t0 = time.perf_counter()
    await c.start_io(sys.executable, "-m", "ctxlens.cli", "serve")
    root_uri = str(from_fs_path(str(tree)))
    t = time.perf_counter()
    await c.initialize_async(types.InitializeParams(
        process_id=os.getpid(), capabilities=client_capabilities("visual-studio-code"),
        root_uri=root_uri, workspace_folders=[types.WorkspaceFolder(uri=root_uri, name="tree")],
        initialization_options={"stabilityProbe": False}))
    init_ms = (time.perf_counter() - t) * 1e3
    c.initialized(types.InitializedParams())
    print(f"initialize answered in {init_ms:.0f} ms", flush=True)
    await asyncio.wait_for(b.progress_end.wait(), WAIT_INDEX_S)
    index_s = time.perf_counter() - t0
    print(f"indexed in {index_s:.0f} s; waiting for the first budget", flush=True)
    await asyncio.wait_for(b.budget_seen.wait(), WAIT_INDEX_S)
    budget_s = time.perf_counter() - t0
    print(f"budget after {budget_s:.0f} s: {json.dumps(b.budget)[:300]}", flush=True)
    classes = _plain(await c.protocol.send_request_async("ctxlens/cloneClasses", {}))
    members: dict[str, list[dict[str, Any]]] = {}
    for cls in classes["classes"]:
        if cls["kind"] == "fragment":
            continue
        for m in cls["members"]:
            members.setdefault(m["path"], []).append(m)
    candidates = []
    for path in members:
        if not path.endswith(".py"):
            continue
        lines = (tree / path).read_text("utf-8", errors="replace").count("\n")
        if 300 <= lines <= 3000:
            candidates.append((path, lines))
    candidates.sort()
    chosen = candidates[:: max(1, len(candidates) // 12)][:12]
    print(f"{len(classes['classes']):,} clone classes; opening {len(chosen)} files "
          f"of {sum(n for _, n in chosen):,} lines", flush=True)
    docs = []
    for path, _ in chosen:
        uri = str(from_fs_path(str(tree / path)))
        text = (tree / path).read_text("utf-8", errors="replace")
        since = time.perf_counter()
        c.text_document_did_open(types.DidOpenTextDocumentParams(text_document=(
            types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text))))
        await b.wait_published(uri, since, bool)
        docs.append((uri, text, path))

    hover_ms = []
    for i in range(hovers):
        uri, text, path = docs[i % len(docs)]
        m = members[path][i % len(members[path])]
        line = m["range"]["start"]["line"] + (i % 3)
        t = time.perf_counter()
        result = await c.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=4)))
        hover_ms.append((time.perf_counter() - t) * 1e3)
        assert result is not None
    print(f"{'operation':<26}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
    _report("hover", hover_ms, 50)
    lens_ms = []
    for i in range(lenses):
        uri = docs[i % len(docs)][0]
        t = time.perf_counter()
        found = await c.text_document_code_lens_async(types.CodeLensParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
        lens_ms.append((time.perf_counter() - t) * 1e3)
        assert found
    _report("code lens", lens_ms, 50)
    edit_ms = []
    versions = {uri: 1 for uri, _, _ in docs}
    for i in range(edits):
        uri, text, _path = docs[i % len(docs)]
        # Copied blocks (fragment-clone) in an edited file wait for the next save, so the
        # edit is judged on the other members' diagnostics, which must move with it.
        before = [d for d in b.published[uri][1] if d.code != "fragment-clone"]
        first = min(d.range.start.line for d in before)
        shifted = i // len(docs) % 2 == 0  # insert a line, then take it out again
        new = ("# ctxlens bench edit\n" + text) if shifted else text
        versions[uri] += 1
        t = time.perf_counter()
        c.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=new)]))
        want = first + (1 if shifted else -1)
        got = await b.wait_published(
            uri, t, lambda ds, want=want: _first_line(ds) == want)
        edit_ms.append((got - t) * 1e3)
    _report("edit → diagnostics", edit_ms, 300)
    rss = _peak_rss_mb(c._server.pid if c._server else None)
    await c.shutdown_async(None)
    c.exit(None)
    await c.stop()
    return {"initialize_ms": init_ms, "index_s": index_s, "budget_s": budget_s,
            "classes": len(classes["classes"]), "files_open": len(docs),
            "hover": hover_ms, "lens": lens_ms, "edit": edit_ms, "server_rss_mb": rss,
            "budget": b.budget}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=120, help="source megabytes (default 120)")
    ap.add_argument("--hovers", type=int, default=300)
    ap.add_argument("--lenses", type=int, default=150)
    ap.add_argument("--edits", type=int, default=40)
    ap.add_argument("--keep", type=Path, help="build the tree here and keep it (reused if "
                                              "it already holds one)")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="ctxlens-lsp-bench-"))
    tree = work / "tree"
    if not (args.keep and tree.is_dir()):
        if tree.exists():
            shutil.rmtree(tree)
        tree.mkdir(parents=True)
        t = time.perf_counter()
        parts = build_tree(tree, int(args.mb * 1e6))
        print(f"tree: {tree}: {sum(p[1] for p in parts):,} files, "
              f"{sum(p[2] for p in parts) / 1e6:.1f} MB (built in "
              f"{time.perf_counter() - t:.0f} s)", flush=True)
    print(f"load average before: {os.getloadavg()}", flush=True)
    r = asyncio.run(run(tree, args.hovers, args.lenses, args.edits))
    print(f"load average after: {os.getloadavg()}")
    print(f"\nworkspace {tree}: {r['classes']:,} clone classes; indexed (scan, live clone "
          f"view, fragments) in {r['index_s']:.0f} s, first budget after {r['budget_s']:.0f} s;"
          f" server peak RSS {r['server_rss_mb']:,.0f} MB")
    print(f"{'operation':<26}{'n':>5}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target")
    _report("hover", r["hover"], 50)
    _report("code lens", r["lens"], 50)
    _report("edit → diagnostics", r["edit"], 300)
    print(f"initialize: {r['initialize_ms']:.0f} ms")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
