"""ChatClient: streaming through the real openai client, usage, and errors made ours."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest

from ctxlens.llm.client import (
    AuthFailed,
    ChatClient,
    ContextTooLong,
    Unreachable,
)
from ctxlens.llm.endpoint import EndpointError, resolve_endpoint
from ctxlens.llm.framing import Message, count_messages
from ctxlens.llm.local_server import LocalLLMServer, Reply
from ctxlens.llm.options import LLMOptions
from ctxlens.llm.retry import LLMError, TransientError
from ctxlens.tokens import count_tokens
from llm.helpers import ENC, TEST_KEY

ASK: list[Message] = [{"role": "system", "content": "be brief"},
                      {"role": "user", "content": "what is 2 + 2?"}]


def test_answer_streams_piece_by_piece(serve: Callable[..., LocalLLMServer],
                                       connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[Reply(content="Two plus two is four.", chunk_chars=4)])
    pieces: list[str] = []
    done = connect(server).complete(ASK, max_tokens=50, on_text=pieces.append)
    assert "".join(pieces) == done.text == "Two plus two is four."
    assert len(pieces) == 6
    assert done.finish_reason == "stop"
    assert done.usage.prompt_tokens == count_messages(ASK, ENC).total
    assert done.usage.counted_here == 0
    sent = server.chat_requests[0].body
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}
    assert sent["max_tokens"] == 50 and sent["model"] == "tiny-test"


def test_without_usage_from_the_server_we_count(serve: Callable[..., LocalLLMServer],
                                                connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[Reply(content="four", usage=False)])
    done = connect(server).complete(ASK, max_tokens=5)
    assert done.usage.counted_here == 1
    assert done.usage.prompt_tokens == count_messages(ASK, ENC).total
    assert done.usage.completion_tokens == count_tokens("four", ENC)


def test_cut_at_the_cap_says_length(serve: Callable[..., LocalLLMServer],
                                    connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[Reply(content="partial", finish_reason="length")])
    assert connect(server).complete(ASK, max_tokens=2).finish_reason == "length"


@pytest.mark.parametrize("reply, kind, words", [
    (Reply.rate_limited(retry_after_ms="250"), TransientError, "429"),
    (Reply.server_error(503), TransientError, "503"),
    (Reply.context_length_exceeded(10, 99), ContextTooLong, "longer than the model's context"),
    (Reply(content="x" * 200, stream_error_after=3), TransientError, "stream broke off"),
    (Reply(status=400, error={"message": "bad temperature", "type": "invalid_request_error",
                              "code": None}), LLMError, "bad temperature"),
])
def test_errors_become_ours(serve: Callable[..., LocalLLMServer],
                            connect: Callable[..., ChatClient], reply: Reply,
                            kind: type[LLMError], words: str) -> None:
    server = serve(replies=[reply])
    with pytest.raises(kind) as caught:
        connect(server).complete(ASK, max_tokens=5)
    assert words in str(caught.value)
    assert server.url in str(caught.value)
    if reply.status == 429:
        assert isinstance(caught.value, TransientError) and caught.value.retry_after == 0.25
    if kind is LLMError:
        assert not isinstance(caught.value, TransientError)


def test_rejected_key_is_scrubbed_from_the_error(serve: Callable[..., LocalLLMServer],
                                                 connect: Callable[..., ChatClient]) -> None:
    server = serve(api_key="sk-another-key-entirely-999")
    with pytest.raises(AuthFailed) as caught:
        connect(server).complete(ASK, max_tokens=5)
    message = str(caught.value)
    assert "$OPENAI_API_KEY" in message and "401" in message
    assert TEST_KEY not in message and TEST_KEY[:6] not in message
    assert TEST_KEY[-4:] not in message and "<redacted key>" in message


def test_slow_server_times_out_as_transient(serve: Callable[..., LocalLLMServer],
                                            connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[Reply(content="late", delay=5.0)])
    with pytest.raises(TransientError) as caught:
        connect(server, timeout=0.3).complete(ASK, max_tokens=5)
    assert "timed out" in str(caught.value)


def test_unreachable_endpoint_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/v1"
    client = ChatClient(resolve_endpoint(LLMOptions(), base_url=url), "m", ENC, timeout=5)
    with pytest.raises(Unreachable) as caught:
        client.complete(ASK, max_tokens=5)
    assert f"cannot reach {url}" in str(caught.value)
    assert "is the server running" in str(caught.value)


def test_remote_endpoint_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MY_LLM_KEY", raising=False)
    endpoint = resolve_endpoint(LLMOptions(api_key_env="MY_LLM_KEY"),
                                base_url="https://llm.example.com/v1")
    with pytest.raises(EndpointError, match=r"set \$MY_LLM_KEY"):
        ChatClient(endpoint, "m", ENC)
