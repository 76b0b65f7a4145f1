"""The probe's story: profile + n → measurements → checks → verdict (+ content mode).

This module imports no torch at load time; `measure` imports the kernels when it runs, after
`require_torch()`, so callers that only resolve profiles or read a cached limit never pay
for torch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ctxlens.stability.checks import Check, Status, evaluate, worst
from ctxlens.stability.measurements import (
    VARIANTS,
    ContentReport,
    Measurements,
    Variant,
    variant_for,
)
from ctxlens.stability.profiles import Profile
from ctxlens.stability.torch_support import require_torch

PROBE_VERSION = 1  # bump when a measurement or threshold changes: it keys the limit cache
DEFAULT_SEED = 0
SHOWN_DTYPES = ("fp16", "bf16")  # the variants table always shows these


@dataclass(frozen=True, slots=True)
class CheckResult:
    profile: Profile
    n: int
    checks: tuple[Check, ...]
    verdict: Status
    measurements: Measurements
    content: ContentReport | None = None


def measure(
    profile: Profile, n: int, *, seed: int = DEFAULT_SEED, full: bool = True
) -> Measurements:
    """Run the synthetic probe for n keys under `profile`.

    `full=False` measures only what the verdict depends on (the profile's own kernel and
    dtype), which is what the stable-limit search needs; `full=True` adds every variant in
    fp16 and bf16 for the report.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    require_torch()
    from ctxlens.stability import kernels, rope

    started = time.perf_counter()
    own = (profile.attention_dtype, variant_for(profile.max_subtraction,
                                                profile.accumulator_dtype == "fp32"))
    runs: list[tuple[str, Variant]] = []
    underflow: list[str] = [profile.attention_dtype]
    if full:
        runs = [(d, v) for d in SHOWN_DTYPES for v in VARIANTS]
        underflow = list(dict.fromkeys([*SHOWN_DTYPES, profile.attention_dtype]))
    if own not in runs:
        runs.append(own)
    sigma, margin = profile.logit_sigma, profile.margin
    with kernels.single_threaded():
        stream = kernels.attend(
            kernels.synthetic_chunks(n, sigma, margin, seed),
            runs,
            needle=n // 2,
            underflow_dtypes=underflow,
            logit_bound=abs(margin) + 12 * sigma,
        )
    assert stream.needle_weight is not None  # the synthetic stream always plants one
    w = stream.needle_weight
    bulk_w2 = max(stream.sum_w2 - w * w, 0.0)
    phase = None
    if profile.rope_base is not None:
        phase = rope.measure_phase(n - 1, profile.phase_dtype, profile.rope_base,
                                   profile.head_dim, profile.rope_scaling)
    return Measurements(
        n=n, sigma=sigma, margin=margin, seed=seed,
        needle_weight=w,
        entropy_ratio=stream.entropy / math.log(n) if n > 1 else 0.0,
        snr=w / math.sqrt(bulk_w2) if bulk_w2 > 0 else math.inf,
        effective_keys=1.0 / stream.sum_w2,
        runs=stream.runs,
        profile_run=stream.runs[runs.index(own)],
        underflow=stream.underflow,
        phase=phase,
        elapsed_s=time.perf_counter() - started,
    )


def verdict_at(profile: Profile, n: int, *, seed: int = DEFAULT_SEED) -> Status:
    """The verdict for n tokens, measuring only what it depends on."""
    return worst([c.status for c in evaluate(profile, measure(profile, n, seed=seed, full=False))])


def check_context(
    profile: Profile,
    n: int,
    *,
    ids: npt.NDArray[np.int64] | None = None,
    units: Sequence[tuple[int, int]] = (),
    unit_keys: Sequence[bytes] | None = None,
    seed: int = DEFAULT_SEED,
) -> CheckResult:
    """Every check for a context of `n` tokens under `profile`.

    With `ids` (the context's token ids) and `units` (token spans), content-aware mode also
    reports own-unit attention raw vs deduplicated; `unit_keys` say which units are equal
    (default: equal token ids).
    """
    m = measure(profile, n, seed=seed)
    checks = evaluate(profile, m)
    content = None
    if ids is not None and len(units) > 0:
        from ctxlens.stability.content import content_attention
        from ctxlens.stability.kernels import single_threaded

        with single_threaded():
            content = content_attention(ids, units, unit_keys, sigma=profile.logit_sigma,
                                        seed=seed)
    return CheckResult(profile, n, checks, worst([c.status for c in checks]), m, content)
