"""`ctxlens.preflight`, `ctxlens.ask`, `ctxlens.diagram`: the LLM bridge's job behind
commands, as `ctxlens ask|diagram` runs it (prepare_request → run_job → write_diagram).

The pack is built on the heavy thread (it reads the index); the requests run on a thread of
their own, so a long map-reduce never holds up the budget or a re-index. Nothing is sent
without `yes: true`, and never past a refusing preflight; the API key is read from the
server's environment by the client library and appears in no answer, error or log.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.uris import from_fs_path, to_fs_path

from ctxlens.lsp.progress import Progress, ProgressRelay

if TYPE_CHECKING:
    from ctxlens.llm.ask import Task
    from ctxlens.llm.prepare import Prepared
    from ctxlens.lsp.server import CtxlensServer

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid, the work failed
_LLM = ThreadPoolExecutor(1, thread_name_prefix="ctxlens-llm")


def _failed(message: str, data: Any = None) -> JsonRpcException:
    return JsonRpcException(message=message, code=REQUEST_FAILED, data=data)


def _options(command: str, args: list[Any], allowed: dict[str, type]) -> dict[str, Any]:
    from ctxlens.lsp.commands import options

    return options(command, args, allowed)


async def _prepared(ls: CtxlensServer, task: Task, exclude: tuple[str, ...] = (),
                    allow_secrets: bool = False) -> Prepared:
    """Pack and judge the job on the heavy thread (it reads the index), sending nothing."""
    from ctxlens.llm.endpoint import EndpointError
    from ctxlens.llm.prepare import RequestError, prepare_request

    st = ls.state
    if st.root is None:
        raise JsonRpcInvalidParams(message="no workspace is open")
    # The server's configuration already holds the effective model (setting, else the
    # plan's, else .ctxlens.toml's): the plan's must not override it again.
    plan = replace(st.plan, model=st.config.model)
    try:
        return await asyncio.wrap_future(ls.heavy.submit(
            prepare_request, st.root, task, config=st.config, plan=plan, exclude=exclude,
            allow_secrets=allow_secrets, probe=st.settings.stability_probe))
    except (EndpointError, RequestError) as err:
        raise _failed(str(err)) from None


async def preflight(ls: CtxlensServer, args: list[Any]) -> dict[str, Any]:
    from ctxlens.llm.ask import Task

    opts = _options("ctxlens.preflight", args, {"question": str, "allowSecrets": bool})
    prepared = await _prepared(ls, Task("ask", opts.get("question") or ""),
                               allow_secrets=_flag("ctxlens.preflight", opts, "allowSecrets"))
    return prepared.preflight.to_json()


async def _send(ls: CtxlensServer, prepared: Prepared, yes: bool, title: str) -> Any:
    """Run the job on the LLM thread, with work-done progress; the Outcome."""
    from ctxlens.llm.ask import cached_outcome, run_job
    from ctxlens.llm.cache import AnswerCache
    from ctxlens.llm.client import ChatClient
    from ctxlens.llm.endpoint import EndpointError
    from ctxlens.llm.mapreduce import Event, MapReduceError
    from ctxlens.llm.retry import LLMError, RetryPolicy

    pre = prepared.preflight
    if pre.refused:
        raise _failed("refused by the preflight: nothing was sent", pre.to_json())
    relay = ProgressRelay(ls, title)

    def progress(p: Progress) -> None:
        ls.to_loop(relay.event, p)

    def run() -> Any:
        opts = prepared.options
        cache = AnswerCache.for_workspace(prepared.pack.root) if opts.cache else None
        try:
            hit = cached_outcome(prepared.job, cache, prepared.endpoint.base_url) \
                if cache is not None else None
            if hit is not None:
                return hit
            if not yes:
                raise JsonRpcInvalidParams(
                    message="not sent: show the preflight, then repeat with \"yes\": true",
                    data=pre.to_json())
            try:
                client = ChatClient(prepared.endpoint, prepared.model.name,
                                    prepared.model.encoding, timeout=opts.timeout)
            except EndpointError as err:
                raise _failed(str(err)) from None
            progress(Progress("begin", f"{len(pre.requests)} request(s) to "
                                       f"{pre.endpoint}", 0))

            def on_event(e: Event) -> None:
                pct = int(100 * e.done / e.total) if e.total else None
                progress(Progress("report", e.message, pct))

            try:
                return run_job(prepared.job, client.complete,
                               base_url=prepared.endpoint.base_url, cache=cache,
                               policy=RetryPolicy(max_retries=opts.max_retries),
                               on_event=on_event)
            except MapReduceError as err:
                raise _failed(f"the request failed: {err}",
                              {"failedParts": [f.to_json() for f in err.failed]}) from None
            except LLMError as err:
                raise _failed(f"the request failed: {err}") from None
            finally:
                client.close()
                progress(Progress("end", "done"))
        finally:
            if cache is not None:
                cache.close()

    return await asyncio.wrap_future(_LLM.submit(run))


def _flag(command: str, opts: dict[str, Any], key: str) -> bool:
    value = opts.get(key, False)
    if not isinstance(value, bool):
        raise JsonRpcInvalidParams(message=f"{command}: '{key}' must be true or false")
    return value


async def ask(ls: CtxlensServer, args: list[Any]) -> dict[str, Any]:
    from ctxlens.llm.ask import Task

    opts = _options("ctxlens.ask", args, {"question": str, "yes": bool, "allowSecrets": bool})
    question = (opts.get("question") or "").strip()
    if not question:
        raise JsonRpcInvalidParams(message="ctxlens.ask: expected [{\"question\": str, "
                                           "\"yes\": bool}] with a question")
    prepared = await _prepared(ls, Task("ask", question),
                               allow_secrets=_flag("ctxlens.ask", opts, "allowSecrets"))
    outcome = await _send(ls, prepared, _flag("ctxlens.ask", opts, "yes"), "ctxlens: asking")
    usage = outcome.usage
    return {**outcome.to_json(), "answer": outcome.text,
            "tokens": usage.prompt_tokens + usage.completion_tokens,
            "costUsd": round(outcome.cost_usd, 6), "model": prepared.model.name,
            "encoding": prepared.model.encoding, "complete": outcome.complete}


async def diagram(ls: CtxlensServer, args: list[Any]) -> dict[str, Any]:
    from ctxlens.llm.ask import diagram_task
    from ctxlens.llm.diagram import DiagramError, write_diagram

    opts = _options("ctxlens.diagram", args, {"output": str, "yes": bool,
                                              "allowSecrets": bool})
    st = ls.state
    if st.root is None:
        raise JsonRpcInvalidParams(message="no workspace is open")
    raw = opts.get("output")
    fs = to_fs_path(raw) if isinstance(raw, str) and raw.startswith("file:") else None
    if raw and fs is None:
        raise JsonRpcInvalidParams(message="ctxlens.diagram: 'output' must be a file:// URI")
    output = Path(fs).resolve() if fs else st.root / "architecture.md"
    inside = ls.path_of(str(from_fs_path(str(output))))
    yes = _flag("ctxlens.diagram", opts, "yes")
    prepared = await _prepared(ls, diagram_task(), (inside,) if inside else (),
                               _flag("ctxlens.diagram", opts, "allowSecrets"))
    outcome = await _send(ls, prepared, yes, "ctxlens: drawing")
    try:
        written = write_diagram(outcome, prepared.model, prepared.pack, output)
    except DiagramError as err:
        raise _failed(str(err)) from None
    return {"mermaid": written.diagram.mermaid, "uri": str(from_fs_path(str(output))),
            "problems": list(outcome.problems), "costUsd": round(outcome.cost_usd, 6),
            "model": prepared.model.name}
