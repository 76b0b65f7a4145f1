"""Findings and the report that travels with a pack.

A `Finding` holds *where* a secret is (path, 1-based line, kind, character offsets into the
scanned text), never the secret itself, so printing, logging or serialising one cannot leak it.
The offsets only mean something together with the text they were computed from; `redact` uses
them, nothing else should.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Finding:
    """One secret: `text[start:end]` of the scanned text is the secret (never stored here)."""

    path: str
    line: int
    kind: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        """Path, line and kind only: the offsets are an implementation detail of `redact`."""
        return {"path": self.path, "line": self.line, "kind": self.kind}


@dataclass(frozen=True)
class SecretsReport:
    """The findings of a pack. A pack with findings needs an explicit override to be sent."""

    findings: tuple[Finding, ...] = field(default_factory=tuple)

    @classmethod
    def of(cls, findings: Iterable[Finding]) -> SecretsReport:
        return cls(tuple(sorted(set(findings), key=lambda f: (f.path, f.line, f.start, f.kind))))

    @property
    def has_findings(self) -> bool:
        return bool(self.findings)

    @property
    def needs_override(self) -> bool:
        """True when sending the pack must be explicitly allowed by the user."""
        return self.has_findings

    def to_json(self) -> dict[str, Any]:
        return {
            "has_findings": self.has_findings,
            "needs_override": self.needs_override,
            "findings": [f.to_json() for f in self.findings],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), indent=2)

    def lines(self) -> list[str]:
        """Human-readable `path:line: kind` lines, e.g. for the CLI."""
        return [f"{f.path}:{f.line}: {f.kind}" for f in self.findings]

    def __repr__(self) -> str:
        shown = ", ".join(self.lines())
        return f"SecretsReport({len(self.findings)} finding(s): [{shown}])"

    __str__ = __repr__
