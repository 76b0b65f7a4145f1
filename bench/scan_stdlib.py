"""Benchmark: `ctxlens scan` of the running Python's standard library, cold and warm,
beside the floors it cannot beat — tiktoken alone and tree-sitter parse alone over the same
bytes, on the same number of worker processes.

    .venv/bin/python bench/scan_stdlib.py [--jobs N] [--root DIR]

Each phase runs in its own process so peak RSS (the process plus its largest worker) is the
phase's own. Prints a table; figures go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path


def _peak_rss_mb() -> tuple[float, float]:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return me, kids


def _indexed_files(root: Path, index: Path) -> list[tuple[str, str]]:
    """(abs path, language) of every file the scan indexed, from its own database."""
    import sqlite3

    db = sqlite3.connect(index)
    rows = db.execute("SELECT path, language FROM files WHERE skip_reason IS NULL").fetchall()
    return [(str(root / p), lang) for p, lang in rows]


def _tokenize_chunk(paths: list[str]) -> int:
    from ctxlens.tokens import get_encoding

    enc = get_encoding("o200k_base")
    n = 0
    for p in paths:
        n += len(enc.encode_ordinary(Path(p).read_bytes().decode("utf-8", "replace")))
    return n


def _parse_chunk(items: list[tuple[str, str]]) -> int:
    from ctxlens.syntax.grammars import get_parser
    from ctxlens.workspace.languages import PARSED_LANGUAGES

    n = 0
    for p, lang in items:
        if lang in PARSED_LANGUAGES:
            get_parser(lang).parse(Path(p).read_bytes())
            n += 1
    return n


def _warm(_: int) -> None:
    from ctxlens.tokens import get_encoding

    get_encoding("o200k_base")


def _pool_time(fn, chunks, jobs: int) -> float:  # type: ignore[no-untyped-def]
    import multiprocessing

    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_warm, range(jobs)))  # start-up is not part of the floor
        t = time.perf_counter()
        list(pool.map(fn, chunks))
        return time.perf_counter() - t


def phase(name: str, root: Path, index: Path, jobs: int) -> dict[str, object]:
    if name in ("cold", "warm"):
        from ctxlens.config import Config
        from ctxlens.index import scan_workspace

        t = time.perf_counter()
        result = scan_workspace(root, Config(index_path=str(index)), jobs=jobs)
        secs = time.perf_counter() - t
        out = {
            "seconds": secs,
            "files": len(result.files),
            "bytes": sum(f.size for f in result.files),
            "units": sum(len(f.units) for f in result.files),
            "tokens": sum(f.tokens for f in result.files),
            "parsed": result.stats.parsed,
        }
    else:
        files = _indexed_files(root, index)
        size = sum(os.path.getsize(p) for p, _ in files)
        chunks_n = max(jobs * 8, 1)
        if name == "tiktoken":
            chunks = [[p for p, _ in files[i::chunks_n]] for i in range(chunks_n)]
            secs = _pool_time(_tokenize_chunk, chunks, jobs)
        else:
            chunks = [files[i::chunks_n] for i in range(chunks_n)]
            secs = _pool_time(_parse_chunk, chunks, jobs)
        out = {"seconds": secs, "files": len(files), "bytes": size}
    me, kids = _peak_rss_mb()
    out["rss_mb"] = me + kids
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--phase")
    ap.add_argument("--index", type=Path)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args.phase, args.root, args.index, args.jobs)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="ctxlens-bench-"))
    index = tmp / "index.db"
    results = {}
    try:
        for name in ("cold", "warm", "tiktoken", "parse"):
            proc = subprocess.run(
                [sys.executable, __file__, "--phase", name, "--root", str(args.root),
                 "--index", str(index), "--jobs", str(args.jobs)],
                capture_output=True, text=True, check=True,
            )
            results[name] = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    cold = results["cold"]
    mb = cold["bytes"] / 1e6  # type: ignore[operator]
    print(f"root {args.root}  ({cold['files']:,} files indexed, {mb:.1f} MB, "
          f"{cold['units']:,} units, {cold['tokens']:,} tokens o200k_base), {args.jobs} jobs")
    print(f"{'phase':<26}{'seconds':>9}{'MB/s':>9}{'files/s':>10}{'units/s':>10}{'peak RSS':>11}")
    for name, label in (("cold", "ctxlens scan, cold"), ("warm", "ctxlens scan, warm"),
                        ("tiktoken", "floor: tiktoken alone"),
                        ("parse", "floor: tree-sitter alone")):
        r = results[name]
        s = r["seconds"]
        units = f"{cold['units'] / s:>10,.0f}" if name in ("cold", "warm") else f"{'':>10}"
        print(f"{label:<26}{s:>9.2f}{mb / s:>9.1f}{cold['files'] / s:>10,.0f}{units}"
              f"{r['rss_mb']:>8.0f} MB")
    slower = max(results["tiktoken"]["seconds"], results["parse"]["seconds"])
    both = results["tiktoken"]["seconds"] + results["parse"]["seconds"]
    print(f"cold vs slower floor: {slower / cold['seconds']:.0%} (target >= 70%)")
    print(f"cold vs parse+tokenize-once floor: {both / cold['seconds']:.0%}")
    print(f"warm speed-up over cold: {cold['seconds'] / results['warm']['seconds']:.1f}x "
          "(target >= 10x)")
    print(f"peak RSS per 100 MB of source: {results['cold']['rss_mb'] / mb * 100:.0f} MB "
          "(target <= 1500 MB)")


if __name__ == "__main__":
    main()
