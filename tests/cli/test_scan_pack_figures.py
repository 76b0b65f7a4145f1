"""`ctxlens scan` reports raw → deduplicated → fitted tokens of the plan's pack when cheap."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from clone_snippets import JS_SRC, PY_ORIGINAL, PY_RENAMED
from ctxlens import cli
from ctxlens.context import ContextPlan, build_pack, save_plan
from ctxlens.context import figures as figures_module
from trees import MIXED_TREE, write_tree


def _scan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ctxlens.cli", "scan", *args, "-j", "1"],
                          capture_output=True, text=True, timeout=120)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "ws", {**MIXED_TREE, "a/orig.py": PY_ORIGINAL,
                                        "c/renamed.py": PY_RENAMED, "w/one.js": JS_SRC,
                                        "w/two.js": JS_SRC})


def test_scan_json_carries_the_packs_exact_figures(root: Path) -> None:
    proc = _scan(str(root), "--json")
    assert proc.returncode == 0, proc.stderr
    tokens = json.loads(proc.stdout)["tokens"]
    pack = tokens["pack"]
    expected = build_pack(root, ContextPlan(), jobs=1)
    assert pack["raw"] == tokens["raw"] == expected.tokens_raw
    assert pack["deduplicated"] == pack["fitted"] == expected.tokens  # the rendered count
    assert pack["budget"] is None and pack["files"] == len(expected.files)
    assert pack["savings"]["clones"] > 0 and pack["savings"]["copies"] > 0
    assert pack["savings"] == {"clones": expected.savings.clones,
                               "boilerplate": expected.savings.boilerplate,
                               "copies": expected.savings.copies}


def test_scan_reports_the_fit_to_the_plans_budget(root: Path) -> None:
    whole = build_pack(root, ContextPlan(), jobs=1)
    save_plan(root, ContextPlan(budget=whole.tokens - 150, reserve=10))
    proc = _scan(str(root))
    assert proc.returncode == 0, proc.stderr
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("Pack ("))
    fitted = build_pack(root, jobs=1)
    assert fitted.fit is not None and fitted.tokens <= whole.tokens - 160
    assert (f"raw {whole.tokens_raw:,} → deduplicated {whole.tokens:,} → fitted "
            f"{fitted.tokens:,} (budget {whole.tokens - 150:,}, reserve 10) tokens") in line
    assert "o200k_base, gpt-4.1" in line and "saved: clones" in proc.stdout
    # A budget nothing can meet: the deduplicated figure stays, fitted says why it is missing.
    save_plan(root, ContextPlan(budget=50, focus=("app/*",)))
    doc = json.loads(_scan(str(root), "--json").stdout)["tokens"]["pack"]
    assert doc["fitted"] is None and doc["deduplicated"] == whole.tokens
    assert doc["note"].startswith("cannot fit the plan's budget: the pack cannot fit a budget")


def test_a_large_tree_says_why_the_figures_are_missing(
        root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(figures_module, "MAX_TOKENS", 10)
    assert cli.main(["scan", str(root), "--json", "-j", "1"]) == 0
    doc = json.loads(capsys.readouterr().out)
    skipped = doc["tokens"]["pack"]["skipped"]
    assert skipped.startswith(f"pack figures skipped: {doc['tokens']['raw']:,} raw tokens is "
                              "above the 10 up to which scan renders the pack")
    assert "deduplicated" in doc["tokens"]  # the clone report's figure is still there
    # --no-clones counts only: no pack either.
    assert cli.main(["scan", str(root), "--json", "--no-clones", "-j", "1"]) == 0
    assert "pack" not in json.loads(capsys.readouterr().out)["tokens"]
