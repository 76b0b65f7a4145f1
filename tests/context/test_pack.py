"""`build_pack` and `ctxlens pack` end to end: real files, real grammars, the real tokenizer."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from clone_snippets import JAVA, JS_SRC, PY_LAYOUT, PY_NEAR, PY_ORIGINAL, PY_RENAMED
from ctxlens.context import ContextPlan, Pack, build_pack, load_plan, save_plan
from ctxlens.tokens import get_encoding
from trees import MIXED_TREE, write_tree

STUB = re.compile(r"\[ctxlens\] (?:same logic as|near copy of) (\S+):(\d+) (\S+?)[ ,]")

# A class whose method is a copy of PY_ORIGINAL, and a near copy of that class elsewhere:
# the outer member holds the canonical copy of its own method.
SHOP = "class Shop:\n" + textwrap.indent(PY_ORIGINAL, "    ") + (
    "\n    def other(self, x):\n        y = x + 1\n        z = y * 2\n        w = z - 3\n"
    "        q = w / 4\n        return [x, y, z, w, q, x*y, z*w]\n")


def _pack(root: Path, plan: ContextPlan | None = None, fmt: str = "md") -> Pack:
    return build_pack(root, plan or ContextPlan(), fmt=fmt, jobs=1)


def _files(xml_text: str) -> dict[str, str]:
    """Path → exact text of every file in an XML pack."""
    tree = ET.fromstring(xml_text)
    return {f.attrib["path"]: f.text or "" for f in tree.iter("file")}


def _all_expanded(pack: Pack) -> ContextPlan:
    plan = pack.plan
    for c in pack.classes:
        plan = plan.with_override(c.id, "expanded")
    return plan


def _check_stubs_resolve(root: Path, files: dict[str, str]) -> int:
    """Every stub names a canonical member shown whole in the pack at the place it says."""
    seen = 0
    for text in files.values():
        for path, line, name in STUB.findall(text):
            seen += 1
            source = (root / path).read_text("utf-8").split("\n")
            start = int(line) - 1
            short = name.rsplit(".", 1)[-1]
            assert re.match(rf"\s*(?:def|class|public \w+|function|export function)\s+{short}\b",
                            source[start]) or short in source[start], (path, line, name)
            # The canonical's first lines appear verbatim in its own file's pack text.
            head = "\n".join(source[start:start + 3])
            assert head in files[path], (path, line)
    return seen


@pytest.fixture
def copies_tree(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "ws", {
        "a/orig.py": PY_ORIGINAL, "b/layout.py": PY_LAYOUT, "c/renamed.py": PY_RENAMED,
        "d/near.py": PY_NEAR, "j/A.java": JAVA, "web/group.js": JS_SRC,
        "j/Other.java": JAVA.replace("Billing", "Invoice").replace("0.9", "0.8"),
    })


def test_stubs_point_at_the_canonical_location(copies_tree: Path) -> None:
    pack = _pack(copies_tree, fmt="xml")
    files = _files(pack.text)
    assert _check_stubs_resolve(copies_tree, files) >= 4
    (py,) = [c for c in pack.classes if c.canonical_path.endswith(".py")]
    ref = f"{py.canonical_path}:{py.canonical_line} {py.canonical_name}"
    for path in ("a/orig.py", "b/layout.py", "c/renamed.py", "d/near.py"):
        if path == py.canonical_path:
            assert files[path] == (copies_tree / path).read_text("utf-8")
        else:
            assert ref in files[path] and "totals" not in files[path] and "sums" not in files[path]
    # The Java copies are one class; one of them is a stub in Java's comment syntax.
    (java,) = [c for c in pack.classes if c.canonical_path.endswith(".java")]
    other = "j/Other.java" if java.canonical_path == "j/A.java" else "j/A.java"
    assert re.search(rf"^// \[ctxlens\] same logic as {java.canonical_path}:"
                     rf"{java.canonical_line} ", files[other], re.M)


def test_near_miss_keeps_its_signature_and_says_details_differ(copies_tree: Path) -> None:
    pack = _pack(copies_tree, fmt="xml")
    near = _files(pack.text)["d/near.py"]
    lines = near.strip("\n").split("\n")
    assert lines[0] == "def summarize_orders(orders, tax_rate, limit=10):"
    assert lines[1].startswith("    # [ctxlens] near copy of ")
    assert "details differ" in lines[1] and len(lines) == 2
    # Exact and renamed copies are a stub alone, at the member's indentation.
    assert _files(pack.text)["b/layout.py"].strip("\n").split("\n")[-1].startswith(
        "# [ctxlens] same logic as")


def test_expanded_class_renders_in_full(copies_tree: Path) -> None:
    collapsed = _pack(copies_tree, fmt="xml")
    py = next(c for c in collapsed.classes if c.canonical_path.endswith(".py"))
    plan = ContextPlan().with_override(py.id, "expanded")
    files = _files(_pack(copies_tree, plan, fmt="xml").text)
    for path in ("a/orig.py", "b/layout.py", "c/renamed.py", "d/near.py"):
        assert files[path] == (copies_tree / path).read_text("utf-8")
    # The other class stays collapsed.
    assert any("[ctxlens]" in files[p] for p in ("j/A.java", "j/Other.java"))
    everything = _files(_pack(copies_tree, _all_expanded(collapsed), fmt="xml").text)
    assert all(text == (copies_tree / p).read_text("utf-8") for p, text in everything.items())


@pytest.mark.parametrize("fmt", ["md", "xml"])
def test_count_is_the_exact_count_of_the_rendered_text(copies_tree: Path, fmt: str) -> None:
    pack = _pack(copies_tree, fmt=fmt)
    assert pack.encoding == "o200k_base"
    assert pack.tokens == len(get_encoding(pack.encoding).encode_ordinary(pack.text))
    # Headers and fences cost tokens: the total is not a sum of the files' counts.
    assert pack.tokens > sum(f.tokens for f in pack.files)
    for f in pack.files:
        assert f.tokens == len(get_encoding(pack.encoding).encode_ordinary(f.text))


def test_deduplicated_pack_saves_about_the_classes_tokens(copies_tree: Path) -> None:
    dedup = _pack(copies_tree)
    raw = _pack(copies_tree, _all_expanded(dedup))
    saved = sum(c.tokens_saved for c in dedup.classes)
    assert saved > 200
    # The header's index of collapsed classes is the one thing the raw pack lacks.
    index = re.search(r"## Collapsed clone classes\n.*?(?=\n## )", dedup.text, re.S)
    assert index is not None and index.group(0) not in raw.text
    index_cost = len(get_encoding(dedup.encoding).encode_ordinary(index.group(0)))
    # Near-miss members keep their signature: a little less than detection's figure, never
    # more than a few tokens above it.
    assert 0.9 * saved <= raw.tokens - dedup.tokens + index_cost <= saved + 10
    assert 0.9 * saved <= raw.tokens_raw - sum(f.tokens for f in dedup.files) <= saved + 10
    assert all(c.stubbed == c.members - 1 for c in dedup.classes)


def test_nested_members_are_stubbed_once_and_canonicals_stay_visible(tmp_path: Path) -> None:
    near_shop = SHOP.replace("x*y, z*w", "x*y, z*w, q*q").replace("y * 2", "y * 3")
    root = write_tree(tmp_path / "ws", {"k1.py": SHOP, "k2.py": near_shop, "a/orig.py":
                                        PY_ORIGINAL})
    pack = _pack(root, fmt="xml")
    files = _files(pack.text)
    assert _check_stubs_resolve(root, files) >= 2
    # k2's copy of the whole class is one reference: its method is not stubbed again.
    assert files["k2.py"].count("[ctxlens]") == 1
    for path, text in files.items():
        for path2, line, _ in STUB.findall(text):
            assert (path2, line) != (path, line)  # no member refers to itself


def test_plan_round_trips_and_an_override_changes_the_output(copies_tree: Path) -> None:
    first = _pack(copies_tree)
    py = next(c for c in first.classes if c.canonical_path.endswith(".py"))
    plan = ContextPlan(selection=("a", "b/layout.py", "d/*.py"), focus=("web/*.js",),
                       model="gpt-4o", reserve=8000).with_override(py.id, "expanded")
    path = save_plan(copies_tree, plan)
    assert path == copies_tree / ".ctxlens" / "plan.json"
    assert load_plan(copies_tree) == plan
    assert json.loads(path.read_text("utf-8"))["overrides"] == {py.id: "expanded"}
    saved = build_pack(copies_tree, jobs=1, fmt="xml")  # the plan on disk
    assert saved.plan == plan and saved.model.name == "gpt-4o"
    files = _files(saved.text)
    assert set(files) == {"a/orig.py", "b/layout.py", "d/near.py"}
    assert "[ctxlens]" not in "".join(files.values())
    plan2 = plan.with_override(py.id, "collapsed")
    save_plan(copies_tree, plan2)
    collapsed = _files(build_pack(copies_tree, jobs=1, fmt="xml").text)
    assert sum("[ctxlens]" in t for t in collapsed.values()) == 2


def test_markdown_and_xml_hold_every_selected_file_in_stable_order(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {**MIXED_TREE, "a/orig.py": PY_ORIGINAL,
                                        "b/layout.py": PY_LAYOUT})
    md = _pack(root)
    paths = [f.path for f in md.files]
    assert paths == sorted(paths) and len(paths) == len(MIXED_TREE) + 2
    headings = re.findall(r"^## (\S+)$", md.text, re.M)
    assert [h for h in headings if "/" in h or "." in h] == paths
    assert "```python\n" in md.text and "```java\n" in md.text and "```c\n" in md.text
    assert "| app | 2 |" in md.text  # a row of the per-folder token table
    assert "## Collapsed clone classes" in md.text
    xml = _pack(root, fmt="xml")
    assert list(_files(xml.text)) == paths
    assert _files(xml.text)["app/main.py"] == MIXED_TREE["app/main.py"]
    # Same workspace, same plan: the same bytes, for both formats.
    assert _pack(root).text == md.text and _pack(root, fmt="xml").text == xml.text


def test_whole_file_copies_collapse_to_one_line(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "ws", {"a/util.js": JS_SRC, "b/util.js": JS_SRC,
                                        "a/__init__.py": "", "b/__init__.py": ""})
    pack = _pack(root, fmt="xml")
    files = _files(pack.text)
    assert files["a/util.js"] == JS_SRC
    assert files["b/util.js"].startswith("// [ctxlens] same content as a/util.js, ")
    assert files["b/util.js"].count("\n") == 1
    assert files["b/__init__.py"] == ""  # the reference would cost more than the file


def test_focus_files_stay_whole(copies_tree: Path) -> None:
    files = _files(_pack(copies_tree, ContextPlan(focus=("b/*", "d/near.py")), fmt="xml").text)
    assert files["b/layout.py"] == PY_LAYOUT and files["d/near.py"] == PY_NEAR


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys; from ctxlens.context.cli_pack import main; "
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)


def _counts(node: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every value under a key that speaks of tokens, anywhere in the document."""
    found: list[tuple[str, Any]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k.startswith("tokens") or (k in {"pack", "files_as_is", "context_window",
                                               "reserve"} and key == "tokens"):
                found.append((k, v))
            found += _counts(v, k)
    elif isinstance(node, list):
        for v in node:
            found += _counts(v, key)
    return found


def test_cli_json_names_model_and_encoding_beside_every_count(copies_tree: Path) -> None:
    out = copies_tree / "pack.md"
    proc = _cli(str(copies_tree), "--json", "-o", str(out), "-j", "1")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["model"] == "gpt-4.1" and doc["encoding"] == "o200k_base"
    counts = [v for k, v in _counts(doc) if k != "tokens"]
    assert len(counts) >= 4 + 2 * len(doc["files"]) + len(doc["classes"])
    for value in counts:
        assert value.keys() == {"count", "model", "encoding"}, value
        assert (value["model"], value["encoding"]) == ("gpt-4.1", "o200k_base")
    text = out.read_text("utf-8")
    assert doc["tokens"]["pack"]["count"] == len(get_encoding("o200k_base").encode_ordinary(text))
    assert "text" not in doc and "pack.md" not in {f["path"] for f in doc["files"]}
    # A second run writes the same bytes (and does not pack the previous pack).
    again = _cli(str(copies_tree), "-o", str(out), "-j", "1")
    assert again.returncode == 0 and out.read_text("utf-8") == text
    assert "tokens (gpt-4.1, o200k_base)" in again.stdout


def test_cli_xml_to_stdout_and_bad_model(copies_tree: Path) -> None:
    proc = _cli(str(copies_tree), "--format", "xml", "--model", "gpt-4o", "-j", "1")
    assert proc.returncode == 0, proc.stderr
    assert set(_files(proc.stdout)) == {p.relative_to(copies_tree).as_posix()
                                        for p in copies_tree.rglob("*") if p.is_file()
                                        and ".ctxlens" not in p.parts}
    bad = _cli(str(copies_tree), "--model", "no-such-model")
    assert bad.returncode == 2 and "unknown model" in bad.stderr
