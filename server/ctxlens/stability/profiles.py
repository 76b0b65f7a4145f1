"""Model profiles: what the probe assumes about how a model computes attention.

Built-in profiles live in `profiles.toml` beside this module; `.ctxlens.toml` adds or
overrides them under `[profiles."name"]`. A profile joins the model registry by name: a
registry model needs no profile entry (it gets the labelled `[assumed]` values), and a
profile entry needs no registry model if it says its own window and encoding.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from importlib import resources
from typing import TYPE_CHECKING, Any, Literal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from ctxlens.tokens.encodings import OFFLINE_ENCODINGS
from ctxlens.tokens.registry import Registry, UnknownModelError, load_registry

if TYPE_CHECKING:
    from ctxlens.config import Config

Precision = Literal["fp16", "bf16", "fp32"]
PRECISIONS: tuple[Precision, ...] = ("fp16", "bf16", "fp32")
ROPE_SCALINGS = ("none", "linear", "llama3")
NO_MEASUREMENT = "no measurement"


class ProfileError(ValueError):
    """A profile (built-in or from config) that does not make sense."""


@dataclass(frozen=True, slots=True)
class RopeScaling:
    kind: str = "none"  # none | linear | llama3
    factor: float = 1.0
    original_window: int = 0  # llama3: the pre-extension training length
    low_freq_factor: float = 1.0
    high_freq_factor: float = 4.0


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    context_window: int
    effective_context: int | None  # None: no published measurement
    encoding: str
    attention_dtype: Precision
    accumulator_dtype: Precision
    max_subtraction: bool
    phase_dtype: Precision
    rope_base: float | None  # None: the model has no rotary positions
    rope_scaling: RopeScaling
    head_dim: int
    params: int | None  # None: not published
    logit_sigma: float
    margin: float
    # (field, source) pairs; a tuple so the profile stays hashable and immutable.
    sources: tuple[tuple[str, str], ...] = ()

    def source(self, key: str) -> str:
        for name, text in self.sources:
            if name == key:
                return text
        return "no measurement" if key == "effective_context" else "unspecified"

    def values(self) -> dict[str, Any]:
        """Every value that changes what the probe computes (sources excluded): the cache key."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name in ("name", "sources"):
                continue
            value = getattr(self, f.name)
            if isinstance(value, RopeScaling):
                value = {g.name: getattr(value, g.name) for g in fields(value)}
            out[f.name] = value
        return out

    def to_json(self) -> dict[str, Any]:
        keys = [k for k in self.values() if k != "rope_scaling"]
        doc: dict[str, Any] = {"name": self.name}
        for key in keys:
            doc[key] = {"value": getattr(self, key), "source": self.source(key)}
        doc["rope_scaling"] = {
            "value": self.values()["rope_scaling"], "source": self.source("rope_scaling")
        }
        return doc


_KINDS: dict[str, type | tuple[type, ...]] = {
    "context_window": int,
    "encoding": str,
    "attention_dtype": str,
    "accumulator_dtype": str,
    "max_subtraction": bool,
    "phase_dtype": str,
    "rope_base": (int, float),
    "rope": bool,
    "rope_scaling": dict,
    "head_dim": int,
    "params": int,
    "logit_sigma": (int, float),
    "margin": (int, float),
    "effective_context": dict,
    "based_on": str,
    "sources": dict,
}


def _builtin() -> dict[str, Any]:
    text = resources.files("ctxlens.stability").joinpath("profiles.toml").read_text("utf-8")
    table: dict[str, Any] = tomllib.loads(text)
    return table


def _check_kinds(name: str, table: Mapping[str, Any]) -> None:
    for key, value in table.items():
        kind = _KINDS.get(key)
        if kind is None:
            known = ", ".join(sorted(_KINDS))
            raise ProfileError(f"profile {name!r}: unknown key {key!r} (known: {known})")
        is_bool = isinstance(value, bool)
        if not isinstance(value, kind) or (is_bool and kind is not bool):
            raise ProfileError(f"profile {name!r}: {key} has the wrong type: {value!r}")


def _precision(name: str, key: str, value: str) -> Precision:
    if value not in PRECISIONS:
        raise ProfileError(f"profile {name!r}: {key} must be one of {', '.join(PRECISIONS)}")
    return value


def _scaling(name: str, raw: Mapping[str, Any]) -> RopeScaling:
    kind = str(raw.get("type", "none"))
    if kind not in ROPE_SCALINGS:
        raise ProfileError(
            f"profile {name!r}: rope_scaling type {kind!r} is not supported "
            f"(supported: {', '.join(ROPE_SCALINGS)})"
        )
    unknown = set(raw) - {"type", "factor", "original_window", "low_freq_factor",
                          "high_freq_factor"}
    if unknown:
        raise ProfileError(f"profile {name!r}: unknown rope_scaling key(s) {sorted(unknown)}")
    try:
        scaling = RopeScaling(
            kind=kind,
            factor=float(raw.get("factor", 1.0)),
            original_window=int(raw.get("original_window", 0)),
            low_freq_factor=float(raw.get("low_freq_factor", 1.0)),
            high_freq_factor=float(raw.get("high_freq_factor", 4.0)),
        )
    except (TypeError, ValueError) as err:
        raise ProfileError(f"profile {name!r}: rope_scaling: {err}") from None
    if scaling.factor < 1 or (kind == "llama3" and scaling.original_window <= 0):
        raise ProfileError(
            f"profile {name!r}: rope_scaling needs factor >= 1 (and original_window for llama3)"
        )
    if kind == "llama3" and scaling.high_freq_factor <= scaling.low_freq_factor:
        raise ProfileError(f"profile {name!r}: high_freq_factor must exceed low_freq_factor")
    return scaling


def _apply(
    profile: dict[str, Any], sources: dict[str, str], name: str, table: Mapping[str, Any],
    default_source: str,
) -> None:
    """Overlay one table's keys on `profile`, recording where each value came from."""
    _check_kinds(name, table)
    given: Mapping[str, Any] = table.get("sources", {})
    if not all(isinstance(v, str) for v in given.values()):
        raise ProfileError(f"profile {name!r}: sources must be strings")
    for key, value in table.items():
        if key in ("sources", "based_on"):
            continue
        if key == "rope":
            if not value:
                profile["rope_base"] = None
                sources["rope_base"] = given.get("rope", default_source)
            continue
        if key == "effective_context":
            tokens = value.get("tokens")
            if not isinstance(tokens, int) or isinstance(tokens, bool) or tokens <= 0:
                raise ProfileError(
                    f'profile {name!r}: effective_context must be {{ tokens = N, source = "..." }}'
                )
            profile[key] = tokens
            sources[key] = str(value.get("source", given.get(key, default_source)))
            continue
        if key == "rope_scaling":
            value = _scaling(name, value)
        elif key in ("attention_dtype", "accumulator_dtype", "phase_dtype"):
            value = _precision(name, key, value)
        elif key in ("rope_base", "logit_sigma", "margin"):
            value = float(value)
        profile[key] = value
        sources[key] = given.get(key, default_source)
    for key, text in given.items():  # a source given for a value that was not overridden
        sources.setdefault(key, text)


def _validate(p: Profile) -> Profile:
    where = f"profile {p.name!r}"
    if p.context_window <= 0 or p.head_dim < 2 or p.head_dim % 2:
        raise ProfileError(f"{where}: context_window must be positive, head_dim even and >= 2")
    if p.encoding not in OFFLINE_ENCODINGS:
        raise ProfileError(
            f"{where}: encoding {p.encoding!r} is not available; use one of "
            f"{', '.join(OFFLINE_ENCODINGS)}"
        )
    if p.accumulator_dtype not in ("fp32", p.attention_dtype):
        raise ProfileError(
            f"{where}: accumulator_dtype must be fp32 or the attention dtype ({p.attention_dtype})"
        )
    if p.rope_base is not None and not (p.rope_base > 1 and math.isfinite(p.rope_base)):
        raise ProfileError(f"{where}: rope_base must be a finite number above 1")
    if not (p.logit_sigma > 0 and math.isfinite(p.margin)):
        raise ProfileError(f"{where}: logit_sigma must be positive and margin finite")
    if p.params is not None and p.params <= 0:
        raise ProfileError(f"{where}: params must be positive")
    return p


@dataclass(frozen=True, slots=True)
class Profiles:
    """Built-in and user profiles joined with a registry; `get` resolves one by name."""

    builtin: Mapping[str, Mapping[str, Any]]
    user: Mapping[str, Mapping[str, Any]]
    assumed: Mapping[str, Any]
    registry: Registry
    user_source: str = "user config (.ctxlens.toml)"

    def names(self) -> list[str]:
        return sorted(set(self.registry.models) | set(self.builtin) | set(self.user))

    def get(self, name: str | None) -> Profile:
        return self._resolve(name or self.registry.default_model, ())

    def _resolve(self, name: str, seen: tuple[str, ...]) -> Profile:
        if name in seen:
            raise ProfileError(f"profiles based on each other: {' -> '.join((*seen, name))}")
        builtin = self.builtin.get(name)
        user = self.user.get(name)
        model = self.registry.models.get(name)
        if builtin is None and user is None and model is None:
            raise UnknownModelError(
                f"unknown model {name!r}; known models and profiles: {', '.join(self.names())}"
            )
        based_on = (user or {}).get("based_on", (builtin or {}).get("based_on"))
        values: dict[str, Any] = {"params": None, "effective_context": None}
        sources: dict[str, str] = {"effective_context": NO_MEASUREMENT}
        if based_on is not None:
            if not isinstance(based_on, str):
                raise ProfileError(f"profile {name!r}: based_on must be a profile name")
            parent = self._resolve(based_on, (*seen, name))
            values.update({f.name: getattr(parent, f.name) for f in fields(parent)})
            sources.update(dict(parent.sources))
            sources = {k: f"{v} (via {based_on})" for k, v in sources.items()}
        else:
            _apply(values, sources, "[assumed]", self.assumed, "profiles.toml [assumed]")
        if model is not None:
            values.update(context_window=model.context_window, encoding=model.encoding)
            sources["context_window"] = "model registry (tokens/models.toml)"
            sources["encoding"] = "model registry (tokens/models.toml)"
            if model.effective_context is not None:
                values["effective_context"] = model.effective_context.tokens
                sources["effective_context"] = model.effective_context.source
        if builtin is not None:
            _apply(values, sources, name, builtin, "profiles.toml")
        if user is not None:
            _apply(values, sources, name, user, self.user_source)
        values["name"] = name
        missing = [f.name for f in fields(Profile) if f.name not in values and f.name != "sources"]
        if missing:
            raise ProfileError(
                f"profile {name!r} is not in the model registry, so it needs: {', '.join(missing)}"
            )
        values["sources"] = tuple(sorted(sources.items()))
        return _validate(Profile(**values))


def load_profiles(
    user: Mapping[str, Mapping[str, Any]] | None = None,
    registry: Registry | None = None,
    user_source: str | None = None,
) -> Profiles:
    """Built-in profiles plus `user` (a config's `[profiles]` table), joined with `registry`."""
    table = _builtin()
    for name, entry in (user or {}).items():
        _check_kinds(name, entry)
    return Profiles(
        builtin=table.get("profiles", {}),
        user=dict(user or {}),
        assumed=table["assumed"],
        registry=registry if registry is not None else load_registry(),
        user_source=f"user config ({user_source})" if user_source else "user config",
    )


def get_profile(name: str | None = None, config: Config | None = None) -> Profile:
    """The profile for model `name` (default: the config's model, then the registry's) under
    a workspace `config`: its `[models]` extend the registry, its `[profiles]` the profiles."""
    if config is None:
        return load_profiles().get(name)
    registry = load_registry(config.models)
    profiles = load_profiles(config.profiles, registry, config.source)
    return profiles.get(name or config.model)


def with_values(profile: Profile, **changes: Any) -> Profile:
    """A copy of `profile` with some values changed, each sourced "override"."""
    sources = dict(profile.sources)
    sources.update({k: "override" for k in changes})
    return _validate(replace(profile, **changes, sources=tuple(sorted(sources.items()))))
