"""Map → reduce through the real openai client and the local server."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable

import pytest

from ctxlens.llm import prompts
from ctxlens.llm.ask import retrying
from ctxlens.llm.client import ChatClient
from ctxlens.llm.demo_answerer import demo_answer
from ctxlens.llm.local_server import LocalLLMServer, RecordedRequest, Reply
from ctxlens.llm.mapreduce import (
    Budget,
    Event,
    MapReduceError,
    map_reduce,
    reduce_bound,
)
from llm.helpers import ENC, FAST, summary_json

BUDGET = Budget(limit=4000, window=4000, summary_tokens=300, answer_tokens=300,
                concurrency=3)


def _parts(n: int) -> list[str]:
    return [f"## src/mod{i}.py\n\n```python\nimport os\n\ndef run{i}():\n    return {i}\n```\n"
            for i in range(1, n + 1)]


def _step(request: RecordedRequest) -> str:
    head = request.system.split("\n", 1)[0]
    for name, text in (("map", prompts.MAP_SYSTEM), ("merge", prompts.MERGE_SYSTEM),
                       ("final", prompts.FINAL_SYSTEM)):
        if head == text.split("\n", 1)[0]:
            return name
    return "other"


def _part_of(request: RecordedRequest) -> int:
    found = re.search(r"Part (\d+) of", request.messages[1]["content"])
    assert found is not None
    return int(found.group(1))


def _run(server: LocalLLMServer, client: ChatClient, parts: list[str],
         budget: Budget = BUDGET, events: list[Event] | None = None):  # type: ignore[no-untyped-def]
    sink = events if events is not None else []
    return map_reduce(parts, "What does it do?", retrying(client.complete, FAST, sink.append),
                      encoding=ENC, budget=budget, on_event=sink.append)


def test_every_part_is_sent_once_then_answered(serve: Callable[..., LocalLLMServer],
                                               connect: Callable[..., ChatClient]) -> None:
    server = serve(demo_answer)
    client = connect(server)
    streamed: list[str] = []
    result = map_reduce(_parts(5), "What does it do?", retrying(client.complete, FAST),
                        encoding=ENC, budget=BUDGET, on_text=streamed.append)
    maps = [r for r in server.chat_requests if _step(r) == "map"]
    assert sorted(_part_of(r) for r in maps) == [1, 2, 3, 4, 5]
    assert [_step(r) for r in server.chat_requests].count("final") == 1
    assert result.failed == () and result.rounds == 0 and result.parts == 5
    for i in range(1, 6):
        assert f"src/mod{i}.py" in result.answer
    assert "".join(streamed) == result.answer
    assert result.usage.requests == 6
    assert result.usage.prompt_tokens == sum(server.prompt_tokens(r)
                                             for r in server.chat_requests)
    assert all(r.body["max_tokens"] == 300 for r in maps)


def test_a_429_with_retry_after_is_waited_out(serve: Callable[..., LocalLLMServer],
                                             connect: Callable[..., ChatClient]) -> None:
    limited = threading.Event()

    def handler(request: RecordedRequest) -> Reply | str:
        if _step(request) == "map" and _part_of(request) == 2 and not limited.is_set():
            limited.set()
            return Reply.rate_limited(retry_after_ms="20")
        return demo_answer(request)

    server = serve(handler)
    events: list[Event] = []
    result = _run(server, connect(server), _parts(3), events=events)
    assert result.failed == ()
    assert [_part_of(r) for r in server.chat_requests if _step(r) == "map"].count(2) == 2
    retries = [e.message for e in events if e.kind == "retry"]
    assert len(retries) == 1
    assert "429" in retries[0] and "retry 1 in 0.02 s (the server's Retry-After)" in retries[0]


def test_a_part_that_keeps_failing_is_reported(serve: Callable[..., LocalLLMServer],
                                              connect: Callable[..., ChatClient]) -> None:
    def handler(request: RecordedRequest) -> Reply | str:
        if _step(request) == "map" and _part_of(request) == 3:
            return Reply.server_error()
        return demo_answer(request)

    server = serve(handler)
    result = _run(server, connect(server), _parts(4))
    (failure,) = result.failed
    assert failure.part == 3 and failure.label == "part 3"
    assert "500" in failure.reason and "gave up after 2 retries" in failure.reason
    assert [_part_of(r) for r in server.chat_requests if _step(r) == "map"].count(3) == 3
    final = next(r for r in server.chat_requests if _step(r) == "final")
    assert "missing because the requests failed: 3." in final.user
    assert "src/mod4.py" in result.answer and "src/mod3.py" not in result.answer


def test_every_part_failing_is_an_error(serve: Callable[..., LocalLLMServer],
                                        connect: Callable[..., ChatClient]) -> None:
    server = serve(lambda _r: Reply.context_length_exceeded(100, 900))
    with pytest.raises(MapReduceError) as caught:
        _run(server, connect(server), _parts(2))
    assert "every part failed (2)" in str(caught.value)
    assert [f.part for f in caught.value.failed] == [1, 2]
    assert len(server.chat_requests) == 2  # not retried: a request too long stays too long


def test_invalid_summary_is_asked_for_once_more(serve: Callable[..., LocalLLMServer],
                                               connect: Callable[..., ChatClient]) -> None:
    def handler(request: RecordedRequest) -> Reply | str:
        if _step(request) == "map" and _part_of(request) == 1 and len(request.messages) == 2:
            return "Sure! This part holds a module that returns one."
        return demo_answer(request)

    server = serve(handler)
    events: list[Event] = []
    result = _run(server, connect(server), _parts(2), events=events)
    assert result.failed == ()
    part1 = [r for r in server.chat_requests if _step(r) == "map" and _part_of(r) == 1]
    assert len(part1) == 2
    reask = part1[1].messages
    assert [m["role"] for m in reask] == ["system", "user", "assistant", "user"]
    assert reask[2]["content"] == "Sure! This part holds a module that returns one."
    assert "not valid JSON" in reask[3]["content"]
    assert any(e.kind == "reask" and e.message.startswith("part 1:") for e in events)


def test_invalid_twice_fails_the_part(serve: Callable[..., LocalLLMServer],
                                      connect: Callable[..., ChatClient]) -> None:
    def handler(request: RecordedRequest) -> Reply | str:
        if _step(request) == "map" and _part_of(request) == 2:
            return '{"modules": "src/mod2.py"}'
        return demo_answer(request)

    server = serve(handler)
    result = _run(server, connect(server), _parts(3))
    (failure,) = result.failed
    assert failure.part == 2 and failure.reason.startswith("invalid summary twice")
    assert [_part_of(r) for r in server.chat_requests if _step(r) == "map"].count(2) == 2


def test_summaries_too_long_together_are_reduced_recursively(
        serve: Callable[..., LocalLLMServer], connect: Callable[..., ChatClient]) -> None:
    def handler(request: RecordedRequest) -> Reply | str:
        if _step(request) == "map":
            i = _part_of(request)
            return summary_json(i, f"src/mod{i}.py", notes="detail " * 60)
        return demo_answer(request)  # merges modules, answers from them

    budget = Budget(limit=900, window=4000, summary_tokens=250, answer_tokens=200,
                    concurrency=2)
    server = serve(handler)
    events: list[Event] = []
    result = _run(server, connect(server), _parts(8), budget=budget, events=events)
    steps = [_step(r) for r in server.chat_requests]
    assert steps.count("map") == 8 and steps.count("final") == 1
    assert steps.count("merge") >= 2 and result.rounds >= 1
    assert result.failed == ()
    for r in server.chat_requests:  # every request, prompt and cap, stayed within the limit
        assert server.prompt_tokens(r) + r.body["max_tokens"] <= budget.limit
    merged = [json.loads(line) for r in server.chat_requests if _step(r) == "final"
              for line in r.user.splitlines() if line.startswith("{")]
    assert sorted(p for s in merged for p in s.get("parts", [s["part"]])) == list(range(1, 9))
    for i in range(1, 9):
        assert f"src/mod{i}.py" in result.answer
    assert any(e.kind == "merge" for e in events)


def test_reduce_bound() -> None:
    budget = Budget(limit=600, window=1000, summary_tokens=100, answer_tokens=100)
    bound = reduce_bound(8, budget, overhead=100)
    assert bound is not None
    assert (bound.requests, bound.rounds) == (3, 1)  # 2 merges of 4, then the answer
    assert bound.input_tokens == (2 * 100 + 800) + (100 + 200)
    assert bound.output_tokens == 2 * 100 + 100
    one = reduce_bound(3, budget, overhead=100)
    assert one is not None and (one.requests, one.rounds) == (1, 0)
    assert reduce_bound(8, Budget(limit=350, window=1000, summary_tokens=100,
                                  answer_tokens=100), overhead=100) is None
