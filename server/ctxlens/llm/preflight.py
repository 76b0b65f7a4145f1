"""The gate before every send: window, stable limit, secrets, cost.

- window: each request's exact tokens (content + chat framing) plus the answer reserved
  for it must fit the model's window, else refuse;
- stable: the same against the stability probe's stable limit, else warn (the caller
  asks for confirmation or `--yes`); the limit comes from the probe's cache, is computed
  now when torch is installed, or falls back to the registry's published effective
  context — its source is always said;
- secrets: a pack with findings is refused unless the user allows it;
- cost: dollars at the registry's prices, input exact, output at its caps ("at most").

The CLI prints `lines()`; the language server sends `to_json()` (camelCase keys).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ctxlens.llm.framing import Message, count_messages
from ctxlens.llm.mapreduce import ReduceBound
from ctxlens.secrets import SecretsReport
from ctxlens.tokens import ModelInfo

if TYPE_CHECKING:
    from ctxlens.config import Config

Status = Literal["ok", "warn", "refuse", "unknown"]
_ORDER: dict[Status, int] = {"ok": 0, "unknown": 0, "warn": 1, "refuse": 2}


@dataclass(frozen=True, slots=True)
class StableInfo:
    tokens: int | None  # None: unknown
    source: str

    def to_json(self) -> dict[str, Any]:
        return {"tokens": self.tokens, "source": self.source}


def stable_info(model: ModelInfo, config: Config | None = None, *,
                cache_path: Path | None = None, compute: bool = True,
                announce: Callable[[str], None] | None = None) -> StableInfo:
    """The stable limit for `model`: the probe's cached value, else computed now (torch
    installed and `compute`; `announce` hears about it first), else the published
    effective context, else unknown."""
    from ctxlens.stability import ProbeUnavailable, ProfileError, cached_limit, get_profile
    from ctxlens.stability.limit import CACHE_NAME, default_cache_dir, find_stable_limit
    from ctxlens.tokens import UnknownModelError

    path = cache_path or default_cache_dir() / CACHE_NAME
    try:
        profile = get_profile(model.name, config)
    except (ProfileError, UnknownModelError) as err:
        return _fallback(model, f"no stability profile ({err})")
    hit = cached_limit(profile, path)
    if hit is not None:
        return StableInfo(hit, f"stability probe, cached in {path}")
    if compute and importlib.util.find_spec("torch") is not None:
        if announce is not None:
            announce(f"computing the stable limit of {profile.name} (stability probe, once "
                     "per profile)")
        try:
            found = find_stable_limit(profile, cache_path=path)
        except ProbeUnavailable as err:
            return _fallback(model, f"probe unavailable ({err})")
        return StableInfo(found.tokens, f"stability probe, computed now ({found.evaluations} "
                                        f"runs, {found.elapsed_s:.1f} s; cached in {path})")
    why = "torch is not installed" if compute else "not computed"
    return _fallback(model, f"no cached probe result and {why}")


def _fallback(model: ModelInfo, why: str) -> StableInfo:
    eff = model.effective_context
    if eff is not None:
        return StableInfo(eff.tokens, f"published effective context ({eff.source}); {why}")
    return StableInfo(None, f"unknown: {why}")


@dataclass(frozen=True, slots=True)
class RequestSize:
    """One request as it will be sent."""

    label: str
    content_tokens: int  # exact, the messages' text
    framing_tokens: int  # chat framing (OpenAI's rule: see framing.py)
    answer_tokens: int  # reserved: the request's cap on the answer

    @property
    def sent(self) -> int:
        return self.content_tokens + self.framing_tokens

    @property
    def total(self) -> int:
        return self.sent + self.answer_tokens

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "contentTokens": self.content_tokens,
                "framingTokens": self.framing_tokens, "sentTokens": self.sent,
                "answerTokens": self.answer_tokens, "totalTokens": self.total}


def size_request(label: str, messages: Sequence[Message], answer_tokens: int,
                 encoding: str) -> RequestSize:
    n = count_messages(messages, encoding)
    return RequestSize(label, n.content, n.framing, answer_tokens)


@dataclass(frozen=True, slots=True)
class Gate:
    name: str  # window | stable | reduce | secrets | cost
    status: Status
    message: str

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "message": self.message}


@dataclass(frozen=True, slots=True)
class Preflight:
    model: str
    encoding: str
    endpoint: str | None
    mode: Literal["single", "map-reduce"]
    requests: tuple[RequestSize, ...]  # single: the one request; map-reduce: one per part
    reduce: ReduceBound | None  # map-reduce: upper bound on the reduce step
    context_window: int
    stable: StableInfo
    secrets: tuple[dict[str, Any], ...]  # path, line, kind: never the secret
    input_tokens: int  # exact for single and map requests, an upper bound for reduce
    output_tokens: int  # at most: the answer caps
    cost_usd: float  # at most
    gates: tuple[Gate, ...]

    @property
    def verdict(self) -> Status:
        worst: Status = "ok"
        for g in self.gates:
            if _ORDER[g.status] > _ORDER[worst]:
                worst = g.status
        return worst

    @property
    def refused(self) -> bool:
        return self.verdict == "refuse"

    def to_json(self) -> dict[str, Any]:
        reduce = None
        if self.reduce is not None:
            r = self.reduce
            reduce = {"requests": r.requests, "rounds": r.rounds,
                      "inputTokensMax": r.input_tokens, "outputTokensMax": r.output_tokens}
        return {
            "model": self.model, "encoding": self.encoding, "endpoint": self.endpoint,
            "mode": self.mode, "verdict": self.verdict,
            "requests": [r.to_json() for r in self.requests], "reduce": reduce,
            "contextWindow": self.context_window, "stableLimit": self.stable.to_json(),
            "secrets": list(self.secrets), "inputTokens": self.input_tokens,
            "outputTokensMax": self.output_tokens, "costUsdMax": round(self.cost_usd, 6),
            "gates": [g.to_json() for g in self.gates],
        }

    def lines(self) -> list[str]:
        enc = self.encoding
        head = (f"Preflight: {self.model} ({enc}), {len(self.requests)} "
                f"{'request' if self.mode == 'single' else 'map requests'}"
                + (f" to {self.endpoint}" if self.endpoint else ""))
        out = [head]
        if self.mode == "single":
            r = self.requests[0]
            out.append(f"  request  {r.sent:,} tokens sent ({r.content_tokens:,} content + "
                       f"{r.framing_tokens:,} chat framing, {enc}) + {r.answer_tokens:,} "
                       f"reserved for the answer = {r.total:,}")
        else:
            sizes = [r.sent for r in self.requests]
            out.append(f"  map      {len(sizes)} parts, {min(sizes):,}–{max(sizes):,} tokens "
                       f"sent each ({sum(sizes):,} in all, {enc}, chat framing included) + "
                       f"{self.requests[0].answer_tokens:,} reserved per summary")
            if self.reduce is not None:
                out.append(f"  reduce   at most {self.reduce.requests} request(s) in "
                           f"{self.reduce.rounds + 1} round(s), ≤ "
                           f"{self.reduce.input_tokens:,} tokens sent")
        out += [f"  {g.name:<8} {g.status:<7} {g.message}" for g in self.gates]
        out.append(f"  verdict  {self.verdict}")
        return out


def preflight(requests: Sequence[RequestSize], *, model: ModelInfo, stable: StableInfo,
              secrets: SecretsReport, allow_secrets: bool = False,
              reduce: ReduceBound | None = None, map_reduce: bool = False,
              endpoint: str | None = None) -> Preflight:
    """Judge `requests` (all that is known before sending) for `model`."""
    if not requests:
        raise ValueError("preflight needs at least one request")
    window = model.context_window
    biggest = max(requests, key=lambda r: r.total)
    gates: list[Gate] = []
    what = "the request" if len(requests) == 1 else biggest.label
    detail = (f"{what}: {biggest.sent:,} sent + {biggest.answer_tokens:,} reserved for the "
              f"answer = {biggest.total:,} tokens ({model.encoding})")
    over = [r for r in requests if r.total > window]
    if over:
        gates.append(Gate("window", "refuse", f"{detail} > the {window:,}-token window of "
                                              f"{model.name}"
                                              + (f" ({len(over)} requests over)"
                                                 if len(over) > 1 else "")))
    else:
        gates.append(Gate("window", "ok", f"{detail} ≤ the {window:,}-token window"))
    if stable.tokens is None:
        gates.append(Gate("stable", "unknown", f"stable limit {stable.source}"))
    elif biggest.total > stable.tokens:
        gates.append(Gate("stable", "warn",
                          f"{biggest.total:,} tokens > stable limit {stable.tokens:,} "
                          f"({stable.source}): attention may be unreliable past it"))
    else:
        gates.append(Gate("stable", "ok", f"{biggest.total:,} ≤ stable limit "
                                          f"{stable.tokens:,} ({stable.source})"))
    if map_reduce and reduce is None:
        gates.append(Gate("reduce", "refuse", "two summaries at their cap do not fit one "
                                              "request within the limit: the answer could "
                                              "never be reduced; lower summary_tokens"))
    findings = tuple(f.to_json() for f in secrets.findings)
    if secrets.needs_override:
        where = ", ".join(f"{f['path']}:{f['line']} {f['kind']}" for f in findings[:5])
        more = f" and {len(findings) - 5} more" if len(findings) > 5 else ""
        if allow_secrets:
            gates.append(Gate("secrets", "warn", f"{len(findings)} secret(s) found and "
                                                 f"redacted ({where}{more}); sending allowed "
                                                 "by --allow-secrets"))
        else:
            gates.append(Gate("secrets", "refuse", f"{len(findings)} secret(s) found and "
                                                   f"redacted ({where}{more}); pass "
                                                   "--allow-secrets to send anyway"))
    else:
        gates.append(Gate("secrets", "ok", "no secrets found"))
    inp = sum(r.sent for r in requests) + (reduce.input_tokens if reduce else 0)
    out = sum(r.answer_tokens for r in requests) + (reduce.output_tokens if reduce else 0)
    cost = (inp * model.input_price + out * model.output_price) / 1e6
    exact = "exact" if not map_reduce else "map exact, reduce at most"
    gates.append(Gate("cost", "ok",
                      f"at most ${cost:,.4f}: {inp:,} input tokens ({exact}) × "
                      f"${model.input_price:g}/1M + up to {out:,} output tokens × "
                      f"${model.output_price:g}/1M ({model.name}, registry prices)"))
    return Preflight(model=model.name, encoding=model.encoding, endpoint=endpoint,
                     mode="map-reduce" if map_reduce else "single",
                     requests=tuple(requests), reduce=reduce, context_window=window,
                     stable=stable, secrets=findings, input_tokens=inp, output_tokens=out,
                     cost_usd=cost, gates=tuple(gates))
