"""The engine entry point of `ctxlens ask`, `ctxlens diagram` and the language server.

    job = make_job(task, model, pack.text, parts, budget)    what would be sent
    check_job(job, ...)                                      → Preflight (nothing sent)
    run_job(job, client.complete, ...)                       → Outcome

A job is one request with the whole pack when it fits the limit, else map → reduce over
its parts. The limit is the stable limit (capped at the window); `part_limit` says how
large a part may be so that each request, prompt and reserved answer included, fits it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from ctxlens.llm import prompts
from ctxlens.llm.cache import AnswerCache, RequestMemo, answer_key, text_hash
from ctxlens.llm.client import Completion, Usage
from ctxlens.llm.framing import Message, count_messages
from ctxlens.llm.mapreduce import (
    Budget,
    Event,
    PartFailure,
    ReduceBound,
    map_reduce,
    reduce_bound,
)
from ctxlens.llm.preflight import Preflight, RequestSize, StableInfo, preflight, size_request
from ctxlens.llm.reask import Completer, ask_checked
from ctxlens.llm.retry import RetryEvent, RetryPolicy, with_retries
from ctxlens.secrets import SecretsReport
from ctxlens.tokens import ModelInfo

Send = Callable[..., Completion]  # ChatClient.complete: (messages, *, max_tokens, on_text)
# Digits of the largest part number the map prompt is sized for.
_MAX_PARTS = 99_999


@dataclass(frozen=True, slots=True)
class Task:
    kind: str  # "ask" | "diagram": part of the cache key
    question: str
    check: Callable[[str], list[str]] | None = None  # problems with a final answer
    check_what: str = ""  # what to ask for when the check fails


def diagram_task() -> Task:
    from ctxlens.llm import diagram

    return Task("diagram", diagram.DIAGRAM_QUESTION, diagram.problems, diagram.REASK_WHAT)


@dataclass(frozen=True, slots=True)
class PartText:
    text: str
    paths: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Job:
    task: Task
    model: ModelInfo
    pack_text: str
    parts: tuple[PartText, ...]  # empty: the whole pack in one request
    budget: Budget

    @property
    def mode(self) -> Literal["single", "map-reduce"]:
        return "map-reduce" if self.parts else "single"

    @property
    def pack_hash(self) -> str:
        return text_hash(self.pack_text, *(p.text for p in self.parts))

    def labels(self) -> list[str]:
        out = []
        for i, p in enumerate(self.parts, 1):
            if not p.paths:
                out.append(f"part {i}")
            elif len(p.paths) == 1:
                out.append(f"part {i} ({p.paths[0]})")
            else:
                out.append(f"part {i} ({p.paths[0]} … {p.paths[-1]}, {len(p.paths)} files)")
        return out

    def single_messages(self) -> list[Message]:
        return prompts.ask_messages(self.pack_text, self.task.question)

    def request_sizes(self) -> list[RequestSize]:
        enc = self.model.encoding
        if not self.parts:
            return [size_request("the request", self.single_messages(),
                                 self.budget.answer_tokens, enc)]
        n = len(self.parts)
        return [size_request(label, prompts.map_messages(p.text, i, n, self.task.question),
                             self.budget.summary_tokens, enc)
                for i, (p, label) in enumerate(zip(self.parts, self.labels(), strict=True), 1)]

    def reduce_bound(self) -> ReduceBound | None:
        enc = self.model.encoding
        overhead = max(count_messages(prompts.merge_messages([], self.task.question), enc).total,
                       count_messages(prompts.final_messages([], self.task.question), enc).total)
        return reduce_bound(len(self.parts), self.budget, overhead)


def make_job(task: Task, model: ModelInfo, pack_text: str,
             parts: Sequence[tuple[str, Sequence[str]]], budget: Budget) -> Job:
    """A job over a pack; `parts` as (text, paths), empty when the pack goes whole."""
    return Job(task, model, pack_text, tuple(PartText(t, tuple(p)) for t, p in parts), budget)


def request_limit(model: ModelInfo, stable: StableInfo) -> int:
    """Tokens one request may use, answer included: the stable limit, capped at the window."""
    if stable.tokens is None:
        return model.context_window
    return min(stable.tokens, model.context_window)


def part_limit(task: Task, model: ModelInfo, budget: Budget) -> int:
    """Largest part text (tokens) whose request fits `budget.limit` — and whole packs up to
    it go in one request, the answer's reserve included."""
    enc = model.encoding
    ask = count_messages(prompts.ask_messages("", task.question), enc).total
    one = count_messages(prompts.map_messages("", _MAX_PARTS, _MAX_PARTS, task.question),
                         enc).total
    # A few tokens of slack: BPE may merge across the seam between prompt and pack.
    return budget.limit - max(ask + budget.answer_tokens, one + budget.summary_tokens) - 8


def check_job(job: Job, *, stable: StableInfo, secrets: SecretsReport,
              allow_secrets: bool = False, endpoint: str | None = None) -> Preflight:
    mapped = job.mode == "map-reduce"
    return preflight(job.request_sizes(), model=job.model, stable=stable, secrets=secrets,
                     allow_secrets=allow_secrets,
                     reduce=job.reduce_bound() if mapped else None, map_reduce=mapped,
                     endpoint=endpoint)


@dataclass(frozen=True, slots=True)
class Outcome:
    text: str
    mode: Literal["single", "map-reduce"]
    usage: Usage  # from the API's usage fields (see Usage.counted_here)
    cost_usd: float  # of this run's requests at the registry's prices; 0 when cached
    cached: bool  # the whole answer came from the cache: nothing was sent
    parts: int
    failed: tuple[PartFailure, ...]
    rounds: int
    problems: tuple[str, ...]  # the final answer failed its check even after a re-ask
    summaries_cached: int = 0
    first_cost_usd: float | None = None  # cached: what the answer cost when first asked

    @property
    def complete(self) -> bool:
        return not self.failed and not self.problems

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.text, "mode": self.mode, "cached": self.cached,
                "usage": self.usage.to_json(), "costUsd": round(self.cost_usd, 6),
                "firstCostUsd": self.first_cost_usd, "parts": self.parts,
                "failedParts": [f.to_json() for f in self.failed],
                "reduceRounds": self.rounds, "problems": list(self.problems),
                "summariesCached": self.summaries_cached}


def _answer_key(job: Job, base_url: str) -> str:
    return answer_key(job.pack_hash, job.task.kind, job.task.question, job.model.name,
                      base_url)


def cached_outcome(job: Job, cache: AnswerCache, base_url: str) -> Outcome | None:
    """The answer to `job` from an earlier run, if the cache has it: nothing to send."""
    hit = cache.get(_answer_key(job, base_url))
    if hit is None:
        return None
    first = hit.meta.get("costUsd")
    return Outcome(hit.text, job.mode, Usage(), 0.0, True, len(job.parts), (), 0, (),
                   first_cost_usd=float(first) if isinstance(first, (int, float)) else None)


def retrying(send: Send, policy: RetryPolicy,
             on_event: Callable[[Event], None] | None = None) -> Completer:
    """`send` as a Completer that retries transient failures and reports each retry."""
    def complete(messages: Sequence[Message], *, max_tokens: int, label: str,
                 on_text: Callable[[str], None] | None = None) -> Completion:
        def on_retry(ev: RetryEvent) -> None:
            if on_event is not None:
                why = "the server's Retry-After" if ev.from_header else "backoff"
                on_event(Event("retry", f"{label}: {ev.reason}; retry {ev.attempt} in "
                                        f"{ev.delay:.2f} s ({why})"))

        return with_retries(lambda: send(messages, max_tokens=max_tokens, on_text=on_text),
                            policy, on_retry)

    return complete


def run_job(job: Job, send: Send, *, base_url: str, cache: AnswerCache | None = None,
            policy: RetryPolicy | None = None,
            on_event: Callable[[Event], None] | None = None,
            on_text: Callable[[str], None] | None = None) -> Outcome:
    """Send `job` (after its preflight passed) and return the answer with what it cost."""
    model = job.model
    key = _answer_key(job, base_url)
    if cache is not None:
        hit = cached_outcome(job, cache, base_url)
        if hit is not None:
            if on_text is not None:
                on_text(hit.text)
            return hit
    complete = retrying(send, policy or RetryPolicy(), on_event)
    check = job.task.check or (lambda _text: [])
    if job.mode == "single":
        def on_reask(label: str, problems: list[str]) -> None:
            if on_event is not None:
                on_event(Event("reask", f"{label}: {problems[0]}; asking once more"))

        got = ask_checked(complete, job.single_messages(), max_tokens=job.budget.answer_tokens,
                          label="answer", check=check, what=job.task.check_what,
                          on_text=on_text, on_reask=on_reask)
        outcome = Outcome(got.text, "single", got.usage,
                          got.usage.cost(model.input_price, model.output_price), False, 0, (),
                          0, got.problems)
    else:
        memo = RequestMemo(cache, base_url, model.name) if cache is not None else None
        result = map_reduce([p.text for p in job.parts], job.task.question, complete,
                            encoding=model.encoding, budget=job.budget, labels=job.labels(),
                            check=job.task.check, check_what=job.task.check_what,
                            on_event=on_event, on_text=on_text, memo=memo)
        outcome = Outcome(result.answer, "map-reduce", result.usage,
                          result.usage.cost(model.input_price, model.output_price), False,
                          result.parts, result.failed, result.rounds, result.problems,
                          result.cached)
    if cache is not None and outcome.complete:
        cache.put(key, outcome.text, {"costUsd": round(outcome.cost_usd, 6),
                                      "usage": outcome.usage.to_json(), "mode": outcome.mode})
    return outcome
