"""`ctxlens pack`: a thin shell over `build_pack` — parse flags, build, write, print."""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ctxlens.cli_args import positive_int
from ctxlens.context.render import FORMATS

if TYPE_CHECKING:
    from ctxlens.context.pipeline import Pack

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_BUDGET = 3  # cannot fit --budget even with every non-focus file omitted, or cannot split
JSON_VERSION = 1


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", type=Path, help="the workspace folder to pack")
    parser.add_argument("--model", help="model whose tokenizer counts (default: the plan's, "
                                        "then .ctxlens.toml's, then gpt-4.1)")
    parser.add_argument("--format", choices=FORMATS, default="md", help="pack format (md)")
    parser.add_argument("-o", "--output", type=Path, metavar="FILE|DIR",
                        help="write the pack to FILE (default: stdout); with --split, the "
                             "parts and index.json into the folder DIR")
    parser.add_argument("--json", action="store_true",
                        help="print a JSON report (with the pack's text unless -o is given)")
    parser.add_argument("--focus", nargs="+", default=[], metavar="GLOB",
                        help="files kept whole, on top of the plan's focus")
    parser.add_argument("--expand", nargs="+", default=[], metavar="CLASS_ID",
                        help="clone classes rendered in full, on top of the plan's overrides")
    parser.add_argument("--budget", type=positive_int, metavar="N",
                        help="fit the whole pack, plan reserve included, in N tokens: "
                             "least central files go to skeleton, then are omitted; focus "
                             "files stay whole (exit 3 when even that does not fit)")
    parser.add_argument("--split", action="store_true",
                        help="when the pack does not fit the part limit, write it as "
                             "self-contained parts part-001.md, … and index.json into -o DIR")
    parser.add_argument("--part-limit", type=positive_int, metavar="N",
                        help="with --split: most tokens per part, plan reserve included "
                             "(default: the model's stable limit when the probe has cached "
                             "one, else its effective context, else a quarter of its window)")
    parser.add_argument("--jobs", "-j", type=int, help="worker processes for indexing")


def add_pack_parser(subparsers: Any) -> None:
    """Add the `pack` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "pack", help="pack a workspace for an LLM: clones collapsed, exact token count",
        description="Render the selection of the workspace's context plan (.ctxlens/plan.json) "
                    "as Markdown or XML, each clone class once, with its exact token count.")
    _add_arguments(parser)
    parser.set_defaults(handler=run_pack)


def _fail(message: str, code: int = EXIT_USAGE) -> int:
    print(f"ctxlens: {message}", file=sys.stderr)
    return code


def run_pack(args: argparse.Namespace) -> int:
    """Run `ctxlens pack` for parsed `args`; prints to stdout and returns the exit code."""
    from ctxlens.config import ConfigError, load_config
    from ctxlens.context.fit import BudgetError
    from ctxlens.context.part_limit import default_part_limit
    from ctxlens.context.pipeline import build_pack
    from ctxlens.context.plan import EXPANDED, PlanError, load_plan
    from ctxlens.context.split import SplitError
    from ctxlens.tokens import EncodingError, RegistryError, UnknownModelError, load_registry
    from ctxlens.workspace import WorkspaceError

    root: Path = args.path
    if not root.is_dir():
        return _fail(f"{root} is not a folder")
    if args.part_limit is not None and not args.split:
        return _fail("--part-limit needs --split")
    if args.split and args.output is None:
        return _fail("--split needs -o DIR, the folder that receives the parts")
    if args.split and args.output.exists() and not args.output.is_dir():
        return _fail(f"--split writes parts into a folder; {args.output} is a file")
    root = root.resolve()
    limit_source = "--part-limit"
    try:
        config = load_config(root)
        plan = load_plan(root)
        plan = replace(plan, model=args.model or plan.model,
                       focus=(*plan.focus, *args.focus),
                       overrides={**plan.overrides, **dict.fromkeys(args.expand, EXPANDED)})
        part_limit = args.part_limit
        if args.split and part_limit is None:
            model = load_registry(config.models).get(plan.model or config.model)
            part_limit, limit_source = default_part_limit(model, config)
        exclude: tuple[str, ...] = ()
        if args.output is not None:
            out = args.output.resolve()
            if out.is_relative_to(root):
                exclude = (out.relative_to(root).as_posix(),)
        pack = build_pack(root, plan, fmt=args.format, config=config, jobs=args.jobs,
                          exclude=exclude, budget=args.budget, part_limit=part_limit)
    except BudgetError as err:
        return _fail(str(err), EXIT_BUDGET)
    except SplitError as err:
        return _fail(f"cannot split the pack into parts of at most {part_limit} tokens "
                     f"({limit_source}): {err}", EXIT_BUDGET)
    except (ConfigError, PlanError, UnknownModelError, RegistryError, EncodingError,
            WorkspaceError) as err:
        return _fail(str(err))
    written: list[tuple[Path, int, tuple[str, ...]]] = []
    try:
        if args.split:
            written = write_parts(pack, args.output, limit_source)
        elif args.output is not None:
            args.output.parent.mkdir(parents=True, exist_ok=True)
            args.output.write_text(pack.text, "utf-8", newline="")
    except OSError as err:
        return _fail(f"cannot write {args.output}: {err}", EXIT_ERROR)
    for warning in pack.warnings:
        print(f"ctxlens: warning: {warning}", file=sys.stderr)
    for line in pack.secrets.lines():
        print(f"ctxlens: redacted a secret: {line} (the pack needs an explicit override to "
              "be sent)", file=sys.stderr)
    if args.json:
        doc = pack_json(pack, args.output)
        if args.split:
            doc["split"] = split_json(pack, written, limit_source)
        from ctxlens import json_out

        print(json_out.dumps(doc))
    elif args.output is None:
        sys.stdout.write(pack.text)
    else:
        print(summary(pack, args.output))
        if args.split:
            print(split_summary(pack, written, limit_source))
    return EXIT_OK


PART_NAME = re.compile(r"part-\d{3,}\.(?:md|xml)")
INDEX_FILE = "index.json"


def write_parts(pack: Pack, folder: Path, limit_source: str
                ) -> list[tuple[Path, int, tuple[str, ...]]]:
    """Write each part (or the whole pack as the only part, when it fits) and index.json.

    Parts an earlier run left in `folder` are removed first, but only when its index.json
    says it is ctxlens's output: a shorter split never leaves stale parts behind.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if (folder / INDEX_FILE).is_file():
        for old in folder.iterdir():
            if PART_NAME.fullmatch(old.name):
                old.unlink()
    parts = [(p.text, p.tokens, p.paths) for p in pack.parts] or [
        (pack.text, pack.tokens, tuple(f.path for f in pack.files))]
    written = []
    for i, (text, tokens, paths) in enumerate(parts, 1):
        path = folder / f"part-{i:03d}.{pack.format}"
        path.write_text(text, "utf-8", newline="")
        written.append((path, tokens, paths))
    index = {"version": JSON_VERSION, "root": str(pack.root), "model": pack.model.name,
             "encoding": pack.encoding, "format": pack.format,
             "part_limit": pack.part_limit, "part_limit_source": limit_source,
             "reserve": pack.plan.reserve, "split": bool(pack.parts),
             "parts": [{"file": p.name, "tokens": n, "paths": list(paths)}
                       for p, n, paths in written]}
    (folder / INDEX_FILE).write_text(json.dumps(index, indent=2) + "\n", "utf-8")
    return written


def split_json(pack: Pack, written: list[tuple[Path, int, tuple[str, ...]]],
               limit_source: str) -> dict[str, Any]:
    model, encoding = pack.model.name, pack.encoding
    return {
        "part_limit": {"count": pack.part_limit, "model": model, "encoding": encoding},
        "part_limit_source": limit_source,
        "split": bool(pack.parts),
        "parts": [{"index": i, "file": str(p),
                   "tokens": {"count": n, "model": model, "encoding": encoding},
                   "paths": list(paths)} for i, (p, n, paths) in enumerate(written, 1)],
    }


def split_summary(pack: Pack, written: list[tuple[Path, int, tuple[str, ...]]],
                  limit_source: str) -> str:
    head = (f"part limit {pack.part_limit} tokens ({limit_source}), reserve "
            f"{pack.plan.reserve}: ")
    if not pack.parts:
        return head + f"the pack fits; written whole as {written[0][0]}"
    lines = [head + f"{len(written)} parts ({pack.model.name}, {pack.encoding})"]
    lines += [f"  {p}: {n} tokens, {len(paths)} files" for p, n, paths in written]
    return "\n".join(lines)


def summary(pack: Pack, output: Path) -> str:
    collapsed = sum(1 for c in pack.classes if c.stubbed)
    sv = pack.savings
    line = (f"{output}: {pack.tokens} tokens ({pack.model.name}, {pack.encoding}), "
            f"{len(pack.files)} files; as is {pack.tokens_raw} tokens; "
            f"{collapsed} clone classes collapsed\n"
            f"saved: clones {sv.clones}, repeated headers {sv.boilerplate} "
            f"({len(pack.boilerplate)} blocks), whole-file copies {sv.copies} tokens")
    fit = pack.fit
    if fit is not None:
        levels = ", ".join(f"{n} {level}" for level, n in fit.levels.items() if n)
        line += (f"\nfitted to budget {fit.budget} (reserve {fit.reserve}): "
                 f"{fit.tokens_before} -> {fit.used} tokens; {levels}")
        line += "".join(f"\n  {f.path}: {f.level}, {f.tokens_before} -> {f.tokens_after} tokens"
                        for f in fit.reduced)
    return line


def pack_json(pack: Pack, output: Path | None) -> dict[str, Any]:
    """The stable `--json` document. Every count says its model and encoding beside it."""
    model, encoding = pack.model.name, pack.encoding

    def tokens(n: int) -> dict[str, Any]:
        return {"count": n, "model": model, "encoding": encoding}

    window = pack.model.context_window
    doc: dict[str, Any] = {
        "version": JSON_VERSION,
        "root": str(pack.root),
        "model": model,
        "encoding": encoding,
        "format": pack.format,
        "output": str(output) if output is not None else None,
        "tokens": {
            "pack": tokens(pack.tokens),
            "files_as_is": tokens(pack.tokens_raw),
            "deduplicated": tokens(pack.tokens_deduplicated),
            "context_window": tokens(window),
            "reserve": tokens(pack.plan.reserve),
        },
        "fits_window": pack.tokens + pack.plan.reserve <= window,
        "files": [{"path": f.path, "language": f.language, "tokens_as_is": tokens(f.tokens_raw),
                   "tokens_in_pack": tokens(f.tokens), "stubs": f.stubs, "copy_of": f.copy_of,
                   "level": f.level}
                  for f in pack.files],
        "classes": [{"id": c.id, "kind": c.kind, "similarity": c.similarity,
                     "state": "expanded" if c.expanded else "collapsed",
                     "canonical": {"path": c.canonical_path, "line": c.canonical_line,
                                   "name": c.canonical_name},
                     "members": c.members, "replaced": c.stubbed,
                     "tokens_saved": tokens(c.tokens_saved)}
                    for c in pack.classes],
        "savings": {"clones": tokens(pack.savings.clones),
                    "boilerplate": tokens(pack.savings.boilerplate),
                    "copies": tokens(pack.savings.copies)},
        "boilerplate": [{"id": b.id, "language": b.language, "lines": b.lines,
                         "files": b.files, "tokens": tokens(b.tokens)}
                        for b in pack.boilerplate],
        "warnings": list(pack.warnings),
        # path, line and kind only: never the secret itself
        "secrets": pack.secrets.to_json(),
        "seconds": round(pack.seconds, 3),
    }
    fit = pack.fit
    if fit is not None:
        doc["fit"] = {
            "budget": tokens(fit.budget),
            "reserve": tokens(fit.reserve),
            "limit": tokens(fit.limit),
            "used": tokens(fit.used),
            "before_fit": tokens(fit.tokens_before),
            "levels": fit.levels,
            "files": [{"path": f.path, "level": f.level, "rank": f.rank,
                       "tokens_before": tokens(f.tokens_before),
                       "tokens_after": tokens(f.tokens_after)} for f in fit.files],
            "totals": {"tokens_before": tokens(sum(f.tokens_before for f in fit.files)),
                       "tokens_after": tokens(sum(f.tokens_after for f in fit.files))},
        }
    if output is None:
        doc["text"] = pack.text
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    """`ctxlens pack` as a program of its own (tests, and before cli.py mounts it)."""
    parser = argparse.ArgumentParser(prog="ctxlens pack")
    _add_arguments(parser)
    return run_pack(parser.parse_args(argv))
