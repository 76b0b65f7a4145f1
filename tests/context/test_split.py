"""Split: every part under the limit, exact, self-contained, no unit cut, folders together."""

from __future__ import annotations

import random
import re
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from clone_snippets import JS_SRC, PY_ORIGINAL, PY_RENAMED
from ctxlens.context import ContextPlan, Pack, SplitError, build_pack
from ctxlens.syntax.extract import extract_units
from ctxlens.tokens import get_encoding
from trees import write_tree

LIB = Path(sysconfig.get_paths()["stdlib"])
LICENCE = "".join(f"# Licence line {k}: terms that every module of this tree repeats.\n"
                  for k in range(6))
REF = re.compile(r"\[ctxlens\] (?:same logic as|near copy of) (\S+):(\d+) (\S+?)[ ,]")
COPY = re.compile(r"\[ctxlens\] same content as (\S+),")
PIECE_FIRST = re.compile(r"^\S+ \[ctxlens\] piece \d+ of \d+ of \S+, cut between top-level units; "
                         r"the pieces before it are in other parts\n")
PIECE_LAST = re.compile(r"\n\S+ \[ctxlens\] \S+ continues in piece \d+ of \d+\n$")


def _lib(name: str) -> str:
    return (LIB / name).read_text("utf-8")


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real modules in three folders, a module too big for one part, planted copies across
    folders (a clone, a whole-file copy) and a licence repeated in three files."""
    root = tmp_path_factory.mktemp("split") / "ws"
    return write_tree(root, {
        "alpha/textwrap.py": LICENCE + _lib("textwrap.py"),
        "alpha/shlex.py": LICENCE + _lib("shlex.py"),
        "alpha/orig.py": PY_ORIGINAL,
        "alpha/util.js": JS_SRC,
        "beta/fnmatch.py": LICENCE + _lib("fnmatch.py"),
        "beta/glob.py": _lib("glob.py"),
        "beta/heapq.py": _lib("heapq.py"),
        "gamma/sub/colorsys.py": _lib("colorsys.py"),
        "gamma/sub/renamed.py": PY_RENAMED,
        "gamma/util.js": JS_SRC,
        "big/inspect.py": _lib("inspect.py"),
    })


def _files(part: str) -> list[ET.Element]:
    return list(ET.fromstring(part).iter("file"))


def _whole(pack: Pack) -> dict[str, str]:
    return {f.attrib["path"]: f.text or "" for f in _files(pack.text)}


@pytest.fixture(scope="module")
def split(tree: Path) -> Pack:
    return build_pack(tree, ContextPlan(reserve=500), fmt="xml", jobs=1, part_limit=9000)


def test_every_part_is_under_the_limit_and_counted_exactly(split: Pack) -> None:
    enc = get_encoding(split.encoding)
    assert split.part_limit == 9000 and len(split.parts) >= 4
    assert [p.index for p in split.parts] == list(range(1, len(split.parts) + 1))
    for part in split.parts:
        assert part.tokens == len(enc.encode_ordinary(part.text))
        assert part.tokens <= 9000 - 500  # the reserve is kept free in every part
    # The whole pack is still there, and did not fit.
    assert split.tokens + 500 > 9000


def test_every_file_is_in_exactly_one_part_or_in_all_its_pieces_in_order(split: Pack) -> None:
    whole = _whole(split)
    seen: dict[str, list[tuple[int, str]]] = {}
    for part in split.parts:
        for f in _files(part.text):
            index = int(f.attrib.get("piece", "0"))
            seen.setdefault(f.attrib["path"], []).append((index, f.text or ""))
        assert set(part.paths) == {f.attrib["path"] for f in _files(part.text)}
    assert set(seen) == set(whole)
    pieced = {p for p, v in seen.items() if len(v) > 1}
    assert pieced == {"big/inspect.py"}
    for path, pieces in seen.items():
        assert [i for i, _ in pieces] == (list(range(1, len(pieces) + 1)) if len(pieces) > 1
                                          else [0])
        texts = [t for _, t in pieces]
        if len(texts) > 1:
            assert all(PIECE_FIRST.match(t) for t in texts[1:])
            assert all(PIECE_LAST.search(t) for t in texts[:-1])
            texts = [PIECE_LAST.sub("", PIECE_FIRST.sub("", t)) for t in texts]
        assert "\n".join(texts) == whole[path]


def test_no_unit_is_cut(split: Pack, tree: Path) -> None:
    """Each top-level unit of the pieced file that the pack shows unchanged is whole inside
    one piece; the cuts fall between units."""
    source = (tree / "big/inspect.py").read_text("utf-8")
    lines = source.split("\n")
    pieces = [f.text or "" for part in split.parts for f in _files(part.text)
              if f.attrib["path"] == "big/inspect.py"]
    assert len(pieces) >= 3
    whole = _whole(split)["big/inspect.py"]
    units = [u for u in extract_units(source.encode(), "python").units
             if u.parent == -1 and u.kind != "module"]
    checked = 0
    for u in units:
        text = "\n".join(lines[u.start_line - 1:u.end_line])
        if text not in whole:
            continue  # a stub or a redaction changed it
        assert sum(text in p for p in pieces) == 1, u.name
        checked += 1
    assert checked > 0.8 * len(units)


def test_each_part_is_self_contained(split: Pack, tree: Path) -> None:
    """The shared header is in every part; every reference in a part resolves in that part:
    a clone stub to its canonical member, a whole-file copy to its original, a repeated
    header to the header's copy of the block."""
    header = re.search(r"<header>.*</header>", split.parts[0].text, re.S)
    assert header is not None
    body = header.group(0)
    assert "<tree>" in body and "<repeated_header id=\"H1\"" in body
    refs = copies = borrowed = 0
    for part in split.parts:
        doc = ET.fromstring(part.text)
        assert doc.attrib["part"] == str(part.index)
        assert doc.attrib["parts"] == str(len(split.parts))
        assert re.sub(r' part="\d+" parts="\d+"', "", part.text).count(
            re.sub(r"<tree>.*", "", body, flags=re.S)) == 1
        # The tree lists every file of the pack, not only this part's.
        assert all(p.rsplit("/", 1)[-1] in doc.find("header/tree").text  # type: ignore
                   for p in _whole(split))
        whole = {f.attrib["path"]: f.text or "" for f in doc.iter("file")
                 if "piece" not in f.attrib}
        snippets = {(s.attrib["path"], s.attrib.get("lines")): s.text or ""
                    for s in doc.iter("snippet")}
        for f in doc.iter("file"):
            text = f.text or ""
            for path, line, _ in REF.findall(text):
                refs += 1
                first = (tree / path).read_text("utf-8").split("\n")[int(line) - 1]
                if path in whole:
                    assert first in whole[path]
                else:
                    borrowed += 1
                    (snippet,) = [t for (p, lines), t in snippets.items()
                                  if p == path and lines and lines.startswith(f"{line}-")]
                    assert snippet.startswith(first)
            for original in COPY.findall(text):
                copies += 1
                assert original in whole or (original, None) in snippets
                borrowed += original not in whole
            for block in re.findall(r"repeated header (H\d+)", text):
                assert f'<repeated_header id="{block}"' in part.text
    # Both kinds of reference cross parts here, so both are repeated where they are used.
    assert refs >= 1 and copies >= 1 and borrowed >= 2


def test_folders_stay_together_when_they_fit(tree: Path) -> None:
    pack = build_pack(tree, ContextPlan(selection=("alpha", "beta", "gamma")), fmt="md",
                      jobs=1, part_limit=16000)
    assert len(pack.parts) >= 2
    home: dict[str, set[int]] = {}
    for part in pack.parts:
        for path in part.paths:
            home.setdefault(path.split("/")[0], set()).add(part.index)
    assert all(len(parts) == 1 for parts in home.values()), home
    # Markdown parts: the same header, each file once, counted exactly.
    enc = get_encoding(pack.encoding)
    for part in pack.parts:
        assert part.text.startswith(f"# Context pack: ws — part {part.index} of "
                                    f"{len(pack.parts)}\n")
        assert "## Tokens per folder" in part.text and part.tokens <= 16000
        assert part.tokens == len(enc.encode_ordinary(part.text))


def test_a_pack_that_fits_has_no_parts(tree: Path) -> None:
    pack = build_pack(tree, ContextPlan(selection=("beta",)), jobs=1, part_limit=100_000)
    assert pack.parts == () and pack.part_limit == 100_000
    assert build_pack(tree, ContextPlan(selection=("beta",)), jobs=1).parts == ()


def test_a_unit_too_large_for_a_part_is_an_error_naming_it(tmp_path: Path) -> None:
    # Prose in a docstring: long, and nothing clone detection could collapse.
    rng = random.Random(7)
    vocab = ["parser", "token", "window", "budget", "clone", "module", "header", "folder",
             "limit", "stable", "answer", "model", "prompt", "review", "schema", "cache"]
    doc = "".join(f"    {' '.join(rng.choice(vocab) for _ in range(9))} ({k})\n"
                  for k in range(300))
    root = write_tree(tmp_path / "ws", {
        "m.py": f'import math\n\n\nclass Huge:\n    """\n{doc}    """\n\n\n'
                "def small():\n    return 1\n"})
    with pytest.raises(SplitError, match=r"m\.py: class Huge \(lines 4-306\) alone needs"):
        build_pack(root, ContextPlan(), jobs=1, part_limit=3000)


def test_a_header_too_large_for_a_part_is_an_error(tree: Path) -> None:
    with pytest.raises(SplitError, match="shared header alone"):
        build_pack(tree, ContextPlan(), jobs=1, part_limit=400)
    with pytest.raises(SplitError, match="leaves nothing"):
        build_pack(tree, ContextPlan(reserve=5000), jobs=1, part_limit=5000)
