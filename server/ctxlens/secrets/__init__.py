"""Secrets in a pack: find them, redact them, report them (never the secret itself).

`scan_text(path, text)` → `Finding`s (path, line, kind, offsets); `redact(text, findings)`
replaces each with `[ctxlens: redacted <kind>]`; `SecretsReport` lists findings as
path/line/kind and says whether sending needs an explicit override. `scan_and_redact` does
both for one file. Pure and offline: the pack pipeline calls it before writing or sending.
Fast enough to run on every pack build: a whole-text prefilter (`prefilter.py`) picks the
lines worth checking, and answers are kept by content hash.
"""

from __future__ import annotations

from ctxlens.secrets.model import Finding, SecretsReport
from ctxlens.secrets.redact import MARKER, marker, redact
from ctxlens.secrets.scan import scan_text


def scan_and_redact(path: str, text: str) -> tuple[str, list[Finding]]:
    """The redacted text of one file and its findings."""
    findings = scan_text(path, text)
    return redact(text, findings), findings


__all__ = [
    "MARKER",
    "Finding",
    "SecretsReport",
    "marker",
    "redact",
    "scan_and_redact",
    "scan_text",
]
