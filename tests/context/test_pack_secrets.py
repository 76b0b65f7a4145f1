"""Secrets in packed files are redacted, listed without their text, and mark the pack."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ctxlens.context.pipeline import build_pack
from ctxlens.context.plan import ContextPlan
from trees import write_tree

# Assembled at run time so this file holds no secret-shaped text.
AWS_ID = "AKIA" + "Q3EXAMPLE7TESTKEY0"[:16]
BODY = "MIIEowIBAAKCAQEA7bq3xQ0kZq9Jt4r8Lm2Nv5Yh1Wc3Pd6Ts0Gf"
PEM = ("-----BEGIN RSA " + "PRIVATE KEY-----\n" + (BODY + "\n") * 4
       + "-----END RSA " + "PRIVATE KEY-----\n")


def _tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "ws", {
        "app/settings.py": f'REGION = "eu"\nACCESS_KEY_ID = "{AWS_ID}"\n',
        "deploy/key.pem": PEM,
        "app/main.py": "def main():\n    return 1\n",
    })


def test_pack_redacts_and_reports_without_the_secret(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    pack = build_pack(root, ContextPlan(), jobs=1)
    assert AWS_ID not in pack.text
    assert BODY not in pack.text
    assert "[ctxlens: redacted" in pack.text
    kinds = {(f.path, f.kind) for f in pack.secrets.findings}
    assert ("app/settings.py", "aws-access-key") in kinds
    assert any(p == "deploy/key.pem" and k == "private-key" for p, k in kinds)
    assert pack.secrets.needs_override
    assert AWS_ID not in repr(pack.secrets)


def test_cli_json_lists_findings_but_never_the_secret(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    out = tmp_path / "pack.md"
    proc = subprocess.run(
        [sys.executable, "-m", "ctxlens.cli", "pack", str(root), "-o", str(out), "--json"],
        capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["secrets"]["needs_override"] is True
    assert {"path": "app/settings.py", "line": 2, "kind": "aws-access-key"} in doc["secrets"][
        "findings"]
    for blob in (proc.stdout, proc.stderr, out.read_text()):
        assert AWS_ID not in blob
    assert "app/settings.py:2" in proc.stderr


def test_clean_pack_needs_no_override(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "clean", {"a.py": "def f():\n    return 2\n"})
    assert not build_pack(root, ContextPlan(), jobs=1).secrets.has_findings
