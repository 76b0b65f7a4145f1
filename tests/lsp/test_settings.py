"""Settings from initializationOptions and workspace/didChangeConfiguration."""

from __future__ import annotations

from pathlib import Path

from lsprotocol import types

from ctxlens.tokens import count_tokens
from lsp.helpers import request, start, stop, uri, wait_for, wait_indexed


async def test_settings_change_what_is_indexed(ws: Path) -> None:
    client = await start(ws, {"ctxlens": {"minTokens": 1000, "exclude": ["c/"],
                                          "stabilityProbe": False, "severity": "loud"}})
    try:
        indexed = await wait_indexed(client)
        assert indexed["classes"] == []  # no unit has 1,000 normalised tokens
        # A bad value is dropped with a message; the rest applies.
        await wait_for(lambda: [m for m in client.messages if "severity" in m.message],
                       "a message about the bad severity")
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ctxlens": {"model": "gpt-4", "exclude": ["c/"], "threshold": 0.95,
                                  "stabilityProbe": False}}))

        async def reindexed() -> dict[str, object]:
            result = await request(client, "ctxlens/cloneClasses", {})
            return result if result["encoding"] == "cl100k_base" and not result[
                "indexing"] and result["classes"] else {}

        result: dict[str, object] = {}
        for _ in range(3000):
            result = await reindexed()
            if result:
                break
        classes = result["classes"]
        assert isinstance(classes, list)
        paths = {m["path"] for c in classes for m in c["members"]}
        assert not any(p.startswith("c/") for p in paths)  # excluded
        assert "py/orders.py" in paths
        assert all(c["similarity"] >= 0.95 for c in classes)
        tokens = await request(client, "ctxlens/tokens", {"uri": uri(ws, "py/orders.py")})
        assert tokens == {"tokens": count_tokens((ws / "py/orders.py").read_text(),
                                                 "cl100k_base"),
                          "encoding": "cl100k_base", "model": "gpt-4"}
        # An unknown model is refused and the last good one kept.
        client.workspace_did_change_configuration(types.DidChangeConfigurationParams(
            settings={"ctxlens": {"model": "gpt-99", "stabilityProbe": False}}))
        await wait_for(lambda: [m for m in client.messages if "gpt-99" in m.message],
                       "a message about the unknown model")
        assert (await request(client, "ctxlens/cloneClasses", {}))["model"] == "gpt-4"
    finally:
        await stop(client)
