"""Offline encodings count exactly what tiktoken counts."""

from __future__ import annotations

import gzip
import hashlib
import sysconfig
from importlib import resources
from pathlib import Path

import bpe_openai
import pytest
import tiktoken
import tiktoken.load
from tiktoken_ext import openai_public

from ctxlens.tokens import EncodingError, count_tokens, get_encoding
from ctxlens.tokens import encodings as enc_module

URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


def _stdlib_sample() -> list[str]:
    root = Path(sysconfig.get_paths()["stdlib"])
    names = ["json/decoder.py", "argparse.py", "textwrap.py", "email/utils.py", "difflib.py"]
    return [(root / n).read_text("utf-8") for n in names]


SAMPLES = [
    "",
    "hello world",
    "def f(x):\n    return x  # <|endoftext|> inside code is plain text\n",
    "naïve café — 東京 🚀\r\n\ttabs\n",
    *_stdlib_sample(),
]


@pytest.fixture(scope="module", params=sorted(URLS))
def tiktoken_reference(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """tiktoken's own loading path (cache dir + its sha256 check), fed the packaged file."""
    name = request.param
    cache = tmp_path_factory.mktemp(f"tiktoken-cache-{name}")
    data = gzip.decompress(
        resources.files("bpe_openai.data").joinpath(f"{name}.tiktoken.gz").read_bytes()
    )
    (cache / hashlib.sha1(URLS[name].encode()).hexdigest()).write_bytes(data)
    mp = pytest.MonkeyPatch()
    mp.setenv("TIKTOKEN_CACHE_DIR", str(cache))
    # tiktoken's constructor reads the cache dir above and checks its own sha256.
    ref = tiktoken.Encoding(**openai_public.ENCODING_CONSTRUCTORS[name]())
    mp.undo()
    return name, ref


def test_counts_equal_tiktoken_own_loader(tiktoken_reference) -> None:
    name, ref = tiktoken_reference
    ours = get_encoding(name)
    for text in SAMPLES:
        assert ours.encode_ordinary(text) == ref.encode_ordinary(text)
        assert count_tokens(text, name) == len(ref.encode_ordinary(text))


@pytest.mark.parametrize("name", sorted(URLS))
def test_counts_equal_independent_bpe_implementation(name: str) -> None:
    # bpe-openai is a separate Rust BPE implementation: agreement rules out a shared bug.
    other = bpe_openai.get_encoding(name)
    for text in SAMPLES:
        assert count_tokens(text, name) == len(other.encode_ordinary(text))


def test_known_ids() -> None:
    assert get_encoding("cl100k_base").encode_ordinary("hello world") == [15339, 1917]
    assert get_encoding("o200k_base").encode_ordinary("hello world") == [24912, 2375]


def test_special_token_text_is_counted_not_rejected() -> None:
    # tiktoken's encode() raises on "<|endoftext|>"; source code may contain it.
    assert count_tokens("<|endoftext|>", "o200k_base") > 1


def test_no_network_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kw: object) -> bytes:
        raise AssertionError("tried to download a tokenizer file")

    monkeypatch.setattr(tiktoken.load, "read_file", refuse)
    monkeypatch.setattr(tiktoken.load, "read_file_cached", refuse)
    get_encoding.cache_clear()
    try:
        assert count_tokens("offline", "o200k_base") == len(
            bpe_openai.get_encoding("o200k_base").encode_ordinary("offline")
        )
    finally:
        get_encoding.cache_clear()


def test_unknown_encoding_is_a_clear_error() -> None:
    with pytest.raises(EncodingError, match="available offline: o200k_base, cl100k_base"):
        get_encoding("p50k_base")


def test_tampered_file_fails_the_hash_check(monkeypatch: pytest.MonkeyPatch) -> None:
    real = enc_module._packaged_bpe
    monkeypatch.setattr(enc_module, "_packaged_bpe", lambda name: real(name)[:-100])
    get_encoding.cache_clear()
    try:
        with pytest.raises(EncodingError, match="sha256"):
            get_encoding("cl100k_base")
    finally:
        get_encoding.cache_clear()
