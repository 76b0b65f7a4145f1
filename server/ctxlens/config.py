"""Workspace settings: `.ctxlens.toml` at the root, then command-line flags on top.

Resolved once per run (ruff's lesson: settings are not re-read per file).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

from ctxlens.clones.options import CloneOptions
from ctxlens.llm.options import LLMOptions
from ctxlens.workspace import DiscoveryOptions

CONFIG_FILE = ".ctxlens.toml"
DEFAULT_INDEX = ".ctxlens/index.db"


class ConfigError(ValueError):
    """`.ctxlens.toml` is unreadable or holds a value of the wrong kind."""


@dataclass(frozen=True, slots=True)
class Config:
    model: str | None = None  # None: the registry's default
    discovery: DiscoveryOptions = field(default_factory=DiscoveryOptions)
    clones: CloneOptions = field(default_factory=CloneOptions)
    window_lines: int = 100  # line-window size for files without a grammar
    index_path: str = DEFAULT_INDEX  # relative to the root unless absolute
    models: dict[str, dict[str, Any]] = field(default_factory=dict)  # registry overrides
    profiles: dict[str, dict[str, Any]] = field(default_factory=dict)  # stability profiles
    llm: LLMOptions = field(default_factory=LLMOptions)  # `[llm]`: endpoint, never the key
    source: str | None = None  # the file this came from, for messages

    def index_file(self, root: Path) -> Path:
        path = Path(self.index_path)
        return path if path.is_absolute() else root / path


def _expect(table: dict[str, Any], key: str, kind: type | tuple[type, ...], where: str) -> Any:
    value = table[key]
    # TOML booleans are ints to Python: `threshold = true` must not read as 1.0.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
        raise ConfigError(f"{where}: '{key}' must be {names}, got {value!r}")
    return value


def parse_config(data: dict[str, Any], source: str = CONFIG_FILE) -> Config:
    known_top = {"model", "scan", "clones", "models", "profiles", "llm"}
    unknown = set(data) - known_top
    if unknown:
        raise ConfigError(f"{source}: unknown setting(s) {', '.join(sorted(unknown))}")
    config = Config(source=source)
    if "model" in data:
        config = replace(config, model=_expect(data, "model", str, source))
    scan = data.get("scan", {})
    if not isinstance(scan, dict):
        raise ConfigError(f"{source}: [scan] must be a table")
    where = f"{source} [scan]"
    opts = config.discovery
    for key, kind in (
        ("max_file_bytes", int),
        ("max_line_chars", int),
        ("include_vendored", bool),
        ("include_generated", bool),
        ("respect_gitignore", bool),
    ):
        if key in scan:
            opts = replace(opts, **{key: _expect(scan, key, kind, where)})
    if "exclude" in scan:
        patterns = _expect(scan, "exclude", list, where)
        if not all(isinstance(p, str) for p in patterns):
            raise ConfigError(f"{where}: 'exclude' must be a list of strings")
        opts = replace(opts, exclude=tuple(patterns))
    config = replace(config, discovery=opts)
    if "window_lines" in scan:
        lines = _expect(scan, "window_lines", int, where)
        if lines < 1:
            raise ConfigError(f"{where}: 'window_lines' must be at least 1")
        config = replace(config, window_lines=lines)
    if "index" in scan:
        config = replace(config, index_path=_expect(scan, "index", str, where))
    config = replace(config, clones=_clone_options(data.get("clones", {}), source))
    config = replace(config, llm=_llm_options(data.get("llm", {}), source))
    tables: dict[str, dict[str, dict[str, Any]]] = {}
    for key in ("models", "profiles"):
        value = data.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
            raise ConfigError(f'{source}: [{key}."name"] entries must be tables')
        tables[key] = value
    return replace(config, models=tables["models"], profiles=tables["profiles"])


def _clone_options(table: Any, source: str) -> CloneOptions:
    where = f"{source} [clones]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    opts = CloneOptions()
    known: dict[str, type | tuple[type, ...]] = {
        "threshold": (int, float), "lsh_threshold": (int, float), "min_tokens": int,
        "min_lines": int, "fragments": bool, "ignore_tests": bool, "exclude": list}
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    for key, kind in known.items():
        if key not in table:
            continue
        value = _expect(table, key, kind, where)
        if key == "exclude":
            if not all(isinstance(p, str) for p in value):
                raise ConfigError(f"{where}: 'exclude' must be a list of strings")
            value = tuple(value)
        if key in ("threshold", "lsh_threshold") and not 0 < value <= 1:
            raise ConfigError(f"{where}: '{key}' must be in (0, 1], got {value}")
        if key in ("min_tokens", "min_lines") and value < 1:
            raise ConfigError(f"{where}: '{key}' must be at least 1")
        if key.endswith("threshold"):
            value = float(value)
        opts = replace(opts, **{key: value})
    return opts


def _llm_options(table: Any, source: str) -> LLMOptions:
    where = f"{source} [llm]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table")
    if "api_key" in table:
        # A key in a file ends up in backups, commits and screenshots.
        raise ConfigError(f"{where}: never put the API key in a file; name the environment "
                          "variable that holds it with api_key_env = \"VAR\"")
    known: dict[str, type | tuple[type, ...]] = {
        "base_url": str, "model": str, "api_key_env": str, "concurrency": int,
        "timeout": (int, float), "max_retries": int, "answer_tokens": int,
        "summary_tokens": int, "cache": bool}
    unknown = set(table) - set(known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) {', '.join(sorted(unknown))}")
    opts = LLMOptions()
    for key, kind in known.items():
        if key not in table:
            continue
        value = _expect(table, key, kind, where)
        if key in ("concurrency", "answer_tokens", "summary_tokens", "timeout") and value <= 0:
            raise ConfigError(f"{where}: '{key}' must be positive")
        if key == "max_retries" and value < 0:
            raise ConfigError(f"{where}: 'max_retries' must be at least 0")
        if key == "timeout":
            value = float(value)
        opts = replace(opts, **{key: value})
    return opts


def load_config(root: Path) -> Config:
    """The settings of the workspace at `root`; defaults when it has no `.ctxlens.toml`."""
    path = root / CONFIG_FILE
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return Config()
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"cannot read {path}: {err}") from err
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: {err}") from err
    return parse_config(data, str(path))
