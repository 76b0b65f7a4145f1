"""The stable limit: the largest n for which every check is at most "warn", per profile.

Found by search over n — doubling from START until a check turns critical or the claimed
window is reached, then bisection on a log scale to within TOLERANCE — because the measured
checks have no closed-form inverse. Each step runs the probe's verdict-only measurement.
The result is cached per profile in a JSON file: the key hashes the profile's values, the
probe version and the ctxlens version, so editing a profile or upgrading recomputes it and
nothing else does.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxlens import __version__
from ctxlens.stability.checks import Status
from ctxlens.stability.profiles import Profile

START = 1024
TOLERANCE = 1 / 512  # relative width of the final bracket
CACHE_NAME = "stable_limits.json"


@dataclass(frozen=True, slots=True)
class StableLimit:
    tokens: int  # 0: critical even at one token
    profile: str
    cached: bool
    cache_file: str | None
    evaluations: int  # probe runs this call made (0 when cached)
    elapsed_s: float


def default_cache_dir() -> Path:
    """The user's cache folder for ctxlens (XDG on Linux, Library/Caches on macOS,
    LOCALAPPDATA on Windows)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "ctxlens"


def cache_key(profile: Profile) -> str:
    from ctxlens.stability.probe import PROBE_VERSION

    doc = {"profile": profile.values(), "probe": PROBE_VERSION, "ctxlens": __version__}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def search(verdict: Callable[[int], Status], cap: int, start: int = START) -> tuple[int, int]:
    """Largest n in [0, cap] with verdict(n) ≠ critical, assuming it turns critical once and
    stays so. Returns (n, evaluations)."""
    calls = 0

    def ok(n: int) -> bool:
        nonlocal calls
        calls += 1
        return verdict(n) != "critical"

    lo, hi = 0, None  # lo: largest n known fine; hi: smallest n known critical
    n = min(start, cap)
    while hi is None:
        if ok(n):
            lo = n
            if n >= cap:
                return cap, calls
            n = min(2 * n, cap)
        else:
            hi = n
    while hi - lo > max(1, math.floor(lo * TOLERANCE)):
        mid = round(math.sqrt(lo * hi)) if lo > 0 else hi // 2
        mid = min(max(mid, lo + 1), hi - 1)
        if ok(mid):
            lo = mid
        else:
            hi = mid
    return lo, calls


def _read(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}  # missing or corrupt: recompute and rewrite
    return doc if isinstance(doc, dict) else {}


def _write(path: Path, doc: dict[str, Any]) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".stable_limits.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(doc, f, indent=1, sort_keys=True)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old or the new file
    except OSError:
        pass  # a read-only cache costs a recomputation next time, nothing else


def cached_limit(profile: Profile, cache_path: Path | None = None) -> int | None:
    """The cached limit for `profile`, or None; never imports torch."""
    path = cache_path or default_cache_dir() / CACHE_NAME
    entry = _read(path).get(cache_key(profile))
    if isinstance(entry, dict) and isinstance(entry.get("tokens"), int):
        return int(entry["tokens"])
    return None


def find_stable_limit(
    profile: Profile, *, cache_path: Path | None = None, refresh: bool = False
) -> StableLimit:
    """The stable limit with how it was obtained. Raises ProbeUnavailable without torch
    (unless cached)."""
    path = cache_path or default_cache_dir() / CACHE_NAME
    if not refresh:
        hit = cached_limit(profile, path)
        if hit is not None:
            return StableLimit(hit, profile.name, True, str(path), 0, 0.0)
    from ctxlens.stability.probe import verdict_at

    started = time.perf_counter()
    tokens, calls = search(lambda n: verdict_at(profile, n), profile.context_window)
    elapsed = time.perf_counter() - started
    doc = _read(path)
    doc[cache_key(profile)] = {
        "tokens": tokens, "profile": profile.name, "ctxlens": __version__,
        "computed_s": round(elapsed, 3), "at": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    _write(path, doc)
    return StableLimit(tokens, profile.name, False, str(path), calls, elapsed)


def stable_limit(profile: Profile, *, cache_path: Path | None = None) -> int:
    """Largest context (tokens) for which every check of `profile` is at most "warn".

    The pack uses it as its default part size. Cached per profile; the first call per
    profile runs the probe ~10–30 times (≈ 0.1–3 s on a laptop CPU).
    """
    return find_stable_limit(profile, cache_path=cache_path).tokens
