"""Settings of clone detection (`[clones]` in .ctxlens.toml, `--threshold`, `--min-tokens`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CloneOptions:
    threshold: float = 0.8  # least similarity of a near-miss member to its canonical one
    min_tokens: int = 50  # normalised tokens a unit (or fragment) needs to take part
    min_lines: int = 5
    fragments: bool = True
    lsh_threshold: float = 0.4  # Jaccard of shingle sets that makes a pair a candidate
    num_perm: int = 128
    exclude: tuple[str, ...] = ()  # globs of paths that take no part
    ignore_tests: bool = False
