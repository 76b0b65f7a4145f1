"""Fixture trees are real files under tmp_path, built from {relative path: contents}."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

Tree = dict[str, "str | bytes"]


@pytest.fixture
def tree(tmp_path: Path) -> Callable[[Tree], Path]:
    """Builds a workspace at tmp_path/"ws"; a key ending in "/" makes an empty folder."""

    def make(files: Tree) -> Path:
        root = tmp_path / "ws"
        root.mkdir(exist_ok=True)
        for rel, content in files.items():
            path = root / rel
            if rel.endswith("/"):
                path.mkdir(parents=True, exist_ok=True)
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, "utf-8")
        return root

    return make
