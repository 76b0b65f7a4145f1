"""Hover: a unit's exact tokens (encoding named), cost, window share and duplicates; the
file's totals elsewhere."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

from ctxlens.tokens import count_tokens, load_registry
from lsp.helpers import open_document


async def _hover(client: LanguageClient, doc: str, line: int, character: int = 4) -> str:
    result = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=doc),
        position=types.Position(line=line, character=character)))
    assert result is not None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_over_a_unit(client: LanguageClient, ws: Path,
                                 indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/orders.py")
    text = await _hover(client, doc, 5)  # inside summarize (lines 3-12)
    source = (ws / "py/orders.py").read_text().splitlines()
    tokens = count_tokens("\n".join(source[2:12]), "o200k_base")
    model = load_registry().get("gpt-4.1")
    assert f"**summarize** (function) · **{tokens:,} tokens** (o200k_base, gpt-4.1" in text
    cost = model.input_cost(tokens)
    assert f"${cost:.6f}".rstrip("0") in text and "gpt-4.1 input ($2 per 1M tokens)" in text
    assert f"{tokens / model.context_window:.2%} of its 1,047,576-token window" in text
    (cls,) = [c for c in indexed["classes"]
              if {m["path"] for m in c["members"]} == {"py/orders.py", "py/report.py"}]
    assert f"**1 duplicate** (renamed, class `{cls['id']}`, collapsed)" in text
    assert f"collapsing saves {cls['tokensSaved']:,} tokens (o200k_base)" in text
    assert "`rank_customers` py/report.py:2" in text


async def test_hover_outside_units_shows_the_file(client: LanguageClient, ws: Path,
                                                  indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/orders.py")
    text = await _hover(client, doc, 0, 2)  # `import math`
    whole = count_tokens((ws / "py/orders.py").read_text(), "o200k_base")
    assert f"**py/orders.py** · **{whole:,} tokens** (o200k_base, gpt-4.1, exact, whole file)"\
        in text
    assert "1 clone member in 1 class" in text


async def test_hover_on_a_unit_without_duplicates(client: LanguageClient, ws: Path,
                                                  indexed: dict[str, Any]) -> None:
    doc = open_document(client, ws, "py/util.py")
    text = await _hover(client, doc, 5)
    assert "**cwd_name** (function)" in text and "No duplicates." in text
