"""`ctxlens.preflight`, `ctxlens.ask`, `ctxlens.diagram`: the LLM bridge's job behind
commands, as `ctxlens ask|diagram` runs it (make_job → check_job → run_job).

The pack is built on the heavy thread (it reads the index); the requests run on a thread of
their own, so a long map-reduce never holds up the budget or a re-index. Nothing is sent
without `yes: true`, and never past a refusing preflight; the API key is read from the
server's environment by the client library and appears in no answer, error or log.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.uris import from_fs_path, to_fs_path

from ctxlens.lsp.progress import Progress, ProgressRelay

if TYPE_CHECKING:
    from ctxlens.config import Config
    from ctxlens.context.pipeline import Pack
    from ctxlens.context.plan import ContextPlan
    from ctxlens.llm.ask import Job, Task
    from ctxlens.llm.endpoint import Endpoint
    from ctxlens.llm.options import LLMOptions
    from ctxlens.llm.preflight import Preflight
    from ctxlens.lsp.server import CtxlensServer
    from ctxlens.tokens import ModelInfo

REQUEST_FAILED = -32803  # LSP's RequestFailed: the request was valid, the work failed
_LLM = ThreadPoolExecutor(1, thread_name_prefix="ctxlens-llm")


@dataclass(frozen=True, slots=True)
class Prepared:
    job: Job
    preflight: Preflight
    pack: Pack
    model: ModelInfo
    endpoint: Endpoint
    options: LLMOptions


def _failed(message: str, data: Any = None) -> JsonRpcException:
    return JsonRpcException(message=message, code=REQUEST_FAILED, data=data)


def prepare(root: Path, config: Config, plan: ContextPlan, task: Task,
            exclude: tuple[str, ...] = (), probe: bool = True,
            allow_secrets: bool = False) -> Prepared:
    """Pack and judge a job, sending nothing (runs on the heavy thread). `probe`: compute
    the stable limit with the stability probe when it is not cached (loads torch)."""
    from ctxlens.context.pipeline import build_pack
    from ctxlens.context.split import SplitError
    from ctxlens.llm.ask import check_job, make_job, part_limit, request_limit
    from ctxlens.llm.endpoint import EndpointError, resolve_endpoint
    from ctxlens.llm.mapreduce import Budget
    from ctxlens.llm.preflight import stable_info
    from ctxlens.tokens import load_registry

    opts = config.llm
    model = load_registry(config.models).get(opts.model or config.model)
    try:
        endpoint = resolve_endpoint(opts)
    except EndpointError as err:
        raise _failed(str(err)) from None
    stable = stable_info(model, config, compute=probe)
    budget = Budget(limit=request_limit(model, stable), window=model.context_window,
                    summary_tokens=min(opts.summary_tokens, model.max_output),
                    answer_tokens=min(opts.answer_tokens, model.max_output),
                    concurrency=opts.concurrency)
    limit = part_limit(task, model, budget)
    if limit <= 0:
        raise _failed(f"a request may use {budget.limit:,} tokens ({stable.source}), which "
                      f"leaves no room for a part after the prompt and the "
                      f"{budget.answer_tokens:,}-token answer reserve")
    try:
        pack = build_pack(root, replace(plan, model=model.name), config=config,
                          exclude=exclude, part_limit=limit + plan.reserve)
    except SplitError as err:
        raise _failed(f"cannot split the pack into parts of {limit:,} tokens: {err}") from None
    job = make_job(task, model, pack.text, [(p.text, p.paths) for p in pack.parts], budget)
    pre = check_job(job, stable=stable, secrets=pack.secrets, allow_secrets=allow_secrets,
                    endpoint=endpoint.base_url)
    return Prepared(job, pre, pack, model, endpoint, opts)


def _options(command: str, args: list[Any], allowed: dict[str, type]) -> dict[str, Any]:
    from ctxlens.lsp.commands import options

    return options(command, args, allowed)


async def _prepared(ls: CtxlensServer, task: Task, exclude: tuple[str, ...] = (),
                    allow_secrets: bool = False) -> Prepared:
    st = ls.state
    if st.root is None:
        raise JsonRpcInvalidParams(message="no workspace is open")
    root, config, plan = st.root, st.config, st.plan
    return await asyncio.wrap_future(ls.heavy.submit(prepare, root, config, plan, task,
                                                     exclude, st.settings.stability_probe,
                                                     allow_secrets))


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
    from ctxlens.llm import diagram as mermaid
    from ctxlens.llm.ask import diagram_task

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
    found = mermaid.extract(outcome.text)
    if found is None:
        raise _failed("the answer holds no Mermaid diagram; nothing written")
    pack = prepared.pack
    about = (f"Drawn by {prepared.model.name} from a ctxlens pack of {pack.root.name} "
             f"({len(pack.files)} files, {pack.tokens:,} tokens in {pack.encoding}"
             + (f", in {len(pack.parts)} parts" if pack.parts else "")
             + "). Checked for Mermaid flowchart syntax by ctxlens.")
    text = mermaid.to_markdown(found, title=pack.root.name, about=about,
                               issues=list(outcome.problems))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, "utf-8")
    except OSError as err:
        raise _failed(f"cannot write {output}: {err.strerror or err}") from None
    return {"mermaid": found.mermaid, "uri": str(from_fs_path(str(output))),
            "problems": list(outcome.problems), "costUsd": round(outcome.cost_usd, 6),
            "model": prepared.model.name}
