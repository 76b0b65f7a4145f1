"""The preflight gate on real packs: window, stable limit (probe cache or probe), secrets, cost."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from ctxlens.config import load_config
from ctxlens.context.pipeline import Pack, build_pack
from ctxlens.context.plan import ContextPlan
from ctxlens.llm.ask import Task, check_job, make_job
from ctxlens.llm.mapreduce import Budget
from ctxlens.llm.preflight import StableInfo, stable_info
from ctxlens.tokens import load_registry
from llm.helpers import TINY_TOML, write_stable_limit
from trees import MIXED_TREE, write_tree

AWS_ID = "AKIA" + "Q3EXAMPLE7TESTKEY0"[:16]  # assembled: no secret-shaped literal here
BUDGET = Budget(limit=4000, window=4000, summary_tokens=200, answer_tokens=500)
ASK = Task("ask", "What does this code do?")


def _pack(tmp_path: Path, extra: dict[str, str] | None = None) -> Pack:
    root = write_tree(tmp_path / "ws", {**MIXED_TREE, ".ctxlens.toml": TINY_TOML,
                                        **(extra or {})})
    return build_pack(root, ContextPlan(model="tiny-test"), jobs=1)


def test_a_request_within_every_limit_passes(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    job = make_job(ASK, pack.model, pack.text, [], BUDGET)
    pre = check_job(job, stable=StableInfo(3500, "given"), secrets=pack.secrets)
    assert pre.verdict == "ok" and pre.mode == "single"
    (req,) = pre.requests
    assert req.content_tokens > pack.tokens  # the pack plus the prompt around it
    assert req.framing_tokens == 3 + 2 * 3 + 2  # two messages, one-token roles, priming
    assert req.answer_tokens == 500 and req.total == req.sent + 500
    assert pre.input_tokens == req.sent and pre.output_tokens == 500
    assert pre.cost_usd == pytest.approx((req.sent * 1.0 + 500 * 2.0) / 1e6)
    assert [g.name for g in pre.gates] == ["window", "stable", "secrets", "cost"]


def test_over_the_window_is_refused(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    small = replace(pack.model, context_window=pack.tokens)  # the pack alone fills it
    pre = check_job(make_job(ASK, small, pack.text, [], BUDGET),
                    stable=StableInfo(None, "unknown"), secrets=pack.secrets)
    assert pre.refused
    window = next(g for g in pre.gates if g.name == "window")
    assert window.status == "refuse" and f"{pack.tokens:,}-token window" in window.message


def test_a_map_request_over_the_window_is_refused(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    parts = [("small part", ["a.py"]), (pack.text, ["b.py", "c.py"])]
    small = replace(pack.model, context_window=pack.tokens + 100)
    job = make_job(ASK, small, pack.text, parts, replace(BUDGET, window=small.context_window))
    pre = check_job(job, stable=StableInfo(None, "unknown"), secrets=pack.secrets)
    assert pre.mode == "map-reduce" and pre.refused
    assert "part 2 (b.py … c.py, 2 files)" in pre.gates[0].message


def test_past_the_stable_limit_warns(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    job = make_job(ASK, pack.model, pack.text, [], BUDGET)
    pre = check_job(job, stable=StableInfo(pack.tokens, "stability probe, cached in x"),
                    secrets=pack.secrets)
    stable = next(g for g in pre.gates if g.name == "stable")
    assert pre.verdict == "warn" and stable.status == "warn"
    assert f"> stable limit {pack.tokens:,} (stability probe, cached in x)" in stable.message


def test_secrets_are_refused_unless_allowed(tmp_path: Path) -> None:
    pack = _pack(tmp_path, {"app/settings.py": f'ACCESS_KEY_ID = "{AWS_ID}"\n'})
    assert pack.secrets.needs_override
    job = make_job(ASK, pack.model, pack.text, [], BUDGET)
    refused = check_job(job, stable=StableInfo(3500, "given"), secrets=pack.secrets)
    gate = next(g for g in refused.gates if g.name == "secrets")
    assert refused.refused and gate.status == "refuse"
    assert "app/settings.py:1 aws-access-key" in gate.message and "--allow-secrets" in gate.message
    allowed = check_job(job, stable=StableInfo(3500, "given"), secrets=pack.secrets,
                        allow_secrets=True)
    assert allowed.verdict == "warn"
    doc = allowed.to_json()
    assert doc["secrets"] == [{"path": "app/settings.py", "line": 1, "kind": "aws-access-key"}]
    assert AWS_ID not in str(doc) and AWS_ID not in "\n".join(allowed.lines())


def test_json_keys_are_camel_case(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    parts = [("part one text", ["a.py"]), ("part two text", ["b.py"])]
    doc = check_job(make_job(ASK, pack.model, pack.text, parts, BUDGET),
                    stable=StableInfo(3500, "given"), secrets=pack.secrets).to_json()
    assert {"contextWindow", "stableLimit", "costUsdMax", "inputTokens", "outputTokensMax",
            "requests", "reduce", "gates", "verdict", "mode"} <= set(doc)
    assert set(doc["requests"][0]) == {"label", "contentTokens", "framingTokens",
                                       "sentTokens", "answerTokens", "totalTokens"}
    assert set(doc["reduce"]) == {"requests", "rounds", "inputTokensMax", "outputTokensMax"}


def test_reduce_that_can_never_finish_is_refused(tmp_path: Path) -> None:
    pack = _pack(tmp_path)
    parts = [("one", ["a.py"]), ("two", ["b.py"]), ("three", ["c.py"])]
    tight = Budget(limit=1000, window=4000, summary_tokens=400, answer_tokens=500)
    pre = check_job(make_job(ASK, pack.model, pack.text, parts, tight),
                    stable=StableInfo(1000, "given"), secrets=pack.secrets)
    assert pre.refused and any(g.name == "reduce" and g.status == "refuse" for g in pre.gates)


def test_stable_limit_from_the_probe_cache(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {".ctxlens.toml": TINY_TOML})
    config = load_config(root)
    model = load_registry(config.models).get("tiny-test")
    cache = tmp_path / "cache" / "stable_limits.json"
    write_stable_limit(cache, "tiny-test", config, 1234)
    got = stable_info(model, config, cache_path=cache)
    assert got.tokens == 1234 and got.source == f"stability probe, cached in {cache}"


def test_stable_limit_computed_by_the_probe_then_cached(tmp_path: Path) -> None:
    # torch is a dev dependency (scripts/setup --dev); the next test takes the no-probe path.
    root = write_tree(tmp_path / "ws", {".ctxlens.toml": TINY_TOML})
    config = load_config(root)
    model = load_registry(config.models).get("tiny-test")
    cache = tmp_path / "stable_limits.json"
    heard: list[str] = []
    first = stable_info(model, config, cache_path=cache, announce=heard.append)
    assert first.tokens is not None and 0 < first.tokens <= model.context_window
    assert first.source.startswith("stability probe, computed now") and heard
    again = stable_info(model, config, cache_path=cache)
    assert again.tokens == first.tokens and "cached in" in again.source


def test_without_a_probe_result_the_published_figure_or_unknown(tmp_path: Path) -> None:
    registry = load_registry()
    empty = tmp_path / "none.json"
    gpt4o = stable_info(registry.get("gpt-4o"), cache_path=empty, compute=False)
    assert gpt4o.tokens == 8192 and gpt4o.source.startswith("published effective context")
    tiny = replace(registry.get("gpt-4.1"), effective_context=None)
    unknown = stable_info(tiny, cache_path=empty, compute=False)
    assert unknown.tokens is None and unknown.source.startswith("unknown")
