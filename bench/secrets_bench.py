"""Benchmark: the secrets scan (`ctxlens.secrets.scan_text`) over every text file of the
running Python's standard library, beside detect-secrets' own scan of the same files.

    .venv/bin/python bench/secrets_bench.py                    # ctxlens, then detect-secrets
    .venv/bin/python bench/secrets_bench.py --no-peer --repeat 3 --unfiltered
    .venv/bin/python bench/secrets_bench.py --record /tmp/findings.json   # keep the findings
    .venv/bin/python bench/secrets_bench.py --check /tmp/findings.json    # same findings?

Text file: under `sysconfig.get_paths()["stdlib"]`, not in `site-packages/` or `__pycache__/`,
no NUL byte, valid UTF-8. Times are CPU seconds of this process (`time.process_time`) for the
scan alone — the files are read before the clock starts, for ctxlens; detect-secrets reads
each file itself inside `scan_file`, which is part of its figure.

The peer is detect-secrets' `SecretsCollection().scan_file` under its `default_settings()`
(every plugin, its default filters; no verification — that filter is off by default), the
library's documented Python API. It reports one finding per (file, line, secret type, secret),
ctxlens one per span, and the two look for different things (detect-secrets' keyword and
entropy plugins fire on any `password = ...` line or long string; ctxlens drops expressions,
placeholders, hashes), so the counts are printed side by side, not compared.

`--unfiltered` also times `scan_text_unfiltered` (every check on every line: the scan before
its prefilter) and says whether its findings are identical.

`--record` writes every finding (path relative to the stdlib, line, kind, start, end) as JSON;
`--check` compares this run's findings with such a file and exits 1 on any difference, listing
up to 20 — the test that a faster scanner finds exactly what the old one found.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from ctxlens.secrets import Finding, scan_text
from ctxlens.secrets.scan import clear_cache, scan_text_unfiltered

Row = tuple[str, int, str, int, int]


def stdlib_texts(root: Path) -> list[tuple[str, str, str]]:
    """(absolute path, path relative to `root`, text) of every text file, sorted by path."""
    out: list[tuple[str, str, str]] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in {"site-packages", "__pycache__"})
        for name in sorted(filenames):
            full = os.path.join(dirpath, name)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            data = Path(full).read_bytes()
            if b"\0" in data:
                continue
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
            out.append((full, os.path.relpath(full, root), text))
    return out


def run_ctxlens(
    files: list[tuple[str, str, str]], repeat: int, scan: Callable[[str, str], list[Finding]]
) -> tuple[float, list[Finding]]:
    """Best CPU seconds over `repeat` runs with an empty cache, and the findings."""
    best = float("inf")
    findings: list[Finding] = []
    for _ in range(repeat):
        clear_cache()
        found: list[Finding] = []
        t0 = time.process_time()
        for _full, rel, text in files:
            found.extend(scan(rel, text))
        best = min(best, time.process_time() - t0)
        findings = found
    return best, findings


def run_cached(files: list[tuple[str, str, str]]) -> float:
    """CPU seconds of a second scan of the same texts (the cache answers: a pack rebuilt)."""
    t0 = time.process_time()
    for _full, rel, text in files:
        scan_text(rel, text)
    return time.process_time() - t0


def run_detect_secrets(files: list[tuple[str, str, str]]) -> tuple[float, Counter[str]]:
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings

    collection = SecretsCollection()
    with default_settings():
        t0 = time.process_time()
        for full, _rel, _text in files:
            collection.scan_file(full)
        seconds = time.process_time() - t0
    by_type: Counter[str] = Counter()
    for _filename, secret in collection:
        by_type[secret.type] += 1
    return seconds, by_type


def rows_of(findings: list[Finding]) -> set[Row]:
    return {(f.path, f.line, f.kind, f.start, f.end) for f in findings}


def check(findings: list[Finding], recorded: Path) -> int:
    want = {tuple(r) for r in json.loads(recorded.read_text())["findings"]}
    got = rows_of(findings)
    missing, extra = sorted(want - got), sorted(got - want)
    if not missing and not extra:
        print(f"check: identical to {recorded} ({len(got)} findings)")
        return 0
    print(f"check: DIFFERENT from {recorded}: {len(missing)} missing, {len(extra)} extra")
    for label, rows in (("missing", missing), ("extra", extra)):
        for row in rows[:20]:
            print(f"  {label}: {row}")
    return 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=Path(sysconfig.get_paths()["stdlib"]))
    parser.add_argument("--repeat", type=int, default=1, help="ctxlens runs (best is shown)")
    parser.add_argument("--no-peer", action="store_true", help="skip detect-secrets")
    parser.add_argument("--unfiltered", action="store_true",
                        help="also time the scan without its prefilter (the old per-line scan)")
    parser.add_argument("--record", type=Path, help="write ctxlens's findings as JSON")
    parser.add_argument("--check", type=Path, help="compare findings with a --record file")
    args = parser.parse_args()

    files = stdlib_texts(args.root)
    mb = sum(len(t.encode("utf-8")) for _f, _r, t in files) / 1e6
    lines = sum(t.count("\n") + 1 for _f, _r, t in files)
    print(f"tree: {args.root} (no site-packages): {len(files)} text files, {mb:.1f} MB, "
          f"{lines:,} lines")

    seconds, findings = run_ctxlens(files, args.repeat, scan_text)
    cached = run_cached(files)
    kinds = Counter(f.kind for f in findings)
    print(f"\nctxlens scan_text: {seconds:.2f} s CPU (best of {args.repeat}, empty cache), "
          f"{mb / seconds:.1f} MB/s, {len(findings)} findings in "
          f"{len({f.path for f in findings})} files; the same texts again (cached): "
          f"{cached:.2f} s")
    for kind, n in kinds.most_common():
        print(f"  {kind:24} {n}")
    if args.unfiltered:
        full_seconds, full = run_ctxlens(files, 1, scan_text_unfiltered)
        same = "identical" if rows_of(full) == rows_of(findings) else "DIFFERENT"
        print(f"ctxlens without the prefilter (every check on every line): {full_seconds:.2f} s "
              f"CPU, {mb / full_seconds:.1f} MB/s, {len(full)} findings ({same}); "
              f"speed-up {full_seconds / seconds:.1f}x")

    if not args.no_peer:
        ds_seconds, by_type = run_detect_secrets(files)
        print(f"\ndetect-secrets {_version()} SecretsCollection.scan_file (default_settings): "
              f"{ds_seconds:.2f} s CPU, {mb / ds_seconds:.1f} MB/s, "
              f"{sum(by_type.values())} findings")
        for kind, n in by_type.most_common():
            print(f"  {kind:24} {n}")
        print(f"\ndetect-secrets / ctxlens time: {ds_seconds / seconds:.0f}x")

    if args.record:
        rows = sorted(rows_of(findings))
        args.record.write_text(json.dumps({"root": str(args.root), "findings": rows}))
        print(f"recorded {len(rows)} findings to {args.record}")
    if args.check:
        return check(findings, args.check)
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("detect-secrets")


if __name__ == "__main__":
    sys.exit(main())
