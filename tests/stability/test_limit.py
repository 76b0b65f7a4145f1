"""The stable limit: search over n, cached per profile."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxlens.stability import limit as lim
from ctxlens.stability.checks import Status
from ctxlens.stability.profiles import get_profile, with_values


def threshold_at(edge: int) -> tuple[list[int], object]:
    asked: list[int] = []

    def verdict(n: int) -> Status:
        asked.append(n)
        return "critical" if n >= edge else "warn"

    return asked, verdict


@pytest.mark.parametrize("edge", [1, 2, 700, 1025, 50_000, 1_000_000])
def test_search_finds_the_edge_within_tolerance(edge: int) -> None:
    asked, verdict = threshold_at(edge)
    found, calls = lim.search(verdict, cap=2_000_000)  # type: ignore[arg-type]
    assert found < edge
    assert edge - 1 - found <= max(0, int((edge - 1) * lim.TOLERANCE))
    assert calls == len(asked) <= 32


def test_search_stops_at_the_cap() -> None:
    asked, verdict = threshold_at(10**9)
    assert lim.search(verdict, cap=300_000)[0] == 300_000  # type: ignore[arg-type]
    assert max(asked) == 300_000


def test_gpt4o_limit_is_twice_its_effective_length(tmp_path: Path) -> None:
    cache = tmp_path / "limits.json"
    first = lim.find_stable_limit(get_profile("gpt-4o"), cache_path=cache)
    assert not first.cached and first.evaluations > 0
    assert 16383 * (1 - lim.TOLERANCE) <= first.tokens <= 16383  # critical from 2 × 8192
    again = lim.find_stable_limit(get_profile("gpt-4o"), cache_path=cache)
    assert again.cached and again.evaluations == 0 and again.tokens == first.tokens
    assert lim.stable_limit(get_profile("gpt-4o"), cache_path=cache) == first.tokens
    doc = json.loads(cache.read_text())
    assert doc[lim.cache_key(get_profile("gpt-4o"))]["tokens"] == first.tokens


def test_limits_follow_the_profile(tmp_path: Path) -> None:
    cache = tmp_path / "limits.json"
    llama = get_profile("llama-3.1-8b-instruct")
    fp16_phase = with_values(llama, phase_dtype="fp16")
    assert lim.cache_key(fp16_phase) != lim.cache_key(llama)
    # fp16 phases collide from position 2048: n = 2049 is the first critical context
    assert 2048 * (1 - lim.TOLERANCE) <= lim.stable_limit(fp16_phase, cache_path=cache) <= 2048
    # no effective-length measurement, no other critical check: the claimed window
    assert lim.stable_limit(get_profile("qwen2.5-7b-instruct"), cache_path=cache) == 32768
    assert len(json.loads(cache.read_text())) == 2


def test_a_corrupt_cache_is_recomputed_and_rewritten(tmp_path: Path) -> None:
    cache = tmp_path / "limits.json"
    cache.write_text("{not json")
    qwen = get_profile("qwen2.5-7b-instruct")
    assert lim.cached_limit(qwen, cache) is None
    assert lim.stable_limit(qwen, cache_path=cache) == 32768
    assert lim.cached_limit(qwen, cache) == 32768


def test_default_cache_dir_honours_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert lim.default_cache_dir() == tmp_path / "ctxlens"
