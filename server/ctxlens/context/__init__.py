"""The context pack: a selection of a workspace, clones collapsed, rendered with exact counts.

`build_pack` (pipeline.py) tells the story; each step lives in its own module.
"""

from ctxlens.context.pipeline import Pack, build_pack
from ctxlens.context.plan import (
    PLAN_FILE,
    ContextPlan,
    PlanError,
    load_plan,
    save_plan,
)

__all__ = ["PLAN_FILE", "ContextPlan", "Pack", "PlanError", "build_pack", "load_plan",
           "save_plan"]
