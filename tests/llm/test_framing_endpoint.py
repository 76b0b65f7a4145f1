"""Chat framing counts, endpoint resolution, key scrubbing and the [llm] table."""

from __future__ import annotations

import pytest

from ctxlens.config import ConfigError, parse_config
from ctxlens.llm.endpoint import EndpointError, read_key, resolve_endpoint, scrub
from ctxlens.llm.framing import Message, count_messages
from ctxlens.llm.options import LLMOptions
from ctxlens.tokens import count_tokens
from llm.helpers import ENC, TEST_KEY


def test_framing_is_separate_from_exact_content() -> None:
    messages: list[Message] = [{"role": "system", "content": "You answer questions."},
                               {"role": "user", "content": "def f():\n    return 1\n"}]
    n = count_messages(messages, ENC)
    assert n.content == sum(count_tokens(m["content"], ENC) for m in messages)
    # OpenAI's rule: 3 per message + the role's tokens, + 3 priming the reply.
    roles = count_tokens("system", ENC) + count_tokens("user", ENC)
    assert n.framing == 3 + 2 * 3 + roles
    assert n.total == n.content + n.framing


def test_base_url_precedence() -> None:
    opts = LLMOptions(base_url="http://config.example/v1")
    env = {"OPENAI_BASE_URL": "http://env.example/v1"}
    assert resolve_endpoint(opts, "http://flag.example/v1/", env).base_url == \
        "http://flag.example/v1"
    got = resolve_endpoint(opts, None, env)
    assert (got.base_url, got.base_url_source) == ("http://env.example/v1", "$OPENAI_BASE_URL")
    assert resolve_endpoint(opts, None, {}).base_url_source == ".ctxlens.toml [llm]"
    assert resolve_endpoint(LLMOptions(), None, {}).base_url == "https://api.openai.com/v1"


@pytest.mark.parametrize("url, words", [
    ("ftp://x/v1", "not an http(s) URL"),
    ("localhost:8000", "not an http(s) URL"),
    ("https://user:pw@llm.example/v1", "holds credentials"),
])
def test_bad_base_urls(url: str, words: str) -> None:
    with pytest.raises(EndpointError, match=words.replace("(", r"\(").replace(")", r"\)")):
        resolve_endpoint(LLMOptions(), url, {})


def test_keys_come_from_the_named_variable_only() -> None:
    remote = resolve_endpoint(LLMOptions(api_key_env="TEAM_KEY"), "https://llm.example/v1", {})
    assert read_key(remote, {"TEAM_KEY": TEST_KEY, "OPENAI_API_KEY": "other"}) == TEST_KEY
    with pytest.raises(EndpointError, match=r"\$TEAM_KEY"):
        read_key(remote, {"OPENAI_API_KEY": "other"})
    local = resolve_endpoint(LLMOptions(), "http://127.0.0.1:8000/v1", {})
    assert read_key(local, {}) == "ctxlens-no-key"
    assert TEST_KEY not in repr(remote) and "TEAM_KEY" in remote.describe()


@pytest.mark.parametrize("text", [
    f"bad key {TEST_KEY}.", "Incorrect API key provided: sk-ctx************tRb.",
    "key abcdef**********wxyz rejected",
])
def test_scrub_removes_keys_and_masked_echoes(text: str) -> None:
    clean = scrub(text, TEST_KEY)
    assert "<redacted key>" in clean
    assert TEST_KEY not in clean and "sk-ctx" not in clean and "wxyz" not in clean


def test_llm_table_is_read_and_the_key_refused() -> None:
    config = parse_config({"llm": {"base_url": "http://127.0.0.1:1234/v1", "model": "m",
                                   "api_key_env": "K", "concurrency": 2, "timeout": 30,
                                   "answer_tokens": 500, "cache": False}})
    assert config.llm.base_url == "http://127.0.0.1:1234/v1" and config.llm.concurrency == 2
    assert config.llm.timeout == 30.0 and config.llm.cache is False
    with pytest.raises(ConfigError, match="never put the API key in a file"):
        parse_config({"llm": {"api_key": "x"}})
    with pytest.raises(ConfigError, match="unknown setting"):
        parse_config({"llm": {"temperature": 0}})
    with pytest.raises(ConfigError, match="must be positive"):
        parse_config({"llm": {"concurrency": 0}})
