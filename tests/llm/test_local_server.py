"""The local OpenAI-compatible server, spoken to by the real `openai` client over sockets."""

from __future__ import annotations

from collections.abc import Callable

import openai
import pytest

from ctxlens.llm.framing import count_messages
from ctxlens.llm.local_server import LocalLLMServer, Reply
from ctxlens.tokens import count_tokens
from llm.helpers import ENC, TEST_KEY


def _client(server: LocalLLMServer, key: str = TEST_KEY) -> openai.OpenAI:
    return openai.OpenAI(base_url=server.url, api_key=key, max_retries=0, timeout=10)


def test_models_are_listed(serve: Callable[..., LocalLLMServer]) -> None:
    server = serve(models=("tiny-test", "gpt-4.1"))
    ids = [m.id for m in _client(server).models.list()]
    assert ids == ["tiny-test", "gpt-4.1"]


def test_plain_completion_carries_exact_usage(serve: Callable[..., LocalLLMServer]) -> None:
    server = serve(replies=["four"])
    messages = [{"role": "user", "content": "two and two?"}]
    done = _client(server).chat.completions.create(model="m", messages=messages)  # type: ignore[arg-type]
    assert done.choices[0].message.content == "four"
    assert done.usage is not None
    assert done.usage.prompt_tokens == count_messages(messages, ENC).total  # type: ignore[arg-type]
    assert done.usage.completion_tokens == count_tokens("four", ENC)
    assert server.chat_requests[0].bearer == TEST_KEY


def test_stream_arrives_in_pieces_with_usage_last(serve: Callable[..., LocalLLMServer]) -> None:
    text = "The quick brown fox jumps over the lazy dog."
    server = serve(replies=[Reply(content=text, chunk_chars=5)])
    stream = _client(server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "go"}], stream=True,
        stream_options={"include_usage": True})
    chunks = list(stream)
    pieces = [c.choices[0].delta.content for c in chunks if c.choices and
              c.choices[0].delta.content]
    assert "".join(pieces) == text and len(pieces) == 9
    assert chunks[-1].choices == [] and chunks[-1].usage is not None
    assert chunks[-1].usage.completion_tokens == count_tokens(text, ENC)


@pytest.mark.parametrize("reply, error, status", [
    (Reply.rate_limited(retry_after="7"), openai.RateLimitError, 429),
    (Reply.server_error(), openai.InternalServerError, 500),
    (Reply.context_length_exceeded(100, 250), openai.BadRequestError, 400),
])
def test_errors_look_like_openai_s(serve: Callable[..., LocalLLMServer], reply: Reply,
                                   error: type[openai.APIStatusError], status: int) -> None:
    server = serve(replies=[reply])
    with pytest.raises(error) as caught:
        _client(server).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}])
    assert caught.value.status_code == status
    if status == 429:
        assert caught.value.response.headers["retry-after"] == "7"
    if status == 400:
        assert caught.value.code == "context_length_exceeded"


def test_wrong_key_gets_401_and_a_masked_echo(serve: Callable[..., LocalLLMServer]) -> None:
    server = serve(api_key="sk-the-right-key-000000")
    with pytest.raises(openai.AuthenticationError) as caught:
        _client(server, key=TEST_KEY).chat.completions.create(
            model="m", messages=[{"role": "user", "content": "x"}])
    message = str(caught.value)
    assert TEST_KEY not in message and TEST_KEY[:6] in message  # the echo the client scrubs


def test_context_limit_is_enforced_by_counting(serve: Callable[..., LocalLLMServer]) -> None:
    server = serve(context_limit=20, replies=["ok", "ok"])
    client = _client(server)
    client.chat.completions.create(model="m", messages=[{"role": "user", "content": "hi"}])
    with pytest.raises(openai.BadRequestError):
        client.chat.completions.create(model="m", messages=[
            {"role": "user", "content": "word " * 40}])


def test_handler_sees_each_request_and_queue_comes_first(
        serve: Callable[..., LocalLLMServer]) -> None:
    server = serve(lambda req: f"handled {req.user}", replies=["queued"])
    client = _client(server)
    answers = [client.chat.completions.create(
        model="m", messages=[{"role": "user", "content": f"q{i}"}]).choices[0].message.content
        for i in range(2)]
    assert answers == ["queued", "handled q1"]
    assert [r.user for r in server.chat_requests] == ["q0", "q1"]


def test_answers_are_cut_at_the_token_cap(serve: Callable[..., LocalLLMServer]) -> None:
    server = serve(replies=["one two three four five six seven eight"])
    done = _client(server).chat.completions.create(
        model="m", messages=[{"role": "user", "content": "count"}], max_tokens=3)
    assert done.choices[0].finish_reason == "length"
    assert done.usage is not None and done.usage.completion_tokens == 3
    assert done.choices[0].message.content == "one two three"
