"""Profiles: built-ins join the registry; users add and override them in .ctxlens.toml."""

from __future__ import annotations

import pytest

from ctxlens.config import parse_config
from ctxlens.stability.profiles import ProfileError, get_profile, load_profiles
from ctxlens.tokens import UnknownModelError, load_registry


def test_registry_models_get_labelled_assumptions() -> None:
    p = get_profile("gpt-4o")
    assert p.context_window == 128000 and p.encoding == "o200k_base"
    assert p.effective_context == 8192 and "NoLiMa" in p.source("effective_context")
    assert p.params is None and p.source("params") == "not published"
    for key in ("attention_dtype", "accumulator_dtype", "phase_dtype", "rope_base", "head_dim"):
        assert p.source(key).startswith("assumption"), key
    assert get_profile("gpt-4.1").effective_context is None
    assert get_profile("gpt-4.1").source("effective_context") == "no measurement"
    assert get_profile(None).name == load_registry().default_model


def test_open_models_carry_published_values_with_sources() -> None:
    llama = get_profile("llama-3.1-8b-instruct")
    assert (llama.rope_base, llama.context_window, llama.head_dim) == (500000.0, 131072, 128)
    assert llama.rope_scaling.kind == "llama3" and llama.rope_scaling.factor == 8.0
    assert llama.params == 8030261248 and llama.effective_context == 32768
    assert "RULER" in llama.source("effective_context")
    assert "rope_theta" in llama.source("rope_base")
    qwen = get_profile("qwen2.5-7b-instruct")
    assert (qwen.rope_base, qwen.context_window, qwen.params) == (1e6, 32768, 7610000000)
    assert qwen.effective_context is None
    assert "stand-in" in qwen.source("encoding")


def test_user_profile_from_config_based_on_a_builtin() -> None:
    config = parse_config({
        "profiles": {
            "llama3.1:8b-q4": {
                "based_on": "llama-3.1-8b-instruct",
                "accumulator_dtype": "fp16",
                "attention_dtype": "fp16",
                "sources": {"accumulator_dtype": "llama.cpp build without GGML_PREC_F32"},
            },
            "gpt-4o": {"accumulator_dtype": "bf16"},
        },
    }, "ws/.ctxlens.toml")
    local = get_profile("llama3.1:8b-q4", config)
    assert local.accumulator_dtype == "fp16" and local.rope_base == 500000.0
    assert local.source("accumulator_dtype") == "llama.cpp build without GGML_PREC_F32"
    assert local.source("attention_dtype") == "user config (ws/.ctxlens.toml)"
    assert "via llama-3.1-8b-instruct" in local.source("rope_base")
    gpt = get_profile("gpt-4o", config)  # override of a registry model keeps the join
    assert gpt.accumulator_dtype == "bf16" and gpt.effective_context == 8192
    assert get_profile(None, parse_config({"model": "gpt-4o"})).name == "gpt-4o"


def test_user_model_needs_a_window_unless_the_registry_knows_it() -> None:
    with pytest.raises(ProfileError, match="context_window"):
        load_profiles({"mystery": {"attention_dtype": "fp16"}}).get("mystery")
    config = parse_config({"models": {"local-7b": {
        "encoding": "cl100k_base", "context_window": 32768, "max_output": 4096,
        "input_price": 0, "output_price": 0}}})
    p = get_profile("local-7b", config)
    assert p.context_window == 32768 and p.encoding == "cl100k_base"
    assert p.source("attention_dtype").startswith("assumption")


@pytest.mark.parametrize(("entry", "message"), [
    ({"attention_dtype": "fp8"}, "attention_dtype must be one of"),
    ({"accumulator_dtype": "fp16"}, "accumulator_dtype must be fp32 or the attention dtype"),
    ({"rope_scaling": {"type": "yarn", "factor": 4.0}}, "not supported"),
    ({"head_dim": 127}, "head_dim even"),
    ({"colour": "blue"}, "unknown key"),
    ({"params": "8B"}, "wrong type"),
    ({"based_on": "gpt-4o-typo"}, "unknown model"),
])
def test_bad_profiles_are_rejected_with_the_reason(entry: dict[str, object], message: str) -> None:
    with pytest.raises((ProfileError, UnknownModelError), match=message):
        load_profiles({"gpt-4.1": entry}).get("gpt-4.1")


def test_profiles_based_on_each_other_are_an_error() -> None:
    profiles = load_profiles({"a": {"based_on": "b"}, "b": {"based_on": "a"}})
    with pytest.raises(ProfileError, match="based on each other"):
        profiles.get("a")


def test_unknown_model_lists_known_names() -> None:
    with pytest.raises(UnknownModelError, match=r"llama-3\.1-8b-instruct"):
        get_profile("no-such-model")
    names = load_profiles().names()
    assert "gpt-4.1" in names and "qwen2.5-7b-instruct" in names
