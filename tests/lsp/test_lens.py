"""Code lenses above each unit: tokens, duplicates, what collapsing saves."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from ctxlens.tokens import count_tokens
from lsp.helpers import open_document


async def _lenses(client: LanguageClient, doc: str) -> list[types.CodeLens]:
    return list(await client.text_document_code_lens_async(types.CodeLensParams(
        text_document=types.TextDocumentIdentifier(uri=doc))) or [])


async def test_lens_above_a_duplicated_function(client: LanguageClient, ws: Path,
                                                indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/orders.py")
    (lens,) = await _lenses(client, doc)
    (cls,) = [c for c in indexed["classes"] if c["members"][0]["path"].startswith("py/")]
    lines = (ws / "py/orders.py").read_text().splitlines()
    tokens = count_tokens("\n".join(lines[2:12]), "o200k_base")
    assert lens.range.start == types.Position(line=2, character=0)
    assert lens.command is not None
    assert lens.command.title == (f"{tokens:,} tokens · 1 duplicate · "
                                  f"collapse saves {cls['tokensSaved']:,}")
    assert lens.command.command == "ctxlens.showDuplicates"
    assert list(lens.command.arguments or ()) == [cls["id"]]
    assert "o200k_base" in (lens.command.tooltip or "")


async def test_lens_for_each_unit_of_a_class(client: LanguageClient, ws: Path,
                                             indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "java/Billing.java")
    lenses = await _lenses(client, doc)
    assert [lens.range.start.line for lens in lenses] == [2, 3]  # class Billing, total()
    titles = [lens.command.title for lens in lenses if lens.command]
    assert "1 duplicate" in titles[0]  # the whole class is the copy
    assert titles[1].endswith("tokens")  # its method alone is not a separate clone
    assert lenses[1].command is not None and lenses[1].command.command == ""


async def test_no_lenses_for_unknown_or_binary_files(client: LanguageClient, ws: Path,
                                                     indexed: dict[str, Any]) -> None:
    assert await _lenses(client, "file:///elsewhere/x.py") == []
    doc = open_document(client, ws, "assets/logo.png", text="\x89PNG\r\n\x1a\n\x00\x01")
    assert await _lenses(client, doc) == []
