"""ctxlens.preflight / ctxlens.ask / ctxlens.diagram against a real OpenAI-compatible HTTP
server on 127.0.0.1 (the LLM bridge's local server, answering with its demo answerer)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from ctxlens.llm.local_server import LocalLLMServer
from lsp.helpers import command, start, stop, uri, wait_indexed

KEY = "sk-test-lsp-0123456789abcdef"


async def test_preflight_ask_and_diagram(ws: Path, tmp_path: Path) -> None:
    with LocalLLMServer(api_key=KEY) as llm:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
        env.update(OPENAI_API_KEY=KEY, OPENAI_BASE_URL=llm.url,
                   XDG_CACHE_HOME=str(tmp_path / "cache"))
        client = await start(ws, env=env)
        try:
            await wait_indexed(client)
            pre = await command(client, "ctxlens.preflight", {"question": "What is here?"})
            assert pre["model"] == "gpt-4.1" and pre["encoding"] == "o200k_base"
            assert pre["endpoint"] == llm.url and pre["mode"] == "single"
            assert pre["verdict"] in ("ok", "warn") and pre["costUsdMax"] > 0
            assert pre["requests"][0]["sentTokens"] > 0
            assert not llm.chat_requests  # a preflight sends nothing
            # Not confirmed: nothing is sent, and the preflight comes with the refusal.
            with pytest.raises(JsonRpcException) as info:
                await command(client, "ctxlens.ask", {"question": "What is here?"})
            assert "not sent" in info.value.message and not llm.chat_requests
            answer = await command(client, "ctxlens.ask", {"question": "What is here?",
                                                           "yes": True})
            assert answer["answer"].strip() and answer["complete"] is True
            assert answer["tokens"] > 0 and answer["costUsd"] > 0
            assert answer["model"] == "gpt-4.1" and answer["encoding"] == "o200k_base"
            (sent,) = llm.chat_requests
            assert sent.bearer == KEY and "py/orders.py" in sent.messages[-1]["content"]
            assert KEY not in str(answer)
            drawn = await command(client, "ctxlens.diagram",
                                  {"yes": True, "output": uri(ws, "docs/arch.md")})
            assert drawn["uri"] == uri(ws, "docs/arch.md")
            assert drawn["mermaid"].startswith("flowchart")
            assert drawn["mermaid"] in (ws / "docs/arch.md").read_text()
            assert len(llm.chat_requests) == 2
        finally:
            await stop(client)
