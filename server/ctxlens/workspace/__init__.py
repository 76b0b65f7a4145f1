"""Finding a workspace's files: the walk, its ignore rules, and per-file content checks.

`discover` walks a root and yields `Candidate` (read it) or `Skip` (why not); the
indexer then reads each candidate and asks `classify_content` for content-level skips,
and turns the bytes into text with `decode_text`. `path_exclusion` answers for one path
what the walk would decide (a file that appears after a scan).
"""

from ctxlens.workspace.admission import Exclusion, path_exclusion
from ctxlens.workspace.classify import classify_content, decode_text
from ctxlens.workspace.discover import discover
from ctxlens.workspace.languages import PARSED_LANGUAGES, language_for_path
from ctxlens.workspace.options import DiscoveryOptions
from ctxlens.workspace.results import (
    SKIP_REASONS,
    Candidate,
    DiscoveryStats,
    Skip,
    WorkspaceError,
)

__all__ = [
    "PARSED_LANGUAGES",
    "SKIP_REASONS",
    "Candidate",
    "DiscoveryOptions",
    "DiscoveryStats",
    "Exclusion",
    "Skip",
    "WorkspaceError",
    "classify_content",
    "decode_text",
    "discover",
    "language_for_path",
    "path_exclusion",
]
