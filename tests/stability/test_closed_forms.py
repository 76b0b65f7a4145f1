"""The probe against the closed forms of DESIGN.md, which are exact for the synthetic case."""

from __future__ import annotations

import math

import pytest
import torch

from ctxlens.stability import closed_forms as cf
from ctxlens.stability import kernels
from ctxlens.stability.measurements import NO_MAX, ONLINE_FP32
from ctxlens.stability.profiles import RopeScaling
from ctxlens.stability.rope import inv_freq, measure_phase


def reference(n: int, sigma: float, margin: float, seed: int = 0) -> kernels.StreamResult:
    chunks = kernels.synthetic_chunks(n, sigma, margin, seed)
    return kernels.attend(chunks, [("fp16", ONLINE_FP32)], needle=n // 2)


@pytest.mark.parametrize("n", [1 << 16, 1 << 18, 1 << 20])
def test_needle_weight_matches_closed_form_within_one_percent(n: int) -> None:
    measured = reference(n, 1.0, 8.0).needle_weight
    assert measured is not None
    assert measured == pytest.approx(cf.needle_weight(n, 8.0, 1.0), rel=0.01)


def test_half_point_is_where_the_needle_keeps_half() -> None:
    # Δ = 12 puts n½ near 99k, where the bulk sum's sampling error is ~0.4 %.
    half = cf.half_point(12.0, 1.0)
    assert half == pytest.approx(1 + math.exp(11.5))
    w = reference(round(half), 1.0, 12.0, seed=3).needle_weight
    assert w == pytest.approx(0.5, rel=0.01)


def test_noise_and_entropy_match_closed_forms() -> None:
    n = 1 << 18
    r = reference(n, 1.0, 8.0)
    assert r.needle_weight is not None
    snr = r.needle_weight / math.sqrt(r.sum_w2 - r.needle_weight**2)
    assert snr == pytest.approx(cf.snr(n, 8.0, 1.0), rel=0.03)
    assert 1 / r.sum_w2 == pytest.approx(cf.effective_keys(n, 8.0, 1.0), rel=0.03)
    assert r.entropy / math.log(n) == pytest.approx(cf.entropy_ratio(n, 8.0, 1.0), rel=0.01)


def test_streamed_reference_equals_one_shot_softmax() -> None:
    n = 150_000  # three chunks, the last one partial
    chunks = list(kernels.synthetic_chunks(n, 1.0, 8.0, seed=5))
    logits = torch.cat([c.logits for c in chunks])
    values = torch.cat([c.values for c in chunks])
    weights, _ = kernels.naive_reference(logits, values)
    r = kernels.attend(chunks, [("fp16", ONLINE_FP32)], needle=n // 2)
    assert r.needle_weight == pytest.approx(float(weights[n // 2]), rel=1e-12)
    assert r.sum_w2 == pytest.approx(float((weights**2).sum()), rel=1e-12)


def test_keys_do_not_depend_on_n() -> None:
    """The limit search relies on one fixed sequence growing, not a new draw per n."""
    short = next(kernels.synthetic_chunks(1000, 1.0, 8.0, seed=2)).logits
    long = next(kernels.synthetic_chunks(100_000, 1.0, 8.0, seed=2)).logits[:1000]
    assert torch.equal(short[:400], long[:400])  # both needles sit past 400


def test_fp16_sum_overflow_point_n_star() -> None:
    assert cf.sum_overflow_n("fp16", 1.0) == pytest.approx(65504 / math.exp(0.5))
    assert round(cf.sum_overflow_n("fp16", 1.0)) == 39730
    n_star = cf.sum_overflow_n("fp16", 1.0, margin=8.0)  # the needle uses e^8 of the range
    assert n_star == pytest.approx(1 + (65504 - math.exp(8)) / math.exp(0.5))
    for n, broken in ((int(0.95 * n_star), False), (int(1.05 * n_star), True)):
        chunks = kernels.synthetic_chunks(n, 1.0, 8.0)
        run = kernels.attend(chunks, [("fp16", NO_MAX)], needle=n // 2).runs[0]
        assert run.nonfinite is broken, n
    # bf16 shares fp32's exponent: its n* is astronomically far.
    assert cf.sum_overflow_n("bf16", 1.0) > 1e37


def test_exp_overflow_logit() -> None:
    assert cf.exp_overflow_logit("fp16") == pytest.approx(11.09, abs=0.01)
    assert math.isinf(float(torch.exp(torch.tensor(11.1, dtype=torch.float16))))
    assert math.isfinite(float(torch.exp(torch.tensor(11.08, dtype=torch.float16))))


@pytest.mark.parametrize(("dtype", "onset"), [("fp16", 2048), ("bf16", 256)])
def test_neighbour_collision_onset_is_two_to_the_t(dtype: str, onset: int) -> None:
    assert cf.collision_onset(dtype) == onset
    before = measure_phase(onset - 1, dtype, 10000.0, 128, RopeScaling())
    at = measure_phase(onset, dtype, 10000.0, 128, RopeScaling())
    assert before.spacing == 1 and cf.position_spacing(onset - 1, dtype) == 1
    assert at.spacing == 2 and cf.position_spacing(onset, dtype) == 2
    # the collision itself: onset and onset + 1 are stored as one value
    low = kernels.TORCH_DTYPES[dtype]
    pair = torch.tensor([onset, onset + 1], dtype=torch.float64).to(low)
    assert pair[0] == pair[1]
    assert cf.collision_onset("fp32") == 1 << 24


def test_fp16_positions_overflow_at_65520() -> None:
    assert cf.position_overflow("fp16") == 65520
    assert measure_phase(65519, "fp16", 10000.0, 128, RopeScaling()).stored == 65504
    over = measure_phase(65520, "fp16", 10000.0, 128, RopeScaling())
    assert math.isinf(over.stored) and math.isinf(over.angle_error)
    assert math.isfinite(measure_phase(65520, "bf16", 10000.0, 128, RopeScaling()).stored)


def test_rope_wavelength_and_llama3_scaling() -> None:
    plain = inv_freq(500000.0, 128, RopeScaling())
    assert float(2 * math.pi / plain.min()) == pytest.approx(cf.longest_wavelength(500000, 128))
    llama3 = RopeScaling("llama3", 8.0, 8192, 1.0, 4.0)
    scaled = inv_freq(500000.0, 128, llama3)
    assert float(scaled[0]) == 1.0  # fast frequencies untouched
    assert float(scaled.min()) == pytest.approx(float(plain.min()) / 8)  # slow ones slowed 8×
    linear = inv_freq(10000.0, 64, RopeScaling("linear", 4.0))
    assert torch.allclose(linear, inv_freq(10000.0, 64, RopeScaling()) / 4)


def test_fp32_phase_angle_error_is_small_fp16_is_not() -> None:
    assert measure_phase(1_000_000, "fp32", 500000.0, 128, RopeScaling()).angle_error < 0.2
    assert measure_phase(1500, "fp16", 500000.0, 128, RopeScaling()).angle_error > 0.1
