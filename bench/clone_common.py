"""Helpers shared by `clone_quality.py` and `clone_speed.py`: the jscpd peer, measured child
processes (wall time, peak RSS) and paths both tools see alike.

Not a benchmark itself; the two scripts import it from their own folder.
"""

from __future__ import annotations

import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

JSCPD_SPEC = "jscpd@5"
TIME_BIN = "/usr/bin/time"

# Directory names ctxlens leaves out by default (built-in excludes and vendored folders,
# see ctxlens/workspace/ignore.py). A benchmark tree renames them (`dist` -> `dist_`) so that
# both tools read the same files; jscpd has no such list.
_EXCLUDED_DIRS = frozenset({
    "node_modules", "bower_components", "__pycache__", ".venv", "venv", ".tox", ".nox",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".gradle", ".idea", "build", "dist",
    "target", "out", ".next", ".nuxt", "coverage", "vendor", "vendors", "third_party",
    "third-party", "thirdparty", "site-packages", "Pods", "Godeps",
})


def safe_relpath(rel: str) -> str:
    """`rel` with every directory component either tool would skip renamed."""
    parts = rel.split("/")
    out = []
    for p in parts[:-1]:
        if p in _EXCLUDED_DIRS or p.startswith(".") or p.endswith(".egg-info"):
            p = p.lstrip(".") + "_"
        out.append(p)
    out.append(parts[-1])
    return "/".join(out)


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "ctxlens-bench"


@dataclass(frozen=True, slots=True)
class Jscpd:
    binary: Path  # the native executable (jscpd 5 is a Rust binary behind a node shim)
    version: str


def ensure_jscpd(cache: Path) -> Jscpd:
    """jscpd 5.x under `cache/jscpd`, installed with npm on first use."""
    prefix = cache / "jscpd"

    def find() -> Path | None:
        native = sorted(glob.glob(str(prefix / "node_modules" / "jscpd-*" / "bin" / "jscpd")))
        if native:
            return Path(native[0])
        shim = prefix / "node_modules" / ".bin" / "jscpd"
        return shim if shim.exists() else None

    binary = find()
    if binary is None:
        cmd = ["npm", "install", "--prefix", str(prefix), "--no-audit", "--no-fund",
               JSCPD_SPEC]
        print(f"installing jscpd: {' '.join(cmd)}", flush=True)
        prefix.mkdir(parents=True, exist_ok=True)
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        binary = find()
        if binary is None:
            raise SystemExit("jscpd installation produced no executable")
    out = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                         check=True).stdout.strip()
    return Jscpd(binary, out.split()[-1] if out else "?")


@dataclass(slots=True)
class Measured:
    wall_s: float
    returncode: int
    max_rss_mb: float  # largest single process of the run (GNU time / getrusage)
    tree_rss_mb: float  # largest sum of RSS over the child and all its descendants (sampled)
    timed_out: bool = False
    # Largest sum of PSS over the same tree (sampled): a page shared by k processes counts
    # 1/k in each, so a forked child's copy-on-write pages are not counted twice. 0: unknown.
    tree_pss_mb: float = 0.0


def _children_map() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # "pid (comm) state ppid ..." where comm may hold spaces and parentheses.
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        kids.setdefault(ppid, []).append(int(entry))
    return kids


def _tree_memory_kb(root: int, skip_root: bool, with_pss: bool) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in KiB over `root` and its descendants; PSS is 0 unless
    `with_pss` and the kernel has smaps_rollup (whose read walks every page table: ~5 ms
    per GB, so it is sampled less often than RSS, which would otherwise steal a core)."""
    kids = _children_map()
    page_kb = os.sysconf("SC_PAGE_SIZE") // 1024
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        stack.extend(kids.get(pid, ()))
        if skip_root and pid == root:
            continue
        try:
            with open(f"/proc/{pid}/statm", "rb") as f:
                rss += int(f.read().split()[1]) * page_kb
            if with_pss:
                with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
                    m = re.search(rb"^Pss:\s+(\d+) kB", f.read(), re.MULTILINE)
                pss += int(m.group(1)) if m else 0
        except (OSError, IndexError, ValueError):
            continue
    return rss, pss


PSS_EVERY = 10  # RSS samples per PSS sample (every 0.5 s at the default interval)


def run_measured(
    cmd: list[str],
    *,
    stdout: Path | None = None,
    timeout_s: float | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    interval_s: float = 0.05,
) -> Measured:
    """Run `cmd` to completion (or `timeout_s`, then kill its process group) and measure it.

    Peak memory three ways: GNU time's "Maximum resident set size" (the largest single
    process; getrusage of the children when /usr/bin/time is missing), and the largest sums of
    RSS and of PSS over the whole process tree, sampled every `interval_s` (catches worker
    pools and forked children; the RSS sum counts a shared page once per process, so it errs
    high, the PSS sum splits it between them).
    """
    timefile = None
    full = list(cmd)
    use_time = os.path.exists(TIME_BIN)
    if use_time:
        timefile = Path(os.environ.get("TMPDIR", "/tmp")) / f"ctxlens-bench-time-{os.getpid()}"
        full = [TIME_BIN, "-v", "-o", str(timefile), *cmd]
    before = _rusage_children_maxrss_kb()
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL  # noqa: SIM115
    peak = peak_pss = 0
    stop = threading.Event()

    started = time.perf_counter()
    proc = subprocess.Popen(full, stdout=out, stderr=subprocess.PIPE, env=env, cwd=cwd,
                            start_new_session=True)

    def sample() -> None:
        nonlocal peak, peak_pss
        samples = 0
        while not stop.is_set():
            rss, pss = _tree_memory_kb(proc.pid, skip_root=use_time,
                                    with_pss=samples % PSS_EVERY == 0)
            peak, peak_pss = max(peak, rss), max(peak_pss, pss)
            samples += 1
            stop.wait(interval_s)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    err = b""
    timed_out = False
    try:
        _, err = proc.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        timed_out = True
        os.killpg(proc.pid, signal.SIGKILL)  # the session this call started, nothing else
        _, err = proc.communicate()
    wall = time.perf_counter() - started
    stop.set()
    sampler.join()
    if stdout:
        out.close()  # type: ignore[union-attr]
    max_rss_kb = 0
    if timefile is not None and timefile.exists():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timefile.read_text())
        if m:
            max_rss_kb = int(m.group(1))
        timefile.unlink()
    else:
        max_rss_kb = max(_rusage_children_maxrss_kb(), before)
    if proc.returncode not in (0, 1) and not timed_out:
        tail = err.decode("utf-8", "replace")[-2000:]
        print(f"warning: {' '.join(cmd[:3])} … exited {proc.returncode}\n{tail}",
              file=sys.stderr)
    return Measured(wall, proc.returncode, max_rss_kb / 1024, max(peak, max_rss_kb) / 1024,
                    timed_out, peak_pss / 1024)


def _rusage_children_maxrss_kb() -> int:
    import resource

    return int(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)


def ctxlens_executable() -> Path:
    """The `ctxlens` console script next to the running interpreter."""
    exe = Path(sys.executable).parent / "ctxlens"
    if exe.exists():
        return exe
    found = shutil.which("ctxlens")
    if not found:
        raise SystemExit("ctxlens is not installed in this environment")
    return Path(found)


def jscpd_report(out_dir: Path) -> dict[str, object]:
    path = out_dir / "jscpd-report.json"
    if not path.exists():
        return {"duplicates": [], "statistics": {}}
    data: dict[str, object] = json.loads(path.read_text())
    return data


def fmt_mb(mb: float) -> str:
    return f"{mb:,.0f} MB"
