"""The context plan: what goes into a pack, for which model, and which clone classes stay open.

Saved as `.ctxlens/plan.json` in the workspace so the editor and the CLI share one plan.
Pure data plus path matching; no scanning, no tokens.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PLAN_FILE = ".ctxlens/plan.json"
PLAN_VERSION = 1
COLLAPSED = "collapsed"
EXPANDED = "expanded"
_STATES = (COLLAPSED, EXPANDED)
_GLOB_CHARS = set("*?[")


class PlanError(ValueError):
    """`plan.json` is unreadable or holds a value of the wrong kind."""


@dataclass(frozen=True, slots=True)
class ContextPlan:
    # Root-relative folders, files or globs ("/" separators). Empty: the whole root.
    selection: tuple[str, ...] = ()
    focus: tuple[str, ...] = ()  # globs of files that must stay in full
    model: str | None = None  # None: `.ctxlens.toml`'s model, else the registry's default
    reserve: int = 0  # tokens kept free for the prompt and the answer
    # Tokens the whole pack (reserve included) must fit; None: no fitting. `build_pack`
    # uses it when its caller passes no budget.
    budget: int | None = None
    # Clone class id -> "collapsed" | "expanded". Classes not named are collapsed.
    overrides: Mapping[str, str] = field(default_factory=dict)

    def with_override(self, class_id: str, state: str) -> ContextPlan:
        if state not in _STATES:
            raise PlanError(f"class state must be one of {', '.join(_STATES)}, got {state!r}")
        return replace(self, overrides={**self.overrides, class_id: state})

    def is_expanded(self, class_id: str) -> bool:
        return self.overrides.get(class_id, COLLAPSED) == EXPANDED


def _normalise(pattern: str) -> str:
    pattern = pattern.replace("\\", "/").strip()
    while pattern.startswith("./"):
        pattern = pattern[2:]
    return pattern.rstrip("/")


def matches(path: str, pattern: str) -> bool:
    """Whether root-relative `path` is `pattern`: the root, a folder above it, the file, or a glob.

    Globs follow fnmatch (a `*` crosses folders), so `src/*.py` also takes `src/a/b.py`.
    """
    pattern = _normalise(pattern)
    if pattern in ("", "."):
        return True
    if _GLOB_CHARS & set(pattern):
        return fnmatch.fnmatchcase(path, pattern)
    return path == pattern or path.startswith(pattern + "/")


def selects(plan: ContextPlan, path: str) -> bool:
    return not plan.selection or any(matches(path, p) for p in plan.selection)


def is_focus(plan: ContextPlan, path: str) -> bool:
    return any(matches(path, p) for p in plan.focus)


def plan_to_dict(plan: ContextPlan) -> dict[str, Any]:
    return {
        "version": PLAN_VERSION,
        "selection": list(plan.selection),
        "focus": list(plan.focus),
        "model": plan.model,
        "reserve": plan.reserve,
        "budget": plan.budget,
        # Sorted so that saving the same plan twice writes the same bytes (diff-friendly).
        "overrides": dict(sorted(plan.overrides.items())),
    }


def _strings(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise PlanError(f"plan: '{key}' must be a list of strings")
    return tuple(value)


def plan_from_dict(data: Any) -> ContextPlan:
    if not isinstance(data, dict):
        raise PlanError("plan: expected a JSON object")
    version = data.get("version", PLAN_VERSION)
    if version != PLAN_VERSION:
        raise PlanError(f"plan: unsupported version {version!r} (this ctxlens reads "
                        f"{PLAN_VERSION})")
    model = data.get("model")
    if model is not None and not isinstance(model, str):
        raise PlanError("plan: 'model' must be a string or null")
    reserve = data.get("reserve", 0)
    if not isinstance(reserve, int) or isinstance(reserve, bool) or reserve < 0:
        raise PlanError("plan: 'reserve' must be a non-negative integer")
    budget = data.get("budget")
    if budget is not None and (not isinstance(budget, int) or isinstance(budget, bool)
                               or budget <= 0):
        raise PlanError("plan: 'budget' must be a positive integer or null")
    overrides = data.get("overrides", {})
    if not isinstance(overrides, dict) or not all(
            isinstance(k, str) and v in _STATES for k, v in overrides.items()):
        raise PlanError(f"plan: 'overrides' must map class ids to one of {', '.join(_STATES)}")
    return ContextPlan(selection=_strings(data, "selection"), focus=_strings(data, "focus"),
                       model=model, reserve=reserve, budget=budget,
                       overrides=dict(overrides))


def plan_path(root: Path) -> Path:
    return root / PLAN_FILE


def load_plan(root: Path) -> ContextPlan:
    """The plan saved in the workspace at `root`; the default plan when there is none."""
    path = plan_path(root)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return ContextPlan()
    except (OSError, UnicodeDecodeError) as err:
        raise PlanError(f"cannot read {path}: {err}") from err
    try:
        return plan_from_dict(json.loads(text))
    except json.JSONDecodeError as err:
        raise PlanError(f"{path}: {err}") from err


def save_plan(root: Path, plan: ContextPlan) -> Path:
    path = plan_path(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write then rename, so the editor never reads half a plan.
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(plan_to_dict(plan), indent=2) + "\n", "utf-8")
    tmp.replace(path)
    return path
