"""The pack's figures for `ctxlens scan`: raw → deduplicated → fitted, with each saving.

Building the pack means reading every selected file again, scanning it for secrets,
rendering and counting the whole text: on the standard library (9.8 M tokens) that is about
half a minute on two cores, against a third of a second for a warm scan. So the scan asks for
these figures only while the tree is small (`MAX_TOKENS`) and otherwise says why they are
missing and how to get them (`ctxlens pack`). Every count is exact, in the scan's model's
encoding, for the context plan's selection.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ctxlens.config import Config
from ctxlens.context.pipeline import OverBudget, Pack, Savings, build_pack
from ctxlens.context.plan import load_plan

MAX_TOKENS = 300_000  # raw tokens above which the scan leaves the pack to `ctxlens pack`


@dataclass(frozen=True, slots=True)
class PackFigures:
    selection: tuple[str, ...]  # the plan's; () is the whole root
    files: int
    raw: int  # the selected files' own tokens
    deduplicated: int  # exact count of the rendered pack, every collapse, no budget
    fitted: int | None  # exact count after fitting to the plan's budget; None: cannot fit
    budget: int | None
    reserve: int
    savings: Savings
    note: str  # what the figures are, or why fitted is missing
    seconds: float


def pack_figures(root: Path, config: Config, model: str, raw_tokens: int,
                 jobs: int | None = None) -> PackFigures | str:
    """The figures of the workspace's pack as its plan says, for `model` — or, when the tree
    has more than `MAX_TOKENS` raw tokens, a sentence saying why they were not computed."""
    if raw_tokens > MAX_TOKENS:
        return (f"pack figures skipped: {raw_tokens:,} raw tokens is above the "
                f"{MAX_TOKENS:,} up to which scan renders the pack; `ctxlens pack` renders it "
                "and counts it exactly")
    plan = replace(load_plan(root), model=model)
    budget, note = plan.budget, "the rendered pack, counted exactly"
    try:
        pack = build_pack(root, plan, config=config, jobs=jobs)
    except OverBudget as err:
        # The deduplicated figures still stand; only the fit failed.
        return _figures(err.unfitted, None, budget, f"cannot fit the plan's budget: {err}")
    return _figures(pack, pack.tokens if budget is not None else pack.tokens_deduplicated,
                    budget, note)


def _figures(pack: Pack, fitted: int | None, budget: int | None, note: str) -> PackFigures:
    return PackFigures(selection=pack.plan.selection, files=len(pack.files) + len(pack.omitted),
                       raw=pack.tokens_raw, deduplicated=pack.tokens_deduplicated,
                       fitted=fitted, budget=budget, reserve=pack.plan.reserve,
                       savings=pack.savings, note=note, seconds=pack.seconds)


def figures_json(fig: PackFigures | str) -> dict[str, Any]:
    """`tokens.pack` of `ctxlens scan --json`."""
    if isinstance(fig, str):
        return {"skipped": fig}
    return {"selection": list(fig.selection), "files": fig.files, "raw": fig.raw,
            "deduplicated": fig.deduplicated, "fitted": fig.fitted, "budget": fig.budget,
            "reserve": fig.reserve,
            "savings": {"clones": fig.savings.clones, "boilerplate": fig.savings.boilerplate,
                        "copies": fig.savings.copies},
            "note": fig.note, "seconds": round(fig.seconds, 3)}


def figures_line(fig: PackFigures | str, model: str, encoding: str) -> str:
    """One console line (two with the savings) for `ctxlens scan`."""
    if isinstance(fig, str):
        return fig
    what = ", ".join(fig.selection) if fig.selection else "whole root"
    if fig.fitted is None:
        fitted = f"fitted: {fig.note}"
    elif fig.budget is None:
        fitted = f"fitted {fig.fitted:,} (no budget in the plan)"
    else:
        fitted = f"fitted {fig.fitted:,} (budget {fig.budget:,}, reserve {fig.reserve:,})"
    sv = fig.savings
    return (f"Pack ({what}; {fig.files:,} files; {encoding}, {model}): raw {fig.raw:,} → "
            f"deduplicated {fig.deduplicated:,} → {fitted} tokens\n"
            f"  saved: clones {sv.clones:,}, repeated headers {sv.boilerplate:,}, whole-file "
            f"copies {sv.copies:,} tokens; rendered in {fig.seconds:.1f} s")
