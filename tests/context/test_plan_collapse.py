"""The plan file and the collapse rules, on small inputs where every line can be checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctxlens.clones.model import CloneClass, CloneMember
from ctxlens.context.collapse import Stub, apply_stubs, plan_stubs
from ctxlens.context.plan import (
    ContextPlan,
    PlanError,
    load_plan,
    matches,
    plan_path,
    save_plan,
    selects,
)


def test_selection_matches_root_folders_files_and_globs() -> None:
    assert matches("src/a.py", ".") and matches("src/a.py", "")
    assert matches("src/a.py", "src") and matches("src/a.py", "./src/")
    assert not matches("srcx/a.py", "src")
    assert matches("src/a.py", "src/a.py") and not matches("src/a.pyc", "src/a.py")
    assert matches("src/deep/b.py", "src/*.py") and not matches("lib/b.py", "src/*.py")
    assert selects(ContextPlan(), "anything/at/all.c")
    assert not selects(ContextPlan(selection=("lib",)), "src/a.py")


def test_plan_file_round_trip_is_stable_bytes(tmp_path: Path) -> None:
    assert load_plan(tmp_path) == ContextPlan()  # no file: the default plan
    plan = ContextPlan(selection=("src",), model="gpt-4o", reserve=1000).with_override(
        "cb", "expanded").with_override("ca", "collapsed")
    save_plan(tmp_path, plan)
    first = plan_path(tmp_path).read_bytes()
    assert load_plan(tmp_path) == plan
    save_plan(tmp_path, load_plan(tmp_path))
    assert plan_path(tmp_path).read_bytes() == first
    assert list(json.loads(first)["overrides"]) == ["ca", "cb"]
    assert plan.is_expanded("cb") and not plan.is_expanded("ca")
    assert not plan.is_expanded("never-named")


@pytest.mark.parametrize("doc", [
    "[]", '{"version": 9}', '{"reserve": -1}', '{"reserve": true}', '{"model": 3}',
    '{"selection": "src"}', '{"overrides": {"c1": "hidden"}}', "{not json",
])
def test_bad_plans_are_refused(tmp_path: Path, doc: str) -> None:
    plan_path(tmp_path).parent.mkdir()
    plan_path(tmp_path).write_text(doc, "utf-8")
    with pytest.raises(PlanError):
        load_plan(tmp_path)
    with pytest.raises(PlanError):
        ContextPlan().with_override("c1", "hidden")


def _stub(start: int, end: int, signature: bool = False) -> Stub:
    return Stub("c1", "f.py", start, end, "# [ctxlens] ref", signature)


def test_apply_stubs_keeps_indentation_line_endings_and_signatures() -> None:
    text = ("class A:\r\n    @cached\r\n    def f(self):\r\n        return 1\r\n"
            "\r\n    def g(self):\r\n        x = 2\r\n        return x\r\n")
    assert apply_stubs(text, [_stub(2, 4)]) == (
        "class A:\r\n    # [ctxlens] ref\r\n\r\n    def g(self):\r\n        x = 2\r\n"
        "        return x\r\n")
    # Near miss: decorator and signature stay, the reference sits at the body's indentation.
    assert apply_stubs(text, [_stub(2, 4, True), _stub(6, 8, True)]) == (
        "class A:\r\n    @cached\r\n    def f(self):\r\n        # [ctxlens] ref\r\n\r\n"
        "    def g(self):\r\n        # [ctxlens] ref\r\n")
    assert apply_stubs(text, []) == text


def _member(path: str, start: int, end: int, unit: int = 0, sim: float = 1.0) -> CloneMember:
    return CloneMember(path, f"{path}::u{start}", start, end, 100, sim, 0, unit)


def _class(cid: str, members: list[CloneMember]) -> CloneClass:
    return CloneClass(cid, "exact", 1.0, 0, tuple(members), 100)


def test_plan_stubs_never_hide_a_referenced_canonical_nor_stub_twice() -> None:
    # Class 1: a method (canonical, in a.py) copied inside a class that is itself a member of
    # class 2, whose canonical is also in a.py; b.py's whole class is a copy of it.
    method = _class("m", [_member("a.py", 3, 8), _member("b.py", 3, 8), _member("c.py", 1, 6)])
    outer = _class("o", [_member("a.py", 1, 12), _member("b.py", 1, 12)])
    languages = {"a.py": "python", "b.py": "python", "c.py": "python"}
    stubs = plan_stubs([method, outer], languages, ContextPlan())
    assert [(s.path, s.start_line, s.class_id) for s in stubs] == [
        ("b.py", 1, "o"), ("c.py", 1, "m")]  # b.py's method went with its class
    assert "a.py:3 u3" in stubs[1].text
    # A member that contains the canonical it would point at stays whole.
    inner = _class("i", [_member("a.py", 3, 8), _member("a.py", 1, 12, sim=0.9)])
    assert plan_stubs([inner], languages, ContextPlan()) == ()
    # Expanded classes and focus files keep their members.
    assert plan_stubs([method], languages, ContextPlan().with_override("m", "expanded")) == ()
    focus = plan_stubs([method], languages, ContextPlan(focus=("c.py",)))
    assert [s.path for s in focus] == ["b.py"]
    # Near-miss units keep their signature; fragments (unit -1) never do.
    near = _class("n", [_member("a.py", 1, 9), _member("b.py", 1, 9, sim=0.9),
                        _member("c.py", 1, 9, unit=-1, sim=0.9)])
    assert [s.signature for s in plan_stubs([near], languages, ContextPlan())] == [True, False]
