"""Clone detection end to end: real snippets, real grammars, a real index."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from clone_snippets import (
    C_SRC,
    FRAGMENT_ONE,
    FRAGMENT_TWO,
    JAVA,
    JS_SRC,
    PY_LAYOUT,
    PY_NEAR,
    PY_ORIGINAL,
    PY_RENAMED,
    PY_SAME_SHAPE,
)
from ctxlens.clones.detect import CloneReport, find_clones
from ctxlens.clones.options import CloneOptions
from ctxlens.clones.stubs import stub
from ctxlens.config import Config
from ctxlens.index import scan_workspace
from ctxlens.tokens import count_tokens
from trees import write_tree


def _rename(src: str, pairs: dict[str, str]) -> str:
    import re

    for old, new in pairs.items():
        src = re.sub(rf"\b{old}\b", new, src)
    return src


def _scan(root: Path, options: CloneOptions | None = None) -> CloneReport:
    result = scan_workspace(root, Config(), with_streams=True, jobs=1)
    return find_clones(result.root, result.files, result.model.encoding,
                       options or CloneOptions())


def _class_with(report: CloneReport, *paths: str):  # type: ignore[no-untyped-def]
    for c in report.classes:
        if set(paths) <= {m.path for m in c.members}:
            return c
    return None


def test_exact_renamed_and_near_miss_python(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a/orig.py": PY_ORIGINAL, "b/layout.py": PY_LAYOUT,
                                 "c/renamed.py": PY_RENAMED, "d/near.py": PY_NEAR,
                                 "e/shape.py": PY_SAME_SHAPE})
    report = _scan(root)
    exact = _class_with(report, "a/orig.py", "b/layout.py")
    assert exact is not None
    assert _class_with(report, "a/orig.py", "c/renamed.py") is not None
    near = _class_with(report, "a/orig.py", "d/near.py")
    assert near is not None and near.kind == "near-miss"
    near_member = next(m for m in near.members if m.path == "d/near.py")
    assert 0.8 <= near_member.similarity < 1.0
    assert all("e/shape.py" not in {m.path for m in c.members} for c in report.classes)
    # One class holds all four copies: exact and renamed copies, and the near miss.
    assert len(report.classes) == 1
    # Every step is timed; the near-miss steps add up to no more than the whole.
    steps = {k for k in report.timings if k.startswith("near_miss.")}
    assert steps == {f"near_miss.{s}" for s in ("signatures", "candidates", "bounds", "cached",
                                                 "align", "store")}
    assert {"eligible", "near_miss", "classes", "fragments"} <= set(report.timings)
    assert sum(report.timings[k] for k in steps) <= report.timings["near_miss"]
    assert report.seconds >= sum(v for k, v in report.timings.items() if "." not in k)
    (c,) = report.classes
    assert len(c.members) == 4


def test_kinds_when_separate(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "b.py": PY_LAYOUT})
    (c,) = _scan(root).classes
    assert c.kind == "exact" and c.similarity == 1.0
    root2 = write_tree(tmp_path / "r", {"a.py": PY_ORIGINAL, "c.py": PY_RENAMED})
    (c2,) = _scan(root2).classes
    assert c2.kind == "renamed"


def test_tokens_saved_is_members_minus_stubs(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "b.py": PY_LAYOUT, "c.py": PY_RENAMED})
    report = _scan(root)
    (c,) = report.classes
    canonical = c.canonical_member
    expected = 0
    for i, m in enumerate(c.members):
        if i == c.canonical:
            continue
        text = (root / m.path).read_text()
        lines = text.splitlines(keepends=True)[m.start_line - 1:m.end_line]
        assert m.tokens == count_tokens("".join(lines).strip("\n"), "o200k_base")
        expected += m.tokens - count_tokens(stub("python", m, canonical), "o200k_base")
    assert c.tokens_saved == expected
    assert report.tokens_deduplicated == report.tokens_raw - expected


@pytest.mark.parametrize("name, src, renames", [
    ("Billing.java", JAVA, {"sum": "acc", "price": "p", "item": "it", "items": "list"}),
    ("words.c", C_SRC, {"words": "n", "in_word": "inside", "text": "s", "i": "k"}),
    ("group.js", JS_SRC, {"groups": "buckets", "item": "x", "key": "k", "items": "xs"}),
])
def test_renamed_copies_in_other_languages(tmp_path: Path, name: str, src: str,
                                           renames: dict[str, str]) -> None:
    root = write_tree(tmp_path, {f"one/{name}": src, f"two/{name}": _rename(src, renames)})
    report = _scan(root, CloneOptions(min_tokens=30))
    c = _class_with(report, f"one/{name}", f"two/{name}")
    assert c is not None and c.kind == "renamed"


def test_suppression_comment(tmp_path: Path) -> None:
    suppressed = "x = 1\n# ctxlens: ignore-duplicate\n" + PY_ORIGINAL.lstrip("\n")
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "b.py": suppressed})
    assert _scan(root).classes == []


def test_copied_class_reports_the_class_not_its_methods(tmp_path: Path) -> None:
    body = "class Ledger:\n" + "".join(
        "    " + line + "\n" for line in PY_ORIGINAL.strip().replace(
            "def summarize(orders, tax_rate)", "def summarize(self, orders, tax_rate)"
        ).splitlines()) + "\n    def other(self):\n        return self.summarize([], 0)\n"
    root = write_tree(tmp_path, {"a.py": body, "b.py": body})
    report = _scan(root)
    assert len(report.classes) == 1
    assert all(m.name.endswith("::Ledger") for m in report.classes[0].members)


def test_fragment_inside_larger_functions(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"one.py": FRAGMENT_ONE, "two.py": FRAGMENT_TWO})
    report = _scan(root, CloneOptions(min_tokens=40, threshold=0.95))
    frags = [c for c in report.classes if c.kind == "fragment"]
    assert len(frags) == 1
    lines = {(m.path, m.start_line, m.end_line) for m in frags[0].members}
    assert ("one.py", 5, 11) in lines and ("two.py", 6, 12) in lines


def test_threshold_and_min_tokens_flags(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "d.py": PY_NEAR})
    assert _scan(root, CloneOptions(threshold=0.99)).classes == []
    assert _scan(root, CloneOptions(min_tokens=500)).classes == []
    assert len(_scan(root).classes) == 1


def test_cli_json_and_sarif(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {"a.py": PY_ORIGINAL, "b.py": PY_RENAMED})
    sarif = tmp_path / "out.sarif"
    proc = subprocess.run([sys.executable, "-m", "ctxlens.cli", "scan", str(root), "--json",
                           "--sarif", str(sarif)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (c,) = doc["clone_classes"]
    assert set(c) == {"id", "kind", "similarity", "tokens_saved", "canonical", "members"}
    assert c["kind"] == "renamed" and len(c["members"]) == 2
    assert set(c["members"][0]) == {"path", "start_line", "end_line", "name", "tokens",
                                    "similarity"}
    assert doc["tokens"]["deduplicated"] == doc["tokens"]["raw"] - c["tokens_saved"]
    log = json.loads(sarif.read_text())
    schema = json.loads((Path(__file__).parent.parent / "fixtures" /
                         "sarif-2.1.0-rtm.5.json").read_text())
    jsonschema.validate(log, schema)
    (result,) = log["runs"][0]["results"]
    assert result["ruleId"] == "ctxlens/renamed-clone"
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] in (
        "a.py", "b.py")
    proc = subprocess.run([sys.executable, "-m", "ctxlens.cli", "scan", str(root),
                           "--threshold", "1.5"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "--threshold" in proc.stderr


def test_near_miss_verdicts_are_kept_in_the_index(tmp_path: Path) -> None:
    import sqlite3

    from ctxlens.clones.detect import find_clones_indexed

    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "d.py": PY_NEAR})
    result = scan_workspace(root, Config(), with_streams=True, jobs=1)
    first = find_clones_indexed(result, CloneOptions())
    assert len(first.classes) == 1
    db = sqlite3.connect(result.index_path)
    rows = db.execute("SELECT similarity FROM near_miss").fetchall()
    assert rows and rows[0][0] >= 0.8
    # The second run trusts the stored verdict: overrule it and the class is gone.
    db.execute("UPDATE near_miss SET similarity = -1")
    db.commit()
    assert find_clones_indexed(result, CloneOptions()).classes == []
    # A verdict from another verifier version is not trusted.
    db.execute("UPDATE near_miss SET version = 'old'")
    db.commit()
    assert len(find_clones_indexed(result, CloneOptions()).classes) == 1
