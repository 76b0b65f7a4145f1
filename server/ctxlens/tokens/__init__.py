"""Exact token counts: offline tiktoken encodings and the model registry."""

from ctxlens.tokens.encodings import (
    OFFLINE_ENCODINGS,
    EncodingError,
    count_tokens,
    get_encoding,
)
from ctxlens.tokens.registry import (
    EffectiveContext,
    ModelInfo,
    Registry,
    RegistryError,
    UnknownModelError,
    load_registry,
)

__all__ = [
    "OFFLINE_ENCODINGS",
    "EffectiveContext",
    "EncodingError",
    "ModelInfo",
    "Registry",
    "RegistryError",
    "UnknownModelError",
    "count_tokens",
    "get_encoding",
    "load_registry",
]
