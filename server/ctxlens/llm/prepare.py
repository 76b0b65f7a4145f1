"""Everything before sending, as `ctxlens ask|diagram` and the language server both do it:
model, endpoint, stable limit and budget, the pack split to fit, the job and its preflight.

    prepared = prepare_request(root, task, config=config, plan=plan)
    prepared.preflight                  what would be sent, and whether it may be
    run_job(prepared.job, ...)          sending is the caller's, after confirmation

Nothing is sent here. Errors of the inputs (unknown model, endpoint, configuration,
workspace) propagate as their own types; a limit that leaves no room for a part, or a pack
that cannot be split into parts that fit, is a `RequestError`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ctxlens.config import Config
    from ctxlens.context.pipeline import Pack
    from ctxlens.context.plan import ContextPlan
    from ctxlens.llm.ask import Job, Task
    from ctxlens.llm.endpoint import Endpoint
    from ctxlens.llm.mapreduce import Budget
    from ctxlens.llm.options import LLMOptions
    from ctxlens.llm.preflight import Preflight, StableInfo
    from ctxlens.tokens import ModelInfo


class RequestError(ValueError):
    """The request cannot be laid out: no room for a part, or a pack that cannot split."""


class NoRoomError(RequestError):
    """The stable limit, less the prompt and the answer's reserve, leaves no room for a
    part; smaller answer or summary reserves would make room."""


@dataclass(frozen=True, slots=True)
class Prepared:
    job: Job
    preflight: Preflight
    pack: Pack
    model: ModelInfo
    endpoint: Endpoint
    options: LLMOptions  # `config.llm`, as the request uses it
    stable: StableInfo
    budget: Budget
    part_limit: int  # tokens of pack text per part (the plan's reserve not included)


def prepare_request(root: Path, task: Task, *, config: Config, plan: ContextPlan,
                    model: str | None = None, base_url: str | None = None,
                    part_limit: int | None = None, fmt: str = "md", jobs: int | None = None,
                    exclude: Collection[str] = (), allow_secrets: bool = False,
                    probe: bool = True,
                    announce: Callable[[str], None] | None = None) -> Prepared:
    """Pack `root` for `task` and judge the request, sending nothing.

    The model is `model`, else `[llm] model`, else the plan's, else the configuration's;
    the endpoint is `base_url`, else the environment's, else `[llm] base_url`. `probe`:
    compute the stable limit with the stability probe when it is not cached (loads
    torch). `part_limit` overrides the largest part that lets each request fit the
    stable limit. `announce` hears about long steps (the probe, packing) before they run.
    """
    from ctxlens.context.pipeline import build_pack
    from ctxlens.context.split import SplitError
    from ctxlens.llm.ask import check_job, make_job, request_limit
    from ctxlens.llm.ask import part_limit as fitting_part
    from ctxlens.llm.endpoint import resolve_endpoint
    from ctxlens.llm.mapreduce import Budget
    from ctxlens.llm.preflight import stable_info
    from ctxlens.tokens import load_registry

    opts = config.llm
    info = load_registry(config.models).get(model or opts.model or plan.model or config.model)
    endpoint = resolve_endpoint(opts, base_url)
    stable = stable_info(info, config, compute=probe, announce=announce)
    # No model writes more than its max_output, so reserving more would waste the window.
    budget = Budget(limit=request_limit(info, stable), window=info.context_window,
                    summary_tokens=min(opts.summary_tokens, info.max_output),
                    answer_tokens=min(opts.answer_tokens, info.max_output),
                    concurrency=opts.concurrency)
    limit = part_limit or fitting_part(task, info, budget)
    if limit <= 0:
        raise NoRoomError(
            f"a request may use {budget.limit:,} tokens ({stable.source}), which leaves no "
            f"room for a part after the prompt and the {budget.answer_tokens:,}-token answer "
            "reserve")
    if announce is not None:
        announce(f"packing {root} for {info.name} ({info.encoding})…")
    try:
        pack = build_pack(root, replace(plan, model=info.name), fmt=fmt, config=config,
                          jobs=jobs, exclude=exclude, part_limit=limit + plan.reserve)
    except SplitError as err:
        raise RequestError(f"cannot split the pack into parts of {limit:,} tokens: "
                           f"{err}") from err
    job = make_job(task, info, pack.text, [(p.text, p.paths) for p in pack.parts], budget)
    pre = check_job(job, stable=stable, secrets=pack.secrets, allow_secrets=allow_secrets,
                    endpoint=endpoint.base_url)
    return Prepared(job, pre, pack, info, endpoint, opts, stable, budget, limit)
