"""`prepare_request`: the set-up `ctxlens ask|diagram` and the language server share —
model, endpoint, stable limit and budget, the pack split to fit, job and preflight — on a
real tree with a real index and probe cache. Nothing is sent: no server runs here."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ctxlens.config import load_config
from ctxlens.context.plan import ContextPlan
from ctxlens.llm.ask import Task
from ctxlens.llm.prepare import NoRoomError, RequestError, prepare_request
from llm.helpers import TINY_TOML, write_stable_limit
from trees import MIXED_TREE, write_tree

NANO_TOML = """
[models."nano-test"]
encoding = "o200k_base"
context_window = 700
max_output = 600
input_price = 1.0
output_price = 2.0
"""
URL = "http://127.0.0.1:9/v1"  # never contacted: preparing sends nothing
ASK = Task("ask", "What does this code do?")


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    ws = write_tree(tmp_path / "ws", {**MIXED_TREE, ".ctxlens.toml": TINY_TOML + NANO_TOML})
    write_stable_limit(tmp_path / "xdg" / "ctxlens" / "stable_limits.json", "tiny-test",
                       load_config(ws), 2500)
    return ws


def test_one_request_under_the_cached_stable_limit(root: Path) -> None:
    heard: list[str] = []
    p = prepare_request(root, ASK, config=load_config(root), plan=ContextPlan(),
                        model="tiny-test", base_url=URL, exclude=("docs/notes.md",),
                        probe=False, announce=heard.append)
    assert p.model.name == p.pack.model.name == p.preflight.model == "tiny-test"
    assert p.endpoint.base_url == URL and p.preflight.endpoint == URL
    assert p.stable.tokens == 2500 and "cached" in p.stable.source
    # The stable limit (below the 4,000-token window) bounds each request; the answer's
    # reserve is capped at the model's max_output (1,000), not the default 4,096.
    assert p.budget.limit == 2500 and p.budget.window == 4000
    assert p.budget.answer_tokens == 1000 and p.budget.summary_tokens == 1000
    assert 0 < p.part_limit < 2500 - 1000
    assert p.job.mode == "single" and p.pack.parts == () and p.job.pack_text == p.pack.text
    assert len(p.preflight.requests) == 1 and not p.preflight.refused
    assert "docs/notes.md" not in {f.path for f in p.pack.files}
    assert "app/main.py" in {f.path for f in p.pack.files}
    assert heard == [f"packing {root} for tiny-test (o200k_base)…"]


def test_model_comes_from_the_flag_then_llm_then_plan_then_config(root: Path) -> None:
    config = load_config(root)
    plan = ContextPlan(model="tiny-test")

    def chosen(**kwargs: object) -> str:
        return prepare_request(root, ASK, base_url=URL, probe=False,
                               **kwargs).model.name  # type: ignore[arg-type]

    assert chosen(config=config, plan=plan) == "tiny-test"
    assert chosen(config=replace(config, model="gpt-4.1"), plan=ContextPlan()) == "gpt-4.1"
    llm = replace(config, llm=replace(config.llm, model="gpt-4.1"))
    assert chosen(config=llm, plan=plan) == "gpt-4.1"
    assert chosen(config=llm, plan=plan, model="tiny-test") == "tiny-test"


def test_a_part_limit_maps_the_pack_over_parts(root: Path) -> None:
    p = prepare_request(root, ASK, config=load_config(root), plan=ContextPlan(),
                        model="tiny-test", base_url=URL, part_limit=350,
                        exclude=(".ctxlens.toml",), probe=False)
    assert p.part_limit == 350 and p.job.mode == "map-reduce"
    assert len(p.pack.parts) >= 2 and all(part.tokens <= 350 for part in p.pack.parts)
    assert len(p.preflight.requests) == len(p.pack.parts) == len(p.job.parts)


def test_requests_that_cannot_be_laid_out_are_refused(root: Path) -> None:
    config = load_config(root)
    # 700 tokens leave no room for a part once the prompt and a 600-token answer are in.
    with pytest.raises(NoRoomError, match=r"may use 700 tokens .* leaves no room for a part"):
        prepare_request(root, ASK, config=config, plan=ContextPlan(), model="nano-test",
                        base_url=URL, probe=False)
    with pytest.raises(RequestError, match="cannot split the pack into parts of 20 tokens"):
        prepare_request(root, ASK, config=config, plan=ContextPlan(), model="tiny-test",
                        base_url=URL, part_limit=20, probe=False)
