"""The custom protocol: ctxlens/cloneClasses, ctxlens/budget, ctxlens/tokens and the
ctxlens/budgetChanged notification (docs/protocol.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pytest_lsp import LanguageClient

from ctxlens.tokens import count_tokens
from lsp.helpers import open_document, request, uri, wait_for
from lsp.workspace import FILES

BUDGET_KEYS = {"model", "encoding", "selection", "files", "raw", "deduplicated", "fitted",
               "reserve", "window", "effectiveContext", "stableLimit", "verdict", "reasons",
               "indexing"}


async def test_clone_classes(client: LanguageClient, ws: Path,
                             indexed: dict[str, Any]) -> None:
    assert indexed["model"] == "gpt-4.1" and indexed["encoding"] == "o200k_base"
    classes = indexed["classes"]
    assert [c["tokensSaved"] for c in classes] == sorted(
        (c["tokensSaved"] for c in classes), reverse=True)
    assert {frozenset(m["path"] for m in c["members"]) for c in classes} == {
        frozenset({"py/orders.py", "py/report.py"}), frozenset({"c/words.c", "c/count.c"}),
        frozenset({"java/Billing.java", "java/Invoice.java"}),
        frozenset({"js/group.js", "js/bucket.js"})}
    js = next(c for c in classes if c["members"][0]["path"].startswith("js/"))
    assert js["kind"] == "near-miss" and 0.8 <= js["similarity"] < 1
    assert js["collapsed"] is True and js["canonical"] in (0, 1)
    for m in js["members"]:
        assert m["uri"] == uri(ws, m["path"])
        assert m["name"].startswith(m["path"] + "::")
        assert m["range"]["start"] == {"line": 0, "character": 0}
        text = (ws / m["path"]).read_text().splitlines()
        assert m["tokens"] == count_tokens("\n".join(text[:11]), "o200k_base")
    only = await request(client, "ctxlens/cloneClasses", {"uri": uri(ws, "c/words.c")})
    assert [c["id"] for c in only["classes"]] == [
        c["id"] for c in classes if c["members"][0]["path"].startswith("c/")]


async def test_budget_and_its_notification(client: LanguageClient, ws: Path,
                                           indexed: dict[str, Any]) -> None:
    (first,) = await wait_for(lambda: client.budgets, "budgetChanged after indexing")
    budget = await request(client, "ctxlens/budget", {})
    assert budget == first
    assert set(budget) == BUDGET_KEYS
    texts = {p: t for p, t in FILES.items() if isinstance(t, str)}
    assert budget["files"] == len(texts)
    assert budget["raw"] == sum(count_tokens((ws / p).read_text(), "o200k_base")
                                for p in texts)
    assert budget["model"] == "gpt-4.1" and budget["encoding"] == "o200k_base"
    assert budget["window"] == 1_047_576 and budget["stableLimit"] is None
    assert budget["verdict"] == "ok" and budget["reasons"]
    assert "o200k_base" in budget["reasons"][0]
    assert budget["selection"] == [] and budget["indexing"] is False


async def test_tokens_of_a_document_and_a_utf16_range(client: LanguageClient, ws: Path,
                                                      indexed: dict[str, Any]) -> None:
    text = (ws / "py/orders.py").read_text()
    whole = await request(client, "ctxlens/tokens", {"uri": uri(ws, "py/orders.py")})
    assert whole == {"tokens": count_tokens(text, "o200k_base"), "encoding": "o200k_base",
                     "model": "gpt-4.1"}
    # Open with unsaved text holding characters outside the BMP (two UTF-16 units each).
    doc = open_document(client, ws, "py/util.py", text="s = '😀😀 ok'\nt = 2\n")
    got = await request(client, "ctxlens/tokens", {"uri": doc, "range": {
        "start": {"line": 0, "character": 5}, "end": {"line": 0, "character": 9}}})
    assert got["tokens"] == count_tokens("😀😀", "o200k_base")
    whole = await request(client, "ctxlens/tokens", {"uri": doc})
    assert whole["tokens"] == count_tokens("s = '😀😀 ok'\nt = 2\n", "o200k_base")
