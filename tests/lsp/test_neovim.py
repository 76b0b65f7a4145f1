"""Neovim (Debian's, 0.7) as an independent LSP client: one diagnostic, one hover."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).with_name("neovim_smoke.lua")


def test_neovim_sees_a_diagnostic_and_a_hover(ws: Path) -> None:
    nvim = shutil.which("nvim")
    assert nvim is not None, ("Neovim is not installed: run scripts/ensure-neovim "
                              "(apt-get install neovim) before the tests")
    env = {**os.environ, "CTXLENS_PYTHON": sys.executable, "CTXLENS_ROOT": str(ws),
           "CTXLENS_FILE": "py/orders.py"}
    proc = subprocess.run([nvim, "--headless", "--clean", "-u", "NONE", "-c",
                           f"luafile {SCRIPT}"], env=env, capture_output=True, text=True,
                          timeout=180, stdin=subprocess.DEVNULL)
    report = proc.stderr + proc.stdout
    assert proc.returncode == 0, report
    assert "OK" in report and "rank_customers" in report
