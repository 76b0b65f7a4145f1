"""Single-head attention of one query over n keys, in the ways real kernels compute it.

Every variant and an fp64 reference read the same stream of key chunks, so memory stays
bounded by the chunk size whatever n is (2M keys run on a laptop CPU), and each chunk is
generated once for all of them.

A key enters as its logit s = q·k/√d and its value vector. Each dtype's variants and its
reference take the same inputs: logits and values rounded once to that dtype. The error a
variant reports is therefore its own arithmetic, not the rounding of its inputs.

Variants (each in fp16 and bf16; the profile's own combination is added when it differs):
  no-max       exp(s) without subtracting the max; sums kept in the low dtype
  max-lowp     online softmax (running max, rescaling) with the running sum and output in
               the low dtype
  online-fp32  FlashAttention-2's recipe: running max, exp and sums in fp32; the weights
               are cast to the low dtype only for the weights × values product
Accumulators are updated once per tile of TILE keys, as FlashAttention updates a query row
once per key block. Within a tile the reduction is exact and then rounded, so the
low-precision error measured here is a lower bound on a kernel that also rounds inside tiles.

torch is imported at module level: import this module only from inside functions (see
`ctxlens.stability.torch_support`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

import torch

from ctxlens.stability.closed_forms import float_format, underflow_cutoff
from ctxlens.stability.measurements import RunResult, Underflow, Variant

TILE = 128  # keys per accumulator update: FlashAttention-2's key block
CHUNK = 1 << 16  # keys per streamed chunk; memory is O(CHUNK · VALUE_DIM), not O(n)
VALUE_DIM = 8
HIST_BINS = 1 << 14

TORCH_DTYPES: dict[str, torch.dtype] = {
    "fp16": torch.float16,
    "bf16": torch.bfloat16,
    "fp32": torch.float32,
}


@dataclass(frozen=True, slots=True)
class Chunk:
    start: int  # index of the chunk's first key
    logits: torch.Tensor  # (c,) float64
    values: torch.Tensor  # (c, value_dim) float32


@dataclass(frozen=True, slots=True)
class StreamResult:
    n: int
    needle_weight: float | None
    entropy: float
    sum_w2: float  # Σ w², fp64
    runs: tuple[RunResult, ...]
    underflow: tuple[Underflow, ...]


@contextmanager
def single_threaded() -> Iterator[None]:
    """Run torch on one intra-op thread for the duration, then restore the setting.

    The probe is thousands of small ops plus chunk-sized ones that gain little from threads,
    and OpenMP's spinning workers slow it 20× whenever another process holds a core (seen:
    0.2 s → 5 s at 1M keys on a shared 2-core machine). One thread costs ~10 % when idle.
    """
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _chunk_seed(seed: int, index: int, stream: int) -> int:
    return (seed * 1_000_003 + index * 7 + stream) % (2**63 - 1)


def synthetic_chunks(
    n: int, sigma: float, margin: float, seed: int = 0, value_dim: int = VALUE_DIM,
    chunk: int = CHUNK,
) -> Iterator[Chunk]:
    """Bulk logits ~ N(0, σ²), one needle with logit Δ at position n // 2, values ~ N(0, 1).

    Logits are drawn directly rather than as q·k of drawn d-dimensional keys: for a fixed
    query that gives the same distribution at 1/d of the cost. Each chunk has its own
    generators and always draws a full chunk, so key i's logit does not depend on n: the
    stable-limit search sees one fixed sequence grow, not a new draw at every n.
    """
    needle = n // 2
    for index, start in enumerate(range(0, n, chunk)):
        size = min(chunk, n - start)
        g_logits = torch.Generator().manual_seed(_chunk_seed(seed, index, 0))
        g_values = torch.Generator().manual_seed(_chunk_seed(seed, index, 1))
        logits = torch.randn(chunk, generator=g_logits, dtype=torch.float64)[:size] * sigma
        values = torch.randn(chunk, value_dim, generator=g_values)[:size]
        if start <= needle < start + size:
            logits[needle - start] = margin
        yield Chunk(start, logits, values)


class _Reference:
    """Streaming fp64 softmax: output, sum, Σw², entropy, needle weight."""

    def __init__(self, value_dim: int) -> None:
        self.m = -math.inf
        self.z = 0.0  # Σ e^{s−m}
        self.zs = 0.0  # Σ e^{s−m}(s−m)
        self.z2 = 0.0  # Σ e^{2(s−m)}
        self.out = torch.zeros(value_dim, dtype=torch.float64)  # Σ e^{s−m} v
        self.needle_logit: float | None = None

    def update(self, s: torch.Tensor, v: torch.Tensor) -> None:
        m_new = max(self.m, float(s.max()))
        if self.z > 0:
            shift = self.m - m_new  # ≤ 0
            scale = math.exp(shift)
            self.zs = scale * (self.zs + shift * self.z)
            self.z *= scale
            self.z2 *= scale * scale
            self.out *= scale
        self.m = m_new
        d = s - m_new
        e = torch.exp(d)
        self.z += float(e.sum())
        self.zs += float((e * d).sum())
        self.z2 += float((e * e).sum())
        self.out += e @ v

    def output(self) -> torch.Tensor:
        return self.out / self.z

    def entropy(self) -> float:
        return math.log(self.z) - self.zs / self.z


class _Accumulator:
    """One variant in one dtype, emulating per-tile updates with that dtype's rounding."""

    def __init__(self, dtype: str, variant: Variant, value_dim: int) -> None:
        self.dtype = dtype
        self.variant = variant
        self.low = TORCH_DTYPES[dtype]
        self.acc_dtype = torch.float32 if variant.fp32_accumulators else self.low
        self.m = -math.inf if variant.max_subtraction else 0.0
        self.acc = torch.zeros(value_dim + 1, dtype=self.acc_dtype)  # [sum, output...]
        self.peak_sum = 0.0
        self.peak_exp = 0.0

    def update(self, s: torch.Tensor, v: torch.Tensor) -> None:
        """`s` (tiles, TILE) and `v` (tiles, TILE, d) hold the dtype-rounded inputs."""
        s32 = s.float()
        alpha: torch.Tensor | None = None
        if self.variant.max_subtraction:
            running = torch.cummax(s32.amax(1).clamp(min=self.m), 0).values
            before = torch.cat([torch.tensor([self.m]), running[:-1]])
            self.m = float(running[-1])
            if self.variant.fp32_accumulators:
                p = torch.exp(s32 - running[:, None])
            else:
                p = torch.exp(s - running.to(self.low)[:, None])  # subtract and exp in dtype
            alpha = torch.exp((before - running).to(self.acc_dtype))
        else:
            p = torch.exp(s32) if self.variant.fp32_accumulators else torch.exp(s)
        self.peak_exp = max(self.peak_exp, float(p.amax()))
        # FlashAttention keeps P in fp32 for the row sum but casts it to the input dtype
        # for the P·V product; the low-precision kernels have P in the dtype already.
        p_pv = p.to(self.low).float()
        tile_sum = p.float().sum(1)
        tile_out = torch.bmm(p_pv.unsqueeze(1), v.float()).squeeze(1)
        rows = torch.cat([tile_sum[:, None], tile_out], 1).to(self.acc_dtype)
        rescale: dict[int, torch.Tensor] = {}
        if alpha is not None:  # the running max changes rarely: about ln n times
            rescale = {k: alpha[k] for k in torch.nonzero(alpha != 1).flatten().tolist()}
        acc = self.acc
        # The running sums are a sequential recurrence with a rounding at every step; torch's
        # own sum/cumsum accumulate half types in fp32, so the steps run one by one (~1 µs
        # each, n/TILE of them).
        for k, row in enumerate(rows.unbind(0)):
            scale = rescale.get(k)
            if scale is not None:
                self.peak_sum = max(self.peak_sum, abs(float(acc[0])))
                acc = acc * scale
            acc = acc + row
        self.peak_sum = max(self.peak_sum, abs(float(acc[0])))
        self.acc = acc

    def result(self, ref: _Reference) -> RunResult:
        out = (self.acc[1:] / self.acc[0]).double()
        expected = ref.output()
        nonfinite = not bool(torch.isfinite(self.acc).all() and torch.isfinite(out).all())
        err = float(torch.linalg.vector_norm(out - expected) / torch.linalg.vector_norm(expected))
        denominator = float(self.acc[0]) * math.exp(self.m - ref.m)
        den_err = abs(denominator - ref.z) / ref.z
        top_low = float_format(self.dtype).max_finite
        top_acc = float_format("fp32" if self.variant.fp32_accumulators else self.dtype).max_finite
        margin = min(top_low / self.peak_exp if self.peak_exp else math.inf,
                     top_acc / self.peak_sum if self.peak_sum else math.inf)
        if nonfinite:
            margin = min(margin, 1.0)
        return RunResult(
            dtype=self.dtype, variant=self.variant,
            rel_error=err if math.isfinite(err) else math.inf,
            denominator_error=den_err if math.isfinite(den_err) else math.inf,
            nonfinite=nonfinite, overflow_margin=margin,
        )


class _Histogram:
    """Counts of exact logits on a fine grid: enough to count underflowing weights at the end
    (when the final max and sum are known) without keeping all n logits."""

    def __init__(self, bound: float) -> None:
        self.bound = bound
        self.counts = torch.zeros(HIST_BINS, dtype=torch.float64)

    def update(self, s: torch.Tensor) -> None:
        clamped = s.clamp(-self.bound, self.bound)
        self.counts += torch.histc(clamped, bins=HIST_BINS, min=-self.bound, max=self.bound)

    def underflow(self, dtype: str, ref: _Reference, n: int) -> Underflow:
        width = 2 * self.bound / HIST_BINS
        # w = e^{s−m}/Z < cutoff  ⇔  s < m + ln Z + ln cutoff
        cut = ref.m + math.log(ref.z) + math.log(underflow_cutoff(dtype))
        edges = -self.bound + width * torch.arange(HIST_BINS + 1, dtype=torch.float64)
        lower, upper = edges[:-1], edges[1:]
        frac = ((cut - lower) / width).clamp(0, 1)  # share of each bin below the cutoff
        below = self.counts * frac
        centres = (lower + torch.minimum(upper, torch.tensor(cut))) / 2
        mass = float((below * torch.exp(centres - ref.m)).sum()) / ref.z
        return Underflow(dtype, float(below.sum()) / n, mass, width)


def _tiles(t: torch.Tensor, fill: float) -> torch.Tensor:
    pad = (-t.shape[0]) % TILE
    if pad:
        filler = torch.full((pad, *t.shape[1:]), fill, dtype=t.dtype)
        t = torch.cat([t, filler])
    return t.reshape(-1, TILE, *t.shape[1:])


def attend(
    chunks: Iterable[Chunk],
    runs: Sequence[tuple[str, Variant]],
    *,
    needle: int | None = None,
    value_dim: int = VALUE_DIM,
    underflow_dtypes: Sequence[str] = (),
    logit_bound: float = 64.0,
) -> StreamResult:
    """Stream `chunks` through the fp64 reference and every (dtype, variant) in `runs`.

    `needle` is the index of the planted key whose fp64 weight is reported. `logit_bound`
    should cover the logits' range; the underflow count is exact to one histogram bin.
    """
    exact = _Reference(value_dim)
    dtypes = sorted({d for d, _ in runs})
    refs = {d: _Reference(value_dim) for d in dtypes}
    accs = [_Accumulator(d, v, value_dim) for d, v in runs]
    hist = _Histogram(logit_bound) if underflow_dtypes else None
    n = 0
    needle_logit: float | None = None
    for chunk in chunks:
        s64 = chunk.logits
        v64 = chunk.values.double()
        n += s64.shape[0]
        exact.update(s64, v64)
        if needle is not None and chunk.start <= needle < chunk.start + s64.shape[0]:
            needle_logit = float(s64[needle - chunk.start])
        if hist is not None:
            hist.update(s64)
        for d in dtypes:
            s_low = s64.to(TORCH_DTYPES[d])
            v_low = chunk.values.to(TORCH_DTYPES[d])
            refs[d].update(s_low.double(), v_low.double())
            s_tiles = _tiles(s_low, -math.inf)
            v_tiles = _tiles(v_low, 0.0)
            for acc in accs:
                if acc.dtype == d:
                    acc.update(s_tiles, v_tiles)
    if n == 0:
        raise ValueError("attention over zero keys")
    weight = None if needle_logit is None else math.exp(needle_logit - exact.m) / exact.z
    return StreamResult(
        n=n,
        needle_weight=weight,
        entropy=exact.entropy(),
        sum_w2=exact.z2 / (exact.z * exact.z),
        runs=tuple(acc.result(refs[acc.dtype]) for acc in accs),
        underflow=tuple(hist.underflow(d, exact, n) for d in underflow_dtypes) if hist else (),
    )


def naive_reference(
    logits: torch.Tensor, values: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    """One-shot fp64 softmax over all n keys at once: the benchmark's peer and the tests'
    check on the streamed reference. Returns (weights, output)."""
    w = torch.softmax(logits.double(), 0)
    return w, w @ values.double()
