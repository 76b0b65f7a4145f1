"""Adding paths to and removing them from the context plan's selection.

The plan selects by folder, file or glob, and an empty selection means the whole
workspace. Adding to the whole workspace starts an explicit selection of just the added
paths (what "add to context" means to someone building a context by hand); removing from
it (or from a selected folder) replaces the folder by its other entries, level by level
down to the removed path, so the rest stays selected. Globs are kept as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ctxlens.context.plan import ContextPlan, matches

_GLOB_CHARS = set("*?[")


def _norm(path: str) -> str:
    return path.strip("/")


def add_paths(plan: ContextPlan, paths: Iterable[str]) -> ContextPlan:
    selection = list(plan.selection)
    for p in map(_norm, paths):
        if not p:
            return replace(plan, selection=())  # the root: everything
        if any(not (_GLOB_CHARS & set(s)) and matches(p, s) for s in selection):
            continue  # already inside a selected folder
        # A folder replaces the entries below it.
        selection = [s for s in selection if _GLOB_CHARS & set(s) or not matches(s, p)]
        selection.append(p)
    return replace(plan, selection=tuple(sorted(selection)))


def _children(prefix: str, files: Iterable[str]) -> set[str]:
    """The entries (files or folders) directly inside folder `prefix` ("" for the root)."""
    start = f"{prefix}/" if prefix else ""
    out = set()
    for f in files:
        if f.startswith(start):
            rest = f[len(start):]
            out.add(start + rest.split("/", 1)[0])
    return out


def _step(folder: str, target: str) -> str:
    """The entry of `folder` on the way down to `target`, which lies inside it."""
    rest = target[len(folder) + 1:] if folder else target
    head = rest.split("/", 1)[0]
    return f"{folder}/{head}" if folder else head


class PlanEditError(ValueError):
    """A change the plan cannot express."""


def remove_paths(plan: ContextPlan, paths: Iterable[str], files: Iterable[str]) -> ContextPlan:
    """`plan` without `paths`; `files` are the workspace's indexed files (to list what
    stays beside a removed path)."""
    known = sorted(set(files))
    selection = list(plan.selection) if plan.selection else [""]
    for p in map(_norm, paths):
        if not p:
            raise PlanEditError("the workspace root cannot be removed from the context")
        out = []
        for s in selection:
            if _GLOB_CHARS & set(s):
                out.append(s)
            elif s and matches(s, p):
                continue  # inside (or equal to) the removed path
            elif s == "" or matches(p, s):
                folder = s  # `p` lies inside this selected folder: keep its other entries
                while folder != p:
                    step = _step(folder, p)
                    out.extend(c for c in _children(folder, known) if c != step)
                    folder = step
            else:
                out.append(s)
        selection = out
    if not selection:
        # An empty selection means the whole workspace: the opposite of what was asked.
        raise PlanEditError("removing the last selected path would leave nothing in the "
                            "context; add another path first")
    return replace(plan, selection=tuple(sorted(set(selection))))
