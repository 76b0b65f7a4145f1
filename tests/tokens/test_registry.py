from __future__ import annotations

import pytest

from ctxlens.tokens import RegistryError, UnknownModelError, load_registry

REQUIRED = ["gpt-4.1", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4o", "gpt-4o-mini", "o3",
            "o4-mini", "gpt-5", "gpt-5-mini", "gpt-5-nano"]


def test_registry_covers_required_models() -> None:
    registry = load_registry()
    assert registry.default_model == "gpt-4.1"
    for name in REQUIRED:
        info = registry.get(name)
        assert info.encoding == "o200k_base"
        assert info.context_window > info.max_output > 0
        assert info.input_price > 0
    assert registry.get(None).name == "gpt-4.1"
    assert registry.get("gpt-4").encoding == "cl100k_base"


def test_effective_context_has_source_or_is_absent() -> None:
    registry = load_registry()
    eff = registry.get("gpt-4o").effective_context
    assert eff is not None and eff.tokens == 8192 and "NoLiMa" in eff.source
    assert registry.get("gpt-4.1").effective_context is None  # "no measurement"


def test_unknown_model_lists_known_ones() -> None:
    with pytest.raises(UnknownModelError) as err:
        load_registry().get("gpt-9000")
    assert "gpt-9000" in str(err.value) and "gpt-4.1-mini" in str(err.value)


def test_user_models_extend_and_override() -> None:
    registry = load_registry({
        "llama-local": {"encoding": "cl100k_base", "context_window": 32768,
                        "max_output": 4096, "input_price": 0, "output_price": 0,
                        "effective_context": {"tokens": 8000, "source": "our RULER run"}},
        "gpt-4o": {"input_price": 1.0},
    })
    local = registry.get("llama-local")
    assert local.context_window == 32768 and local.effective_context is not None
    assert local.effective_context.source == "our RULER run"
    assert registry.get("gpt-4o").input_price == 1.0
    assert registry.get("gpt-4o").context_window == 128000  # untouched keys kept


@pytest.mark.parametrize("entry, message", [
    ({"encoding": "p50k_base", "context_window": 1, "max_output": 1, "input_price": 0,
      "output_price": 0}, "not available"),
    ({"encoding": "o200k_base"}, "missing key 'context_window'"),
    ({"encoding": "o200k_base", "context_window": "big", "max_output": 1, "input_price": 0,
      "output_price": 0}, "context_window must be int"),
])
def test_bad_user_models_are_clear_errors(entry: dict[str, object], message: str) -> None:
    with pytest.raises(RegistryError, match=message):
        load_registry({"mine": entry})


def test_input_cost() -> None:
    assert load_registry().get("gpt-4.1").input_cost(1_000_000) == pytest.approx(2.0)
