"""`workspace/executeCommand`: thin calls into the engine. Each command checks its own
arguments and answers malformed ones with InvalidParams; slow work runs on the heavy
thread and the command awaits its result."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcInvalidParams
from pygls.uris import from_fs_path, to_fs_path

from ctxlens.context.plan import COLLAPSED, EXPANDED, ContextPlan, save_plan
from ctxlens.lsp import llm_commands
from ctxlens.lsp.actions import COLLAPSE, EXPAND, SHOW
from ctxlens.lsp.budget_keeper import BudgetJson
from ctxlens.lsp.custom import plain
from ctxlens.lsp.plan_edits import PlanEditError, add_paths, remove_paths

if TYPE_CHECKING:
    from ctxlens.lsp.server import CtxlensServer

ADD = "ctxlens.addToContext"
REMOVE = "ctxlens.removeFromContext"
EXPORT = "ctxlens.exportPack"
PREFLIGHT = "ctxlens.preflight"
ASK = "ctxlens.ask"
DIAGRAM = "ctxlens.diagram"

Handler = Callable[["CtxlensServer", list[Any]], Awaitable[Any] | Any]


def _invalid(command: str, message: str) -> JsonRpcInvalidParams:
    return JsonRpcInvalidParams(message=f"{command}: {message}")


def _class_id(ls: CtxlensServer, command: str, args: list[Any]) -> str:
    if len(args) != 1 or not isinstance(args[0], str) or not args[0]:
        raise _invalid(command, "expected [classId]")
    snap = ls.state.snap
    if snap is None or args[0] not in snap.classes:
        raise _invalid(command, f"unknown clone class {args[0]!r}")
    return args[0]


async def _await(future: Future[Any] | None) -> Any:
    return None if future is None else await asyncio.wrap_future(future)


async def _change_plan(ls: CtxlensServer, plan: ContextPlan, paths: set[str]) -> BudgetJson:
    """Save `plan`, re-publish what shows it, and answer with the budget after it."""
    st = ls.state
    assert st.root is not None
    if plan != st.plan:
        st.plan = plan
        save_plan(st.root, plan)
        ls.publish(paths)
    result = await _await(ls.schedule_budget())
    return result if result is not None else ls.current_budget()


def _member_paths(ls: CtxlensServer, class_id: str) -> set[str]:
    snap = ls.state.snap
    c = snap.classes.get(class_id) if snap else None
    return {m.path for m in c.members} if c else set()


async def collapse(ls: CtxlensServer, args: list[Any]) -> BudgetJson:
    cid = _class_id(ls, COLLAPSE, args)
    return await _change_plan(ls, ls.state.plan.with_override(cid, COLLAPSED),
                              _member_paths(ls, cid))


async def expand(ls: CtxlensServer, args: list[Any]) -> BudgetJson:
    cid = _class_id(ls, EXPAND, args)
    return await _change_plan(ls, ls.state.plan.with_override(cid, EXPANDED),
                              _member_paths(ls, cid))


def show_duplicates(ls: CtxlensServer, args: list[Any]) -> list[dict[str, Any]]:
    cid = _class_id(ls, SHOW, args)
    view = ls.view()
    assert view is not None
    out = []
    for m in view.snap.classes[cid].members:
        loc = view.location(m)
        out.append({"uri": loc.uri, "range": {
            "start": {"line": loc.range.start.line, "character": loc.range.start.character},
            "end": {"line": loc.range.end.line, "character": loc.range.end.character}}})
    return out


def _paths(ls: CtxlensServer, command: str, args: list[Any]) -> list[str]:
    if not args or not all(isinstance(a, str) for a in args):
        raise _invalid(command, "expected [uri, …] of files or folders in the workspace")
    root = ls.state.root
    out = []
    for uri in args:
        if ls.path_of(uri) is None and root is not None and to_fs_path(uri) is not None \
                and Path(str(to_fs_path(uri))).resolve() == root:
            out.append("")  # the workspace root itself
            continue
        out.append(ls.require_path(uri))
    return out


async def add_to_context(ls: CtxlensServer, args: list[Any]) -> BudgetJson:
    paths = _paths(ls, ADD, args)
    return await _change_plan(ls, add_paths(ls.state.plan, paths), set())


async def remove_from_context(ls: CtxlensServer, args: list[Any]) -> BudgetJson:
    paths = _paths(ls, REMOVE, args)
    snap = ls.state.snap
    try:
        plan = remove_paths(ls.state.plan, paths, snap.records if snap else ())
    except PlanEditError as err:
        raise _invalid(REMOVE, str(err)) from None
    return await _change_plan(ls, plan, set())


def options(command: str, args: list[Any], allowed: Mapping[str, type | tuple[type, ...]]
             ) -> dict[str, Any]:
    if not args:
        return {}
    value = plain(args[0])
    if len(args) != 1 or not isinstance(value, dict):
        raise _invalid(command, f"expected [] or [{{{', '.join(allowed)}}}]")
    unknown = set(value) - set(allowed)
    if unknown:
        raise _invalid(command, f"unknown option(s) {', '.join(sorted(unknown))}")
    for key, kind in allowed.items():
        if key in value and value[key] is not None and (
                not isinstance(value[key], kind)
                or (isinstance(value[key], bool) and kind is not bool)):
            raise _invalid(command, f"'{key}' has the wrong type")
    return value


async def export_pack(ls: CtxlensServer, args: list[Any]) -> dict[str, Any]:
    from ctxlens.context.pipeline import build_pack
    from ctxlens.context.render import FORMATS

    opts = options(EXPORT, args, {"format": str, "output": str})
    fmt = opts.get("format") or "md"
    if fmt not in FORMATS:
        raise _invalid(EXPORT, f"format must be one of {', '.join(FORMATS)}")
    st = ls.state
    if st.root is None:
        raise _invalid(EXPORT, "no workspace is open")
    root = st.root
    if opts.get("output"):
        fs = to_fs_path(opts["output"]) if opts["output"].startswith("file:") else None
        if fs is None:
            raise _invalid(EXPORT, "'output' must be a file:// URI")
        output = Path(fs).resolve()
    else:
        output = root / ".ctxlens" / f"pack.{fmt}"
    inside = ls.path_of(str(from_fs_path(str(output))))
    plan = st.plan
    config = st.config

    def run() -> dict[str, Any]:
        pack = build_pack(root, plan, fmt=fmt, config=config,
                          exclude={inside} if inside else ())
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(pack.text, "utf-8")
        return {"uri": str(from_fs_path(str(output))), "tokens": pack.tokens,
                "encoding": pack.encoding, "model": pack.model.name, "parts": 1,
                "secrets": len(pack.secrets.findings)}

    return dict(await asyncio.wrap_future(ls.heavy.submit(run)))


COMMANDS: dict[str, Handler] = {
    PREFLIGHT: llm_commands.preflight,
    ASK: llm_commands.ask,
    DIAGRAM: llm_commands.diagram,
    COLLAPSE: collapse,
    EXPAND: expand,
    SHOW: show_duplicates,
    ADD: add_to_context,
    REMOVE: remove_from_context,
    EXPORT: export_pack,
}
