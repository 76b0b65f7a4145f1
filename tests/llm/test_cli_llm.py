"""`ctxlens ask` and `ctxlens diagram` end to end: a subprocess against the local server.

Every run uses a real key-shaped value, OpenAI's debug logging on, and then searches every
output and every file the run could have written for the key.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ctxlens.config import load_config
from ctxlens.llm.local_server import LocalLLMServer
from ctxlens.llm.mermaid import check_flowchart
from llm.helpers import TEST_KEY, TINY_TOML, write_stable_limit
from trees import MIXED_TREE, write_tree

AWS_ID = "AKIA" + "Q3EXAMPLE7TESTKEY0"[:16]  # assembled: no secret-shaped literal here
ANSWER = "It greets people by name and adds, multiplies and sums numbers."
DIAGRAM = ("```mermaid\nflowchart LR\n  main[\"app/main.py\"] --> util[\"app/util.js\"]\n"
           "  calc[\"lib/Calc.java\"]\n```\nA small demo.")


def _workspace(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    root = write_tree(tmp_path / "ws", {**MIXED_TREE, ".ctxlens.toml": TINY_TOML,
                                        **(extra or {})})
    # The stable limit as `ctxlens check` would have cached it: no probe run in the CLI.
    write_stable_limit(tmp_path / "xdg" / "ctxlens" / "stable_limits.json", "tiny-test",
                       load_config(root), 3500)
    return root


def _ctxlens(tmp_path: Path, *args: str, key: str = TEST_KEY
             ) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("OPENAI_API_KEY", "OPENAI_BASE_URL")}
    env.update(OPENAI_API_KEY=key, OPENAI_LOG="debug", XDG_CACHE_HOME=str(tmp_path / "xdg"))
    return subprocess.run([sys.executable, "-m", "ctxlens.cli", *args, "--retry-delay", "0.01"],
                          cwd=tmp_path, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, timeout=180)


def _assert_key_nowhere(tmp_path: Path, *runs: subprocess.CompletedProcess[str]) -> None:
    fragments = (TEST_KEY, TEST_KEY[:8], TEST_KEY[-6:])
    for run in runs:
        for fragment in fragments:
            assert fragment not in run.stdout and fragment not in run.stderr
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name == "llm-cache.db" for p in files) or not any(r.returncode == 0
                                                                   for r in runs)
    for path in files:
        data = path.read_bytes()
        for fragment in fragments:
            assert fragment.encode() not in data, path


def test_ask_end_to_end_then_from_the_cache(tmp_path: Path,
                                            serve: Callable[..., LocalLLMServer]) -> None:
    root = _workspace(tmp_path)
    server = serve(api_key=TEST_KEY, replies=[ANSWER])
    first = _ctxlens(tmp_path, "ask", str(root), "What does it do?", "--base-url", server.url,
                     "--model", "tiny-test", "--yes")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ANSWER + "\n"
    assert "Preflight: tiny-test (o200k_base), 1 request to " + server.url in first.stderr
    assert "stable   ok" in first.stderr and "stability probe, cached in" in first.stderr
    assert "verdict  ok" in first.stderr
    assert "completion tokens in 1 request(s) (the API's usage fields; tiny-test)" \
        in first.stderr
    (request,) = server.chat_requests
    assert request.bearer == TEST_KEY
    assert "## app/main.py" in request.user and "class Greeter" in request.user
    assert request.user.endswith("Question: What does it do?")
    again = _ctxlens(tmp_path, "ask", str(root), "What does it do?", "--base-url", server.url,
                     "--model", "tiny-test")  # no --yes: nothing will be sent
    assert again.returncode == 0, again.stderr
    assert again.stdout == ANSWER + "\n" and "answer from the cache" in again.stderr
    assert len(server.chat_requests) == 1
    _assert_key_nowhere(tmp_path, first, again)


def test_not_interactive_without_yes_sends_nothing(tmp_path: Path,
                                                   serve: Callable[..., LocalLLMServer]) -> None:
    root = _workspace(tmp_path)
    server = serve(replies=[ANSWER])
    run = _ctxlens(tmp_path, "ask", str(root), "Why?", "--base-url", server.url,
                   "--model", "tiny-test")
    assert run.returncode == 3
    assert "not interactive; pass --yes" in run.stderr and "Preflight:" in run.stderr
    assert server.chat_requests == [] and run.stdout == ""


def test_secrets_refuse_then_allowed_go_redacted(tmp_path: Path,
                                                 serve: Callable[..., LocalLLMServer]) -> None:
    root = _workspace(tmp_path, {"app/settings.py": f'ACCESS_KEY_ID = "{AWS_ID}"\n'})
    server = serve(replies=[ANSWER])
    refused = _ctxlens(tmp_path, "ask", str(root), "Why?", "--base-url", server.url,
                       "--model", "tiny-test", "--yes", "--json")
    assert refused.returncode == 3 and server.chat_requests == []
    doc = json.loads(refused.stdout)
    assert doc["sent"] is False and doc["preflight"]["verdict"] == "refuse"
    assert doc["preflight"]["secrets"] == [{"path": "app/settings.py", "line": 1,
                                            "kind": "aws-access-key"}]
    allowed = _ctxlens(tmp_path, "ask", str(root), "Why?", "--base-url", server.url,
                       "--model", "tiny-test", "--yes", "--allow-secrets")
    assert allowed.returncode == 0, allowed.stderr
    (request,) = server.chat_requests
    assert AWS_ID not in request.user and "[ctxlens: redacted aws-access-key]" in request.user
    for run in (refused, allowed):
        assert AWS_ID not in run.stdout + run.stderr


def test_rejected_key_and_dead_endpoint_are_clear(tmp_path: Path,
                                                  serve: Callable[..., LocalLLMServer]) -> None:
    root = _workspace(tmp_path)
    server = serve(api_key="sk-" + "the-expected-one-000000")
    rejected = _ctxlens(tmp_path, "ask", str(root), "Why?", "--base-url", server.url,
                        "--model", "tiny-test", "--yes")
    assert rejected.returncode == 1
    assert "rejected the key from $OPENAI_API_KEY (401)" in rejected.stderr
    assert "<redacted key>" in rejected.stderr  # the server's masked echo, scrubbed
    dead = _ctxlens(tmp_path, "ask", str(root), "Why?", "--base-url",
                    "http://127.0.0.1:9/v1", "--model", "tiny-test", "--yes")
    assert dead.returncode == 1 and "cannot reach http://127.0.0.1:9/v1" in dead.stderr
    _assert_key_nowhere(tmp_path, rejected, dead)


def test_map_reduce_from_the_command_line(tmp_path: Path,
                                          serve: Callable[..., LocalLLMServer]) -> None:
    root = _workspace(tmp_path)
    server = serve()  # the demo answerer: real summaries of what it is sent
    run = _ctxlens(tmp_path, "ask", str(root), "What is in here?", "--base-url", server.url,
                   "--model", "tiny-test", "--yes", "--json", "--part-limit", "350",
                   "--summary-tokens", "300")
    assert run.returncode == 0, run.stderr
    doc = json.loads(run.stdout)
    pre, outcome = doc["preflight"], doc["outcome"]
    assert pre["mode"] == "map-reduce" and len(pre["requests"]) >= 2
    assert outcome["parts"] == len(pre["requests"]) and outcome["failedParts"] == []
    assert len(server.chat_requests) == outcome["usage"]["requests"] == outcome["parts"] + 1
    for path in ("app/main.py", "app/util.js", "lib/Calc.java", "lib/sum.c"):
        assert path in outcome["answer"]
    assert f"[{outcome['parts']}/{outcome['parts']}]" in run.stderr  # progress per part
    _assert_key_nowhere(tmp_path, run)


def test_diagram_is_checked_and_written(tmp_path: Path,
                                        serve: Callable[..., LocalLLMServer]) -> None:
    root = _workspace(tmp_path)
    server = serve(api_key=TEST_KEY, replies=[
        "```mermaid\nflowchart LR\n  main[app/main.py (entry)] --> util\n```", DIAGRAM])
    run = _ctxlens(tmp_path, "diagram", str(root), "-o", "docs/arch.md", "--base-url",
                   server.url, "--model", "tiny-test", "--yes")
    assert run.returncode == 0, run.stderr
    assert len(server.chat_requests) == 2  # the broken diagram was asked for once more
    text = (tmp_path / "docs" / "arch.md").read_text()
    assert text.startswith("# Architecture: ws\n")
    block = text.split("```mermaid\n", 1)[1].split("```", 1)[0]
    assert check_flowchart(block) == [] and "app/main.py" in block
    assert "wrote docs/arch.md" in run.stderr and "checked valid" in run.stderr
    _assert_key_nowhere(tmp_path, run)


def test_on_a_terminal_it_asks_first(tmp_path: Path,
                                     serve: Callable[..., LocalLLMServer]) -> None:
    import pty

    root = _workspace(tmp_path)
    server = serve(replies=[ANSWER])
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_BASE_URL"}
    env.update(OPENAI_API_KEY=TEST_KEY, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    runs = []
    for reply in (b"n\n", b"y\n"):
        leader, follower = pty.openpty()  # stdin is a terminal: the CLI asks
        try:
            os.write(leader, reply)
            runs.append(subprocess.run(
                [sys.executable, "-m", "ctxlens.cli", "ask", str(root), "Why?", "--base-url",
                 server.url, "--model", "tiny-test"], cwd=tmp_path, env=env, stdin=follower,
                capture_output=True, text=True, timeout=180))
        finally:
            os.close(follower)
            os.close(leader)
    declined, accepted = runs
    assert declined.returncode == 3 and "not sent" in declined.stderr
    assert "Send 1 request(s) to " + server.url + " for at most $" in declined.stderr
    assert accepted.returncode == 0 and accepted.stdout == ANSWER + "\n"
    assert len(server.chat_requests) == 1
