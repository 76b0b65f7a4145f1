"""The budget summary the language server shows, the plan's saved budget, the default part
limit: real packs of real files, a model defined in the workspace's own `.ctxlens.toml`."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from clone_snippets import PY_ORIGINAL, PY_RENAMED
from ctxlens.config import load_config
from ctxlens.context import (
    ContextPlan,
    Pack,
    PlanError,
    budget_json,
    budget_of,
    build_pack,
    default_part_limit,
    load_plan,
    save_plan,
)
from ctxlens.context.plan import plan_from_dict
from ctxlens.stability import get_profile
from ctxlens.stability.limit import CACHE_NAME, cache_key
from ctxlens.tokens import load_registry
from trees import MIXED_TREE, write_tree

TOML = """model = "tiny"

[models."tiny"]
encoding = "o200k_base"
context_window = 2000
max_output = 100
input_price = 0.0
output_price = 0.0
effective_context = { tokens = 1000, source = "our own test figure" }

[models."plain"]
encoding = "cl100k_base"
context_window = 4000
max_output = 100
input_price = 0.0
output_price = 0.0
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_tree(tmp_path_factory.mktemp("budget") / "ws", {
        **MIXED_TREE, "a/orig.py": PY_ORIGINAL, "c/renamed.py": PY_RENAMED,
        ".ctxlens.toml": TOML})


@pytest.fixture(scope="module")
def pack(root: Path) -> Pack:
    return build_pack(root, ContextPlan(selection=("app", "lib", "a", "c")), jobs=1)


def _reserve(pack: Pack, reserve: int) -> Pack:
    return replace(pack, plan=replace(pack.plan, reserve=reserve))


def test_ok_names_the_numbers_and_that_the_stable_limit_is_unknown(pack: Pack) -> None:
    assert pack.model.name == "tiny" and pack.tokens < 1000
    b = budget_of(pack, None)
    assert b.verdict == "ok" and b.model == "tiny" and b.encoding == "o200k_base"
    assert b.selection == ("app", "lib", "a", "c") and b.files == 6
    assert b.raw == pack.tokens_raw and b.deduplicated == b.fitted == pack.tokens
    assert b.window == 2000 and b.effective_context == 1000 and b.stable_limit is None
    (reason,) = b.reasons
    assert f"deduplicated pack {pack.tokens:,} tokens (o200k_base) is within" in reason
    assert "2,000-token window" in reason and "effective context 1,000" in reason
    assert "not known until the stability probe runs" in reason


def test_warn_past_the_stable_limit(pack: Pack) -> None:
    b = budget_of(pack, pack.tokens - 1)
    assert b.verdict == "warn" and b.stable_limit == pack.tokens - 1
    assert b.reasons == (f"deduplicated pack {pack.tokens:,} tokens (o200k_base) exceeds the "
                         f"stable limit {pack.tokens - 1:,} (tiny profile, stability probe)",)
    assert budget_of(pack, pack.tokens).verdict == "ok"  # at the limit is within it


def test_warn_past_the_effective_context_counts_the_reserve(pack: Pack) -> None:
    reserve = 1000 - pack.tokens + 1
    b = budget_of(_reserve(pack, reserve), 1900)
    assert b.verdict == "warn" and b.reserve == reserve
    (reason,) = b.reasons
    assert reason == (f"deduplicated pack {pack.tokens:,} tokens + reserve {reserve:,} = 1,001 "
                      "(o200k_base) exceeds the effective context 1,000 of tiny "
                      "(our own test figure)")


def test_over_past_the_window_lists_every_limit_passed(pack: Pack) -> None:
    reserve = 2000 - pack.tokens + 5
    b = budget_of(_reserve(pack, reserve), 1500)
    assert b.verdict == "over"
    assert len(b.reasons) == 3
    assert b.reasons[0].endswith("exceeds the 2,000-token context window of tiny by 5")
    assert "stable limit 1,500" in b.reasons[1] and "effective context 1,000" in b.reasons[2]


def test_budget_json_is_the_protocol_shape(pack: Pack) -> None:
    doc = budget_json(budget_of(pack, 1234))
    assert list(doc) == ["model", "encoding", "selection", "files", "raw", "deduplicated",
                         "fitted", "reserve", "window", "effectiveContext", "stableLimit",
                         "verdict", "reasons", "indexing"]
    assert doc["selection"] == ["app", "lib", "a", "c"] and doc["stableLimit"] == 1234
    assert doc["indexing"] is False and budget_json(budget_of(pack, None),
                                                    indexing=True)["indexing"] is True
    json.dumps(doc)  # plain JSON values only


def test_plan_budget_round_trips_and_is_used_when_none_is_passed(root: Path, pack: Pack
                                                                  ) -> None:
    budget = pack.tokens - 120
    plan = ContextPlan(selection=("app", "lib", "a", "c"), budget=budget)
    path = save_plan(root, plan)
    try:
        assert json.loads(path.read_text("utf-8"))["budget"] == budget
        assert load_plan(root) == plan
        fitted = build_pack(root, jobs=1)  # the plan on disk, its budget
        assert fitted.fit is not None and fitted.fit.budget == budget
        assert fitted.tokens <= budget < fitted.tokens_deduplicated == pack.tokens
        b = budget_of(fitted, None)
        assert (b.deduplicated, b.fitted) == (pack.tokens, fitted.tokens)
        assert b.reasons[0].startswith(f"fitted pack {fitted.tokens:,} tokens")
        assert f"reduced the deduplicated pack from {pack.tokens:,}" in b.reasons[-1]
        # A budget passed by the caller wins over the plan's.
        wider = build_pack(root, jobs=1, budget=pack.tokens + 50)
        assert wider.fit is not None and wider.tokens == pack.tokens
    finally:
        path.unlink()
    assert plan_from_dict({"version": 1}).budget is None
    for bad in (0, -5, "10", 1.5, True):
        with pytest.raises(PlanError, match="'budget' must be a positive integer or null"):
            plan_from_dict({"version": 1, "budget": bad})


def test_default_part_limit_prefers_a_cached_stable_limit(
        root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    config = load_config(root)
    registry = load_registry(config.models)
    tiny, plain = registry.get("tiny"), registry.get("plain")
    # No probe has run: the effective context, else a quarter of the window.
    limit, source = default_part_limit(tiny, config)
    assert limit == 1000 and source == "the effective context of tiny (our own test figure)"
    limit, source = default_part_limit(plain, config)
    assert limit == 1000 and source == "a quarter of the 4,000-token window of plain"
    # A limit the probe cached for this very profile.
    cache = tmp_path / "cache" / "ctxlens" / CACHE_NAME
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({cache_key(get_profile("tiny", config)): {"tokens": 777}}))
    limit, source = default_part_limit(tiny, config)
    assert limit == 777 and "stable limit of the tiny profile" in source
    assert default_part_limit(plain, config)[0] == 1000  # another profile's entry


def test_default_part_limit_never_loads_torch(root: Path) -> None:
    code = ("import sys; from pathlib import Path; from ctxlens.config import load_config; "
            "from ctxlens.tokens import load_registry; "
            "from ctxlens.context import default_part_limit; "
            f"c = load_config(Path({str(root)!r})); "
            "print(default_part_limit(load_registry(c.models).get('gpt-4.1'), c)); "
            "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout.splitlines()
    assert out[-1] == "False"


def test_raw_budget_before_any_pack() -> None:
    """The editor's first answer: raw tokens only, over when they cannot fit the window."""
    from ctxlens.context.budget import budget_json, raw_budget
    from ctxlens.tokens import load_registry

    model = load_registry().get("gpt-4.1")
    fits = raw_budget(model, ("src/",), 3, 1_000, 500, None)
    assert (fits.verdict, fits.reasons) == ("ok", ())
    doc = budget_json(fits, indexing=True)
    assert doc["deduplicated"] is None and doc["fitted"] is None and doc["indexing"] is True
    assert (doc["raw"], doc["files"], doc["selection"]) == (1_000, 3, ["src/"])
    over = raw_budget(model, (), 9, model.context_window, 1, 200_000)
    assert over.verdict == "over" and over.stable_limit == 200_000
    assert f"{model.context_window:,}-token window" in over.reasons[0]
