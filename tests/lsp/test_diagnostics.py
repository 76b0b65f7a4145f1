"""Diagnostics: one per clone member, in every language of the workspace, with related
locations and the data the code actions read back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp.helpers import diagnostics_for, open_document, start, stop, uri, wait_indexed

EXPECTED = {  # file -> (code, name of the other member, its file)
    "py/orders.py": ("renamed-clone", "rank_customers", "py/report.py"),
    "py/report.py": ("renamed-clone", "summarize", "py/orders.py"),
    "java/Billing.java": ("renamed-clone", "Invoice", "java/Invoice.java"),
    "c/words.c": ("renamed-clone", "word_total", "c/count.c"),
    "js/group.js": ("near-miss-clone", "bucketBy", "js/bucket.js"),
}


def _class_of(classes: list[dict[str, Any]], path: str) -> dict[str, Any]:
    (found,) = [c for c in classes if any(m["path"] == path for m in c["members"])]
    return found


async def test_each_language_gets_its_clone_diagnostic(client: LanguageClient, ws: Path,
                                                        indexed: dict[str, Any]) -> None:
    for rel, (code, other, other_path) in EXPECTED.items():
        doc = open_document(client, ws, rel)
        (diag,) = await diagnostics_for(client, doc)
        cls = _class_of(indexed["classes"], rel)
        me = next(i for i, m in enumerate(cls["members"]) if m["path"] == rel)
        member = cls["members"][me]
        assert diag.source == "ctxlens" and diag.code == code
        assert diag.severity == types.DiagnosticSeverity.Information
        assert diag.range.start.line == member["range"]["start"]["line"]
        assert diag.range.start.character == 0
        # The whole member: its last line up to its end.
        last = (ws / rel).read_text().splitlines()[diag.range.end.line]
        assert diag.range.end.character == len(last) > 0
        assert f"{other} ({other_path}:" in diag.message
        assert f"saves {cls['tokensSaved']:,} tokens (o200k_base)" in diag.message
        (rel_info,) = diag.related_information or []
        assert rel_info.location.uri == uri(ws, other_path)
        other_member = next(m for m in cls["members"] if m["path"] == other_path)
        assert rel_info.location.range.start.line == other_member["range"]["start"]["line"]
        assert other in rel_info.message
        assert diag.data == {"classId": cls["id"], "kind": cls["kind"],
                             "similarity": cls["similarity"], "tokensSaved": cls["tokensSaved"],
                             "canonical": me == cls["canonical"], "memberIndex": me,
                             "collapsed": True}


async def test_files_without_clones_get_an_empty_list(client: LanguageClient, ws: Path,
                                                      indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/util.py")
    assert await diagnostics_for(client, doc, check=lambda d: d == []) == []


async def test_workspace_diagnostics_and_severity_setting(ws: Path) -> None:
    client = await start(ws, {"workspaceDiagnostics": True, "severity": "warning",
                              "stabilityProbe": False})
    try:
        await wait_indexed(client)
        for rel in ("py/orders.py", "py/report.py", "java/Invoice.java", "c/count.c",
                    "js/bucket.js"):
            (diag,) = await diagnostics_for(client, uri(ws, rel))  # never opened
            assert diag.severity == types.DiagnosticSeverity.Warning
        assert uri(ws, "py/util.py") not in client.diagnostics
        # Turned off again: what was published for closed files is withdrawn.
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ctxlens": {"workspaceDiagnostics": False, "stabilityProbe": False}}))
        await diagnostics_for(client, uri(ws, "c/count.c"), check=lambda d: d == [],
                              what="withdrawn diagnostics")
    finally:
        await stop(client)
