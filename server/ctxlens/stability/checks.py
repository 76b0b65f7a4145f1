"""Measurements → checks: each a value, ok / warn / critical (or info), the threshold that
decided it and where that threshold comes from. Pure: no torch, no IO.

Thresholds that are ctxlens's own choices say so in their source; the others cite the
format, the closed form or the benchmark they come from. Only the profile's own kernel
variant and precisions count towards the verdict; the other variants are shown as info so
the user sees what a different serving stack would do.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from ctxlens.stability import closed_forms as cf
from ctxlens.stability.measurements import Measurements, RunResult
from ctxlens.stability.profiles import Profile

Status = Literal["ok", "warn", "critical", "info"]
_RANK: dict[str, int] = {"info": 0, "ok": 1, "warn": 2, "critical": 3}

# Threshold values, named so tests and docs can refer to them.
DILUTION_WARN = 0.5  # needle weight below half: past n½
SNR_WARN = 3.0  # the usual detection margin: signal three noise-deviations clear
SNR_CRITICAL = 1.0  # signal no larger than noise
EFFECTIVE_CRITICAL_FACTOR = 2  # the benchmark's next measured length
ANGLE_WARN = 0.5  # radians: half the neighbour step of RoPE's fastest frequency (θ₀ = 1)
COLLISION_CRITICAL = 2.0  # spacing ≥ 2: neighbouring positions share a value
ERROR_WARN = 1e-2
ERROR_CRITICAL = 1e-1
UNDERFLOW_WARN = 0.01
UNDERFLOW_CRITICAL = 0.10
MARGIN_WARN = 2.0
MARGIN_CRITICAL = 1.0


@dataclass(frozen=True, slots=True)
class Check:
    name: str  # "dilution.needle_weight"
    category: str  # window | dilution | noise | positions | numerics | capacity
    value: float | None  # None: nothing to measure (e.g. not published)
    unit: str
    status: Status
    threshold: str
    source: str
    closed_form: float | None = None
    detail: str = ""


def worst(statuses: Sequence[Status]) -> Status:
    """The verdict: the worst of ok / warn / critical (info never counts)."""
    counted = [s for s in statuses if s != "info"]
    return max(counted, key=lambda s: _RANK[s]) if counted else "ok"


def _above(value: float, warn: float, critical: float | None) -> Status:
    """Status for a quantity that is bad when large."""
    if math.isnan(value) or (critical is not None and value >= critical):
        return "critical"
    return "warn" if value >= warn else "ok"


def _below(value: float, warn: float, critical: float | None) -> Status:
    """Status for a quantity that is bad when small."""
    if math.isnan(value) or (critical is not None and value < critical):
        return "critical"
    return "warn" if value < warn else "ok"


def _margin_status(margin: float) -> Status:
    if math.isnan(margin) or margin <= MARGIN_CRITICAL:
        return "critical"
    return "warn" if margin < MARGIN_WARN else "ok"


def _fmt(x: float) -> str:
    if math.isinf(x):
        return "inf"
    if x == 0 or 1e-3 <= abs(x) < 1e9:
        return f"{x:,.4g}"
    return f"{x:.3g}"


def window_checks(profile: Profile, n: int) -> list[Check]:
    window = profile.context_window
    out = [Check(
        "window.claimed", "window", float(n), "tokens",
        "critical" if n > window else "ok",
        f"critical above the claimed window, {window:,}",
        profile.source("context_window"),
        detail=f"{n / window:.1%} of the claimed window",
    )]
    eff = profile.effective_context
    if eff is None:
        out.append(Check(
            "window.effective", "window", None, "tokens", "info", "no measurement",
            profile.source("effective_context"),
            detail="no published long-context benchmark for this model",
        ))
    else:
        limit = EFFECTIVE_CRITICAL_FACTOR * eff
        status: Status = "critical" if n >= limit else "warn" if n > eff else "ok"
        out.append(Check(
            "window.effective", "window", float(n), "tokens", status,
            f"warn above {eff:,}, critical from {limit:,}",
            f"{profile.source('effective_context')}; critical from 2× = the benchmark's next "
            f"length, where it measured the model below its threshold",
            detail=f"{n / eff:.2f}× the measured effective length",
        ))
    return out


def dilution_checks(m: Measurements) -> list[Check]:
    w_cf = cf.needle_weight(m.n, m.margin, m.sigma)
    half = cf.half_point(m.margin, m.sigma)
    h_cf = cf.entropy_ratio(m.n, m.margin, m.sigma)
    return [
        Check(
            "dilution.needle_weight", "dilution", m.needle_weight, "",
            _below(m.needle_weight, DILUTION_WARN, None),
            f"warn below {DILUTION_WARN} (past n½ = {half:,.0f}); never critical alone",
            "w = e^Δ/(e^Δ + (n−1)e^{σ²/2}) (Scalable-Softmax, arXiv:2501.19399); dilution is "
            "gradual and turns critical through noise.snr",
            closed_form=w_cf,
            detail=f"Δ = {m.margin:g}, σ = {m.sigma:g}; measured {_fmt(m.needle_weight)}, "
                   f"closed form {_fmt(w_cf)}",
        ),
        Check(
            "dilution.entropy", "dilution", m.entropy_ratio, "H/ln n", "info", "information",
            "attention entropy over ln n (Chiang & Cholak, ACL 2022): 1 = uniform",
            closed_form=h_cf,
        ),
    ]


def noise_checks(m: Measurements) -> list[Check]:
    snr_cf = cf.snr(m.n, m.margin, m.sigma)
    keys_cf = cf.effective_keys(m.n, m.margin, m.sigma)
    return [
        Check(
            "noise.snr", "noise", m.snr, "", _below(m.snr, SNR_WARN, SNR_CRITICAL),
            f"warn below {SNR_WARN:g}, critical below {SNR_CRITICAL:g}",
            "SNR ≈ e^{Δ−σ²}/√n (DESIGN.md); 3 = the usual detection margin, 1 = signal no "
            "larger than noise (ctxlens thresholds)",
            closed_form=snr_cf,
            detail=f"needle weight over the bulk's noise √Σw²; closed form {_fmt(snr_cf)}",
        ),
        Check(
            "noise.effective_keys", "noise", m.effective_keys, "keys", "info", "information",
            "1/Σw²: how many keys the output effectively averages",
            closed_form=keys_cf,
        ),
    ]


def position_checks(profile: Profile, m: Measurements) -> list[Check]:
    ph = m.phase
    if ph is None or profile.rope_base is None:
        return [Check("positions.rope", "positions", None, "", "info", "not applicable",
                      profile.source("rope_base"), detail="the model has no rotary positions")]
    dtype = profile.phase_dtype
    fmt = cf.float_format(dtype)
    overflow = cf.position_overflow(dtype)
    onset = cf.collision_onset(dtype)
    p = m.n - 1
    phase_src = profile.source("phase_dtype")
    spacing_cf = cf.position_spacing(p, dtype)
    wavelength = ph.longest_wavelength
    return [
        Check(
            "positions.overflow", "positions", ph.stored, "position",
            "critical" if math.isinf(ph.stored) else "ok",
            f"critical from position {_fmt(overflow)} ({dtype} rounds it to inf)",
            f"IEEE 754 {dtype}: max {_fmt(fmt.max_finite)}, integers from max + ulp/2 round to "
            f"inf; phase dtype: {phase_src}",
            closed_form=overflow,
            detail=f"position {p:,} stored as {_fmt(ph.stored)}",
        ),
        Check(
            "positions.collision", "positions", ph.spacing, "positions",
            _above(ph.spacing, COLLISION_CRITICAL, COLLISION_CRITICAL),
            f"critical from spacing 2, i.e. from position 2^t = {onset:,}",
            f"{dtype} has t = {fmt.significand_bits} significant bits: spacing "
            f"2^(⌊log₂p⌋−t+1) (DESIGN.md); phase dtype: {phase_src}",
            closed_form=spacing_cf,
            detail=f"{_fmt(ph.spacing)} integer positions share position {p:,}'s value",
        ),
        Check(
            "positions.angle_error", "positions", ph.angle_error, "rad",
            _above(ph.angle_error, ANGLE_WARN, None),
            f"warn from {ANGLE_WARN} rad (half the neighbour step of the fastest frequency)",
            "RoPE angle p·θᵢ with θ₀ = 1 rad (Su et al., arXiv:2104.09864), computed in the "
            f"phase dtype vs fp64; phase dtype: {phase_src}",
            detail=f"largest angle error at position {p:,} over {profile.head_dim // 2} "
                   f"frequencies",
        ),
        Check(
            "positions.rope_base", "positions", wavelength, "positions",
            "warn" if m.n > wavelength else "ok",
            f"warn when n exceeds the slowest frequency's wavelength, {wavelength:,.0f}",
            f"aliasing bound n < 2π·base^((d−2)/d) (Men et al., arXiv:2405.14591); base "
            f"{profile.rope_base:,.0f}: {profile.source('rope_base')}",
            closed_form=cf.longest_wavelength(profile.rope_base, profile.head_dim)
            if profile.rope_scaling.kind == "none" else None,
            detail=f"rope scaling {profile.rope_scaling.kind}",
        ),
    ]


def _error(r: RunResult) -> float:
    """A run whose output went inf/NaN has no meaningful error: say unbounded."""
    return math.inf if r.nonfinite else r.rel_error


def _run_label(r: RunResult) -> str:
    return f"{r.dtype} {r.variant.name}"


def numerics_checks(profile: Profile, m: Measurements) -> list[Check]:
    run = m.profile_run
    dtype = profile.attention_dtype
    fmt = cf.float_format(dtype)
    kernel = (f"profile kernel: {_run_label(run)} (attention {profile.source('attention_dtype')};"
              f" accumulators {profile.source('accumulator_dtype')})")
    broken = [_run_label(r) for r in m.runs if r.nonfinite]
    out = [
        Check(
            "numerics.nonfinite", "numerics", 1.0 if run.nonfinite else 0.0, "",
            "critical" if run.nonfinite else "ok", "critical on any inf/NaN", kernel,
            detail="inf/NaN in: " + (", ".join(broken) if broken else "no variant"),
        ),
        Check(
            "numerics.error", "numerics", _error(run), "relative",
            _above(run.rel_error, ERROR_WARN, ERROR_CRITICAL),
            f"warn from {ERROR_WARN:g}, critical from {ERROR_CRITICAL:g}",
            "output vs fp64 on the same inputs; 1 % is a few times bf16's own rounding (2⁻⁸), "
            f"10 % a different output (ctxlens thresholds); {kernel}",
            detail=f"softmax-sum error {_fmt(run.denominator_error)}",
        ),
    ]
    n_star = cf.sum_overflow_n(dtype, m.sigma, m.margin) if not profile.max_subtraction else None
    fp16_star = cf.sum_overflow_n("fp16", m.sigma, m.margin)
    out.append(Check(
        "numerics.overflow_margin", "numerics", run.overflow_margin, "×",
        _margin_status(run.overflow_margin),
        f"warn below {MARGIN_WARN:g}×, critical at 1× (overflowed)",
        f"IEEE 754 {dtype} max {_fmt(fmt.max_finite)} over the largest exp or running sum "
        f"reached; without max-subtraction Σe^s overflows at n* = max/e^{{σ²/2}} (DESIGN.md)",
        closed_form=n_star / m.n if n_star is not None else None,
        detail=(f"no-max in fp16 overflows at n* = {fp16_star:,.0f} (with the needle), "
                f"exp above s = {cf.exp_overflow_logit('fp16'):.2f}"),
    ))
    for u in m.underflow:
        counted = u.dtype == dtype
        out.append(Check(
            f"numerics.underflow[{u.dtype}]", "numerics", u.share, "share of keys",
            _above(u.share, UNDERFLOW_WARN, UNDERFLOW_CRITICAL) if counted else "info",
            f"warn from {UNDERFLOW_WARN:.0%}, critical from {UNDERFLOW_CRITICAL:.0%}"
            if counted else "information (not the profile's dtype)",
            f"weights below half of {u.dtype}'s smallest subnormal "
            f"({_fmt(cf.float_format(u.dtype).min_subnormal)}) round to 0 (ctxlens thresholds)",
            detail=f"their fp64 weight totals {_fmt(u.mass)}",
        ))
    for r in m.runs:
        if r == run:
            continue
        out.append(Check(
            f"numerics.error[{_run_label(r)}]", "numerics", _error(r), "relative", "info",
            "information (not the profile's kernel)",
            "output vs fp64 on the same inputs",
            detail="inf/NaN" if r.nonfinite else f"overflow margin {_fmt(r.overflow_margin)}×",
        ))
    return out


def capacity_checks(profile: Profile, n: int) -> list[Check]:
    per_token = profile.params / n if profile.params is not None else None
    return [Check(
        "capacity.params_per_token", "capacity", per_token, "params/token", "info",
        "information (no published threshold)", profile.source("params"),
        detail="not published" if per_token is None else f"{profile.params:,} parameters",
    )]


def evaluate(profile: Profile, m: Measurements) -> tuple[Check, ...]:
    """Every check for a context of m.n tokens under `profile`, in report order."""
    return (
        *window_checks(profile, m.n),
        *dilution_checks(m),
        *noise_checks(m),
        *position_checks(profile, m),
        *numerics_checks(profile, m),
        *capacity_checks(profile, m.n),
    )


def reasons(checks: Sequence[Check]) -> list[str]:
    """One line per check that raised the verdict, worst first."""
    bad = sorted((c for c in checks if c.status in ("warn", "critical")),
                 key=lambda c: -_RANK[c.status])
    return [f"{c.status}: {c.name} = {format_value(c.value, c.unit)} ({c.threshold})"
            for c in bad]


def format_value(value: float | None, unit: str = "") -> str:
    """A check's value for people: counts with thousands separators, small numbers in
    4 significant digits."""
    if value is None:
        return "-"
    if math.isinf(value) or math.isnan(value):
        return str(value)
    if unit in ("tokens", "position", "positions", "keys") and 100 <= value < 1e12:
        return f"{value:,.0f}"
    if abs(value) >= 1e5 or (value != 0 and abs(value) < 1e-3):
        return f"{value:.3g}"
    return f"{value:.4g}"
