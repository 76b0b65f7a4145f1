"""One file from bytes to units and token counts. Runs in worker processes.

Pure apart from reading the file: no database, no shared state but per-process caches
of grammars and encodings, so it can run anywhere in a pool.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from tree_sitter import Tree

from ctxlens.clones.normalize import lex_file, streams_of
from ctxlens.clones.streams import STREAM_KINDS, UnitStream
from ctxlens.index.streams_codec import pack_streams
from ctxlens.syntax import extract_units, parse
from ctxlens.syntax.units import UnitSpan
from ctxlens.tokens.encodings import get_encoding
from ctxlens.tokens.spans import count_file_and_ranges
from ctxlens.workspace import Candidate, DiscoveryOptions, Skip, classify_content, decode_text
from ctxlens.workspace.languages import PARSED_LANGUAGES, language_for_path


@dataclass(frozen=True, slots=True)
class AnalyseSettings:
    discovery: DiscoveryOptions
    encoding: str
    window_lines: int


@dataclass(frozen=True, slots=True)
class Analysed:
    """A file read and, unless its (hash, unit_key) was already known, parsed and counted."""

    candidate: Candidate
    content_hash: str
    language: str
    unit_key: str
    lines: int
    decode_errors: int
    # None when the index already holds units and counts for (content_hash, unit_key).
    units: tuple[UnitSpan, ...] | None
    error_nodes: int
    file_tokens: int
    unit_tokens: tuple[int, ...]
    # The units' clone streams, packed for the index (streams_codec): packing here runs in
    # parallel and sends bytes, not arrays, back to the main process.
    packed_streams: tuple[str, bytes] | None = None

    def __reduce__(self) -> tuple[Callable[..., Analysed], tuple[object, ...]]:
        # Units cross from a worker as plain tuples: pickling and unpickling a slotted
        # dataclass per unit costs about three times as much, on both sides of the pipe.
        rows = None if self.units is None else [_unit_row(u) for u in self.units]
        return _analysed_from_rows, (
            self.candidate, self.content_hash, self.language, self.unit_key, self.lines,
            self.decode_errors, rows, self.error_nodes, self.file_tokens, self.unit_tokens,
            self.packed_streams,
        )


_UnitRow = tuple[str, str, int, int, int, int, int, tuple[tuple[int, int], ...]]


def _unit_row(u: UnitSpan) -> _UnitRow:
    return (u.kind, u.name, u.start_line, u.end_line, u.start_byte, u.end_byte, u.parent,
            u.segments)


def _analysed_from_rows(candidate: Candidate, digest: str, language: str, unit_key: str,
                        lines: int, decode_errors: int, rows: list[_UnitRow] | None,
                        error_nodes: int, file_tokens: int, unit_tokens: tuple[int, ...],
                        packed_streams: tuple[str, bytes] | None) -> Analysed:
    units = None if rows is None else tuple([UnitSpan(*row) for row in rows])
    return Analysed(candidate, digest, language, unit_key, lines, decode_errors, units,
                    error_nodes, file_tokens, unit_tokens, packed_streams)


@dataclass(frozen=True, slots=True)
class Failed:
    """A file that was skipped after reading it (content rules) or could not be read."""

    candidate: Candidate
    skip: Skip
    content_hash: str | None
    language: str


Outcome = Analysed | Failed


def unit_key_for(language: str, window_lines: int) -> str:
    # Window units depend on the window size; parsed units do not.
    return language if language in PARSED_LANGUAGES else f"{language}/w{window_lines}"


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def count_lines(data: bytes) -> int:
    if not data:
        return 0
    return data.count(b"\n") + (0 if data.endswith(b"\n") else 1)


def analyse_file(
    candidate: Candidate, settings: AnalyseSettings, known: frozenset[tuple[str, str]]
) -> Outcome:
    try:
        with open(candidate.abs_path, "rb") as fh:
            data = fh.read()
    except PermissionError as err:
        return Failed(candidate, Skip(candidate.path, "permission-denied", str(err.strerror)),
                      None, "text")
    except OSError as err:
        return Failed(candidate, Skip(candidate.path, "unreadable", str(err.strerror or err)),
                      None, "text")
    language = language_for_path(candidate.path, data[:128])
    digest = content_hash(data)
    skip = classify_content(candidate.path, data, settings.discovery)
    if skip is not None:
        return Failed(candidate, skip, digest, language)
    text, decode_errors = decode_text(data)
    unit_key = unit_key_for(language, settings.window_lines)
    lines = count_lines(data)
    if (digest, unit_key) in known:
        return Analysed(candidate, digest, language, unit_key, lines, decode_errors,
                        None, 0, 0, ())
    c = analyse_contents(data, text, language, settings.encoding, settings.window_lines)
    return Analysed(candidate, digest, language, unit_key, lines, decode_errors,
                    c.units, c.error_nodes, c.file_tokens, c.unit_tokens,
                    pack_streams(c.streams))


@dataclass(frozen=True, slots=True)
class Contents:
    """What one file's text yields: its units, exact counts and clone streams."""

    units: tuple[UnitSpan, ...]
    error_nodes: int
    file_tokens: int
    unit_tokens: tuple[int, ...]
    streams: tuple[UnitStream | None, ...]


def analyse_contents(
    data: bytes, text: str, language: str, encoding: str, window_lines: int
) -> Contents:
    """Parse once, then units, exact counts and clone streams from that one tree.

    Shared by the indexer's workers and the editor's live view (clones/live.py).
    """
    tree = parse(data, language)
    parsed = extract_units(data, language, window_lines=window_lines, tree=tree)
    # Exact counts: each unit as if encoded on its own (see tokens/spans.py for how this
    # avoids encoding nested units twice).
    file_tokens, unit_tokens = count_file_and_ranges(
        data, text, [u.byte_ranges() for u in parsed.units], encoding
    )
    return Contents(parsed.units, parsed.error_nodes, file_tokens, tuple(unit_tokens),
                    clone_streams(tree, data, language, parsed.units))


def clone_streams(
    tree: Tree | None, data: bytes, language: str, units: Sequence[UnitSpan]
) -> tuple[UnitStream | None, ...]:
    """Token streams for the units clone detection compares; None for the others."""
    wanted = [i for i, u in enumerate(units) if u.kind in STREAM_KINDS]
    out: list[UnitStream | None] = [None] * len(units)
    if wanted:
        tokens = lex_file(tree, data, language)
        places = [(units[i].byte_ranges(), units[i].start_line) for i in wanted]
        for i, stream in zip(wanted, streams_of(tokens, places), strict=True):
            out[i] = stream
    return tuple(out)


# Set once per worker process by `warm_up`, so the (possibly large) set of known contents
# is pickled once per worker rather than once per batch.
_worker_known: frozenset[tuple[str, str]] = frozenset()


def analyse_batch(
    candidates: list[Candidate],
    settings: AnalyseSettings,
    known: frozenset[tuple[str, str]] | None = None,
) -> list[Outcome]:
    known = _worker_known if known is None else known
    return [analyse_file(c, settings, known) for c in candidates]


def warm_up(settings: AnalyseSettings, known: frozenset[tuple[str, str]]) -> None:
    """Load what every file needs once per worker, before the first batch arrives."""
    global _worker_known
    _worker_known = known
    get_encoding(settings.encoding)
