"""Repeated file headers: found by the documented rule, shown once, referenced from each file."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

from clone_snippets import JS_SRC, PY_ORIGINAL, PY_RENAMED
from ctxlens.context import ContextPlan, build_pack
from ctxlens.context.boilerplate import apply_cuts, find_boilerplate, leading_segments
from ctxlens.tokens import count_tokens, get_encoding
from trees import write_tree

GPL = """ * DO NOT ALTER OR REMOVE COPYRIGHT NOTICES OR THIS FILE HEADER.
 *
 * This code is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 only, as
 * published by the Free Software Foundation.
 *
 * This code is distributed in the hope that it will be useful, but WITHOUT
 * ANY WARRANTY; without even the implied warranty of MERCHANTABILITY or
 * FITNESS FOR A PARTICULAR PURPOSE.  See the GNU General Public License
 * version 2 for more details (a copy is included in the LICENSE file that
 * accompanied this code)."""

APACHE = """# Licensed to the Apache Software Foundation (ASF) under one
# or more contributor license agreements.  See the NOTICE file
# distributed with this work for additional information
# regarding copyright ownership.  The ASF licenses this file
# to you under the Apache License, Version 2.0 (the
# "License"); you may not use this file except in compliance
# with the License.  You may obtain a copy of the License at
#
#     http://www.apache.org/licenses/LICENSE-2.0
"""


def java(year: int, name: str) -> str:
    """A JDK-style file: the licence's copyright line differs from file to file."""
    return (f"/*\n * Copyright (c) {year}, 2024, Oracle and/or its affiliates.\n{GPL}\n */\n\n"
            f"package demo;\n\npublic class {name} {{\n    public int size() {{\n"
            + "".join(f"        // Step {k}: walk the buckets of {name} once and add the length "
                      "of each chain.\n" for k in range(8))
            + f"        return {year % 97};\n    }}\n}}\n")


def count(text: str) -> int:
    return count_tokens(text, "o200k_base")


def _files(xml_text: str) -> dict[str, str]:
    return {f.attrib["path"]: f.text or "" for f in ET.fromstring(xml_text).iter("file")}


def test_leading_segments_follow_each_language_comment_syntax() -> None:
    segs = leading_segments(java(1997, "A"), "java")
    assert len(segs) == 1 and segs[0].inner and segs[0].start == 1
    assert segs[0].keys[0].startswith(" * Copyright") and segs[0].keys[-1].endswith("code).")
    py = "#!/usr/bin/env python3\n" + APACHE + "\nimport os\n# not a header\n"
    (seg,) = leading_segments(py, "python")
    assert seg.start == 1 and not seg.inner and len(seg.keys) == 9
    # Code first: no header; Markdown has no comment syntax we cut.
    assert leading_segments("import os\n# late comment\n", "python") == []
    assert leading_segments("# Title\n\ntext\n", "markdown") == []
    xml = '<?xml version="1.0"?>\n<!--\n  Licensed to you.\n  Under terms.\n-->\n<a/>\n'
    (seg,) = leading_segments(xml, "xml")
    assert seg.inner and seg.keys == ("  Licensed to you.", "  Under terms.")


def test_a_licence_whose_copyright_line_varies_is_one_block() -> None:
    texts = {f"src/F{i}.java": ("java", java(1990 + i, f"F{i}")) for i in range(5)}
    plan = find_boilerplate(texts, count)
    (block,) = plan.blocks
    assert block.id == "H1" and block.files == 5 and block.language == "java"
    assert block.text == GPL and block.tokens == count(GPL)
    blocks = {b.id: b for b in plan.blocks}
    for path, (_, text) in texts.items():
        out, used = apply_cuts(text, "java", plan.cuts[path], blocks)
        assert used == ("H1",)
        lines = out.split("\n")
        # The varying line stays; the rest becomes one line inside the same block comment.
        assert lines[0] == "/*" and lines[1].startswith(" * Copyright (c) 19")
        assert lines[2] == (f" * [ctxlens] repeated header H1 (shown once in the pack header), "
                            f"{block.tokens} tokens omitted")
        assert lines[3] == " */" and "public class" in out and GPL not in out


def test_fewer_than_three_files_or_a_secret_make_no_block() -> None:
    two = {f"F{i}.java": ("java", java(2000 + i, f"F{i}")) for i in range(2)}
    assert find_boilerplate(two, count).blocks == ()
    key = "AKIA" + "Q3EXAMPLE7TESTKEY0"[:16]
    secret = {f"m{i}.py": ("python", APACHE + f"# deploy key {key}\nX = {i}\n")
              for i in range(4)}
    plan = find_boilerplate(secret, count)
    # The secret's line is not in any block, so the scanner sees it in every file.
    assert all(key not in b.text for b in plan.blocks)


def test_short_headers_cost_less_than_their_reference_and_stay() -> None:
    texts = {f"m{i}.py": ("python", f"# -*- coding: utf-8 -*-\nX = {i}\n") for i in range(6)}
    assert find_boilerplate(texts, count).blocks == ()


def test_a_cut_never_applies_to_lines_that_are_not_the_block(tmp_path: Path) -> None:
    texts = {f"m{i}.py": ("python", APACHE + f"X = {i}\n") for i in range(3)}
    plan = find_boilerplate(texts, count)
    blocks = {b.id: b for b in plan.blocks}
    edited = "# edited\n" + APACHE + "X = 0\n"  # lines moved down by one
    assert apply_cuts(edited, "python", plan.cuts["m0.py"], blocks) == (edited, ())
    # Nor past a line another rewrite touched first.
    text = texts["m0.py"][1]
    assert apply_cuts(text, "python", plan.cuts["m0.py"], blocks, before_line=3) == (text, ())


def test_css_reference_inside_a_block_comment_does_not_close_it() -> None:
    css = "/*\n" + "".join(f" * Theme rule {k}: colours and spacing of the widget set.\n"
                           for k in range(8)) + " */\n.a { color: red; }\n"
    texts = {f"s{i}.css": ("css", css.replace("color: red", f"color: #{i}{i}{i}"))
             for i in range(3)}
    plan = find_boilerplate(texts, count)
    out, used = apply_cuts(texts["s0.css"][1], "css", plan.cuts["s0.css"],
                           {b.id: b for b in plan.blocks})
    assert used == ("H1",) and out.count("*/") == 1 and out.startswith("/*\n * [ctxlens]")


def _tree(tmp_path: Path) -> Path:
    files: dict[str, str | bytes] = {
        f"java/F{i}.java": java(1990 + i, f"F{i}") for i in range(4)}
    files.update({f"py/m{i}.py": APACHE + f"\n\ndef f{i}(x):\n    return x * {i + 2}\n"
                  for i in range(3)})
    files["py/focus.py"] = APACHE + "\nFOCUS = True\n"
    files["a/orig.py"] = PY_ORIGINAL
    files["c/renamed.py"] = PY_RENAMED
    files["web/one.js"] = JS_SRC
    files["web/two.js"] = JS_SRC
    return write_tree(tmp_path / "ws", files)


def test_pack_shows_each_block_once_and_every_copy_references_it(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    pack = build_pack(root, ContextPlan(focus=("py/focus.py",)), jobs=1, fmt="xml")
    ids = {b.text: b.id for b in pack.boilerplate}
    # The focus file's copy is not counted: the Apache licence opens exactly three others.
    assert set(ids) == {GPL, APACHE.rstrip("\n")}
    doc = ET.fromstring(pack.text)
    shown = {h.attrib["id"]: h.text for h in doc.iter("repeated_header")}
    assert sorted(shown) == sorted(ids.values())
    files = _files(pack.text)
    for block in pack.boilerplate:
        assert shown[block.id] == block.text  # once, in the header
        assert not any(block.text in t for p, t in files.items() if p != "py/focus.py")
        holders = [p for p, t in files.items() if f"repeated header {block.id} " in t]
        assert len(holders) == block.files >= 3
    # The focus file keeps its licence byte for byte and is not counted as a holder.
    assert files["py/focus.py"] == (root / "py/focus.py").read_text("utf-8")
    for i in range(3):
        assert re.match(r"# \[ctxlens\] repeated header H\d \(shown once in the pack header\), "
                        r"\d+ tokens omitted\n\n\ndef f", files[f"py/m{i}.py"])
    assert {f.path for f in pack.files if f.boilerplate} == {
        *(f"java/F{i}.java" for i in range(4)), *(f"py/m{i}.py" for i in range(3))}


def test_savings_are_reported_separately_and_exactly(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    pack = build_pack(root, ContextPlan(), jobs=1)
    sv = pack.savings
    assert sv.clones > 0 and sv.boilerplate > 0 and sv.copies > 0
    by_path = {f.path: f for f in pack.files}
    two = by_path["web/two.js"]
    assert two.copy_of == "web/one.js" and sv.copies == two.tokens_raw - two.tokens
    stubbed = [f for f in pack.files if f.stubs]
    assert stubbed and not any(f.boilerplate for f in stubbed)
    assert sv.clones == sum(f.tokens_raw - f.tokens for f in stubbed)
    # Boilerplate: what the files lost, less the header section that shows the blocks.
    section = re.search(r"\n## Repeated file headers\n.*?(?=\n\n## )", pack.text, re.S)
    assert section is not None
    cut = sum(f.tokens_raw - f.tokens for f in pack.files if f.boilerplate)
    enc = get_encoding(pack.encoding)
    assert sv.boilerplate == cut - len(enc.encode_ordinary(section.group(0)))
    # The deduplicated pack is the rendered count, and smaller than the files as they are.
    assert pack.tokens_deduplicated == pack.tokens == len(enc.encode_ordinary(pack.text))
    assert pack.tokens_raw - sv.total < pack.tokens < pack.tokens_raw


def test_fitting_keeps_header_references_and_copy_originals(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    whole = build_pack(root, ContextPlan(), jobs=1, fmt="xml")
    budget = int(whole.tokens * 0.6)
    fitted = build_pack(root, ContextPlan(), jobs=1, fmt="xml", budget=budget)
    assert fitted.fit is not None and fitted.tokens <= budget
    assert fitted.tokens_deduplicated == whole.tokens
    levels = {f.path: f.level for f in fitted.fit.files}
    assert "skeleton" in levels.values() and "omitted" in levels.values()
    files = _files(fitted.text)
    skeletons = [f for f in fitted.files if f.level == "skeleton" and f.boilerplate]
    assert skeletons
    for f in skeletons:
        # A skeleton is built from the file on disk; its licence is cut all the same.
        assert GPL not in files[f.path] and APACHE.split("\n")[2] not in files[f.path]
        assert "repeated header H" in files[f.path]
    # The original of a shown whole-file copy is never omitted.
    if "web/two.js" in files:
        assert "web/one.js" in files
    shown = {h.attrib["id"] for h in ET.fromstring(fitted.text).iter("repeated_header")}
    used = {b for f in fitted.files for b in f.boilerplate}
    assert shown == used  # a block only while a shown file refers to it
