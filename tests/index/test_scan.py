"""Scanning a workspace into the SQLite index: counts, reuse, recovery."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

from ctxlens.config import Config
from ctxlens.index import scan_workspace
from ctxlens.tokens import count_tokens


def _by_path(result):  # type: ignore[no-untyped-def]
    return {f.path: f for f in result.files}


def test_counts_are_exact_per_file_and_unit(mixed_tree: Path) -> None:
    result = scan_workspace(mixed_tree, Config())
    files = _by_path(result)
    assert sorted(files) == ["app/main.py", "app/util.js", "docs/notes.md", "lib/Calc.java",
                             "lib/sum.c"]
    assert result.model.name == "gpt-4.1"
    for record in result.files:
        data = (mixed_tree / record.path).read_bytes()
        assert record.tokens == count_tokens(data.decode(), "o200k_base")
        assert record.encoding == "o200k_base"
        for unit, tokens in zip(record.units, record.unit_tokens, strict=True):
            assert tokens == count_tokens(unit.text(data), "o200k_base")
    main = files["app/main.py"]
    names = {main.qualified_name(i) for i in range(len(main.units))}
    assert {"app/main.py::Greeter", "app/main.py::Greeter.greet",
            "app/main.py::main"} <= names
    assert files["docs/notes.md"].units[0].kind == "window"


def test_second_scan_reads_nothing(mixed_tree: Path) -> None:
    first = scan_workspace(mixed_tree, Config())
    assert first.stats.parsed == 5
    # Same size and mtime, different bytes: only a scan that never reads the file keeps
    # reporting the old counts.
    path = mixed_tree / "lib/sum.c"
    stat = path.stat()
    path.write_bytes(path.read_bytes().replace(b"sum", b"add"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = scan_workspace(mixed_tree, Config())
    assert second.stats.parsed == 0 and second.stats.analysed == 0
    assert second.stats.reused == 5
    assert _by_path(second)["lib/sum.c"].units == _by_path(first)["lib/sum.c"].units
    assert [f.tokens for f in second.files] == [f.tokens for f in first.files]


def test_changed_renamed_and_deleted_files(mixed_tree: Path) -> None:
    scan_workspace(mixed_tree, Config())
    (mixed_tree / "lib/sum.c").write_text("int one(void) { return 1; }\n")
    (mixed_tree / "app/util.js").rename(mixed_tree / "app/util2.js")
    (mixed_tree / "docs/notes.md").unlink()
    result = scan_workspace(mixed_tree, Config())
    files = _by_path(result)
    assert "docs/notes.md" not in files and "app/util2.js" in files
    assert files["lib/sum.c"].tokens == count_tokens("int one(void) { return 1; }\n",
                                                     "o200k_base")
    # The renamed file was read (new path) but its content was known: not parsed again.
    assert result.stats.analysed == 2 and result.stats.parsed == 1
    db = sqlite3.connect(result.index_path)
    paths = {r[0] for r in db.execute("SELECT path FROM files")}
    assert "docs/notes.md" not in paths and "app/util.js" not in paths


def test_model_switch_recounts_then_reuses(mixed_tree: Path) -> None:
    o200k = scan_workspace(mixed_tree, Config())
    cl100k = scan_workspace(mixed_tree, Config(), model="gpt-4")
    assert cl100k.model.encoding == "cl100k_base" and cl100k.stats.parsed == 5
    text = (mixed_tree / "app/main.py").read_text()
    assert _by_path(cl100k)["app/main.py"].tokens == count_tokens(text, "cl100k_base")
    again = scan_workspace(mixed_tree, Config())
    assert again.stats.parsed == 0
    assert [f.tokens for f in again.files] == [f.tokens for f in o200k.files]


def test_corrupt_index_is_moved_aside_and_rebuilt(mixed_tree: Path) -> None:
    index = mixed_tree / ".ctxlens/index.db"
    index.parent.mkdir()
    index.write_bytes(b"this is not a database" * 100)
    result = scan_workspace(mixed_tree, Config())
    assert len(result.files) == 5
    assert any("moved it to index.db.broken-" in w for w in result.warnings)
    assert list(index.parent.glob("index.db.broken-*"))
    assert scan_workspace(mixed_tree, Config()).stats.parsed == 0


def test_foreign_sqlite_file_is_not_touched_in_place(mixed_tree: Path) -> None:
    index = mixed_tree / ".ctxlens/index.db"
    index.parent.mkdir()
    db = sqlite3.connect(index)
    db.execute("CREATE TABLE precious (x)")
    db.execute("INSERT INTO precious VALUES (42)")
    db.commit()
    db.close()
    result = scan_workspace(mixed_tree, Config())
    assert any("not a ctxlens index" in w for w in result.warnings)
    moved = next(index.parent.glob("index.db.broken-*"))
    assert sqlite3.connect(moved).execute("SELECT x FROM precious").fetchone() == (42,)


def test_custom_index_location(mixed_tree: Path, tmp_path: Path) -> None:
    target = tmp_path / "elsewhere/idx.db"
    result = scan_workspace(mixed_tree, replace(Config(), index_path=str(target)))
    assert result.index_path == target and target.exists()
    assert not (mixed_tree / ".ctxlens").exists()


def test_killed_scan_leaves_a_usable_index(tmp_path: Path) -> None:
    root = tmp_path / "big"
    body = "".join(f"def f{i}(x):\n    return x * {i} + len(str(x))\n\n" for i in range(300))
    for i in range(400):
        path = root / f"pkg{i % 20}/mod{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"# module {i}\n" + body)
    index = root / ".ctxlens/index.db"
    proc = subprocess.Popen(
        [sys.executable, "-m", "ctxlens.cli", "scan", str(root), "-j", "1", "--no-progress",
         "--json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    rows = 0
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(f"file:{index}?mode=ro", uri=True) as db:
                rows = db.execute("SELECT count(*) FROM files").fetchone()[0]
        except sqlite3.Error:
            rows = 0
        if rows > 0:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < rows < 400, "the scan should have been killed part-way"
    result = scan_workspace(root, Config(), jobs=1)
    assert len(result.files) == 400
    assert result.stats.reused >= rows and result.stats.parsed <= 400 - rows
    assert all(f.tokens == count_tokens((root / f.path).read_text(), "o200k_base")
               for f in result.files[:5])
