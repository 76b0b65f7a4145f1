"""One request whose answer must pass a check: asked once more, with the problems, if not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ctxlens.llm.client import Completion, Usage
from ctxlens.llm.framing import Message
from ctxlens.llm.prompts import reask_messages


class Completer(Protocol):
    """Sends one request (retrying, caching as its maker decided) and returns the answer."""

    def __call__(self, messages: Sequence[Message], *, max_tokens: int, label: str,
                 on_text: Callable[[str], None] | None = None) -> Completion: ...


class Memo(Protocol):
    """Remembers answers that passed their check, by the request that first asked."""

    def get(self, messages: Sequence[Message], max_tokens: int) -> str | None: ...

    def put(self, messages: Sequence[Message], max_tokens: int, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Checked:
    text: str
    problems: tuple[str, ...]  # still wrong after the re-ask; empty when the answer passed
    usage: Usage
    reasked: bool
    cached: bool = False


def ask_checked(complete: Completer, messages: Sequence[Message], *, max_tokens: int,
                label: str, check: Callable[[str], list[str]], what: str,
                on_text: Callable[[str], None] | None = None,
                on_reask: Callable[[str, list[str]], None] | None = None,
                memo: Memo | None = None) -> Checked:
    """Ask; if `check` finds problems, ask once more showing the answer and the problems.

    With a `memo`, an answer remembered for `messages` is used without a request, and an
    answer that passes (first time or re-asked) is remembered — a failed one never is.
    """
    if memo is not None:
        hit = memo.get(messages, max_tokens)
        if hit is not None and not check(hit):
            if on_text is not None:
                on_text(hit)
            return Checked(hit, (), Usage(), False, cached=True)
    first = complete(messages, max_tokens=max_tokens, label=label, on_text=on_text)
    problems = check(first.text)
    if not problems:
        if memo is not None:
            memo.put(messages, max_tokens, first.text)
        return Checked(first.text, (), first.usage, False)
    if on_reask is not None:
        on_reask(label, problems)
    again = reask_messages(messages, first.text, problems, what)
    second = complete(again, max_tokens=max_tokens, label=f"{label} (re-asked)",
                      on_text=on_text)
    still = tuple(check(second.text))
    if memo is not None and not still:
        memo.put(messages, max_tokens, second.text)
    return Checked(second.text, still, first.usage + second.usage, True)
