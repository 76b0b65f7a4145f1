"""The diagram task: a checked Mermaid answer, a broken one asked for once more."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ctxlens.llm import diagram
from ctxlens.llm.ask import diagram_task, make_job, run_job
from ctxlens.llm.cache import AnswerCache
from ctxlens.llm.client import ChatClient
from ctxlens.llm.demo_answerer import demo_answer
from ctxlens.llm.local_server import LocalLLMServer, RecordedRequest
from ctxlens.llm.mapreduce import Budget, Event
from ctxlens.llm.mermaid import check_flowchart
from llm.helpers import FAST, TINY

BUDGET = Budget(limit=4000, window=4000, summary_tokens=300, answer_tokens=300)
PACK = "## src/a.py\n\n```python\nimport b\n```\n\n## src/b.py\n\n```python\nX = 1\n```\n"
GOOD = ("Components and uses:\n```mermaid\nflowchart LR\n  a[\"src/a.py\"] --> b[\"src/b.py\"]\n"
        "```\nThe entry point is a.")
BROKEN = "```mermaid\nflowchart LR\n  a[src/a.py (entry)] --> \n```"


def test_a_valid_canned_diagram_passes(serve: Callable[..., LocalLLMServer],
                                       connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[GOOD])
    job = make_job(diagram_task(), TINY, PACK, [], BUDGET)
    outcome = run_job(job, connect(server).complete, base_url=server.url, policy=FAST)
    assert outcome.complete and outcome.problems == ()
    assert len(server.chat_requests) == 1
    assert diagram.DIAGRAM_QUESTION in server.chat_requests[0].user
    found = diagram.extract(outcome.text)
    assert found is not None and check_flowchart(found.mermaid) == []


def test_a_broken_diagram_is_asked_for_once_more(serve: Callable[..., LocalLLMServer],
                                                 connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[BROKEN, GOOD])
    events: list[Event] = []
    job = make_job(diagram_task(), TINY, PACK, [], BUDGET)
    outcome = run_job(job, connect(server).complete, base_url=server.url, policy=FAST,
                      on_event=events.append)
    assert outcome.complete and outcome.text == GOOD
    first, second = server.chat_requests
    assert second.messages[:2] == first.messages
    assert second.messages[2] == {"role": "assistant", "content": BROKEN}
    assert "inside an unquoted label" in second.user and "```mermaid" in second.user
    assert any(e.kind == "reask" for e in events)


def test_broken_twice_is_reported_and_not_cached(tmp_path: Path,
                                                 serve: Callable[..., LocalLLMServer],
                                                 connect: Callable[..., ChatClient]) -> None:
    server = serve(replies=[BROKEN, "No diagram, sorry."])
    cache = AnswerCache(tmp_path / "c.db")
    job = make_job(diagram_task(), TINY, PACK, [], BUDGET)
    outcome = run_job(job, connect(server).complete, base_url=server.url, policy=FAST,
                      cache=cache)
    assert not outcome.complete
    assert outcome.problems == ("no ```mermaid code block in the reply",)
    assert len(server.chat_requests) == 2 and len(cache) == 0
    cache.close()


def test_map_reduce_diagram_checks_the_final_answer(serve: Callable[..., LocalLLMServer],
                                                    connect: Callable[..., ChatClient]) -> None:
    final_calls = {"n": 0}

    def handler(request: RecordedRequest) -> str:
        if request.system.startswith("You answer questions about a codebase from summaries"):
            final_calls["n"] += 1
            if final_calls["n"] == 1:
                return BROKEN
        return demo_answer(request)

    server = serve(handler)
    parts = [("## src/a.py\n\n```python\nimport b\n```\n", ["src/a.py"]),
             ("## src/b.py\n\n```python\nX = 1\n```\n", ["src/b.py"])]
    job = make_job(diagram_task(), TINY, PACK, parts, BUDGET)
    outcome = run_job(job, connect(server).complete, base_url=server.url, policy=FAST)
    assert final_calls["n"] == 2 and outcome.complete
    found = diagram.extract(outcome.text)
    assert found is not None and check_flowchart(found.mermaid) == []
    assert "src/a.py" in found.mermaid and "-->" in found.mermaid  # a uses b
