"""The model registry: model name -> encoding, window, output limit, price, effective length.

The built-in table is `models.toml` beside this module; a workspace's `.ctxlens.toml`
adds or overrides entries under `[models."name"]` with the same keys.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from ctxlens.tokens.encodings import OFFLINE_ENCODINGS


class UnknownModelError(ValueError):
    """A model name that is not in the registry."""


class RegistryError(ValueError):
    """A registry entry (built-in or from config) that does not make sense."""


@dataclass(frozen=True, slots=True)
class EffectiveContext:
    tokens: int
    source: str


@dataclass(frozen=True, slots=True)
class ModelInfo:
    name: str
    encoding: str
    context_window: int
    max_output: int
    input_price: float  # USD per 1M input tokens
    output_price: float  # USD per 1M output tokens
    effective_context: EffectiveContext | None = None  # None: no published measurement

    def input_cost(self, tokens: int) -> float:
        return tokens * self.input_price / 1_000_000


@dataclass(frozen=True, slots=True)
class Registry:
    models: Mapping[str, ModelInfo]
    default_model: str

    def get(self, name: str | None) -> ModelInfo:
        key = name or self.default_model
        try:
            return self.models[key]
        except KeyError:
            known = ", ".join(sorted(self.models))
            raise UnknownModelError(f"unknown model {key!r}; known models: {known}") from None


def _model_from_table(name: str, table: Mapping[str, Any], base: ModelInfo | None) -> ModelInfo:
    def field(key: str, kind: type) -> Any:
        if key in table:
            value = table[key]
        elif base is not None:
            return getattr(base, key)
        else:
            raise RegistryError(f"model {name!r}: missing key {key!r}")
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise RegistryError(f"model {name!r}: {key} must be {kind.__name__}, got {value!r}")
        return value

    encoding = field("encoding", str)
    if encoding not in OFFLINE_ENCODINGS:
        raise RegistryError(
            f"model {name!r}: encoding {encoding!r} is not available; "
            f"use one of {', '.join(OFFLINE_ENCODINGS)}"
        )
    effective: EffectiveContext | None = base.effective_context if base else None
    if "effective_context" in table:
        raw = table["effective_context"]
        if not (isinstance(raw, Mapping) and isinstance(raw.get("tokens"), int)):
            raise RegistryError(
                f"model {name!r}: effective_context must be {{ tokens = N, source = \"...\" }}"
            )
        effective = EffectiveContext(int(raw["tokens"]), str(raw.get("source", "user config")))
    info = ModelInfo(
        name=name,
        encoding=encoding,
        context_window=field("context_window", int),
        max_output=field("max_output", int),
        input_price=field("input_price", float),
        output_price=field("output_price", float),
        effective_context=effective,
    )
    if info.context_window <= 0 or info.max_output <= 0:
        raise RegistryError(f"model {name!r}: context_window and max_output must be positive")
    return info


def builtin_table() -> dict[str, Any]:
    text = resources.files("ctxlens.tokens").joinpath("models.toml").read_text("utf-8")
    table: dict[str, Any] = tomllib.loads(text)
    return table


def load_registry(overrides: Mapping[str, Mapping[str, Any]] | None = None) -> Registry:
    """The built-in registry, extended by `overrides` (the `[models]` table of a config).

    An override of a known model may give only the keys it changes.
    """
    table = builtin_table()
    models: dict[str, ModelInfo] = {
        name: _model_from_table(name, entry, None) for name, entry in table["models"].items()
    }
    for name, entry in (overrides or {}).items():
        models[name] = _model_from_table(name, entry, models.get(name))
    default = str(table["default_model"])
    return Registry(models=models, default_model=default)
