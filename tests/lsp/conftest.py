"""Fixtures: the clone workspace, and a VS Code-like client connected to `ctxlens serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_lsp
from pytest_lsp import ClientServerConfig, LanguageClient

from lsp.helpers import SERVER, initialize, wait_indexed
from lsp.workspace import make_workspace


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER))
async def client(lsp_client: LanguageClient, ws: Path) -> AsyncIterator[None]:
    await initialize(lsp_client, ws)
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
async def indexed(client: LanguageClient) -> dict[str, object]:
    return await wait_indexed(client)
