"""Clone-class members as diagnostics: one per member, naming its nearest other member and
what collapsing the class saves, with every other member as related information."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from ctxlens.clones.model import CloneClass
from ctxlens.lsp.snapshot import nearest_other
from ctxlens.lsp.view import KIND_CODES, View, kind_phrase, short_name

SOURCE = "ctxlens"


def diagnostic_data(view: View, c: CloneClass, index: int) -> dict[str, Any]:
    """What the code actions read back from a diagnostic."""
    return {"classId": c.id, "kind": c.kind, "similarity": round(c.similarity, 4),
            "tokensSaved": c.tokens_saved, "canonical": index == c.canonical,
            "memberIndex": index, "collapsed": view.collapsed(c)}


def message(view: View, c: CloneClass, index: int) -> str:
    me = c.members[index]
    other = c.members[nearest_other(c, index)]
    where = f"{short_name(other)} ({other.path}:{other.start_line})"
    saves = (f"collapsing the class saves {c.tokens_saved:,} tokens ({view.snap.encoding}); "
             f"{'collapsed' if view.collapsed(c) else 'expanded'} in the context plan")
    if index == c.canonical:
        copies = len(c.members) - 1
        noun = "copy" if copies == 1 else "copies"
        return (f"Duplicated logic: {copies} {noun} of this elsewhere, nearest {where}, "
                f"a {kind_phrase(c, other)}; {saves}")
    return f"Duplicated logic: {kind_phrase(c, me)} of {where}; {saves}"


def related(view: View, c: CloneClass, index: int) -> list[types.DiagnosticRelatedInformation]:
    out = []
    for i, m in enumerate(c.members):
        if i == index:
            continue
        role = "canonical copy" if i == c.canonical else kind_phrase(c, m)
        out.append(types.DiagnosticRelatedInformation(
            location=view.location(m),
            message=f"{role}: {short_name(m)}, {m.tokens:,} tokens ({view.snap.encoding})"))
    return out


def file_diagnostics(view: View, path: str) -> list[types.Diagnostic]:
    severity = view.settings.diagnostic_severity
    found = []
    for c in view.snap.classes_in(path):
        for i, m in enumerate(c.members):
            if m.path != path:
                continue
            found.append(types.Diagnostic(
                range=view.span(path, m.start_line, m.end_line),
                message=message(view, c, i),
                severity=severity,
                code=KIND_CODES.get(c.kind, "clone"),
                source=SOURCE,
                related_information=related(view, c, i),
                data=diagnostic_data(view, c, i),
            ))
    found.sort(key=lambda d: (d.range.start.line, d.range.end.line, str(d.code)))
    return found
