"""Closed forms for the synthetic case the probe measures, and the float formats' facts.

The synthetic case: one relevant key ("the needle") with logit Δ among n − 1 keys whose
logits are N(0, σ²). The forms below are exact for its expectations (ratios of expected
sums); the kernels measure one seeded draw, so measured and closed form agree to the
sampling error (≈ 1.3/√n relative on the bulk sum for σ = 1). Pure math: no torch here, so
the report and the checks can quote these without importing it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FloatFormat:
    name: str
    significand_bits: int  # t, counting the implicit leading bit
    max_finite: float
    min_subnormal: float


# IEEE 754 binary16 / binary32, and bfloat16 (binary32's exponent, 8 significand bits).
FORMATS: dict[str, FloatFormat] = {
    "fp16": FloatFormat("fp16", 11, 65504.0, 2.0**-24),
    "bf16": FloatFormat("bf16", 8, (2.0 - 2.0**-7) * 2.0**127, 2.0**-133),
    "fp32": FloatFormat("fp32", 24, (2.0 - 2.0**-23) * 2.0**127, 2.0**-149),
}


def float_format(name: str) -> FloatFormat:
    try:
        return FORMATS[name]
    except KeyError:
        raise ValueError(f"unknown precision {name!r}; use one of {', '.join(FORMATS)}") from None


# ---- dilution ---------------------------------------------------------------------------

def needle_weight(n: int, margin: float, sigma: float) -> float:
    """w(n) = e^Δ / (e^Δ + (n−1)·e^{σ²/2}): the needle's share of attention."""
    if n < 1:
        raise ValueError("n must be at least 1")
    # Divide through by e^Δ so large margins do not overflow.
    return 1.0 / (1.0 + (n - 1) * math.exp(sigma * sigma / 2 - margin))


def half_point(margin: float, sigma: float) -> float:
    """n½ = 1 + e^{Δ−σ²/2}: the n at which the needle keeps half its weight."""
    return 1.0 + math.exp(margin - sigma * sigma / 2)


def entropy_ratio(n: int, margin: float, sigma: float) -> float:
    """Expected H / ln n of the attention weights (1 = uniform, 0 = all on one key)."""
    if n < 2:
        return 0.0
    # Work relative to e^Δ: z = Z/e^Δ, and Σ w·s = (Δ + (n−1)σ²e^{σ²/2−Δ}) / z.
    bulk = (n - 1) * math.exp(sigma * sigma / 2 - margin)
    z = 1.0 + bulk
    mean_logit = (margin + bulk * sigma * sigma) / z
    entropy = margin + math.log(z) - mean_logit
    return entropy / math.log(n)


# ---- noise ------------------------------------------------------------------------------

def snr(n: int, margin: float, sigma: float) -> float:
    """Needle signal over bulk noise in the output: e^{Δ−σ²}/√(n−1).

    With unit-variance values the noise per output dimension is √(Σ_bulk w²); its expected
    square is (n−1)e^{2σ²}/Z² and the needle's weight is e^Δ/Z, so Z cancels. DESIGN.md
    writes √n, the same for any n the probe cares about.
    """
    if n < 2:
        return math.inf
    return math.exp(margin - sigma * sigma) / math.sqrt(n - 1)


def effective_keys(n: int, margin: float, sigma: float) -> float:
    """Expected 1/Σw²: how many keys the attention effectively averages over."""
    bulk = (n - 1) * math.exp(sigma * sigma / 2 - margin)
    squares = 1.0 + (n - 1) * math.exp(2 * sigma * sigma - 2 * margin)
    return (1.0 + bulk) ** 2 / squares


# ---- positions --------------------------------------------------------------------------

def position_spacing(position: int, precision: str) -> float:
    """Gap between position p and the next representable value: 2^(⌊log₂p⌋−t+1), at least 1.

    A gap of 2 or more means neighbouring integer positions round to one value, so they get
    one RoPE angle.
    """
    fmt = float_format(precision)
    if position >= position_overflow(precision):
        return math.inf
    if position < 1:
        return 1.0
    return max(1.0, 2.0 ** (math.floor(math.log2(position)) - fmt.significand_bits + 1))


def collision_onset(precision: str) -> int:
    """First position whose neighbour shares its value: 2^t (fp16 2048, bf16 256, fp32 2^24)."""
    return 1 << float_format(precision).significand_bits


def position_overflow(precision: str) -> float:
    """Smallest integer that rounds to inf: max + half an ulp (fp16: 65504 + 16 = 65520)."""
    fmt = float_format(precision)
    ulp_at_max = 2.0 ** (math.floor(math.log2(fmt.max_finite)) - fmt.significand_bits + 1)
    return fmt.max_finite + ulp_at_max / 2


def longest_wavelength(base: float, head_dim: int, scale: float = 1.0) -> float:
    """Positions per turn of RoPE's slowest dimension: 2π·base^{(d−2)/d}, times the factor by
    which a scaling (linear, llama3) slows the lowest frequencies.

    Past it the slowest dimension wraps and distances stop being unique (the "aliasing" bound
    discussed in Men et al., "Base of RoPE Bounds Context Length", arXiv:2405.14591).
    """
    return 2 * math.pi * float(base ** ((head_dim - 2) / head_dim)) * scale


# ---- numerics ---------------------------------------------------------------------------

def exp_overflow_logit(precision: str) -> float:
    """Largest x with e^x finite in the format: ln(max) (fp16 ≈ 11.09)."""
    return math.log(float_format(precision).max_finite)


def sum_overflow_n(precision: str, sigma: float, margin: float | None = None) -> float:
    """n* at which Σe^{s} (no max-subtraction) passes the format's max.

    Without a needle n* = max/e^{σ²/2} (DESIGN.md); with one, the needle's e^Δ uses up part of
    the range: n* = 1 + (max − e^Δ)/e^{σ²/2}.
    """
    top = float_format(precision).max_finite
    if margin is None:
        return top / math.exp(sigma * sigma / 2)
    return 1.0 + (top - math.exp(margin)) / math.exp(sigma * sigma / 2)


def underflow_cutoff(precision: str) -> float:
    """Weights below half the smallest subnormal round to zero (ties go to even, i.e. 0)."""
    return float_format(precision).min_subnormal / 2
