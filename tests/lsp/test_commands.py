"""Commands on the context plan and the pack: add/remove paths, export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pytest_lsp import LanguageClient

from ctxlens.tokens import count_tokens
from lsp.helpers import command, uri, wait_for


async def test_add_and_remove_paths(client: LanguageClient, ws: Path,
                                    indexed: dict[str, Any]) -> None:
    everything = (await wait_for(lambda: client.budgets, "the first budget"))[-1]
    budget = await command(client, "ctxlens.addToContext", uri(ws, "py"), uri(ws, "c/words.c"))
    plan = json.loads((ws / ".ctxlens/plan.json").read_text())
    assert plan["selection"] == ["c/words.c", "py"]
    assert budget["selection"] == ["c/words.c", "py"] and budget["files"] == 4
    assert budget["raw"] == sum(count_tokens((ws / p).read_text(), "o200k_base") for p in (
        "c/words.c", "py/orders.py", "py/report.py", "py/util.py"))
    assert budget["raw"] < everything["raw"]
    await wait_for(lambda: client.budgets[-1] == budget, "budgetChanged for the new selection")
    budget = await command(client, "ctxlens.removeFromContext", uri(ws, "py/report.py"))
    assert json.loads((ws / ".ctxlens/plan.json").read_text())["selection"] == [
        "c/words.c", "py/orders.py", "py/util.py"]
    assert budget["files"] == 3
    # Adding the workspace folder itself selects everything again.
    budget = await command(client, "ctxlens.addToContext", uri(ws, ""))
    assert budget["selection"] == [] and budget["raw"] == everything["raw"]


async def test_export_pack(client: LanguageClient, ws: Path, indexed: dict[str, Any],
                           tmp_path: Path) -> None:
    result = await command(client, "ctxlens.exportPack", {"format": "xml",
                                                          "output": uri(tmp_path, "out.xml")})
    text = (tmp_path / "out.xml").read_text()
    assert result["uri"] == uri(tmp_path, "out.xml")
    assert result["tokens"] == count_tokens(text, "o200k_base")
    assert result["encoding"] == "o200k_base" and result["parts"] >= 1
    assert "[ctxlens] same logic as" in text  # the clones are collapsed
    result = await command(client, "ctxlens.exportPack")
    default = ws / ".ctxlens/pack.md"
    assert result["uri"] == uri(ws, ".ctxlens/pack.md") and default.read_text().startswith("#")
