"""Retries with backoff for transient failures (429, 5xx, timeouts, dropped connections).

A server's `Retry-After` (or OpenAI's `retry-after-ms`) wins over our own backoff; one
longer than `max_retry_after` is not waited out but reported, so a run never hangs for an
hour on a quota reset. Knows nothing of HTTP clients: callers raise `TransientError`.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


class LLMError(Exception):
    """A request that failed for good; the message is safe to show (no key in it)."""


class TransientError(LLMError):
    """A failure worth retrying: rate limit, server error, timeout, dropped connection."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_retries: int = 4
    base_delay: float = 1.0  # first backoff; doubles per retry, with jitter
    max_delay: float = 60.0  # cap on our own backoff
    max_retry_after: float = 300.0  # a longer Retry-After is reported, not waited out
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)


@dataclass(frozen=True, slots=True)
class RetryEvent:
    attempt: int  # 1 = the first retry
    delay: float  # seconds waited before it
    reason: str
    from_header: bool  # the delay is the server's Retry-After


def retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds the server asks us to wait: `retry-after-ms`, else `Retry-After` as seconds
    or as an HTTP date; None when absent or unreadable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / scale
        except ValueError:
            continue
        if seconds >= 0:
            return seconds
    value = lowered.get("retry-after")
    if not value:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def with_retries(call: Callable[[], T], policy: RetryPolicy,
                 on_retry: Callable[[RetryEvent], None] | None = None) -> T:
    """`call()`, retried on `TransientError` up to `policy.max_retries` times."""
    attempt = 0
    while True:
        try:
            return call()
        except TransientError as err:
            attempt += 1
            if attempt > policy.max_retries:
                raise LLMError(f"{err} (gave up after {policy.max_retries} retries)") from err
            if err.retry_after is not None:
                if err.retry_after > policy.max_retry_after:
                    raise LLMError(f"{err}; the server asks to wait {err.retry_after:.0f} s, "
                                   f"more than {policy.max_retry_after:.0f} s: try later"
                                   ) from err
                delay, from_header = err.retry_after, True
            else:
                backoff = min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
                delay, from_header = backoff * (0.5 + random.random() / 2), False
            if on_retry is not None:
                on_retry(RetryEvent(attempt, delay, str(err), from_header))
            policy.sleep(delay)
