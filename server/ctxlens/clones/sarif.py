"""Clone classes as SARIF 2.1.0, for code-scanning pipelines.

One result per non-canonical member, located at the member, with the canonical member and
the other members as related locations. Paths are relative to %SRCROOT%.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ctxlens import __version__
from ctxlens.clones.model import CloneClass, CloneMember

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

RULES = {
    "exact": ("ctxlens/exact-clone", "Exact copy of another unit (layout and comments aside)"),
    "renamed": ("ctxlens/renamed-clone", "Copy of another unit with names or literals changed"),
    "near-miss": ("ctxlens/near-miss-clone", "Near copy of another unit with edited statements"),
    "fragment": ("ctxlens/fragment-clone", "Block copied from another place"),
}


def _location(m: CloneMember, message: str | None = None, ident: int | None = None
              ) -> dict[str, Any]:
    loc: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": m.path, "uriBaseId": "SRCROOT"},
        "region": {"startLine": m.start_line, "endLine": m.end_line},
    }}
    if ident is not None:
        loc["id"] = ident
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def to_sarif(root: Path, classes: Sequence[CloneClass], encoding: str) -> dict[str, Any]:
    rule_ids = [rule for rule, _ in RULES.values()]
    results = []
    for c in classes:
        rule, _ = RULES[c.kind]
        canonical = c.canonical_member
        for i, m in enumerate(c.members):
            if i == c.canonical:
                continue
            related = [_location(canonical, "canonical copy", 0)]
            related += [_location(o, "also a copy", k + 1) for k, o in enumerate(c.members)
                        if o is not m and o is not canonical]
            results.append({
                "ruleId": rule,
                "ruleIndex": rule_ids.index(rule),
                "level": "note",
                "message": {"text": (
                    f"{c.kind} clone of {canonical.name} ({canonical.path}:"
                    f"{canonical.start_line}), similarity {m.similarity:.2f}; collapsing "
                    f"class {c.id} saves {c.tokens_saved} tokens ({encoding})")},
                "locations": [_location(m)],
                "relatedLocations": related,
                "partialFingerprints": {"ctxlensCloneClass/v1": c.id},
                "properties": {"cloneClass": c.id, "kind": c.kind, "tokens": m.tokens,
                               "tokensSaved": c.tokens_saved, "encoding": encoding},
            })
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ctxlens",
                "version": __version__,
                "rules": [{"id": rule, "shortDescription": {"text": text},
                           "defaultConfiguration": {"level": "note"}}
                          for rule, text in RULES.values()],
            }},
            "originalUriBaseIds": {"SRCROOT": {"uri": root.resolve().as_uri() + "/"}},
            "results": results,
        }],
    }
