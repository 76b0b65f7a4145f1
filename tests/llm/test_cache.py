"""The answer cache: a real SQLite file; a repeat sends nothing; failed parts alone are resent."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

from ctxlens.llm.ask import Task, make_job, run_job
from ctxlens.llm.cache import AnswerCache
from ctxlens.llm.client import ChatClient
from ctxlens.llm.demo_answerer import demo_answer
from ctxlens.llm.local_server import LocalLLMServer, RecordedRequest, Reply
from ctxlens.llm.mapreduce import Budget
from llm.helpers import FAST, TEST_KEY, TINY

BUDGET = Budget(limit=4000, window=4000, summary_tokens=300, answer_tokens=300)
PACK = "## src/a.py\n\n```python\ndef a():\n    return 1\n```\n"


def test_entries_persist_in_a_real_file(tmp_path: Path) -> None:
    path = tmp_path / ".ctxlens" / "llm-cache.db"
    first = AnswerCache(path)
    first.put("k", "the answer", {"costUsd": 0.5})
    first.close()
    again = AnswerCache(path)
    hit = again.get("k")
    assert hit is not None and hit.text == "the answer" and hit.meta == {"costUsd": 0.5}
    assert again.get("other") is None and len(again) == 1
    again.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM answers").fetchone() == (1,)


def test_a_corrupt_file_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "llm-cache.db"
    path.write_bytes(b"this is not a database" * 100)
    cache = AnswerCache(path)
    assert cache.warning is not None and "was corrupt" in cache.warning
    cache.put("k", "v")
    assert cache.get("k") is not None
    assert [p.name for p in tmp_path.glob("llm-cache.db.broken-*")]
    cache.close()


def test_the_same_question_twice_sends_once(tmp_path: Path, serve: Callable[..., LocalLLMServer],
                                            connect: Callable[..., ChatClient]) -> None:
    server = serve(demo_answer)
    client = connect(server)
    cache = AnswerCache(tmp_path / "llm-cache.db")
    job = make_job(Task("ask", "What is a?"), TINY, PACK, [], BUDGET)
    first = run_job(job, client.complete, base_url=server.url, cache=cache, policy=FAST)
    assert not first.cached and first.cost_usd > 0 and len(server.chat_requests) == 1
    streamed: list[str] = []
    second = run_job(job, client.complete, base_url=server.url, cache=cache, policy=FAST,
                     on_text=streamed.append)
    assert len(server.chat_requests) == 1  # nothing sent
    assert second.cached and second.text == first.text == "".join(streamed)
    assert second.cost_usd == 0 and second.usage.requests == 0
    assert second.first_cost_usd == round(first.cost_usd, 6)
    other = make_job(Task("ask", "What is b?"), TINY, PACK, [], BUDGET)
    run_job(other, client.complete, base_url=server.url, cache=cache, policy=FAST)
    assert len(server.chat_requests) == 2  # another question is another answer
    assert TEST_KEY.encode() not in (tmp_path / "llm-cache.db").read_bytes()
    cache.close()


def test_a_rerun_resends_only_the_failed_part(tmp_path: Path,
                                              serve: Callable[..., LocalLLMServer],
                                              connect: Callable[..., ChatClient]) -> None:
    broken = {"on": True}

    def handler(request: RecordedRequest) -> Reply | str:
        if broken["on"] and "Part 2 of" in request.user:
            return Reply.server_error()
        return demo_answer(request)

    server = serve(handler)
    client = connect(server)
    cache = AnswerCache(tmp_path / "llm-cache.db")
    parts = [(f"## src/m{i}.py\n\n```python\ndef m{i}(): pass\n```\n", [f"src/m{i}.py"])
             for i in range(1, 4)]
    job = make_job(Task("ask", "What is there?"), TINY, PACK, parts, BUDGET)
    first = run_job(job, client.complete, base_url=server.url, cache=cache, policy=FAST)
    assert [f.part for f in first.failed] == [2] and not first.complete
    sent = len(server.chat_requests)
    broken["on"] = False
    second = run_job(job, client.complete, base_url=server.url, cache=cache, policy=FAST)
    again = server.chat_requests[sent:]
    parts_sent = [int(m.group(1)) for r in again
                  if (m := re.search(r"Part (\d+) of", r.user))]
    assert parts_sent == [2] and len(again) == 2  # part 2, then the answer
    assert second.complete and not second.cached and second.summaries_cached == 2
    assert "src/m2.py" in second.text
    count = len(server.chat_requests)
    third = run_job(job, client.complete, base_url=server.url, cache=cache, policy=FAST)
    assert third.cached and len(server.chat_requests) == count
    cache.close()
