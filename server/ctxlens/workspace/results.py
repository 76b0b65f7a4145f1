"""What discovery hands out: kept files, skipped paths with a reason, and counters."""

from __future__ import annotations

from dataclasses import dataclass

SKIP_REASONS: tuple[str, ...] = (
    "binary",
    "too-large",
    "minified",
    "generated",
    "vendored",
    "symlink-loop",
    "unreadable",
    "permission-denied",
)
_REASONS = frozenset(SKIP_REASONS)


class WorkspaceError(OSError):
    """The workspace root is missing, not a directory, or cannot be listed."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """A regular file discovery kept; the indexer reads it and runs `classify_content`."""

    path: str  # relative to the root, "/" separators
    abs_path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Skip:
    """A path left out for a reason the user should hear about (ignore rules are silent)."""

    path: str  # relative to the root, "/" separators; a directory has no trailing "/"
    reason: str  # one of SKIP_REASONS
    detail: str  # a short sentence for reports

    def __post_init__(self) -> None:
        # Reports group by reason; a misspelt one would silently form its own group.
        if self.reason not in _REASONS:
            raise ValueError(f"unknown skip reason {self.reason!r}")


@dataclass(slots=True)
class DiscoveryStats:
    """Counters a walk fills in as it goes; read them once the iterator is exhausted."""

    # Paths dropped without a Skip: ignore rules, built-in excludes, special files
    # (fifos, sockets, devices) and second paths to an already-yielded real file or
    # directory. A dropped directory counts once, whatever it holds.
    ignored: int = 0
    directories: int = 0  # directories listed, the root included


def format_bytes(size: int) -> str:
    """`1536` -> `"1.5 KiB"`: sizes as reports print them."""
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"
