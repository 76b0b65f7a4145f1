"""The context plan's budget, recomputed in the background and announced when it changes.

A budget needs the rendered pack (its count is exact only for the rendered text), so it
runs on the heavy thread that also owns the index database. Requests for a new budget
coalesce: while one waits to start, later requests share it, and it reads the plan and
settings when it starts, so it answers for the newest of them.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxlens.config import Config
from ctxlens.context.plan import ContextPlan, selects
from ctxlens.lsp.snapshot import Snapshot

log = logging.getLogger(__name__)

BudgetJson = dict[str, Any]


@dataclass(frozen=True, slots=True)
class BudgetInputs:
    root: Path
    config: Config
    plan: ContextPlan
    stable_limit: int | None


def compute_budget(inputs: BudgetInputs) -> BudgetJson:
    """The plan's Budget (docs/protocol.md): build the pack as `ctxlens pack` would."""
    from ctxlens.context.budget import OVER, budget_json, budget_of
    from ctxlens.context.pipeline import OverBudget, build_pack

    try:
        pack = build_pack(inputs.root, inputs.plan, config=inputs.config)
    except OverBudget as err:
        # The plan's budget cannot be met: show the pack without it, and say why it is over.
        doc = budget_json(budget_of(err.unfitted, inputs.stable_limit))
        return {**doc, "verdict": OVER, "reasons": [str(err), *doc["reasons"]]}
    return budget_json(budget_of(pack, inputs.stable_limit))


def provisional_budget(snap: Snapshot, plan: ContextPlan, stable_limit: int | None,
                       reserve: int) -> BudgetJson:
    """What is known before the first pack is built: the selected files' raw tokens.
    `deduplicated` and `fitted` stay null until the pack exists."""
    from ctxlens.context.budget import budget_json, raw_budget

    selected = [r for r in snap.records.values() if selects(plan, r.path)]
    return budget_json(raw_budget(snap.model, plan.selection, len(selected),
                                  sum(r.tokens for r in selected), reserve, stable_limit),
                       indexing=True)


class BudgetKeeper:
    """The last budget, and the next one on its way."""

    def __init__(self, heavy: ThreadPoolExecutor, inputs: Callable[[], BudgetInputs | None],
                 on_change: Callable[[BudgetJson], None],
                 on_error: Callable[[str], None] = lambda message: None,
                 compute: Callable[[BudgetInputs], BudgetJson] = compute_budget) -> None:
        self._heavy = heavy
        self._inputs = inputs
        self._on_change = on_change
        self._on_error = on_error
        self._compute = compute
        self._lock = threading.Lock()
        self._queued: Future[BudgetJson | None] | None = None
        self.last: BudgetJson | None = None
        self.error: str | None = None

    def schedule(self) -> Future[BudgetJson | None]:
        with self._lock:
            if self._queued is not None:
                return self._queued
            future: Future[BudgetJson | None] = Future()
            self._queued = future
        self._heavy.submit(self._run, future)
        return future

    def _run(self, future: Future[BudgetJson | None]) -> None:
        with self._lock:
            self._queued = None  # from now on a new request needs a new run
        if not future.set_running_or_notify_cancel():
            return
        try:
            inputs = self._inputs()
            result = None if inputs is None else self._compute(inputs)
        except Exception as err:
            log.exception("the budget failed")
            self.error = str(err)
            self._on_error(f"the context budget could not be computed: {err}")
            future.set_exception(err)
            return
        self.error = None
        if result is not None and result != self.last:
            self.last = result
            self._on_change(result)
        future.set_result(result if result is not None else self.last)
