"""RoPE angles at one position, computed the way a model does in its phase precision.

Hugging Face and Meta compute angle = position × inv_freq with both factors in the phase
dtype (fp32 in their code, after transformers PR #29285); a lower phase precision rounds
the position itself (neighbours collide from 2^t, and fp16 positions overflow at 65520)
and the product. This module measures both with torch against fp64.

torch is imported at module level: import this module only from inside functions.
"""

from __future__ import annotations

import math

import torch

from ctxlens.stability.kernels import TORCH_DTYPES
from ctxlens.stability.measurements import PhaseResult
from ctxlens.stability.profiles import RopeScaling


def inv_freq(base: float, head_dim: int, scaling: RopeScaling) -> torch.Tensor:
    """RoPE frequencies in fp64, with the profile's scaling applied (Hugging Face's rules)."""
    freq = 1.0 / base ** (torch.arange(0, head_dim, 2, dtype=torch.float64) / head_dim)
    if scaling.kind == "linear":
        return freq / scaling.factor
    if scaling.kind == "llama3":
        # transformers' _compute_llama3_parameters: slow frequencies divided by the factor,
        # fast ones kept, a smooth ramp between.
        low_wavelen = scaling.original_window / scaling.low_freq_factor
        high_wavelen = scaling.original_window / scaling.high_freq_factor
        wavelen = 2 * math.pi / freq
        scaled = torch.where(wavelen > low_wavelen, freq / scaling.factor, freq)
        smooth = (scaling.original_window / wavelen - scaling.low_freq_factor) / (
            scaling.high_freq_factor - scaling.low_freq_factor
        )
        smoothed = (1 - smooth) * scaled / scaling.factor + smooth * scaled
        medium = (wavelen >= high_wavelen) & (wavelen <= low_wavelen)
        return torch.where(medium, smoothed, scaled)
    return freq


def measure_phase(
    position: int, dtype: str, base: float, head_dim: int, scaling: RopeScaling
) -> PhaseResult:
    low = TORCH_DTYPES[dtype]
    exact_freq = inv_freq(base, head_dim, scaling)
    p = torch.tensor(float(position), dtype=torch.float64).to(low)
    stored = float(p)
    wavelength = float(2 * math.pi / exact_freq.min())
    if not math.isfinite(stored):
        return PhaseResult(dtype, position, stored, math.inf, math.inf, wavelength)
    spacing = float(torch.nextafter(p, torch.tensor(math.inf, dtype=low)).double() - p.double())
    angles = (p * exact_freq.to(low)).double()
    diff = angles - position * exact_freq
    if not bool(torch.isfinite(diff).all()):
        return PhaseResult(dtype, position, stored, spacing, math.inf, wavelength)
    wrapped = torch.remainder(diff + math.pi, 2 * math.pi) - math.pi
    return PhaseResult(
        dtype, position, stored, spacing, float(wrapped.abs().max()), wavelength
    )
