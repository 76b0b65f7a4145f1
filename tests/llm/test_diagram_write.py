"""`write_diagram`, the one writer behind `ctxlens diagram` and the server's `ctxlens.diagram`:
a real pack of a real tree, the Markdown on disk, and the refusals that write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from ctxlens.context.pipeline import Pack, build_pack
from ctxlens.context.plan import ContextPlan
from ctxlens.llm.ask import Outcome
from ctxlens.llm.client import Usage
from ctxlens.llm.diagram import DiagramError, write_diagram
from ctxlens.tokens import load_registry
from trees import MIXED_TREE, write_tree

FLOWCHART = 'flowchart LR\n  main["app/main.py"] --> util["app/util.js"]'


def _outcome(text: str, problems: tuple[str, ...] = ()) -> Outcome:
    return Outcome(text, "single", Usage(), 0.0, False, 0, (), 0, problems)


@pytest.fixture(scope="module")
def pack(tmp_path_factory: pytest.TempPathFactory) -> Pack:
    root = write_tree(tmp_path_factory.mktemp("diagram") / "ws", MIXED_TREE)
    return build_pack(root, ContextPlan(), jobs=1)


def test_writes_the_diagram_with_its_provenance(pack: Pack, tmp_path: Path) -> None:
    model = load_registry().get("gpt-4.1")
    out = tmp_path / "new" / "folder" / "arch.md"  # missing folders are made
    answer = f"Here it is.\n\n```mermaid\n{FLOWCHART}\n```\n\nmain uses util."
    written = write_diagram(_outcome(answer), model, pack, out)
    assert written.path == out and written.problems == () and written.lines == 2
    assert written.diagram.mermaid == FLOWCHART
    text = out.read_text("utf-8")
    assert text.startswith("# Architecture: ws\n\n")
    assert (f"Drawn by gpt-4.1 from a ctxlens pack of ws ({len(pack.files)} files, "
            f"{pack.tokens:,} tokens in o200k_base). Checked for Mermaid flowchart syntax "
            "by ctxlens.") in text
    fenced = f"```mermaid\n{FLOWCHART}\n```\n"
    notes = text[text.index(fenced) + len(fenced):]  # the model's words follow the block
    assert "Here it is." in notes and "main uses util." in notes and "Warning" not in text


def test_a_diagram_that_failed_its_check_is_written_under_a_warning(
        pack: Pack, tmp_path: Path) -> None:
    model = load_registry().get("gpt-4.1")
    out = tmp_path / "arch.md"
    written = write_diagram(_outcome(f"```mermaid\n{FLOWCHART} -->\n```",
                                     ("line 2: an arrow with no target",)), model, pack, out)
    assert written.problems == ("line 2: an arrow with no target",)
    assert "> - line 2: an arrow with no target" in out.read_text("utf-8")


def test_no_diagram_or_an_unwritable_path_writes_nothing(pack: Pack, tmp_path: Path) -> None:
    model = load_registry().get("gpt-4.1")
    out = tmp_path / "arch.md"
    with pytest.raises(DiagramError, match="holds no Mermaid diagram; nothing written"):
        write_diagram(_outcome("I cannot draw that."), model, pack, out)
    assert not out.exists()
    folder = tmp_path / "taken"
    (folder / "keep.txt").parent.mkdir()
    (folder / "keep.txt").write_text("mine")
    with pytest.raises(DiagramError, match=f"cannot write {folder}: "):
        write_diagram(_outcome(f"```mermaid\n{FLOWCHART}\n```"), model, pack, folder)
    assert (folder / "keep.txt").read_text() == "mine"  # nothing lost
