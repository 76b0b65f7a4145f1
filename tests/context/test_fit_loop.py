"""The fitting loop alone, with a renderer whose cost the step estimates underrate."""

from __future__ import annotations

import pytest

from ctxlens.context.fit import BudgetError, Fitted, RenderCount, fit
from ctxlens.context.render import OmittedFile, PackedFile


def _file(path: str, tokens: int) -> PackedFile:
    return PackedFile(path=path, language="python", text="x" * tokens, tokens_raw=tokens,
                      tokens=tokens, stubs=0)


FILES = tuple(_file(f"f{i}.py", 100) for i in range(6))
ORDER = [f.path for f in FILES]  # f0 most central


def _render(calls: list[int]) -> RenderCount:
    def render_count(shown: tuple[PackedFile, ...],
                     omitted: tuple[OmittedFile, ...]) -> tuple[str, int]:
        calls.append(1)
        # Each omitted file costs 12 tokens in the header, more than the fitter estimates.
        n = 50 + sum(f.tokens for f in shown) + 12 * len(omitted)
        return f"pack of {n}", n
    return render_count


def _fit(budget: int, calls: list[int], focus: tuple[str, ...] = ("f0.py",)) -> Fitted:
    return fit(FILES, ORDER, focus, budget=budget, reserve=10, encoding="o200k_base",
               skeleton_of=lambda f: "x" * 30 if f.path != "f5.py" else None,
               render_count=_render(calls), count=len)


@pytest.mark.parametrize("budget", [660, 600, 500, 420, 380, 300, 240, 220])
def test_the_loop_re_renders_until_the_exact_count_fits(budget: int) -> None:
    calls: list[int] = []
    fitted = _fit(budget, calls)
    assert fitted.tokens <= budget - 10 and fitted.text == f"pack of {fitted.tokens}"
    assert fitted.report.used == fitted.tokens
    levels = {f.path: f.level for f in fitted.report.files}
    assert levels["f0.py"] == "full"
    # Never a poorer level above a richer one among files whose skeleton exists.
    order = ("full", "deduplicated", "skeleton", "omitted")
    ranks = [order.index(levels[p]) for p in ORDER[1:5]]
    assert ranks == sorted(ranks)
    assert sum(fitted.report.levels.values()) == len(FILES)


def test_the_fit_is_the_richest_state_along_the_chain() -> None:
    calls: list[int] = []
    # Limit 490: skeletons of f4, f3, f2 (f5 has none) give 440; one fewer gives 510.
    levels = {f.path: f.level for f in _fit(500, calls).report.files}
    assert levels == {"f0.py": "full", "f1.py": "full", "f2.py": "skeleton",
                      "f3.py": "skeleton", "f4.py": "skeleton", "f5.py": "full"}
    assert len(calls) >= 3  # the first render, at least one batch, one step back checked
    # Limit 290: every skeleton and f5 omitted (282); keeping f5 would cost 370.
    levels = {f.path: f.level for f in _fit(300, []).report.files}
    assert levels["f5.py"] == "omitted" and levels["f1.py"] == "skeleton"


def test_no_fit_when_it_already_fits() -> None:
    calls: list[int] = []
    fitted = _fit(10_000, calls)
    assert len(calls) == 1 and fitted.report.reduced == ()


def test_focus_alone_too_big_raises_with_the_shortfall() -> None:
    with pytest.raises(BudgetError) as err:
        _fit(200, [], focus=("f0.py", "f1.py"))
    # Least reached: header 50 + focus 200 + four files omitted at 12 each = 298 tokens, for a
    # limit of 190.
    assert err.value.needed == 298 and err.value.shortfall == 108
    assert "108 over" in str(err.value)
