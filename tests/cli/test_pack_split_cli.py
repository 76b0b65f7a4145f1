"""`ctxlens pack --split`: parts on disk whose counts are tiktoken's on the written files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from clone_snippets import PY_ORIGINAL, PY_RENAMED
from ctxlens.tokens import get_encoding
from trees import write_tree

LIB = Path(sysconfig.get_paths()["stdlib"])


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files: dict[str, str | bytes] = {
        f"{folder}/{name}": (LIB / name).read_text("utf-8")
        for folder, name in (("one", "textwrap.py"), ("one", "shlex.py"), ("two", "glob.py"),
                             ("two", "fnmatch.py"), ("three", "heapq.py"))}
    files["one/orig.py"] = PY_ORIGINAL
    files["three/renamed.py"] = PY_RENAMED
    return write_tree(tmp_path_factory.mktemp("cli") / "ws", files)


def _run(*args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    if cache is not None:
        env["XDG_CACHE_HOME"] = str(cache)  # no stable limit cached by anyone else
    return subprocess.run([sys.executable, "-m", "ctxlens.cli", "pack", *args, "-j", "1"],
                          capture_output=True, text=True, timeout=180, env=env)


def test_split_writes_parts_whose_counts_equal_tiktoken(root: Path) -> None:
    out = root / "parts"  # inside the workspace: never packed itself
    proc = _run(str(root), "--split", "--part-limit", "7000", "-o", str(out), "--json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    split = doc["split"]
    assert split["split"] is True and split["part_limit"] == {
        "count": 7000, "model": "gpt-4.1", "encoding": "o200k_base"}
    assert split["part_limit_source"] == "--part-limit"
    enc = get_encoding("o200k_base")
    index = json.loads((out / "index.json").read_text("utf-8"))
    assert len(split["parts"]) == len(index["parts"]) >= 3
    written = sorted(p.name for p in out.iterdir())
    assert written == ["index.json"] + [f"part-{i:03d}.md"
                                        for i in range(1, len(index["parts"]) + 1)]
    for entry, listed in zip(split["parts"], index["parts"], strict=True):
        text = Path(entry["file"]).read_text("utf-8")
        exact = len(enc.encode_ordinary(text))
        assert entry["tokens"] == {"count": exact, "model": "gpt-4.1", "encoding": "o200k_base"}
        assert listed["tokens"] == exact <= 7000
        assert listed["paths"] == entry["paths"] and listed["file"] == Path(entry["file"]).name
        assert all(f"## {p}" in text for p in listed["paths"])
    # Every selected file is in some part; nothing from the output folder is.
    packed = {p for entry in index["parts"] for p in entry["paths"]}
    assert packed == {f["path"] for f in doc["files"]} and not any(
        p.startswith("parts/") for p in packed)
    assert doc["tokens"]["deduplicated"]["count"] == doc["tokens"]["pack"]["count"]
    assert set(doc["savings"]) == {"clones", "boilerplate", "copies"}
    assert doc["savings"]["clones"]["count"] > 0

    # A wider limit: fewer parts, and no stale part left behind.
    again = _run(str(root), "--split", "--part-limit", "14000", "-o", str(out))
    assert again.returncode == 0, again.stderr
    fewer = json.loads((out / "index.json").read_text("utf-8"))["parts"]
    assert len(fewer) < len(index["parts"])
    assert sorted(p.name for p in out.glob("part-*")) == [
        f"part-{i:03d}.md" for i in range(1, len(fewer) + 1)]
    assert "parts (gpt-4.1, o200k_base)" in again.stdout and "tokens, " in again.stdout


def test_a_pack_that_fits_is_written_whole_as_one_part(root: Path, tmp_path: Path) -> None:
    out = tmp_path / "whole"
    proc = _run(str(root), "--split", "-o", str(out), "--format", "xml", cache=tmp_path)
    assert proc.returncode == 0, proc.stderr
    index = json.loads((out / "index.json").read_text("utf-8"))
    assert index["split"] is False and len(index["parts"]) == 1
    # gpt-4.1 has no effective-context figure and no probe ran: a quarter of its window.
    assert index["part_limit"] == 1047576 // 4
    assert index["part_limit_source"] == "a quarter of the 1,047,576-token window of gpt-4.1"
    text = (out / "part-001.xml").read_text("utf-8")
    assert text.startswith("<context_pack ") and ' part="' not in text.split("\n", 1)[0]
    assert index["parts"][0]["tokens"] == len(get_encoding("o200k_base").encode_ordinary(text))
    assert "the pack fits; written whole" in proc.stdout


def test_bad_split_requests_are_refused_clearly(root: Path, tmp_path: Path) -> None:
    no_dir = _run(str(root), "--split")
    assert no_dir.returncode == 2 and "--split needs -o DIR" in no_dir.stderr
    no_split = _run(str(root), "--part-limit", "5000")
    assert no_split.returncode == 2 and "--part-limit needs --split" in no_split.stderr
    a_file = tmp_path / "f.md"
    a_file.write_text("x")
    assert _run(str(root), "--split", "-o", str(a_file)).returncode == 2
    tiny = _run(str(root), "--split", "--part-limit", "300", "-o", str(tmp_path / "p"))
    assert tiny.returncode == 3
    assert "cannot split the pack into parts of at most 300 tokens (--part-limit)" in tiny.stderr
    assert "shared header alone" in tiny.stderr
    assert a_file.read_text() == "x"
