"""Benchmark: the context pack on two large real trees, beside repomix on the same trees.

    .venv/bin/python bench/pack_bench.py [--trees stdlib,jdk] [--jobs N] [--no-repomix]
                                         [--cache DIR] [--keep DIR]

Trees (copied into a temporary folder first, so both tools read exactly the same files and
neither writes into the source):
  stdlib  the running Python's standard library, the files `ctxlens scan` indexes there
          (its default excludes keep `site-packages/` out)
  jdk     `java.base/java/**` from the first JDK `src.zip` under /usr/lib/jvm (Java; every
          file opens with a GPL licence whose copyright years differ from file to file)

For each tree, ctxlens (`build_pack`, Markdown): raw tokens (the files' own counts),
deduplicated tokens (the rendered pack, counted exactly) with each saving shown on its own —
clone members, repeated file headers (net of the header section that shows them once),
whole-file copies — the skeleton level (every file reduced as `--budget` would: signatures,
docstrings, bodies elided; rendered and counted exactly), and the time to pack, cold (empty
index) and warm. repomix (npm, installed on first use into the bench cache) packs the same
tree with its defaults (XML) and with `--compress`; its output is counted with the same
tiktoken encoding (`o200k_base`). Times are wall-clock seconds on a shared machine: see the
note printed with them.
"""

from __future__ import annotations

import argparse
import glob
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clone_common import default_cache_dir, safe_relpath

REPOMIX_SPEC = "repomix@1"
ENCODING = "o200k_base"


@dataclass(frozen=True, slots=True)
class Repomix:
    binary: Path
    version: str


def ensure_repomix(cache: Path) -> Repomix:
    """repomix 1.x under `cache/repomix`, installed with npm on first use."""
    prefix = cache / "repomix"
    binary = prefix / "node_modules" / ".bin" / "repomix"
    if not binary.exists():
        cmd = ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
               REPOMIX_SPEC]
        print(f"installing repomix: {' '.join(cmd)}", flush=True)
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                         check=True, timeout=60)
    return Repomix(binary, out.stdout.strip().splitlines()[-1])


def _copy_discovered(src: Path, dst: Path) -> int:
    """Copy every file ctxlens would index under `src` into `dst` (folders either tool
    skips by name renamed, see clone_common.safe_relpath). Returns the count."""
    from ctxlens.workspace import Candidate, DiscoveryOptions, discover

    n = 0
    for item in discover(src, DiscoveryOptions()):
        if not isinstance(item, Candidate):
            continue
        target = dst / safe_relpath(item.path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / item.path, target)
        n += 1
    return n


def _jdk_tree(dst: Path) -> str | None:
    zips = sorted(Path(p) for p in glob.glob("/usr/lib/jvm/*/lib/src.zip") if os.path.isfile(p))
    if not zips:
        return None
    with zipfile.ZipFile(zips[0]) as zf:
        for info in zf.infolist():
            if info.filename.startswith("java.base/java/") and not info.is_dir():
                target = dst / info.filename
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(zf.read(info))
    return f"{zips[0]} java.base/java/**"


@dataclass(frozen=True, slots=True)
class PackRun:
    files: int
    raw: int
    deduplicated: int
    clones: int
    boilerplate: int
    blocks: int
    copies: int
    skeleton: int
    cold_s: float
    warm_s: float


def run_ctxlens(tree: Path, index: Path, jobs: int) -> PackRun:
    from ctxlens.config import Config
    from ctxlens.context import ContextPlan, build_pack

    config = Config(index_path=str(index))  # outside the tree: repomix must not see it
    t = time.perf_counter()
    build_pack(tree, ContextPlan(), config=config, jobs=jobs)
    cold = time.perf_counter() - t
    t = time.perf_counter()
    pack = build_pack(tree, ContextPlan(), config=config, jobs=jobs)
    warm = time.perf_counter() - t
    sv = pack.savings
    return PackRun(files=len(pack.files), raw=pack.tokens_raw, deduplicated=pack.tokens,
                   clones=sv.clones, boilerplate=sv.boilerplate, blocks=len(pack.boilerplate),
                   copies=sv.copies, skeleton=_skeleton_tokens(tree, config, pack),
                   cold_s=cold, warm_s=warm)


def _skeleton_tokens(tree: Path, config: object, pack: object) -> int:
    """The pack with every file at the skeleton level, as fitting would reduce it: bodies
    elided, repeated headers still cut, whole-file copies still one line; rendered, counted."""
    from ctxlens.context.boilerplate import apply_cuts, find_boilerplate
    from ctxlens.context.pipeline import Pack
    from ctxlens.context.render import PackContent, render
    from ctxlens.context.skeleton import skeleton
    from ctxlens.index import scan_workspace
    from ctxlens.tokens import count_tokens

    assert isinstance(pack, Pack)
    records = {r.path: r for r in scan_workspace(tree, config, jobs=1).files}  # type: ignore[arg-type]

    def count(text: str) -> int:
        return count_tokens(text, ENCODING)

    sources = {f.path: (f.language, (tree / f.path).read_bytes()) for f in pack.files
               if f.copy_of is None}
    cuts = find_boilerplate({p: (lang, data.decode("utf-8", "replace"))
                             for p, (lang, data) in sources.items()}, count)
    blocks = {b.id: b for b in cuts.blocks}
    files = []
    for f in pack.files:
        if f.copy_of is not None:
            files.append(f)
            continue
        lang, data = sources[f.path]
        text = skeleton(data, lang, records[f.path].units, count)
        text = apply_cuts(text, lang, cuts.cuts.get(f.path, ()), blocks)[0]
        files.append(replace(f, text=text, tokens=count(text), stubs=0, level="skeleton"))
    content = PackContent(title=tree.name, model=pack.model.name, encoding=ENCODING,
                          files=tuple(files), classes=pack.classes, boilerplate=cuts.blocks)
    return count(render(content, "md"))


def run_repomix(repomix: Repomix, tree: Path, out: Path, compress: bool) -> tuple[int, int, float]:
    """(output tokens, files in the output, seconds) of repomix on `tree`."""
    from ctxlens.tokens import count_tokens

    cmd = [str(repomix.binary), str(tree), "-o", str(out), "--style", "xml", "--quiet"]
    if compress:
        cmd.append("--compress")
    t = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, timeout=900)
    secs = time.perf_counter() - t
    text = out.read_text("utf-8", errors="replace")
    return count_tokens(text, ENCODING), text.count("<file path="), secs


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / max(whole, 1):.1f} %"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--trees", default="stdlib,jdk")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--cache", type=Path, default=default_cache_dir())
    ap.add_argument("--no-repomix", action="store_true")
    ap.add_argument("--keep", type=Path, help="build the trees here and keep them")
    args = ap.parse_args()
    repomix = None if args.no_repomix else ensure_repomix(args.cache)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ctxlens-packbench-"))
    work.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()[0]
    print(f"{os.cpu_count()} cores, load average {load:.2f} at start, {args.jobs} jobs; "
          f"tokens: {ENCODING}", flush=True)
    try:
        for name in args.trees.split(","):
            tree = work / name
            shutil.rmtree(tree, ignore_errors=True)
            if name == "stdlib":
                src = Path(sysconfig.get_paths()["stdlib"])
                n = _copy_discovered(src, tree)
                where = f"{src} ({n} files ctxlens indexes there)"
            elif name == "jdk":
                found = _jdk_tree(tree)
                if found is None:
                    print("jdk: skipped, no /usr/lib/jvm/*/lib/src.zip")
                    continue
                where = found
            else:
                raise SystemExit(f"unknown tree {name!r}")
            size = sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
            print(f"\n## {name}: {where}, {size / 1e6:.1f} MB", flush=True)
            run = run_ctxlens(tree, work / f"{name}-index.db", args.jobs)
            rows = [
                ("files packed", f"{run.files:,}", ""),
                ("raw tokens (files as they are)", f"{run.raw:,}", "100 %"),
                ("deduplicated pack (rendered, exact)", f"{run.deduplicated:,}",
                 _pct(run.deduplicated, run.raw)),
                ("  saved by clone collapse", f"{run.clones:,}", _pct(run.clones, run.raw)),
                (f"  saved by repeated headers ({run.blocks} blocks, net)",
                 f"{run.boilerplate:,}", _pct(run.boilerplate, run.raw)),
                ("  saved by whole-file copies", f"{run.copies:,}", _pct(run.copies, run.raw)),
                ("skeleton level (rendered, exact)", f"{run.skeleton:,}",
                 _pct(run.skeleton, run.raw)),
                ("ctxlens pack, cold (empty index), s", f"{run.cold_s:.1f}", ""),
                ("ctxlens pack, warm, s", f"{run.warm_s:.1f}", ""),
            ]
            if repomix is not None:
                for compress in (False, True):
                    tokens, files, secs = run_repomix(
                        repomix, tree, work / f"{name}-repomix{'-c' if compress else ''}.xml",
                        compress)
                    label = f"repomix {repomix.version}" + (" --compress" if compress else "")
                    rows += [(f"{label}: output tokens ({files:,} files)", f"{tokens:,}",
                              _pct(tokens, run.raw)),
                             (f"{label}, s", f"{secs:.1f}", "")]
            width = max(len(r[0]) for r in rows)
            for label, value, share in rows:
                print(f"{label:<{width}}  {value:>12}  {share:>8}", flush=True)
        print(f"\nload average {os.getloadavg()[0]:.2f} at the end (other work on this "
              "machine inflates the times; compare tools within one run)")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
