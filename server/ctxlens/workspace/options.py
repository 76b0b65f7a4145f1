"""The settings that decide which files discovery keeps and which content checks skip."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DiscoveryOptions:
    """What a scan keeps; resolved once per run from `.ctxlens.toml` and flags."""

    max_file_bytes: int = 1 << 20
    # Minified when any line is longer than this, or when a file of at least
    # MEAN_LINE_MIN_BYTES has a mean line length above MEAN_LINE_LIMIT.
    max_line_chars: int = 1000
    exclude: tuple[str, ...] = ()  # extra gitignore-style patterns, relative to the root
    include_vendored: bool = False
    include_generated: bool = False
    # Off: `.gitignore` files and `.git/info/exclude` are not read. `.ctxlensignore`,
    # `exclude` and the built-in excludes still apply: they are ctxlens's own rules.
    respect_gitignore: bool = True
    index_dir: str = ".ctxlens"  # relative to the root; never walked


MEAN_LINE_MIN_BYTES = 1024
MEAN_LINE_LIMIT = 200
