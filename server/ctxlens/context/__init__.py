"""The context pack: a selection of a workspace, clones collapsed, rendered with exact counts.

`build_pack` (pipeline.py) tells the story; each step lives in its own module.
"""

from ctxlens.context.budget import Budget, budget_json, budget_of
from ctxlens.context.part_limit import default_part_limit
from ctxlens.context.pipeline import Pack, Savings, build_pack
from ctxlens.context.plan import (
    PLAN_FILE,
    ContextPlan,
    PlanError,
    load_plan,
    save_plan,
)
from ctxlens.context.split import PackPart, SplitError

__all__ = ["PLAN_FILE", "Budget", "ContextPlan", "Pack", "PackPart", "PlanError", "Savings",
           "SplitError", "budget_json", "budget_of", "build_pack", "default_part_limit",
           "load_plan", "save_plan"]
