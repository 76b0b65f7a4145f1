"""The server's log (stderr) never holds file contents or settings' values, even at debug
level and when handling bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from pygls.exceptions import JsonRpcException

from lsp.helpers import (
    command,
    diagnostics_for,
    open_document,
    replace_all,
    start,
    stop,
    wait_indexed,
)

MARKER = "zq_unique_content_marker_7731"
SETTING = "zq_unique_setting_value_5512"


async def test_no_contents_in_the_log(ws: Path, capfd: pytest.CaptureFixture[str]) -> None:
    client = await start(ws, {"stabilityProbe": False, "exclude": [SETTING],
                              "severity": "loud"},
                         extra_args=("--log-level", "debug"))
    try:
        await wait_indexed(client)
        doc = open_document(client, ws, "py/util.py", text=f"{MARKER} = 1\n")
        await diagnostics_for(client, doc, lambda d: d == [])
        replace_all(client, doc, f"{MARKER}_2 = 2\n", 2)
        with pytest.raises(JsonRpcException):
            await command(client, "ctxlens.collapseClass", MARKER)
        with pytest.raises(JsonRpcException):
            await client.protocol.send_request_async("ctxlens/tokens", {"uri": MARKER})
    finally:
        await stop(client)
    err = capfd.readouterr().err
    # The log was captured: what the server says about its work is there.
    assert "Indexed 9 files" in err and "'severity' must be" in err
    assert MARKER not in err and SETTING not in err
