"""tiktoken encodings loaded from installed files, never from the network.

tiktoken fetches its BPE files from a URL on first use, which fails air-gapped. The
`bpe-openai` wheel ships the same files gzipped; we read them from there and check each
against the sha256 that tiktoken's own constructor expects, so a tampered or truncated
file is an error rather than silently different counts.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.util
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import tiktoken
from tiktoken_ext import openai_public

OFFLINE_ENCODINGS: tuple[str, ...] = ("o200k_base", "cl100k_base")


class EncodingError(RuntimeError):
    """An encoding could not be loaded offline (missing or corrupt tokenizer file)."""


_capture_lock = threading.Lock()


def _packaged_bpe(name: str) -> bytes:
    # Locate the package without importing it: bpe_openai's __init__ loads its own Rust
    # tokenizer (over a second of start-up) and we only want its data files.
    spec = importlib.util.find_spec("bpe_openai")
    try:
        if spec is None or not spec.submodule_search_locations:
            raise ModuleNotFoundError("bpe_openai")
        folder = Path(next(iter(spec.submodule_search_locations))) / "data"
        packed = (folder / f"{name}.tiktoken.gz").read_bytes()
    except (ModuleNotFoundError, FileNotFoundError) as err:
        raise EncodingError(
            f"tokenizer file for {name} not found: install the 'bpe-openai' package "
            f"(pip install bpe-openai==0.1.4)"
        ) from err
    try:
        return gzip.decompress(packed)
    except (OSError, EOFError) as err:
        raise EncodingError(f"tokenizer file for {name} is corrupt: {err}") from err


def _parse_bpe(contents: bytes) -> dict[bytes, int]:
    ranks: dict[bytes, int] = {}
    for line in contents.splitlines():
        if line:
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def _constructor_args(name: str) -> dict[str, Any]:
    """Call tiktoken's own constructor for `name`, serving its BPE file from disk.

    Going through the constructor keeps the split pattern, special tokens and expected
    hash exactly tiktoken's, for whatever tiktoken version is installed.
    """
    constructor: Callable[[], dict[str, Any]] = openai_public.ENCODING_CONSTRUCTORS[name]

    def load_from_package(_url: str, expected_hash: str | None = None) -> dict[bytes, int]:
        contents = _packaged_bpe(name)
        actual = hashlib.sha256(contents).hexdigest()
        if expected_hash is None or actual != expected_hash:
            raise EncodingError(
                f"tokenizer file for {name} has sha256 {actual}, tiktoken expects "
                f"{expected_hash}; reinstall 'bpe-openai'"
            )
        return _parse_bpe(contents)

    # The constructor looks the loader up in its module's globals; swapping it for the
    # duration of one call (under a lock) is the only hook tiktoken offers.
    with _capture_lock:
        original = openai_public.load_tiktoken_bpe
        openai_public.load_tiktoken_bpe = load_from_package
        try:
            return constructor()
        finally:
            openai_public.load_tiktoken_bpe = original


@cache
def get_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding `name`, loaded offline and hash-checked. Cached per process."""
    if name not in OFFLINE_ENCODINGS:
        raise EncodingError(
            f"unknown encoding {name!r}; available offline: {', '.join(OFFLINE_ENCODINGS)}"
        )
    return tiktoken.Encoding(**_constructor_args(name))


def count_tokens(text: str, encoding: str) -> int:
    """Exact number of tokens of `text` in `encoding`.

    Special-token strings such as "<|endoftext|>" in source code count as ordinary text,
    which is how an API receives them inside a prompt.
    """
    return len(get_encoding(encoding).encode_ordinary(text))
