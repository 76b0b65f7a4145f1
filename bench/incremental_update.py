"""Benchmark: re-index one edited file and get the clone classes that changed.

    .venv/bin/python bench/incremental_update.py [--root DIR] [--lines 2000] [--repeat 20]

Builds the live clone view (`LiveClones`) over a workspace, picks the source file whose
length is closest to --lines, and times `update_file` for three kinds of edit: a changed
line inside a function, a pasted copy of another function, and the revert. In the same
run it times the naive way — a full detection over every unit — as the peer. Target:
≤ 50 ms per update for a 2,000-line file in a 100 MB workspace.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sysconfig
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from ctxlens.clones.detect import find_clones
from ctxlens.clones.live import LiveClones
from ctxlens.config import Config
from ctxlens.index import scan_workspace


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    ap.add_argument("--lines", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    index = Path(tempfile.mkdtemp(prefix="ctxlens-inc-")) / "index.db"
    config = Config(index_path=str(index))
    t = time.perf_counter()
    result = scan_workspace(args.root, config, with_streams=True)
    scan_s = time.perf_counter() - t
    mb = sum(f.size for f in result.files) / 1e6
    units = sum(len(f.units) for f in result.files)
    options = replace(config.clones, fragments=False)
    t = time.perf_counter()
    full = find_clones(result.root, result.files, result.model.encoding, options)
    full_s = time.perf_counter() - t
    t = time.perf_counter()
    live = LiveClones(result.root, result.files, result.model.encoding, options)
    build_s = time.perf_counter() - t
    parsed = [f for f in result.files if f.language == "python"]
    target = min(parsed, key=lambda f: abs(f.lines - args.lines))
    original = (result.root / target.path).read_bytes()
    # A typical function to paste: the one closest to 1,000 tokens among other files.
    donor, biggest = min(((f, i) for f in parsed if f.path != target.path
                          for i, u in enumerate(f.units) if u.kind in ("function", "method")),
                         key=lambda fi: abs(fi[0].unit_tokens[fi[1]] - 1000))
    donor_bytes = (result.root / donor.path).read_bytes()
    u = donor.units[biggest]
    pasted = original + b"\n\n" + donor_bytes[u.start_byte:u.end_byte] + b"\n"
    lines = original.split(b"\n")
    half = len(lines) // 2
    edited = b"\n".join([*lines[:half], b"    _ctxlens_probe = 1", *lines[half:]])
    timings: dict[str, list[float]] = {"edit a line": [], "paste a copy": [], "revert": []}
    for _ in range(args.repeat):
        for label, data in (("edit a line", edited), ("paste a copy", pasted),
                            ("revert", original)):
            delta = live.update_file(target.path, data)
            timings[label].append(delta.seconds)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"workspace {result.root}: {len(result.files):,} files, {mb:.1f} MB, {units:,} units"
          f" (scan with streams {scan_s:.1f} s)")
    print(f"edited file {target.path}: {target.lines:,} lines; pasted "
          f"{donor.path}::{u.name} ({donor.unit_tokens[biggest]:,} tokens)")
    print(f"{'operation':<34}{'median ms':>11}{'p90 ms':>9}")
    for label, values in timings.items():
        values.sort()
        print(f"{'update_file: ' + label:<34}{statistics.median(values) * 1e3:>11.1f}"
              f"{values[int(len(values) * 0.9) - 1] * 1e3:>9.1f}")
    print(f"{'peer: full detection (no fragments)':<34}{full_s * 1e3:>11.0f}")
    print(f"{'live view build (once)':<34}{build_s * 1e3:>11.0f}")
    print(f"classes: {len(full.classes):,} full, {len(live.all_classes()):,} live; "
          f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
