"""Benchmark: a full `ctxlens scan` (index, exact tokens, clone classes) of a large real tree
beside jscpd 5.x on the same tree, in the same run: wall time and peak RSS of each.

    .venv/bin/python bench/clone_speed.py [--mb 120] [--jscpd-timeout 900] [--keep DIR]

The tree (a temporary copy, never the originals) is filled in this order until it holds
`--mb` megabytes of source: the running Python's standard library (without its
site-packages), the npm CLI's own JavaScript (`$(npm root -g)/npm/node_modules`), the JDK's
`java.base` sources from src.zip (at most 20 MB), then the packages of this virtual
environment's site-packages — numpy, scipy, torch, sympy first, then the rest in name
order. Only extensions both tools
read are copied (.py .pyi .js .mjs .cjs .ts .java .c .h .cc .cpp .hpp), files over 1 MiB
are left out (both tools skip them by default), and folders ctxlens would skip by default
(`dist`, `build`, `vendor`, `site-packages`, …) are renamed so both tools see the same files.
ctxlens still skips minified and generated files by content; the table gives each tool's
own file count.

Phases, each a child process measured alone (clone_common.run_measured: GNU time's peak of
the largest process, and the sampled peaks of the whole process tree's RSS and PSS):
  ctxlens cold   `ctxlens scan TREE --json --index NEW` (empty index)
  ctxlens warm   the same command again (unchanged tree: reuses the index, finds clones again)
  jscpd          `--min-tokens 50 --min-lines 5 --ignore-identifiers --ignore-literals
                 --similarity 0.8` (the flags of clone_quality.py), stopped after
                 `--jscpd-timeout` seconds, when its time is a lower bound
Targets (issue 3): ctxlens cold no slower than jscpd, and at most half its peak memory
(process trees' PSS: ctxlens forks helpers during clone detection, whose shared
copy-on-write pages a sum of RSS counts once per process).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

from clone_common import (
    Measured,
    ctxlens_executable,
    default_cache_dir,
    ensure_jscpd,
    jscpd_report,
    run_measured,
    safe_relpath,
)

EXTS = (".py", ".pyi", ".js", ".mjs", ".cjs", ".ts", ".java", ".c", ".h", ".cc", ".cpp",
        ".hpp")
MAX_FILE_BYTES = 1 << 20
JAVA_MB = 20  # of the JDK's java.base, so Python keeps the largest share
FIRST_PACKAGES = ("numpy", "scipy", "torch", "sympy")  # then the others in name order


def _walk(root: Path, prune: frozenset[str] = frozenset()) -> Iterator[tuple[str, Path]]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        dirnames[:] = [d for d in dirnames if d != "__pycache__"
                       and not (dirpath == str(root) and d in prune)]
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if name.endswith(EXTS) and not name.endswith(".min.js") and not p.is_symlink():
                yield p.relative_to(root).as_posix(), p


def _npm_modules() -> Path | None:
    import subprocess

    try:
        out = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    for cand in ([Path(out) / "npm" / "node_modules"] if out else []) + \
            [Path("/usr/lib/node_modules/npm/node_modules")]:
        if cand.is_dir():
            return cand
    return None


def build_tree(tree: Path, target: int) -> list[tuple[str, int, int]]:
    """Copy sources into `tree` until `target` bytes; (part, files, bytes) per source."""
    import glob
    import site

    total = 0
    parts: list[tuple[str, int, int]] = []

    def take(label: str, items: Iterator[tuple[str, bytes | Path]], cap: int = 1 << 62) -> None:
        nonlocal total
        files = size = 0
        for rel, src in items:
            if total >= target or size >= cap:
                break
            n = src.stat().st_size if isinstance(src, Path) else len(src)
            if n > MAX_FILE_BYTES or n == 0:
                continue
            dest = tree / safe_relpath(rel)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(src, Path):
                shutil.copyfile(src, dest)
            else:
                dest.write_bytes(src)
            files += 1
            size += n
            total += n
        if files:
            parts.append((label, files, size))

    stdlib = Path(sysconfig.get_paths()["stdlib"])
    take(f"stdlib {stdlib}", ((f"stdlib/{r}", p)
                              for r, p in _walk(stdlib, frozenset({"site-packages"}))))
    npm = _npm_modules()
    if npm is not None:
        take(f"npm {npm}", ((f"js/{r}", p) for r, p in _walk(npm)))
    zips = sorted(p for p in glob.glob("/usr/lib/jvm/*/lib/src.zip") if os.path.isfile(p))
    if zips:
        zf = zipfile.ZipFile(zips[0])
        names = sorted(n for n in zf.namelist()
                       if n.startswith("java.base/") and n.endswith(".java"))
        take(f"java.base {zips[0]}", ((f"java/{n}", zf.read(n)) for n in names),
             cap=int(JAVA_MB * 1e6))
    sp = Path(sysconfig.get_paths()["purelib"])
    if not sp.is_dir():
        sp = Path(site.getsitepackages()[0])
    pkgs = sorted(p for p in sp.iterdir() if p.is_dir() and not p.name.endswith(
        (".dist-info", ".libs", ".data")) and p.name != "__pycache__")
    pkgs.sort(key=lambda p: (p.name not in FIRST_PACKAGES, FIRST_PACKAGES.index(p.name)
                             if p.name in FIRST_PACKAGES else 0, p.name))
    for pkg in pkgs:
        if total >= target:
            break
        take(f"site-packages/{pkg.name}", ((f"pylibs/{pkg.name}/{r}", p)
                                           for r, p in _walk(pkg)))
    return parts


def breakdown(tree: Path, index: Path) -> None:
    """In-process, on a warm index: where a scan's time goes (printed as JSON)."""
    from ctxlens.clones.detect import find_clones
    from ctxlens.config import Config
    from ctxlens.index import scan_workspace

    config = Config(index_path=str(index))
    t = time.perf_counter()
    result = scan_workspace(tree, config, with_streams=True)
    index_s = time.perf_counter() - t
    t = time.perf_counter()
    report = find_clones(result.root, result.files, result.model.encoding, config.clones)
    clones_s = time.perf_counter() - t
    print(json.dumps({"index_and_load_streams_s": round(index_s, 2),
                      "find_clones_s": round(clones_s, 2),
                      "units_compared": report.units_compared,
                      **{f"clones.{k}_s": round(v, 2) for k, v in report.timings.items()}}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=120, help="source megabytes (default 120)")
    ap.add_argument("--jscpd-timeout", type=float, default=900)
    ap.add_argument("--cache", type=Path, default=default_cache_dir())
    ap.add_argument("--keep", type=Path, help="build the tree here and keep it")
    ap.add_argument("--no-jscpd", action="store_true")
    ap.add_argument("--breakdown", action="store_true",
                    help="after the warm run, time indexing and each clone stage in-process")
    ap.add_argument("--phase", help=argparse.SUPPRESS)
    ap.add_argument("--tree", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase == "breakdown":
        breakdown(args.tree, args.index)
        return

    jscpd = None if args.no_jscpd else ensure_jscpd(args.cache)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ctxlens-clone-speed-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    tree = work / "tree"
    tree.mkdir(parents=True)
    t = time.perf_counter()
    parts = build_tree(tree, int(args.mb * 1e6))
    size = sum(p[2] for p in parts)
    print(f"tree: {tree}: {sum(p[1] for p in parts):,} files, {size / 1e6:.1f} MB "
          f"(built in {time.perf_counter() - t:.0f} s)")
    for label, files, nbytes in parts:
        print(f"  {label}: {files:,} files, {nbytes / 1e6:.1f} MB")

    rows: list[tuple[str, Measured, str]] = []
    index = work / "ctxlens-index.db"
    out = work / "ctxlens.json"
    cmd = [str(ctxlens_executable()), "scan", str(tree), "--json", "--index", str(index),
           "--no-progress"]
    print(f"\nctxlens: {' '.join(cmd)}", flush=True)
    for phase in ("cold", "warm"):
        m = run_measured(cmd, stdout=out)
        try:
            doc = json.loads(out.read_text())
            detail = (f"{doc['files']['count']:,} files, {doc['units']['count']:,} units, "
                      f"{doc['tokens']['raw']:,} tokens, {len(doc['clone_classes']):,} "
                      f"clone classes; index reused {doc['index']['reused']:,}")
        except (ValueError, KeyError) as err:
            detail = f"no JSON ({err})"
        rows.append((f"ctxlens {phase}", m, detail))
        print(f"  {phase}: {m.wall_s:.1f} s, {detail}", flush=True)
    if args.breakdown:
        bout = work / "breakdown.json"
        run_measured([sys.executable, __file__, "--phase", "breakdown", "--tree", str(tree),
                      "--index", str(index)], stdout=bout)
        print(f"  warm, in-process breakdown: {bout.read_text().strip()}", flush=True)

    if jscpd is not None:
        out_dir = work / "jscpd"
        jcmd = [str(jscpd.binary), "--min-tokens", "50", "--min-lines", "5",
                "--ignore-identifiers", "--ignore-literals", "--similarity", "0.8",
                "--reporters", "json", "--output", str(out_dir), "--silent", "--absolute",
                "--no-gitignore", str(tree)]
        print(f"\njscpd {jscpd.version}: {' '.join(jcmd)}", flush=True)
        m = run_measured(jcmd, timeout_s=args.jscpd_timeout,
                         env=dict(os.environ, JSCPD_NO_TIPS="1"))
        if m.timed_out:
            detail = f"stopped after {args.jscpd_timeout:.0f} s (time is a lower bound)"
        else:
            report = jscpd_report(out_dir)
            stats = report.get("statistics", {})
            total = stats.get("total", {}) if isinstance(stats, dict) else {}
            dups = report.get("duplicates", [])
            detail = (f"{total.get('sources', 0):,} files, {total.get('tokens', 0):,} tokens, "
                      f"{len(dups) if isinstance(dups, list) else 0:,} duplicate pairs")
        rows.append((f"jscpd {jscpd.version}", m, detail))
        print(f"  {m.wall_s:.1f} s, {detail}", flush=True)

    print(f"\n## Full scan of {size / 1e6:.1f} MB\n")
    print("| run | wall s | MB/s | peak RSS (largest process) | peak RSS (process tree) "
          "| peak PSS (process tree) | what it did |")
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, m, detail in rows:
        bound = "≥ " if m.timed_out else ""
        print(f"| {name} | {bound}{m.wall_s:.1f} | {size / 1e6 / m.wall_s:.1f} | "
              f"{m.max_rss_mb:,.0f} MB | {m.tree_rss_mb:,.0f} MB | {m.tree_pss_mb:,.0f} MB | "
              f"{detail} |")
    cold = rows[0][1]
    if jscpd is not None:
        j = rows[-1][1]
        speed = j.wall_s / cold.wall_s
        # PSS where the kernel gives it: ctxlens forks helpers whose copy-on-write pages an
        # RSS sum counts twice; jscpd is one process, where PSS and RSS agree.
        by_pss = cold.tree_pss_mb > 0 and j.tree_pss_mb > 0
        mine, theirs = ((cold.tree_pss_mb, j.tree_pss_mb) if by_pss else
                        (cold.tree_rss_mb, j.tree_rss_mb))
        mem = mine / theirs if theirs else float("inf")
        print(f"\n- time: ctxlens cold is {speed:.2f}× jscpd's speed "
              f"({'≥ ' if j.timed_out else ''}{j.wall_s:.1f} s vs {cold.wall_s:.1f} s); "
              f"target ≥ 1: {'met' if speed >= 1 else 'NOT met'}")
        print(f"- memory: ctxlens cold peaks at {100 * mem:.0f} % of jscpd's (process trees' "
              f"{'PSS' if by_pss else 'RSS'}: {mine:,.0f} MB vs {theirs:,.0f} MB; RSS: "
              f"{cold.tree_rss_mb:,.0f} MB vs {j.tree_rss_mb:,.0f} MB); target ≤ 50 %: "
              f"{'met' if mem <= 0.5 else 'NOT met'}"
              + (" (jscpd was stopped, its peak is a lower bound)" if j.timed_out else ""))
    warm = rows[1][1]
    print(f"- warm: {warm.wall_s:.1f} s, {cold.wall_s / warm.wall_s:.1f}× faster than cold")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
