"""Live clone classes: one file re-indexed from memory, the same answer as a full run."""

from __future__ import annotations

from pathlib import Path

from clone_snippets import JS_SRC, PY_NEAR, PY_ORIGINAL, PY_RENAMED
from ctxlens.clones.detect import find_clones
from ctxlens.clones.live import LiveClones
from ctxlens.clones.model import CloneClass
from ctxlens.clones.options import CloneOptions
from ctxlens.config import Config
from ctxlens.index import scan_workspace
from trees import write_tree

OPTIONS = CloneOptions(fragments=False)
UNRELATED = "def other(x):\n    return x + 1\n"


def _shape(classes: list[CloneClass]) -> set[tuple[str, str, frozenset[tuple[str, int]]]]:
    return {(c.id, c.kind, frozenset((m.path, m.start_line) for m in c.members))
            for c in classes}


def _full(root: Path) -> list[CloneClass]:
    result = scan_workspace(root, Config(), with_streams=True, jobs=1)
    return find_clones(result.root, result.files, result.model.encoding, OPTIONS).classes


def _live(root: Path) -> LiveClones:
    result = scan_workspace(root, Config(), with_streams=True, jobs=1)
    return LiveClones(result.root, result.files, result.model.encoding, OPTIONS)


def test_starts_equal_to_a_full_run(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "b.py": PY_RENAMED, "c.py": UNRELATED,
                                 "d.js": JS_SRC})
    assert _shape(_live(root).all_classes()) == _shape(_full(root))
    assert len(_full(root)) == 1


def test_edits_report_changed_added_and_removed_classes(tmp_path: Path) -> None:
    root = write_tree(tmp_path, {"a.py": PY_ORIGINAL, "b.py": PY_RENAMED, "c.py": UNRELATED})
    live = _live(root)
    (before,) = live.all_classes()
    # c.py gains a near-miss copy: the class changes (same canonical, same id), a member more.
    delta = live.update_file("c.py", (UNRELATED + PY_NEAR).encode())
    assert [c.id for c in delta.changed] == [before.id] and not delta.added
    assert len(delta.changed[0].members) == 3
    # b.py stops being a copy, a.py's class keeps c.py.
    delta = live.update_file("b.py", UNRELATED.replace("other", "again").encode())
    assert {m.path for c in live.all_classes() for m in c.members} == {"a.py", "c.py"}
    # c.py is deleted: nothing is left to compare a.py with.
    delta = live.remove_file("c.py")
    assert live.all_classes() == [] and delta.removed


def test_after_edits_equals_a_full_run_on_the_result(tmp_path: Path) -> None:
    files = {"a.py": PY_ORIGINAL, "b.py": UNRELATED, "c.py": UNRELATED, "d.js": JS_SRC}
    root = write_tree(tmp_path, files)
    live = _live(root)
    edits = {"b.py": PY_RENAMED, "c.py": PY_NEAR + "\n" + PY_RENAMED.replace(
        "rank_customers", "rank2"), "e.js": JS_SRC.replace("groups", "g")}
    for path, text in edits.items():
        live.update_file(path, text.encode())
    write_tree(root, edits)
    assert _shape(live.all_classes()) == _shape(_full(root))
    assert live.tokens_deduplicated() == find_clones(
        root, scan_workspace(root, Config(), with_streams=True, jobs=1).files, "o200k_base",
        OPTIONS).tokens_deduplicated
