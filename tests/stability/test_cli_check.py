"""`ctxlens check` as a user runs it: a real process, real torch, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

MAIN = "import sys; from ctxlens.stability.cli_check import main; sys.exit(main(sys.argv[1:]))"

# A real import failure: a meta-path finder that refuses torch before anything loads it.
BLOCK_TORCH = """
import sys
class NoTorch:
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ModuleNotFoundError("No module named 'torch'", name="torch")
        return None
sys.meta_path.insert(0, NoTorch())
"""


def run(*args: str, tmp: Path, code: str = MAIN, cwd: Path | None = None
        ) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp / "cache"))
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=cwd or tmp, timeout=120)


def test_json_document_shape_and_critical_exit_code(tmp_path: Path) -> None:
    proc = run("--model", "gpt-4o", "--tokens", "20000", "--json", tmp=tmp_path)
    assert proc.returncode == 1, proc.stderr  # 20,000 ≥ 2 × NoLiMa's 8K: critical
    doc = json.loads(proc.stdout)
    assert {"schema", "model", "tokens", "verdict", "reasons", "stable_limit", "checks",
            "variants", "profile", "probe", "content"} <= set(doc)
    assert doc["model"] == "gpt-4o" and doc["tokens"] == 20000 and doc["verdict"] == "critical"
    assert any("window.effective" in r for r in doc["reasons"])
    for check in doc["checks"]:
        assert set(check) == {"name", "category", "value", "unit", "status", "threshold",
                              "source", "closed_form", "detail"}
        assert check["status"] in ("ok", "warn", "critical", "info")
    limit = doc["stable_limit"]
    assert 16300 <= limit["tokens"] <= 16383 and limit["cached"] is False
    assert limit["cache_file"].startswith(str(tmp_path / "cache" / "ctxlens"))
    assert len(doc["variants"]) == 6 and sum(v["profile"] for v in doc["variants"]) == 1
    assert doc["profile"]["params"] == {"value": None, "source": "not published"}
    assert doc["content"] is None
    again = json.loads(run("--model", "gpt-4o", "--tokens", "20000", "--json",
                           tmp=tmp_path).stdout)
    assert again["stable_limit"]["cached"] is True


def test_text_report_of_a_file_with_duplicates(tmp_path: Path) -> None:
    block = "def twice(x):\n    y = x * 2\n    return y + 1\n"
    others = [f"def f{i}(a):\n    return a + {i} * {i + 3}\n" for i in range(30)]
    (tmp_path / "ctx.py").write_text("\n\n".join([block] * 10 + others))
    proc = run("--model", "gpt-4.1", "ctx.py", "--no-limit", tmp=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("gpt-4.1: ") and "(ctx.py, o200k_base)" in out
    for name in ("window.claimed", "dilution.needle_weight", "noise.snr",
                 "positions.collision", "numerics.error", "capacity.params_per_token"):
        assert name in out
    assert "content: 40 units, 31 distinct" in out and "duplicated units" in out
    assert "verdict: " in out and "stable limit" not in out


def test_user_profile_from_the_workspace_config(tmp_path: Path) -> None:
    (tmp_path / ".ctxlens.toml").write_text(
        '[profiles."local-fp16"]\nbased_on = "llama-3.1-8b-instruct"\n'
        'phase_dtype = "fp16"\n'
    )
    proc = run("--model", "local-fp16", "--tokens", "3000", "--json", "--no-limit",
               "--root", str(tmp_path), tmp=tmp_path)
    assert proc.returncode == 1, proc.stderr  # fp16 positions collide from 2048
    doc = json.loads(proc.stdout)
    collision = next(c for c in doc["checks"] if c["name"] == "positions.collision")
    assert collision["status"] == "critical" and collision["value"] >= 2


@pytest.mark.parametrize(("args", "message"), [
    (("--model", "gpt-4.1"), "exactly one of --tokens N or FILE"),
    (("--model", "nope", "--tokens", "5"), "unknown model 'nope'"),
    (("--tokens", "0"), "--tokens must be at least 1"),
    (("missing.txt",), "cannot read missing.txt"),
])
def test_usage_errors_exit_2(tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    proc = run(*args, tmp=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("ctxlens: ") and message in proc.stderr
    assert proc.stdout == ""


def test_without_torch_it_says_how_to_install_it(tmp_path: Path) -> None:
    code = BLOCK_TORCH + """
from ctxlens.stability.profiles import get_profile
from ctxlens.tokens import count_tokens
assert get_profile("gpt-4o").effective_context == 8192  # other features keep working
assert count_tokens("hello world", "o200k_base") == 2
""" + MAIN
    proc = run("--model", "gpt-4o", "--tokens", "1000", tmp=tmp_path, code=code)
    assert proc.returncode == 2
    assert "pip install torch==2.13.0" in proc.stderr and "CPU build" in proc.stderr
    assert proc.stderr.startswith("ctxlens: ")


def test_importing_the_probe_does_not_import_torch(tmp_path: Path) -> None:
    code = """
import sys
import ctxlens.cli
import ctxlens.stability
import ctxlens.stability.cli_check, ctxlens.stability.limit, ctxlens.stability.report
import ctxlens.stability.probe, ctxlens.stability.checks, ctxlens.stability.pack_input
from ctxlens.stability import get_profile, cached_limit
cached_limit(get_profile("gpt-4o"))
print(sorted(m for m in sys.modules if m == "torch" or m.startswith("torch.")))
"""
    proc = run(tmp=tmp_path, code=code)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
