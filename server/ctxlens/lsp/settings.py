"""The editor's settings (`initializationOptions`, `workspace/didChangeConfiguration`).

Every key is optional: a missing key keeps `.ctxlens.toml`'s value, then the built-in
default. A value of the wrong kind is dropped with a message, never a crash; the client
sends settings whole, so the last good object wins key by key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from lsprotocol import types

from ctxlens.config import Config

SEVERITIES: dict[str, types.DiagnosticSeverity] = {
    "hint": types.DiagnosticSeverity.Hint,
    "information": types.DiagnosticSeverity.Information,
    "warning": types.DiagnosticSeverity.Warning,
    "error": types.DiagnosticSeverity.Error,
}


@dataclass(frozen=True, slots=True)
class Settings:
    model: str | None = None
    threshold: float | None = None
    min_tokens: int | None = None
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    severity: str = "information"
    workspace_diagnostics: bool = False
    # Run the stability probe in the background for `stableLimit` (imports torch there).
    stability_probe: bool = True

    @property
    def diagnostic_severity(self) -> types.DiagnosticSeverity:
        return SEVERITIES[self.severity]

    def engine_key(self) -> tuple[object, ...]:
        """The settings that change what indexing computes (the others only re-publish)."""
        return (self.model, self.threshold, self.min_tokens, self.include, self.exclude)


def _unwrap(raw: Any) -> Mapping[str, Any] | None:
    if not isinstance(raw, Mapping):
        return None
    inner = raw.get("ctxlens")
    if isinstance(inner, Mapping):
        return inner
    settings = raw.get("settings")
    if isinstance(settings, Mapping):
        return _unwrap(settings)
    return raw


def _globs(value: Any) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v for v in value if v.strip())
    return None


def parse_settings(raw: Any) -> tuple[Settings, list[str]]:
    """Settings from the client's object (with or without the `ctxlens` wrapper), and a
    message for each value that was dropped."""
    data = _unwrap(raw)
    problems: list[str] = []
    if data is None:
        if raw is not None:
            problems.append("settings: expected an object")
        return Settings(), problems
    s = Settings()

    def bad(key: str, expected: str) -> None:
        problems.append(f"settings: '{key}' must be {expected}; ignored")

    if (model := data.get("model")) is not None:
        if isinstance(model, str) and model.strip():
            s = replace(s, model=model.strip())
        else:
            bad("model", "a model name")
    if (threshold := data.get("threshold")) is not None:
        if isinstance(threshold, (int, float)) and not isinstance(threshold, bool) \
                and 0 < threshold <= 1:
            s = replace(s, threshold=float(threshold))
        else:
            bad("threshold", "a number in (0, 1]")
    if (min_tokens := data.get("minTokens")) is not None:
        if isinstance(min_tokens, int) and not isinstance(min_tokens, bool) and min_tokens >= 1:
            s = replace(s, min_tokens=min_tokens)
        else:
            bad("minTokens", "a whole number ≥ 1")
    globs: dict[str, tuple[str, ...]] = {}
    for key in ("include", "exclude"):
        if (value := data.get(key)) is not None:
            found = _globs(value)
            if found is None:
                bad(key, "a list of strings")
            else:
                globs[key] = found
    s = replace(s, include=globs.get("include", ()), exclude=globs.get("exclude", ()))
    if (severity := data.get("severity")) is not None:
        if severity in SEVERITIES:
            s = replace(s, severity=severity)
        else:
            bad("severity", " | ".join(SEVERITIES))
    flags: dict[str, bool] = {}
    for key in ("workspaceDiagnostics", "stabilityProbe"):
        if (flag := data.get(key)) is not None:
            if isinstance(flag, bool):
                flags[key] = flag
            else:
                bad(key, "true or false")
    return replace(s, workspace_diagnostics=flags.get("workspaceDiagnostics", False),
                   stability_probe=flags.get("stabilityProbe", True)), problems


def effective_config(config: Config, settings: Settings) -> Config:
    """`.ctxlens.toml`'s settings with the editor's on top."""
    if settings.model is not None:
        config = replace(config, model=settings.model)
    clones = config.clones
    if settings.threshold is not None:
        clones = replace(clones, threshold=settings.threshold)
    if settings.min_tokens is not None:
        clones = replace(clones, min_tokens=settings.min_tokens)
    discovery = config.discovery
    if settings.exclude or settings.include:
        # The config's exclude list is gitignore syntax and wins over rule files and the
        # built-in excludes, so `!glob` after it brings an include back.
        discovery = replace(discovery, exclude=(*discovery.exclude, *settings.exclude,
                                                *(f"!{g}" for g in settings.include)))
    return replace(config, clones=clones, discovery=discovery)
