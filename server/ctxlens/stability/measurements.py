"""What the probe measured, as plain frozen dataclasses: no torch, so the checks, the report
and callers can read results without importing it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Variant:
    """How a kernel computes softmax: whether it subtracts the running max, and whether its
    running sum and output accumulate in fp32 or in the attention dtype."""

    name: str
    max_subtraction: bool
    fp32_accumulators: bool


NO_MAX = Variant("no-max", max_subtraction=False, fp32_accumulators=False)
MAX_LOWP = Variant("max-lowp", max_subtraction=True, fp32_accumulators=False)
ONLINE_FP32 = Variant("online-fp32", max_subtraction=True, fp32_accumulators=True)
VARIANTS: tuple[Variant, ...] = (NO_MAX, MAX_LOWP, ONLINE_FP32)


def variant_for(max_subtraction: bool, fp32_accumulators: bool) -> Variant:
    for v in VARIANTS:
        if (v.max_subtraction, v.fp32_accumulators) == (max_subtraction, fp32_accumulators):
            return v
    return Variant("no-max-fp32", max_subtraction, fp32_accumulators)


@dataclass(frozen=True, slots=True)
class RunResult:
    dtype: str
    variant: Variant
    rel_error: float  # ‖o − o_ref‖ / ‖o_ref‖, reference in fp64 on the same rounded inputs
    denominator_error: float  # relative error of the softmax sum
    nonfinite: bool
    overflow_margin: float  # format max / largest exp or running sum reached (≤ 1: overflowed)


@dataclass(frozen=True, slots=True)
class Underflow:
    dtype: str
    share: float  # share of keys whose weight rounds to zero in dtype
    mass: float  # their total fp64 weight
    bin_width: float  # logit resolution of the count


@dataclass(frozen=True, slots=True)
class PhaseResult:
    dtype: str
    position: int
    stored: float  # the position as the phase dtype holds it (inf past its range)
    spacing: float  # gap to the next representable position (≥ 2: neighbours collide)
    angle_error: float  # max over frequencies of |angle − exact| in radians (wrapped)
    longest_wavelength: float  # positions per turn of the slowest (scaled) frequency


@dataclass(frozen=True, slots=True)
class Measurements:
    n: int
    sigma: float
    margin: float
    seed: int
    needle_weight: float
    entropy_ratio: float  # H / ln n
    snr: float  # w_needle / √(Σ_bulk w²)
    effective_keys: float  # 1 / Σw²
    runs: tuple[RunResult, ...]  # every (dtype, variant) measured
    profile_run: RunResult  # the profile's own dtype and variant
    underflow: tuple[Underflow, ...]
    phase: PhaseResult | None  # None: the model has no rotary positions
    elapsed_s: float


@dataclass(frozen=True, slots=True)
class UnitAttention:
    unit: int  # index of the query's unit in the raw context
    copies: int  # how many units share its content (1: unique)
    own_raw: float  # attention the unit's query keeps on its own unit, raw context
    own_dedup: float  # the same after duplicates are collapsed


@dataclass(frozen=True, slots=True)
class ContentReport:
    tokens_raw: int
    tokens_dedup: int
    units: int
    distinct_units: int
    queries: tuple[UnitAttention, ...]
    own_raw: float  # mean over queries
    own_dedup: float
    duplicated_raw: float | None  # mean over the queries of duplicated units (None: none)
    duplicated_dedup: float | None
    embed_dim: int
    seed: int
