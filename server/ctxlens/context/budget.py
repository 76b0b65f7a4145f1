"""The context plan's budget at a glance: raw → deduplicated → fitted tokens against the
model's limits, and a verdict with its reasons — what the editor's status bar shows.

Pure: a built pack and the stable limit (None until the probe has run) in, numbers out.
The verdict compares what would be sent — the fitted pack plus the plan's reserve for the
prompt and the answer — with, in order:
- the model's context window: past it, "over" (the request cannot be sent as is);
- the stability probe's stable limit and the registry's effective context: past either,
  "warn" (it can be sent, but attention is past what it handles reliably);
- otherwise "ok".
Every reason names its numbers, the encoding and what each number is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ctxlens.context.pipeline import Pack
from ctxlens.tokens import ModelInfo

OK, WARN, OVER = "ok", "warn", "over"


@dataclass(frozen=True, slots=True)
class Budget:
    model: str
    encoding: str
    selection: tuple[str, ...]  # the plan's selection; () is the whole workspace
    files: int  # selected files: shown plus omitted to fit
    raw: int  # the selected files' own tokens, summed
    # Exact count of the pack rendered with every collapse, no budget; None before a pack
    # exists (`raw_budget`).
    deduplicated: int | None
    fitted: int | None  # exact count of the pack after fitting (= deduplicated without a budget)
    reserve: int  # tokens the plan keeps for the prompt and the answer
    window: int
    effective_context: int | None
    stable_limit: int | None
    verdict: str  # "ok" | "warn" | "over"
    reasons: tuple[str, ...]  # each names the numbers and what they are


def _n(tokens: int) -> str:
    return f"{tokens:,}"


def budget_of(pack: Pack, stable_limit: int | None) -> Budget:
    """The budget of `pack` for its model; `stable_limit` from the probe, None when unknown."""
    model, encoding = pack.model, pack.encoding
    fitted, reserve = pack.tokens, pack.plan.reserve
    deduplicated = pack.tokens_deduplicated
    what = "fitted pack" if pack.fit is not None else "deduplicated pack"
    sent = fitted + reserve
    amount = (f"{what} {_n(fitted)} tokens" + (f" + reserve {_n(reserve)} = {_n(sent)}"
                                                 if reserve else "") + f" ({encoding})")
    effective = model.effective_context
    reasons: list[str] = []
    verdict = OK
    if sent > model.context_window:
        verdict = OVER
        reasons.append(f"{amount} exceeds the {_n(model.context_window)}-token context window "
                       f"of {model.name} by {_n(sent - model.context_window)}")
    if stable_limit is not None and sent > stable_limit:
        verdict = verdict if verdict == OVER else WARN
        reasons.append(f"{amount} exceeds the stable limit {_n(stable_limit)} "
                       f"({model.name} profile, stability probe)")
    if effective is not None and sent > effective.tokens:
        verdict = verdict if verdict == OVER else WARN
        reasons.append(f"{amount} exceeds the effective context {_n(effective.tokens)} of "
                       f"{model.name} ({effective.source})")
    if verdict == OK:
        limits = [f"the {_n(model.context_window)}-token window"]
        if stable_limit is not None:
            limits.append(f"the stable limit {_n(stable_limit)}")
        if effective is not None:
            limits.append(f"the effective context {_n(effective.tokens)}")
        reasons.append(f"{amount} is within " + ", ".join(limits) + f" of {model.name}"
                       + ("" if stable_limit is not None else
                          "; the stable limit is not known until the stability probe runs"))
    if deduplicated > fitted and pack.fit is not None:
        reasons.append(f"fitting to the budget of {_n(pack.fit.budget)} tokens reduced the "
                       f"deduplicated pack from {_n(deduplicated)} to {_n(fitted)} tokens "
                       f"({len(pack.fit.reduced)} files reduced)")
    return Budget(
        model=model.name, encoding=encoding, selection=pack.plan.selection,
        files=len(pack.files) + len(pack.omitted), raw=pack.tokens_raw,
        deduplicated=deduplicated, fitted=fitted, reserve=reserve,
        window=model.context_window,
        effective_context=effective.tokens if effective is not None else None,
        stable_limit=stable_limit, verdict=verdict, reasons=tuple(reasons))


def raw_budget(model: ModelInfo, selection: tuple[str, ...], files: int, raw: int,
               reserve: int, stable_limit: int | None) -> Budget:
    """What is known before a pack is built: the selected files' raw tokens, `deduplicated`
    and `fitted` None. Over when the raw selection does not fit the window (what the pack
    will save is not known yet), else ok."""
    verdict, reasons = OK, []
    if raw + reserve > model.context_window:
        verdict = OVER
        reasons.append(f"raw selection {_n(raw)} tokens ({model.encoding}) exceeds the "
                       f"{_n(model.context_window)}-token window of {model.name} "
                       "(before deduplication)")
    effective = model.effective_context
    return Budget(
        model=model.name, encoding=model.encoding, selection=selection, files=files, raw=raw,
        deduplicated=None, fitted=None, reserve=reserve, window=model.context_window,
        effective_context=effective.tokens if effective is not None else None,
        stable_limit=stable_limit, verdict=verdict, reasons=tuple(reasons))


def budget_json(b: Budget, *, indexing: bool = False) -> dict[str, Any]:
    """The `Budget` object of docs/protocol.md (`ctxlens/budget`, `ctxlens/budgetChanged`).

    `indexing`: the language server's own state (numbers are from what is indexed so far).
    """
    return {
        "model": b.model, "encoding": b.encoding, "selection": list(b.selection),
        "files": b.files, "raw": b.raw, "deduplicated": b.deduplicated, "fitted": b.fitted,
        "reserve": b.reserve, "window": b.window, "effectiveContext": b.effective_context,
        "stableLimit": b.stable_limit, "verdict": b.verdict, "reasons": list(b.reasons),
        "indexing": indexing,
    }
