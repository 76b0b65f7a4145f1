"""Content-aware mode: keys and queries from the context's own token ids.

A fixed, seeded hashing embedding maps each token trigram (the token and the two before
it) to a row of a random table, so repeated code yields repeated keys while one token in
different code does not. A unit's query is the direction of its keys' mean, scaled so that
unrelated keys get logits ~ N(0, σ²) like the synthetic probe's bulk. The measured quantity
is how much attention that query keeps on its own unit — in the raw context, where every
copy of a duplicated unit competes with the original for the same attention, and after the
copies are collapsed.

torch is imported at module level: import this module only from inside functions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache

import numpy as np
import numpy.typing as npt
import torch

from ctxlens.stability.kernels import CHUNK
from ctxlens.stability.measurements import ContentReport, UnitAttention

EMBED_DIM = 128  # a typical head size (every built-in profile has head_dim 128)
TABLE_ROWS = 1 << 16  # hashing-trick buckets; two distinct trigrams share one with p = 2^-16
MAX_QUERIES = 16

Span = tuple[int, int]  # [start, end) token indices
_M1, _M2, _M3 = np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F), np.uint64(
    0x165667B19E3779F9)


@cache
def _table(seed: int) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    rows = torch.randn(TABLE_ROWS, EMBED_DIM, generator=gen)
    table: torch.Tensor = rows / torch.linalg.vector_norm(rows, dim=1, keepdim=True)
    return table  # fp32: 32 MiB


def _buckets(ids: npt.NDArray[np.int64], seed: int) -> npt.NDArray[np.int64]:
    """Table row of each position's trigram (uint64 arithmetic wraps by definition)."""
    x = ids.astype(np.uint64) + np.uint64(1)  # 0 marks "before the start"
    prev1 = np.concatenate([np.zeros(1, np.uint64), x[:-1]])
    prev2 = np.concatenate([np.zeros(2, np.uint64), x[:-2]])[: len(x)]
    h = x * _M1 ^ prev1 * _M2 ^ prev2 * _M3 ^ np.uint64(seed)
    h ^= h >> np.uint64(31)  # splitmix64's finaliser spreads the bits
    h *= np.uint64(0xBF58476D1CE4E5B9)
    h ^= h >> np.uint64(29)
    rows: npt.NDArray[np.int64] = (h % np.uint64(TABLE_ROWS)).astype(np.int64)
    return rows


def _keys(buckets: npt.NDArray[np.int64], start: int, end: int, seed: int) -> torch.Tensor:
    return _table(seed)[torch.from_numpy(buckets[start:end])]


def own_unit_attention(
    ids: npt.NDArray[np.int64], queries: Sequence[Span], sigma: float = 1.0, seed: int = 0
) -> list[float]:
    """For each span, the fp64 attention weight its query keeps on the span, over all keys.

    Streams keys in chunks, so memory is O(chunk × (dim + queries)) for any context length.
    """
    n = len(ids)
    if not queries:
        return []
    buckets = _buckets(ids, seed)
    scale = sigma * math.sqrt(EMBED_DIM)  # unrelated unit keys: q̂·k ~ N(0, 1/d)
    q = torch.stack([_keys(buckets, s, e, seed).mean(0) for s, e in queries])
    q = scale * q / torch.linalg.vector_norm(q, dim=1, keepdim=True)
    lo = torch.tensor([s for s, _ in queries])
    hi = torch.tensor([e for _, e in queries])
    m = torch.full((len(queries),), -math.inf, dtype=torch.float64)
    z = torch.zeros(len(queries), dtype=torch.float64)
    own = torch.zeros(len(queries), dtype=torch.float64)
    for start in range(0, n, CHUNK):
        end = min(n, start + CHUNK)
        logits = (_keys(buckets, start, end, seed) @ q.T).double()  # (chunk, queries)
        m_new = torch.maximum(m, logits.amax(0))
        rescale = torch.exp(m - m_new)
        e = torch.exp(logits - m_new)
        pos = torch.arange(start, end)[:, None]
        mine = (pos >= lo) & (pos < hi)
        z = z * rescale + e.sum(0)
        own = own * rescale + (e * mine).sum(0)
        m = m_new
    return (own / z).tolist()


def deduplicate(
    ids: npt.NDArray[np.int64], units: Sequence[Span], keys: Sequence[bytes] | None = None
) -> tuple[npt.NDArray[np.int64], list[Span | None], list[int]]:
    """Collapse units with equal content to their first copy.

    `keys` identify content (default: the unit's token ids). Returns the deduplicated ids,
    each raw unit's span in them (None when it was dropped), and each raw unit's canonical
    (first) copy.
    """
    last_end = 0
    for s, e in sorted(units):
        if s < last_end or e < s or e > len(ids):
            raise ValueError("units must be non-overlapping spans inside the context")
        last_end = e
    first: dict[bytes, int] = {}
    canonical: list[int] = []
    for k, (s, e) in enumerate(units):
        key = keys[k] if keys is not None else ids[s:e].tobytes()
        canonical.append(first.setdefault(key, k))
    drop = np.zeros(len(ids), dtype=bool)
    for k, (s, e) in enumerate(units):
        if canonical[k] != k:
            drop[s:e] = True
    dropped_before = np.concatenate([[0], np.cumsum(drop)])
    spans: list[Span | None] = [
        (s - int(dropped_before[s]), e - int(dropped_before[e])) if canonical[k] == k else None
        for k, (s, e) in enumerate(units)
    ]
    return ids[~drop], spans, canonical


def _pick_queries(canonical: Sequence[int], units: Sequence[Span], limit: int) -> list[int]:
    """Canonical units to ask from: duplicated ones first (most copies first), then an even
    spread of the unique ones. Empty units have no query."""
    copies: dict[int, int] = {}
    for c in canonical:
        if units[c][1] > units[c][0]:
            copies[c] = copies.get(c, 0) + 1
    duplicated = sorted((c for c, k in copies.items() if k > 1), key=lambda c: (-copies[c], c))
    unique = [c for c, k in sorted(copies.items()) if k == 1]
    picked = duplicated[:limit]
    room = limit - len(picked)
    if room > 0 and unique:
        step = max(1, len(unique) // room)
        picked += unique[::step][:room]
    return picked


def _kept(span: Span | None) -> Span:
    if span is None:
        raise AssertionError("queries come from canonical units, which are always kept")
    return span


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs) if xs else 0.0


def content_attention(
    ids: npt.NDArray[np.int64], units: Sequence[Span], keys: Sequence[bytes] | None = None,
    *, sigma: float = 1.0, seed: int = 0, max_queries: int = MAX_QUERIES,
) -> ContentReport:
    """Own-unit attention of up to `max_queries` units, raw context vs deduplicated."""
    ids = np.asarray(ids, dtype=np.int64)
    dedup_ids, new_spans, canonical = deduplicate(ids, units, keys)
    picked = _pick_queries(canonical, units, max_queries)
    raw = own_unit_attention(ids, [units[k] for k in picked], sigma, seed)
    dedup = own_unit_attention(dedup_ids, [_kept(new_spans[k]) for k in picked], sigma, seed)
    copies = [canonical.count(k) for k in picked]
    queries = tuple(
        UnitAttention(unit=k, copies=c, own_raw=r, own_dedup=d)
        for k, c, r, d in zip(picked, copies, raw, dedup, strict=True)
    )
    duplicated = [q for q in queries if q.copies > 1]
    return ContentReport(
        tokens_raw=len(ids), tokens_dedup=len(dedup_ids), units=len(units),
        distinct_units=len(set(canonical)), queries=queries,
        own_raw=_mean([q.own_raw for q in queries]),
        own_dedup=_mean([q.own_dedup for q in queries]),
        duplicated_raw=_mean([q.own_raw for q in duplicated]) if duplicated else None,
        duplicated_dedup=_mean([q.own_dedup for q in duplicated]) if duplicated else None,
        embed_dim=EMBED_DIM, seed=seed,
    )
