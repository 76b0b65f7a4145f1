"""Fixtures of the LLM bridge tests: real local servers and real openai-backed clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from ctxlens.llm.client import ChatClient
from ctxlens.llm.endpoint import resolve_endpoint
from ctxlens.llm.local_server import LocalLLMServer
from ctxlens.llm.options import LLMOptions
from llm.helpers import ENC, TEST_KEY, TINY


@pytest.fixture
def serve() -> Iterator[Callable[..., LocalLLMServer]]:
    """Start local servers for a test (same arguments as LocalLLMServer); all stop after."""
    started: list[LocalLLMServer] = []

    def start(*args: Any, **kwargs: Any) -> LocalLLMServer:
        server = LocalLLMServer(*args, **kwargs).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def connect(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., ChatClient]]:
    """A real openai-backed ChatClient for a server, with TEST_KEY in the environment."""
    monkeypatch.setenv("OPENAI_API_KEY", TEST_KEY)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    clients: list[ChatClient] = []

    def make(server: LocalLLMServer, model: str = TINY.name, timeout: float = 10.0
             ) -> ChatClient:
        client = ChatClient(resolve_endpoint(LLMOptions(), base_url=server.url), model, ENC,
                            timeout=timeout)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()
