"""Map → reduce over the parts of a pack too large for one stable request.

Map: each part is sent once (`concurrency` at a time) and answered with a JSON summary
(modules, responsibilities, public interfaces, dependencies, notes) that must pass the
schema in `summary.py`; an invalid one is asked for once more. Reduce: when all summaries
fit one request with the answer's cap inside `limit`, the question is answered from them;
otherwise they are grouped to fit, each group merged into one summary (same schema, same
re-ask), and the merged summaries reduced again — each round at least halves their number
or the run stops with an error rather than loop.

Works on plain part texts and a `Completer`, so it knows nothing of packs, HTTP or caches.
A part that fails for good (after the completer's retries, or an invalid summary twice) is
reported by number and reason; the answer is built from the others and says what is missing.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from ctxlens.llm import prompts
from ctxlens.llm.client import Usage
from ctxlens.llm.framing import Message, count_messages
from ctxlens.llm.reask import Completer, Memo, ask_checked
from ctxlens.llm.retry import LLMError
from ctxlens.llm.summary import parse_summary
from ctxlens.tokens import count_tokens

SUMMARY_WHAT = "one JSON object of the shape asked for, and nothing else"


@dataclass(frozen=True, slots=True)
class Budget:
    limit: int  # tokens one request may use, its answer cap included (the stable limit)
    window: int  # the model's context window: never exceeded
    summary_tokens: int  # cap on each summary
    answer_tokens: int  # cap on the final answer
    concurrency: int = 4


@dataclass(frozen=True, slots=True)
class Event:
    kind: str  # map-done | map-failed | reask | merge | merge-failed | answer
    message: str
    done: int = 0
    total: int = 0


@dataclass(frozen=True, slots=True)
class PartFailure:
    part: int  # 1-based
    label: str  # "part 3 (src/a.py … src/f.py)"
    reason: str

    def to_json(self) -> dict[str, Any]:
        return {"part": self.part, "label": self.label, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class MapReduceResult:
    answer: str
    usage: Usage
    parts: int
    failed: tuple[PartFailure, ...]
    rounds: int  # merge rounds before the final answer (0: the summaries fit one request)
    problems: tuple[str, ...]  # the final answer still failed its check after a re-ask
    cached: int = 0  # summaries (map or merge) reused from the memo, not requested


class MapReduceError(LLMError):
    def __init__(self, message: str, failed: Sequence[PartFailure] = (),
                 usage: Usage | None = None) -> None:
        super().__init__(message)
        self.failed = tuple(sorted(failed, key=lambda f: f.part))
        self.usage = usage or Usage()


@dataclass(frozen=True, slots=True)
class ReduceBound:
    """What reducing n summaries costs at most, every summary at its cap."""

    requests: int
    rounds: int
    input_tokens: int
    output_tokens: int


def reduce_bound(n: int, budget: Budget, overhead: int) -> ReduceBound | None:
    """Upper bound on the reduce step for `n` summaries; None when two summaries do not fit
    one merge request (the run could never finish). `overhead`: the larger of the merge and
    final prompts' tokens without summaries."""
    s = budget.summary_tokens
    requests = rounds = inp = out = 0
    while n > 1 and overhead + n * s + budget.answer_tokens > budget.limit:
        per = (budget.limit - s - overhead) // s
        if per < 2:
            return None
        groups = math.ceil(n / per)
        requests, rounds = requests + groups, rounds + 1
        inp, out = inp + groups * overhead + n * s, out + groups * s
        n = groups
    return ReduceBound(requests + 1, rounds, inp + overhead + n * s,
                       out + budget.answer_tokens)


@dataclass(frozen=True, slots=True)
class _Item:
    parts: tuple[int, ...]
    summary: dict[str, Any]


def map_reduce(parts: Sequence[str], question: str, complete: Completer, *, encoding: str,
               budget: Budget, labels: Sequence[str] | None = None,
               check: Callable[[str], list[str]] | None = None, check_what: str = "",
               on_event: Callable[[Event], None] | None = None,
               on_text: Callable[[str], None] | None = None,
               memo: Memo | None = None) -> MapReduceResult:
    """Answer `question` over `parts`. `check`/`check_what`: the final answer's check and
    what to ask for when it fails (re-asked once). `on_text` streams the final answer.
    `memo` remembers valid summaries, so a re-run sends only the parts that failed."""
    run = _Run(question, complete, encoding, budget,
               list(labels) if labels else [f"part {i}" for i in range(1, len(parts) + 1)],
               on_event, memo)
    items = run.map(parts)
    if not items:
        failed = sorted(run.failed, key=lambda f: f.part)
        raise MapReduceError(
            f"every part failed ({len(parts)}): " + "; ".join(
                f"{f.label}: {f.reason}" for f in failed[:5]), failed, run.usage)
    rounds = 0
    while not run.fits_final(items):
        if len(items) == 1:
            raise MapReduceError("one summary and the answer's cap do not fit the limit "
                                 f"({budget.limit} tokens)", run.failed, run.usage)
        merged = run.merge_round(items)
        if len(merged) >= len(items):
            raise MapReduceError(
                f"summaries do not fit two per request within {budget.limit} tokens; raise "
                "the limit or lower summary_tokens", run.failed, run.usage)
        if not merged:
            raise MapReduceError("every merge failed", run.failed, run.usage)
        items, rounds = merged, rounds + 1
    answer = run.final(items, check, check_what, on_text)
    return MapReduceResult(answer.text, run.usage, len(parts),
                           tuple(sorted(run.failed, key=lambda f: f.part)), rounds,
                           answer.problems, run.cached)


class _Run:
    """One map-reduce run's state: usage so far, failures, events (thread-safe)."""

    def __init__(self, question: str, complete: Completer, encoding: str, budget: Budget,
                 labels: list[str], on_event: Callable[[Event], None] | None,
                 memo: Memo | None) -> None:
        self.question, self.complete, self.encoding, self.budget = (
            question, complete, encoding, budget)
        self.labels = labels
        self.usage = Usage()
        self.failed: list[PartFailure] = []
        self._on_event = on_event
        self.memo = memo
        self.cached = 0  # summaries taken from the memo
        self._lock = threading.Lock()

    def emit(self, event: Event) -> None:
        if self._on_event is not None:
            with self._lock:
                self._on_event(event)

    def _add(self, usage: Usage) -> None:
        with self._lock:
            self.usage = self.usage + usage

    def _fail(self, part: int, reason: str) -> None:
        with self._lock:
            self.failed.append(PartFailure(part, self.labels[part - 1], reason))

    def _reask(self, label: str, problems: list[str]) -> None:
        self.emit(Event("reask", f"{label}: invalid answer ({problems[0]}); asking once more"))

    def _summary(self, messages: list[Message], label: str) -> dict[str, Any]:
        """A checked summary, or LLMError saying why there is none."""
        got = ask_checked(self.complete, messages, max_tokens=self.budget.summary_tokens,
                          label=label, check=lambda t: parse_summary(t)[1],
                          what=SUMMARY_WHAT, on_reask=self._reask, memo=self.memo)
        self._add(got.usage)
        if got.cached:
            with self._lock:
                self.cached += 1
        if got.problems:
            raise LLMError(f"invalid summary twice: {'; '.join(got.problems[:3])}")
        value, _ = parse_summary(got.text)
        assert value is not None
        return value

    def map(self, parts: Sequence[str]) -> list[_Item]:
        total = len(parts)
        done = 0

        def one(index: int, text: str) -> _Item | None:
            nonlocal done
            label = self.labels[index - 1]
            messages = prompts.map_messages(text, index, total, self.question)
            try:
                summary = self._summary(messages, label)
            except LLMError as err:
                self._fail(index, str(err))
                with self._lock:
                    done += 1
                self.emit(Event("map-failed", f"{label} failed: {err}", done, total))
                return None
            summary["part"] = index
            with self._lock:
                done += 1
            self.emit(Event("map-done", f"{label} summarised", done, total))
            return _Item((index,), summary)

        with ThreadPoolExecutor(max_workers=max(1, self.budget.concurrency)) as pool:
            results = list(pool.map(one, range(1, total + 1), parts))
        return [r for r in results if r is not None]

    def _count(self, messages: list[Message]) -> int:
        return count_messages(messages, self.encoding).total

    def _failed_parts(self) -> list[int]:
        return sorted(f.part for f in self.failed)

    def fits_final(self, items: Sequence[_Item]) -> bool:
        messages = prompts.final_messages([i.summary for i in items], self.question,
                                          self._failed_parts())
        return self._count(messages) + self.budget.answer_tokens <= self.budget.limit

    def _groups(self, items: Sequence[_Item]) -> list[list[_Item]]:
        """Consecutive groups whose merge request plus a summary's cap fits the limit."""
        room = self.budget.limit - self.budget.summary_tokens
        overhead = self._count(prompts.merge_messages([], self.question))
        groups: list[list[_Item]] = []
        current: list[_Item] = []
        used = overhead
        for item in items:
            # Summaries go one per line, so a line's count alone is its count in the block
            # up to a token at the seam; each group is counted exactly below.
            tokens = count_tokens(prompts.summaries_block([item.summary]) + "\n",
                                  self.encoding)
            if current and used + tokens > room:
                groups.append(current)
                current, used = [], overhead
            current.append(item)
            used += tokens
        if current:
            groups.append(current)
        exact: list[list[_Item]] = []
        while groups:
            group = groups.pop(0)
            spill: list[_Item] = []
            while len(group) > 1 and self._count(prompts.merge_messages(
                    [i.summary for i in group], self.question)) > room:
                spill.insert(0, group.pop())
            exact.append(group)
            if spill:
                groups.insert(0, spill)
        return exact

    def merge_round(self, items: Sequence[_Item]) -> list[_Item]:
        groups = self._groups(items)
        self.emit(Event("merge", f"reducing {len(items)} summaries in {len(groups)} groups",
                        0, len(groups)))

        def merge(group: list[_Item]) -> _Item | None:
            if len(group) == 1:
                return group[0]
            covered = tuple(p for i in group for p in i.parts)
            label = f"merge of parts {_span(covered)}"
            messages = prompts.merge_messages([i.summary for i in group], self.question)
            try:
                summary = self._summary(messages, label)
            except LLMError as err:
                for p in covered:
                    self._fail(p, f"{label} failed: {err}")
                self.emit(Event("merge-failed", f"{label} failed: {err}"))
                return None
            summary["part"] = covered[0]
            summary["parts"] = list(covered)
            return _Item(covered, summary)

        with ThreadPoolExecutor(max_workers=max(1, self.budget.concurrency)) as pool:
            merged = list(pool.map(merge, groups))
        return [m for m in merged if m is not None]

    def final(self, items: Sequence[_Item], check: Callable[[str], list[str]] | None,
              check_what: str, on_text: Callable[[str], None] | None) -> _Final:
        messages = prompts.final_messages([i.summary for i in items], self.question,
                                          self._failed_parts())
        if self._count(messages) + self.budget.answer_tokens > self.budget.window:
            raise MapReduceError("the final request would exceed the model's window",
                                 self.failed, self.usage)
        self.emit(Event("answer", f"answering from {len(items)} summaries"))
        got = ask_checked(self.complete, messages, max_tokens=self.budget.answer_tokens,
                          label="answer", check=check or (lambda _t: []), what=check_what,
                          on_text=on_text, on_reask=self._reask)
        self._add(got.usage)
        return _Final(got.text, got.problems)


@dataclass(frozen=True, slots=True)
class _Final:
    text: str
    problems: tuple[str, ...]


def _span(parts: Sequence[int]) -> str:
    return f"{parts[0]}–{parts[-1]}" if len(parts) > 1 else str(parts[0])
