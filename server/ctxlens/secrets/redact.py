"""Replace secrets with a visible marker."""

from __future__ import annotations

from collections.abc import Sequence

from ctxlens.secrets.model import Finding
from ctxlens.secrets.scan import KIND_PRIORITY

MARKER = "[ctxlens: redacted {kind}]"


def marker(kind: str) -> str:
    return MARKER.format(kind=kind)


def redact(text: str, findings: Sequence[Finding]) -> str:
    """`text` with each finding's characters replaced by `[ctxlens: redacted <kind>]`.

    Overlapping or touching findings are merged into one marker (named after the most specific
    kind), so no part of any secret survives. For a private key the finding is the key's body,
    so the BEGIN/END lines stay and the body becomes one marker. Offsets must come from
    `scan_text` on this same `text`; out-of-range findings raise `ValueError`.
    """
    spans = sorted((f.start, f.end, f.kind) for f in findings if f.end > f.start)
    for start, end, _ in spans:
        if start < 0 or end > len(text):
            raise ValueError(f"finding [{start}, {end}) is outside the text ({len(text)} chars)")
    merged: list[tuple[int, int, str]] = []
    for start, end, kind in spans:
        if merged and start <= merged[-1][1]:
            last_start, last_end, last_kind = merged[-1]
            best = min(last_kind, kind, key=_priority)
            merged[-1] = (last_start, max(last_end, end), best)
        else:
            merged.append((start, end, kind))
    out: list[str] = []
    pos = 0
    for start, end, kind in merged:
        out.append(text[pos:start])
        out.append(marker(kind))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _priority(kind: str) -> int:
    return KIND_PRIORITY.index(kind) if kind in KIND_PRIORITY else len(KIND_PRIORITY)
