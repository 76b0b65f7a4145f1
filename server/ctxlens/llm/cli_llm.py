"""`ctxlens ask` and `ctxlens diagram`: pack, preflight, confirm, send, print.

    ctxlens ask PATH "question" [--model M] [--yes] [--allow-secrets] [--base-url URL] [--json]
    ctxlens diagram PATH [-o architecture.md] [same options]

The preflight goes to stderr (or into the `--json` document); the answer streams to stdout.
Nothing is sent before the preflight passes and the user says yes — on a terminal by
answering the prompt, otherwise with `--yes`.

Exit codes: 0 answered; 1 the endpoint or a request failed; 2 usage or configuration error;
3 refused by the preflight, or not confirmed; 4 answered, but incompletely (a part failed,
or the diagram failed its check even after a re-ask).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ctxlens.context.pipeline import Pack
    from ctxlens.llm.ask import Outcome, Task
    from ctxlens.llm.preflight import Preflight
    from ctxlens.llm.prepare import Prepared
    from ctxlens.tokens import ModelInfo

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_INCOMPLETE = 4
JSON_VERSION = 1


def _common(parser: argparse.ArgumentParser) -> None:
    from ctxlens.cli_args import positive_float, positive_int
    from ctxlens.context.render import FORMATS

    parser.add_argument("--model", help="model to ask (default: [llm] model, the plan's, "
                                        ".ctxlens.toml's, then gpt-4.1); must be in the "
                                        "registry, which gives its tokenizer, window and prices")
    parser.add_argument("--yes", "-y", action="store_true",
                        help="send without asking (needed when not on a terminal)")
    parser.add_argument("--allow-secrets", action="store_true",
                        help="send even though secrets were found (they are redacted)")
    parser.add_argument("--base-url", metavar="URL",
                        help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL, "
                             "[llm] base_url, then OpenAI)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON document: preflight, answer, usage, failures")
    parser.add_argument("--no-cache", action="store_true",
                        help="neither read nor write .ctxlens/llm-cache.db")
    parser.add_argument("--format", choices=FORMATS, default="md", help="pack format (md)")
    parser.add_argument("--concurrency", type=positive_int, metavar="N",
                        help="map requests in flight at once (default 4)")
    parser.add_argument("--answer-tokens", type=positive_int, metavar="N",
                        help="reserved for, and cap on, the answer (default 4096)")
    parser.add_argument("--summary-tokens", type=positive_int, metavar="N",
                        help="reserved for, and cap on, each part's summary (default 2048)")
    parser.add_argument("--part-limit", type=positive_int, metavar="N",
                        help="largest part (tokens of pack text); default: what lets each "
                             "request fit the stable limit")
    parser.add_argument("--timeout", type=positive_float, metavar="S",
                        help="seconds per request (default 600)")
    parser.add_argument("--retries", type=int, metavar="N",
                        help="retries of a request on 429, 5xx and timeouts (default 4)")
    parser.add_argument("--retry-delay", type=positive_float, default=1.0, metavar="S",
                        help="first backoff in seconds, doubling per retry (default 1); a "
                             "server's Retry-After wins")
    parser.add_argument("--jobs", "-j", type=int, help="worker processes for indexing")


def add_llm_parsers(subparsers: Any) -> None:
    """Add `ask` and `diagram` to an argparse subparsers object."""
    ask = subparsers.add_parser(
        "ask", help="ask an LLM about a workspace (preflight first; map-reduce beyond the "
                    "stable limit)",
        description="Pack the workspace, check the request (window, stable limit, secrets, "
                    "cost), ask for confirmation, then send it whole or map-reduce it over "
                    "the pack's parts. The answer streams to stdout.")
    ask.add_argument("path", type=Path, help="the workspace folder")
    ask.add_argument("question", help="what to ask about the code")
    _common(ask)
    ask.set_defaults(handler=run_ask)
    diagram = subparsers.add_parser(
        "diagram", help="draw the workspace's architecture as a Mermaid flowchart",
        description="Ask an LLM for a Mermaid flowchart of the workspace's components and "
                    "their dependencies (through the same preflight and map-reduce as ask), "
                    "check its syntax, re-ask once if broken, and write it to Markdown.")
    diagram.add_argument("path", type=Path, help="the workspace folder")
    diagram.add_argument("-o", "--output", type=Path, default=Path("architecture.md"),
                         metavar="FILE", help="Markdown file to write (default: "
                                              "architecture.md in the current folder)")
    _common(diagram)
    diagram.set_defaults(handler=run_diagram)


def _err(message: str) -> None:
    print(f"ctxlens: {message}", file=sys.stderr, flush=True)


def run_ask(args: argparse.Namespace) -> int:
    from ctxlens.llm.ask import Task

    return _run(args, Task("ask", args.question))


def run_diagram(args: argparse.Namespace) -> int:
    from ctxlens.llm.ask import diagram_task

    return _run(args, diagram_task(), output=args.output)


def _run(args: argparse.Namespace, task: Task, output: Path | None = None) -> int:
    from ctxlens.config import ConfigError, load_config
    from ctxlens.context.plan import PlanError, load_plan
    from ctxlens.llm.endpoint import EndpointError
    from ctxlens.llm.prepare import NoRoomError, RequestError, prepare_request
    from ctxlens.tokens import EncodingError, RegistryError, UnknownModelError
    from ctxlens.workspace import WorkspaceError

    root: Path = args.path
    if not root.is_dir():
        _err(f"{root} is not a folder")
        return EXIT_USAGE
    root = root.resolve()
    exclude: tuple[str, ...] = ()
    if output is not None:
        out = output.resolve()
        if out.is_relative_to(root):
            exclude = (out.relative_to(root).as_posix(),)
    try:
        if args.retries is not None and args.retries < 0:
            raise ConfigError("--retries must be at least 0")
        config = load_config(root)
        changes = {k: v for k, v in (("concurrency", args.concurrency),
                                     ("answer_tokens", args.answer_tokens),
                                     ("summary_tokens", args.summary_tokens),
                                     ("timeout", args.timeout), ("max_retries", args.retries))
                   if v is not None}
        config = replace(config, llm=replace(config.llm, **changes))
        prepared = prepare_request(
            root, task, config=config, plan=load_plan(root), model=args.model,
            base_url=args.base_url, part_limit=args.part_limit, fmt=args.format,
            jobs=args.jobs, exclude=exclude, allow_secrets=args.allow_secrets, announce=_err)
    except NoRoomError as err:
        _err(f"{err}; lower --answer-tokens or --summary-tokens")
        return EXIT_USAGE
    except (ConfigError, PlanError, UnknownModelError, RegistryError, EndpointError,
            RequestError, EncodingError, WorkspaceError) as err:
        _err(str(err))
        return EXIT_USAGE
    for warning in prepared.pack.warnings:
        _err(f"warning: {warning}")
    return _send(args, task, prepared, output)


def _send(args: argparse.Namespace, task: Task, prepared: Prepared,
          output: Path | None) -> int:
    from ctxlens.llm.ask import cached_outcome, run_job
    from ctxlens.llm.cache import AnswerCache
    from ctxlens.llm.client import ChatClient
    from ctxlens.llm.endpoint import EndpointError
    from ctxlens.llm.mapreduce import Event, MapReduceError
    from ctxlens.llm.retry import LLMError, RetryPolicy

    job, pre, pack, model = prepared.job, prepared.preflight, prepared.pack, prepared.model
    endpoint, opts = prepared.endpoint, prepared.options
    doc: dict[str, Any] = {"version": JSON_VERSION, "command": task.kind,
                           "root": str(pack.root), "preflight": pre.to_json(), "sent": False}
    for line in pre.lines():
        print(line, file=sys.stderr)
    if pre.refused:
        _err("refused by the preflight: nothing was sent")
        return _finish(args, doc, EXIT_REFUSED)
    cache = None if args.no_cache or not opts.cache else AnswerCache.for_workspace(pack.root)
    if cache is not None and cache.warning:
        _err(f"warning: {cache.warning}")
    try:
        hit = cached_outcome(job, cache, endpoint.base_url) if cache is not None else None
        if hit is not None:
            first = (f" (it cost ${hit.first_cost_usd:,.4f} when first asked)"
                     if hit.first_cost_usd is not None else "")
            _err(f"answer from the cache {cache.path if cache else ''}: nothing sent, "
                 f"$0{first}")
            return _deliver(args, doc, hit, model, pack, output, streamed=False)
        if not _confirmed(args, pre):
            return _finish(args, doc, EXIT_REFUSED)
        try:
            client = ChatClient(endpoint, model.name, model.encoding, timeout=opts.timeout)
        except EndpointError as err:
            _err(str(err))
            return _finish(args, doc, EXIT_USAGE)
        stream = task.kind == "ask" and not args.json

        def on_text(piece: str) -> None:
            sys.stdout.write(piece)
            sys.stdout.flush()

        def on_event(e: Event) -> None:
            step = f"[{e.done}/{e.total}] " if e.total and e.kind.startswith("map") else ""
            _err(f"{step}{e.message}")

        doc["sent"] = True
        try:
            outcome: Outcome = run_job(
                job, client.complete, base_url=endpoint.base_url, cache=cache,
                policy=RetryPolicy(max_retries=opts.max_retries, base_delay=args.retry_delay),
                on_event=on_event, on_text=on_text if stream else None)
        except MapReduceError as err:
            _err(f"the request failed: {err}")
            for f in err.failed:
                _err(f"  failed: {f.label}: {f.reason}")
            doc["error"] = str(err)
            doc["failedParts"] = [f.to_json() for f in err.failed]
            return _finish(args, doc, EXIT_ERROR)
        except LLMError as err:
            _err(f"the request failed: {err}")
            doc["error"] = str(err)
            return _finish(args, doc, EXIT_ERROR)
        finally:
            client.close()
        return _deliver(args, doc, outcome, model, pack, output, streamed=stream)
    finally:
        if cache is not None:
            cache.close()


def _confirmed(args: argparse.Namespace, pre: Preflight) -> bool:
    if args.yes:
        return True
    if not sys.stdin.isatty():
        _err("not sent: this run is not interactive; pass --yes to send without asking")
        return False
    warn = " despite the warnings above" if pre.verdict == "warn" else ""
    print(f"Send {len(pre.requests)} request(s) to {pre.endpoint} for at most "
          f"${pre.cost_usd:,.4f}{warn}? [y/N] ", end="", file=sys.stderr, flush=True)
    try:
        answer = input()
    except EOFError:
        answer = ""
    if answer.strip().lower() in ("y", "yes"):
        return True
    _err("not sent")
    return False


def _deliver(args: argparse.Namespace, doc: dict[str, Any], outcome: Outcome,
             model: ModelInfo, pack: Pack, output: Path | None, *, streamed: bool) -> int:
    code = EXIT_OK if outcome.complete else EXIT_INCOMPLETE
    doc["outcome"] = outcome.to_json()
    if output is not None:
        written = _write_diagram(outcome, model, pack, output)
        if written is None:
            return _finish(args, doc, EXIT_ERROR)
        doc["output"] = str(output)
    elif not args.json:
        if streamed:
            if not outcome.text.endswith("\n"):
                sys.stdout.write("\n")
        else:
            sys.stdout.write(outcome.text if outcome.text.endswith("\n")
                             else outcome.text + "\n")
        sys.stdout.flush()
    usage = outcome.usage
    if not outcome.cached:
        source = ("the API's usage fields" if not usage.counted_here else
                  f"the API's usage fields; {usage.counted_here} request(s) without them "
                  f"counted here in {model.encoding}")
        _err(f"used {usage.prompt_tokens:,} prompt + {usage.completion_tokens:,} completion "
             f"tokens in {usage.requests} request(s) ({source}; {model.name}) = "
             f"${outcome.cost_usd:,.4f} at registry prices")
        if outcome.mode == "map-reduce":
            _err(f"map-reduce over {outcome.parts} parts, {outcome.rounds} merge round(s), "
                 f"{outcome.summaries_cached} summaries reused from the cache")
    for f in outcome.failed:
        _err(f"failed: {f.label}: {f.reason}")
    if outcome.failed:
        _err(f"the answer is incomplete: {len(outcome.failed)} of {outcome.parts} parts "
             "failed (run again to retry only those)")
    for p in outcome.problems:
        _err(f"still invalid after a re-ask: {p}")
    return _finish(args, doc, code)


def _write_diagram(outcome: Outcome, model: ModelInfo, pack: Pack,
                   output: Path) -> Path | None:
    from ctxlens.llm.diagram import DiagramError, write_diagram

    try:
        written = write_diagram(outcome, model, pack, output)
    except DiagramError as err:
        _err(str(err))
        return None
    state = "checked valid" if not written.problems else "INVALID after a re-ask"
    _err(f"wrote {output} (Mermaid flowchart, {written.lines} lines, {state})")
    return output


def _finish(args: argparse.Namespace, doc: dict[str, Any], code: int) -> int:
    doc["exitCode"] = code
    if args.json:
        print(json.dumps(doc, indent=2))
    return code


def main(argv: Sequence[str] | None = None) -> int:
    """`ctxlens ask|diagram` as a program of its own (`python -m ctxlens.llm.cli_llm`)."""
    parser = argparse.ArgumentParser(prog="ctxlens")
    add_llm_parsers(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.handler(args)
    return code


if __name__ == "__main__":
    sys.exit(main())
