"""Start-up: initialize answers at once without torch; indexing reports progress."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient

from lsp.helpers import SERVER, wait_for, wait_indexed


def _frame(message: dict[str, object]) -> bytes:
    body = json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def test_initialize_answers_without_importing_torch(ws: Path) -> None:
    # initialize, then shutdown and exit before `initialized`: what start-up imports, and
    # nothing the background indexing would.
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": ws.as_uri(), "capabilities": {}}},
        {"jsonrpc": "2.0", "id": 2, "method": "shutdown"},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    proc = subprocess.run([sys.executable, "-X", "importtime", *SERVER[1:]],
                          input=b"".join(map(_frame, messages)), capture_output=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    out = proc.stdout.decode()
    first = json.loads(out[out.index("{"):out.index("Content-Length", 1)])
    assert first["id"] == 1 and "capabilities" in first["result"]
    caps = first["result"]["capabilities"]
    assert caps["hoverProvider"] and caps["codeLensProvider"] is not None
    assert "ctxlens.collapseClass" in caps["executeCommandProvider"]["commands"]
    imported = [line.split("|")[-1].strip() for line in proc.stderr.decode().splitlines()
                if line.startswith("import time:")]
    assert "ctxlens.lsp.server" in imported  # the measurement saw the server's imports
    assert not [m for m in imported if m == "torch" or m.startswith("torch.")]
    # Nor the clone engine (numpy, scipy through datasketch): it loads on `initialized`.
    assert "ctxlens.clones.live" not in imported and "datasketch" not in imported


async def test_indexing_reports_progress(client: LanguageClient, ws: Path) -> None:
    result = await wait_indexed(client)
    assert len(result["classes"]) == 4

    def ended() -> list[types.ProgressParams] | None:
        for reports in client.progress_reports.values():
            if reports and isinstance(reports[-1], types.WorkDoneProgressEnd):
                return reports
        return None

    reports = await wait_for(ended, "the end of indexing progress")
    assert isinstance(reports[0], types.WorkDoneProgressBegin)
    assert reports[0].title == "ctxlens"
    middle = [r for r in reports if isinstance(r, types.WorkDoneProgressReport)]
    assert middle, "no report between begin and end"
    percentages = [r.percentage for r in middle if r.percentage is not None]
    assert percentages == sorted(percentages) and all(0 <= p <= 100 for p in percentages)
    assert any("files" in (r.message or "") for r in middle)
    assert "Indexed 9 files" in (reports[-1].message or "")


async def test_watchers_are_registered(client: LanguageClient, ws: Path) -> None:
    await wait_indexed(client)
    regs = await wait_for(lambda: client.registrations, "a registration")
    assert regs[0].method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES
