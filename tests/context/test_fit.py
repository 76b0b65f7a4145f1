"""Fit to budget: skeletons, import-graph ranking, the fitting loop and `pack --budget`."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ctxlens.context import ContextPlan, build_pack
from ctxlens.context.fit import BudgetError
from ctxlens.context.rank import import_graph, pagerank, rank_files
from ctxlens.context.skeleton import skeleton
from ctxlens.syntax.extract import extract_units
from ctxlens.tokens import count_tokens
from trees import write_tree

PY = textwrap.dedent('''\
    """Module doc."""
    import os


    class Store:
        """Keeps things."""

        def put(self, key,
                value):
            """Store value under key."""
            checked = validate(value)
            self.data[key] = checked
            return checked

        def size(self):
            total = 0
            for k in self.data:
                total += 1
            return total


    def helper(x): return x
    ''')

JS = textwrap.dedent('''\
    // Shapes.
    /** Area of a rectangle. */
    export function area(w, h) {
      const a = w * h;
      return a;
    }
    class Shape {
      grow(f) {
        this.w = this.w * f;
        return this;
      }
    }
    ''')

JAVA = textwrap.dedent('''\
    package lib;

    /** Money helpers. */
    public class Money {
        /** Adds with rounding. */
        public long add(long a,
                        long b) {
            long c = a + b;
            return Math.round(c);
        }
    }
    ''')


def _skel(src: str, language: str) -> str:
    data = src.encode()
    return skeleton(data, language, extract_units(data, language).units,
                    lambda t: count_tokens(t, "o200k_base"))


def test_python_skeleton_keeps_signatures_and_docstrings_drops_bodies() -> None:
    out = _skel(PY, "python")
    for kept in ('"""Module doc."""', "import os", "class Store:", '"""Keeps things."""',
                 "    def put(self, key,\n            value):", '"""Store value under key."""',
                 "    def size(self):", "def helper(x): return x"):
        assert kept in out, kept
    for dropped in ("validate(value)", "self.data[key]", "total += 1", "return total"):
        assert dropped not in out, dropped
    body = "\n".join(PY.split("\n")[15:19])
    assert f"        # [ctxlens] body elided, {count_tokens(body, 'o200k_base')} tokens" in out
    assert out.count("[ctxlens] body elided") == 2


def test_js_and_java_skeletons_keep_signatures_and_doc_comments() -> None:
    js = _skel(JS, "javascript")
    assert "/** Area of a rectangle. */\nexport function area(w, h) {\n" in js
    assert "  grow(f) {\n" in js and "// [ctxlens] body elided" in js
    assert "w * h" not in js and "this.w * f" not in js
    java = _skel(JAVA, "java")
    assert "/** Adds with rounding. */\n    public long add(long a,\n" in java
    assert "        // [ctxlens] body elided" in java
    assert "a + b" not in java and "Math.round" not in java
    assert "public class Money {" in java


def test_skeleton_of_a_file_without_functions_is_the_file() -> None:
    assert _skel("# Notes\n\nprose\n", "markdown") == "# Notes\n\nprose\n"
    assert _skel("X = 1\n", "python") == "X = 1\n"


def test_ranking_puts_the_module_imported_by_many_before_a_leaf() -> None:
    files = {
        "pkg/core.py": ("python", "X = 1\n"),
        "pkg/a.py": ("python", "from pkg.core import X\n"),
        "pkg/b.py": ("python", "from . import core\n"),
        "pkg/c.py": ("python", "import pkg.core as c\n"),
        "pkg/leaf.py": ("python", "import os\n"),
        "pkg/d.py": ("python", "from above.root.pkg.core import X\n"),  # root is a subfolder
        "web/util.js": ("javascript", "export const u = 1;\n"),
        "web/app.js": ("javascript", "import { u } from './util';\n"),
        "web/page.js": ("javascript", "const u = require('./util.js');\n"),
        "j/Base.java": ("java", "package j;\npublic class Base {}\n"),
        "j/Use.java": ("java", "package j;\nimport j.Base;\npublic class Use {}\n"),
    }
    graph = import_graph(files)
    assert graph["pkg/a.py"] == {"pkg/core.py"} and graph["pkg/b.py"] == {"pkg/core.py"}
    assert graph["pkg/c.py"] == {"pkg/core.py"} == graph["pkg/d.py"]
    assert graph["pkg/leaf.py"] == set()
    assert graph["web/app.js"] == {"web/util.js"} == graph["web/page.js"]
    assert graph["j/Use.java"] == {"j/Base.java"}
    scores = pagerank(graph)
    assert abs(sum(scores.values()) - 1.0) < 1e-9
    order = rank_files(files)
    assert order[0] == "pkg/core.py"
    assert order.index("pkg/core.py") < order.index("web/util.js") < order.index("pkg/leaf.py")
    assert order.index("j/Base.java") < order.index("j/Use.java")
    # Focus files come first whatever their rank.
    assert rank_files(files, focus=["pkg/leaf.py"])[:2] == ["pkg/leaf.py", "pkg/core.py"]


_OPS = ("x * {i} + {k}", "(x - {k}) // ({i} + 1)", "[x] * {i}", "x ** {k} % ({i} + 7)",
        "str(x)[{k}:{i}]", "max(x, {i}, {k})", "abs(x - {i} * {k})")


def _module(name: str, uses: str, k: int) -> str:
    """A module whose bodies differ in shape from every other's, so no clone collapses them."""
    def body(salt: int) -> str:
        return "".join(f"    v{i} = " + _OPS[(i * k + salt) % len(_OPS)].format(i=i, k=k + salt)
                       + ("\n" if (i + k) % 3 else f"\n    if v{i}:\n        v{i} += {k}\n")
                       for i in range(10))
    return (f'"""The {name} module."""\nfrom pkg import {uses}\n\n\n'
            f"def {name}_run(x):\n    \"\"\"Run {name}.\"\"\"\n{body(1)}    return v0\n\n\n"
            f"def {name}_more(x):\n{body(2)}    return v1\n")


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    files: dict[str, str | bytes] = {"pkg/core.py": _module("core", "os_path", 0)}
    for k, name in enumerate(("alpha", "beta", "gamma", "delta", "eps", "focus"), 1):
        files[f"pkg/{name}.py"] = _module(name, "core", k)
    files["web/app.js"] = JS
    files["lib/Money.java"] = JAVA
    return write_tree(tmp_path / "ws", files)


def _xml_files(text: str) -> dict[str, str]:
    return {f.attrib["path"]: f.text or "" for f in ET.fromstring(text).iter("file")}


def test_fit_never_exceeds_the_budget_and_keeps_focus_whole(tree: Path) -> None:
    plan = ContextPlan(focus=("pkg/focus.py",), reserve=50)
    full = build_pack(tree, plan, jobs=1)
    focus_text = (tree / "pkg/focus.py").read_text()
    levels_seen: set[str] = set()
    for fmt in ("md", "xml"):
        floor = None
        for budget in (full.tokens + 50, full.tokens, 2200, 1800, 1500, 1200):
            try:
                pack = build_pack(tree, plan, fmt=fmt, jobs=1, budget=budget)
            except BudgetError as err:
                floor = err
                continue
            assert pack.fit is not None
            assert pack.tokens == count_tokens(pack.text, "o200k_base") == pack.fit.used
            assert pack.tokens <= budget - plan.reserve, (fmt, budget)
            assert pack.fit.levels["full"] + pack.fit.levels["deduplicated"] >= 1
            levels_seen |= {f.level for f in pack.fit.files}
            focus_fit = next(f for f in pack.fit.files if f.path == "pkg/focus.py")
            assert focus_fit.level == "full" and focus_fit.rank == 0
            if fmt == "xml":
                assert _xml_files(pack.text)["pkg/focus.py"] == focus_text
            else:
                assert focus_text in pack.text
            for f in pack.fit.files:
                if f.level == "omitted":
                    assert f.path in pack.text and f.tokens_after == 0
                    assert f.path not in {p.path for p in pack.files}
        assert floor is None or floor.shortfall > 0
    assert {"skeleton", "omitted", "full"} <= levels_seen


def test_fit_degrades_leaves_before_the_hub(tree: Path) -> None:
    full = build_pack(tree, ContextPlan(), jobs=1)
    untouched = {f.path: f.text for f in full.files}
    for cut, hub_kept in ((20, True), (full.tokens // 4, True)):
        pack = build_pack(tree, ContextPlan(), jobs=1, budget=full.tokens - cut)
        assert pack.fit is not None and pack.tokens <= full.tokens - cut
        assert pack.fit.files[0].path == "pkg/core.py"  # imported by six modules
        shown = {f.path: f for f in pack.files}
        assert (shown["pkg/core.py"].text == untouched["pkg/core.py"]) is hub_kept
        reduced = [f for f in pack.fit.files if f.level in ("skeleton", "omitted")]
        assert reduced and all(f.rank > 0 for f in reduced)
        if cut == 20:  # one step: the least central file whose skeleton saves tokens
            assert [f.path for f in reduced] == ["pkg/gamma.py"]
        skel = next(f for f in pack.files if f.level == "skeleton")
        assert "[ctxlens] body elided" in skel.text and "Reduced to fit the budget" in pack.text


def test_canonical_members_that_stubs_point_at_survive_fitting(tree: Path) -> None:
    full = build_pack(tree, ContextPlan(), jobs=1)
    assert any(c.stubbed for c in full.classes)
    for cut in (20, full.tokens // 4, full.tokens // 2):
        try:
            pack = build_pack(tree, ContextPlan(), jobs=1, budget=full.tokens - cut)
        except BudgetError:
            continue
        shown = {f.path: f.text for f in pack.files}
        for c in pack.classes:
            if not c.stubbed:
                continue
            # The reference leads to a file that is in the pack, with the body intact.
            assert c.canonical_path in shown, (cut, c.canonical_path)
            source = (tree / c.canonical_path).read_text().splitlines()
            member = next(cl for cl in full.classes if cl.id == c.id)
            assert member.canonical_path == c.canonical_path
            body = source[c.canonical_line - 1:c.canonical_line + 3]
            assert "\n".join(body) in shown[c.canonical_path], (cut, c.canonical_path)


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = ("import sys; from ctxlens.context.cli_pack import main; "
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          timeout=120)


def test_cli_budget_json_reports_the_fit(tree: Path) -> None:
    proc = _cli(str(tree), "--budget", "1500", "--json", "-j", "1")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    fit = doc["fit"]
    for key in ("budget", "reserve", "limit", "used", "before_fit"):
        assert fit[key]["model"] == "gpt-4.1" and fit[key]["encoding"] == "o200k_base"
    assert fit["budget"]["count"] == 1500
    assert fit["used"]["count"] == doc["tokens"]["pack"]["count"] <= 1500
    assert fit["used"]["count"] == count_tokens(doc["text"], "o200k_base")
    assert sum(fit["levels"].values()) == len(fit["files"]) == 9
    assert fit["levels"]["skeleton"] + fit["levels"]["omitted"] >= 1
    for f in fit["files"]:
        assert f["tokens_after"]["encoding"] == "o200k_base"
        assert f["tokens_after"]["count"] <= f["tokens_before"]["count"]


def test_cli_impossible_budget_exits_3_with_the_shortfall(tree: Path) -> None:
    proc = _cli(str(tree), "--budget", "300", "--focus", "pkg/*", "-j", "1")
    assert proc.returncode == 3
    assert "cannot fit a budget of 300 tokens" in proc.stderr
    with pytest.raises(BudgetError) as err:
        build_pack(tree, ContextPlan(focus=("pkg/*",)), jobs=1, budget=300)
    assert err.value.shortfall == err.value.needed - 300 > 0
    assert f"{err.value.shortfall} over" in proc.stderr


def test_an_impossible_budget_carries_the_unfitted_pack(tree: Path) -> None:
    """Callers that report figures (scan, the editor's budget) get the pack without the budget
    from the error: the same pack a build without a budget gives, not a second build."""
    from ctxlens.context.pipeline import OverBudget

    plan = ContextPlan(focus=("pkg/*",))
    with pytest.raises(OverBudget) as err:
        build_pack(tree, plan, jobs=1, budget=300)
    unfitted = err.value.unfitted
    whole = build_pack(tree, plan, jobs=1)
    assert unfitted.text == whole.text and unfitted.tokens == whole.tokens
    assert unfitted.tokens == count_tokens(unfitted.text, "o200k_base")
    assert unfitted.fit is None and unfitted.plan.budget is None
    assert err.value.shortfall > 0 and "cannot fit a budget of 300 tokens" in str(err.value)
