"""Retries: Retry-After honoured (ms, seconds, HTTP date), backoff otherwise, give up clearly."""

from __future__ import annotations

import email.utils
from collections.abc import Callable

import pytest

from ctxlens.llm.client import ChatClient
from ctxlens.llm.local_server import LocalLLMServer, Reply
from ctxlens.llm.retry import (
    LLMError,
    RetryEvent,
    RetryPolicy,
    TransientError,
    retry_after,
    with_retries,
)
from llm.helpers import FAST


@pytest.mark.parametrize("headers, seconds", [
    ({"retry-after-ms": "1500", "Retry-After": "9"}, 1.5),
    ({"Retry-After": "3"}, 3.0),
    ({"Retry-After": "0.25"}, 0.25),
    ({}, None),
    ({"Retry-After": "soon"}, None),
])
def test_retry_after_headers(headers: dict[str, str], seconds: float | None) -> None:
    assert retry_after(headers) == seconds


def test_retry_after_as_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 42, usegmt=True)
    assert retry_after({"Retry-After": date}, now=now) == pytest.approx(42, abs=1)


def test_429_with_retry_after_then_success(serve: Callable[..., LocalLLMServer],
                                           connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[Reply.rate_limited(retry_after_ms="30", retry_after="1"),
                            Reply.server_error(502), "done"])
    client = connect(server)
    events: list[RetryEvent] = []
    waits: list[float] = []
    policy = RetryPolicy(max_retries=3, base_delay=0.01, max_delay=0.02, sleep=waits.append)
    done = with_retries(lambda: client.complete([{"role": "user", "content": "x"}],
                                                max_tokens=5), policy, events.append)
    assert done.text == "done"
    assert len(server.chat_requests) == 3
    assert [e.from_header for e in events] == [True, False]
    assert waits[0] == 0.03  # the server's retry-after-ms, not our backoff
    assert 0.01 <= waits[1] <= 0.02  # the second retry: twice the base, with jitter
    assert "429" in events[0].reason and "502" in events[1].reason


def test_gives_up_after_max_retries(serve: Callable[..., LocalLLMServer],
                                    connect: Callable[..., ChatClient]) -> None:
    server = serve(lambda _r: Reply.server_error())
    client = connect(server)
    with pytest.raises(LLMError) as caught:
        with_retries(lambda: client.complete([{"role": "user", "content": "x"}], max_tokens=5),
                     FAST)
    assert "gave up after 2 retries" in str(caught.value)
    assert len(server.chat_requests) == 3


def test_too_long_a_retry_after_is_reported_not_waited() -> None:
    calls = 0

    def call() -> str:
        nonlocal calls
        calls += 1
        raise TransientError("429 quota window", retry_after=3600)

    waits: list[float] = []
    with pytest.raises(LLMError, match="asks to wait 3600 s"):
        with_retries(call, RetryPolicy(max_retry_after=60, sleep=waits.append))
    assert calls == 1 and waits == []


def test_permanent_errors_are_not_retried(serve: Callable[..., LocalLLMServer],
                                          connect: Callable[..., ChatClient]) -> None:
    server = serve(lambda _r: Reply.context_length_exceeded(10, 50))
    client = connect(server)
    with pytest.raises(LLMError, match="longer than the model's context"):
        with_retries(lambda: client.complete([{"role": "user", "content": "x"}], max_tokens=5),
                     FAST)
    assert len(server.chat_requests) == 1
