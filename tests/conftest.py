"""Shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from trees import MIXED_TREE, write_tree


@pytest.fixture
def mixed_tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "ws", dict(MIXED_TREE))
