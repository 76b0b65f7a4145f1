"""Verdicts change exactly where the thresholds say, measured with the real kernels."""

from __future__ import annotations

import math
from typing import Any

import pytest

from ctxlens.stability import checks as ck
from ctxlens.stability import closed_forms as cf
from ctxlens.stability.checks import Check, evaluate, worst
from ctxlens.stability.probe import check_context, measure
from ctxlens.stability.profiles import Profile, RopeScaling, get_profile, with_values


def variant_of(name: str = "llama-3.1-8b-instruct", **changes: Any) -> Profile:
    """A built-in profile with some settings changed."""
    return with_values(get_profile(name), **changes)


def statuses(profile: Profile, n: int) -> dict[str, str]:
    return {c.name: c.status for c in evaluate(profile, measure(profile, n, full=False))}


def test_every_check_carries_value_status_threshold_and_source() -> None:
    result = check_context(get_profile("gpt-4o"), 50_000)
    names = {c.name for c in result.checks}
    for category in ("window", "dilution", "noise", "positions", "numerics", "capacity"):
        assert any(name.startswith(category + ".") for name in names)
    for c in result.checks:
        assert c.status in ("ok", "warn", "critical", "info")
        assert c.threshold and c.source, c.name
    assert result.verdict == worst([c.status for c in result.checks])
    # all six (dtype, variant) runs are reported, the profile's own counted once
    assert len(result.measurements.runs) == 6


def test_verdict_is_the_worst_counted_status() -> None:
    assert worst(["ok", "info", "warn"]) == "warn"
    assert worst(["info", "info"]) == "ok"
    assert worst(["warn", "critical", "ok"]) == "critical"


def test_effective_length_thresholds() -> None:
    gpt4o = get_profile("gpt-4o")  # NoLiMa: effective 8K
    assert gpt4o.effective_context == 8192
    expected = {8192: "ok", 8193: "warn", 16383: "warn", 16384: "critical"}
    for n, status in expected.items():
        assert statuses(gpt4o, n)["window.effective"] == status, n
    assert statuses(get_profile("gpt-4.1"), 100_000)["window.effective"] == "info"


def test_claimed_window_threshold() -> None:
    qwen = get_profile("qwen2.5-7b-instruct")
    assert statuses(qwen, 32768)["window.claimed"] == "ok"
    assert statuses(qwen, 32769)["window.claimed"] == "critical"


def test_dilution_warns_past_the_half_point() -> None:
    p = variant_of(margin=12.0)  # n½ ≈ 98.7k, where sampling noise is small
    half = cf.half_point(12.0, 1.0)
    assert statuses(p, int(0.9 * half))["dilution.needle_weight"] == "ok"
    assert statuses(p, int(1.1 * half))["dilution.needle_weight"] == "warn"


def test_snr_thresholds() -> None:
    p = get_profile("gpt-4.1")  # σ = 1, Δ = 8: SNR 3 near 134k, 1 near 1.2M
    three = (math.exp(7) / ck.SNR_WARN) ** 2
    one = (math.exp(7) / ck.SNR_CRITICAL) ** 2
    assert statuses(p, int(0.8 * three))["noise.snr"] == "ok"
    assert statuses(p, int(1.2 * three))["noise.snr"] == "warn"
    assert statuses(p, int(0.85 * one))["noise.snr"] == "warn"
    wide = with_values(p, context_window=2_000_000)
    assert statuses(wide, int(1.2 * one))["noise.snr"] == "critical"


def test_fp16_phase_collides_from_2048_and_overflows_from_65520() -> None:
    p = variant_of(phase_dtype="fp16")
    assert statuses(p, 2048)["positions.collision"] == "ok"  # last position 2047
    assert statuses(p, 2049)["positions.collision"] == "critical"  # 2048 shares with 2049
    assert statuses(p, 65520)["positions.overflow"] == "ok"
    assert statuses(p, 65521)["positions.overflow"] == "critical"
    bf16 = variant_of(phase_dtype="bf16")
    assert statuses(bf16, 256)["positions.collision"] == "ok"
    assert statuses(bf16, 257)["positions.collision"] == "critical"
    assert statuses(get_profile("llama-3.1-8b-instruct"), 100_000)["positions.collision"] == "ok"


def test_rope_base_warns_past_the_longest_wavelength() -> None:
    p = variant_of(rope_base=10000.0, rope_scaling=RopeScaling())
    wavelength = cf.longest_wavelength(10000.0, 128)
    assert statuses(p, int(0.95 * wavelength))["positions.rope_base"] == "ok"
    assert statuses(p, int(1.05 * wavelength))["positions.rope_base"] == "warn"
    # Llama 3.1's scaling slows the lowest frequency 8×: no warning at its window
    assert statuses(get_profile("llama-3.1-8b-instruct"), 131072)["positions.rope_base"] == "ok"


def test_no_max_fp16_kernel_turns_critical_at_n_star() -> None:
    p = variant_of(attention_dtype="fp16", accumulator_dtype="fp16", max_subtraction=False)
    n_star = cf.sum_overflow_n("fp16", 1.0, 8.0)
    below = statuses(p, int(0.9 * n_star))
    above = statuses(p, int(1.05 * n_star))
    assert below["numerics.nonfinite"] == "ok"
    assert below["numerics.overflow_margin"] == "warn"  # within 2× of overflowing
    assert statuses(p, int(0.4 * n_star))["numerics.overflow_margin"] == "ok"
    assert above["numerics.nonfinite"] == "critical"
    assert above["numerics.overflow_margin"] == "critical"


def test_fp16_accumulator_error_thresholds() -> None:
    p = variant_of(attention_dtype="fp16", accumulator_dtype="fp16")
    assert statuses(p, 1 << 15)["numerics.error"] == "ok"  # ≈ 0.3 %
    assert statuses(p, 1 << 17)["numerics.error"] == "warn"  # ≈ 2.5 %
    wide = variant_of(attention_dtype="fp16", accumulator_dtype="fp16",
                      context_window=2_000_000)
    assert statuses(wide, 1 << 20)["numerics.error"] == "critical"  # > 100 %
    # the same sizes with fp32 accumulators stay ok
    assert statuses(get_profile("llama-3.1-8b-instruct"), 1 << 17)["numerics.error"] == "ok"


def test_underflow_thresholds_follow_the_measured_share() -> None:
    p = variant_of(attention_dtype="fp16", logit_sigma=3.0)
    result = evaluate(p, measure(p, 200_000, full=False))
    check = next(c for c in result if c.name == "numerics.underflow[fp16]")
    assert check.value is not None and check.value > ck.UNDERFLOW_WARN
    expected = "critical" if check.value >= ck.UNDERFLOW_CRITICAL else "warn"
    assert check.status == expected
    narrow = variant_of(attention_dtype="fp16")  # σ = 1: nothing underflows at 200k
    quiet = evaluate(narrow, measure(narrow, 200_000, full=False))
    assert next(c for c in quiet if c.name == "numerics.underflow[fp16]").status == "ok"


def test_capacity_is_information_only() -> None:
    llama: list[Check] = list(check_context(get_profile("llama-3.1-8b-instruct"), 8000).checks)
    cap = next(c for c in llama if c.name == "capacity.params_per_token")
    assert cap.status == "info" and cap.value == pytest.approx(8030261248 / 8000)
    gpt = next(c for c in check_context(get_profile("gpt-4.1"), 8000).checks
               if c.name == "capacity.params_per_token")
    assert gpt.value is None and gpt.source == "not published"
