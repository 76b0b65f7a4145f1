"""`ctxlens` on the command line: a thin shell over the engine.

Each subcommand parses flags, calls one engine function and prints. Nothing here
computes what the engine could.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ctxlens import __version__
from ctxlens.clones.detect import CloneReport, find_clones_indexed
from ctxlens.clones.sarif import to_sarif
from ctxlens.config import ConfigError, load_config
from ctxlens.index import ScanProgress, ScanResult, scan_workspace
from ctxlens.report import file_warnings, languages, scan_json, top_files, top_folders
from ctxlens.tokens import EncodingError, RegistryError, UnknownModelError
from ctxlens.workspace import WorkspaceError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ctxlens",
        description="Understand codebases far larger than an LLM context window.",
    )
    parser.add_argument("--version", action="version", version=f"ctxlens {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    scan = sub.add_parser("scan", help="index a folder: files, units, exact token counts")
    scan.add_argument("path", type=Path, help="the folder to scan")
    scan.add_argument("--model", help="model whose tokenizer counts (default: gpt-4.1)")
    scan.add_argument("--json", action="store_true", help="print the JSON document")
    scan.add_argument("--index", help="index database (default: PATH/.ctxlens/index.db)")
    scan.add_argument("--max-file-bytes", type=int, help="skip files larger than this")
    scan.add_argument("--jobs", "-j", type=int, help="worker processes (default: all cores)")
    scan.add_argument("--no-progress", action="store_true", help="never show a progress bar")
    scan.add_argument("--min-tokens", type=int,
                      help="normalised tokens a unit needs to count as a clone (default 50)")
    scan.add_argument("--threshold", type=float,
                      help="least similarity of a near-miss clone, 0-1 (default 0.8)")
    scan.add_argument("--sarif", type=Path, metavar="FILE",
                      help="also write the clone classes as SARIF 2.1.0 to FILE")
    scan.add_argument("--no-clones", action="store_true",
                      help="count files, units and tokens only; skip clone detection")
    from ctxlens.cli_serve import add_serve_parser
    from ctxlens.context.cli_pack import add_pack_parser
    from ctxlens.llm.cli_llm import add_llm_parsers
    from ctxlens.stability.cli_check import add_check_parser

    add_pack_parser(sub)
    add_llm_parsers(sub)
    add_serve_parser(sub)
    add_check_parser(sub)
    return parser


@contextmanager
def _progress_bar(enabled: bool) -> Iterator[object]:
    """A rich progress bar on a terminal's stderr; nothing when piped."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    # Redrawn on each update, not by rich's refresh thread: clone detection forks a helper
    # process only while the process has a single thread (clones/background.py).
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("files"), DownloadColumn(), TimeRemainingColumn(), transient=True,
        redirect_stdout=False, auto_refresh=False,
    ) as bar:
        yield bar


def _scan(args: argparse.Namespace) -> int:
    from dataclasses import replace

    from rich.progress import Progress

    root: Path = args.path
    if not root.is_dir():
        print(f"ctxlens: {root} is not a folder", file=sys.stderr)
        return EXIT_USAGE
    config = load_config(root)
    if args.index:
        config = replace(config, index_path=str(Path(args.index).resolve()))
    if args.max_file_bytes is not None:
        config = replace(config, discovery=replace(config.discovery,
                                                   max_file_bytes=args.max_file_bytes))
    if args.min_tokens is not None:
        if args.min_tokens < 1:
            print("ctxlens: --min-tokens must be at least 1", file=sys.stderr)
            return EXIT_USAGE
        config = replace(config, clones=replace(config.clones, min_tokens=args.min_tokens))
    if args.threshold is not None:
        if not 0 < args.threshold <= 1:
            print("ctxlens: --threshold must be in (0, 1]", file=sys.stderr)
            return EXIT_USAGE
        config = replace(config, clones=replace(config.clones, threshold=args.threshold))
    if args.no_clones and args.sarif:
        print("ctxlens: --sarif needs clone detection; drop --no-clones", file=sys.stderr)
        return EXIT_USAGE
    with _progress_bar(not args.no_progress and not args.json) as bar:
        task = None

        def report(p: ScanProgress) -> None:
            nonlocal task
            if bar is None:
                return
            assert isinstance(bar, Progress)
            if task is None:
                task = bar.add_task("Indexing", total=p.files_total)
            bar.update(task, completed=p.files_done, total=p.files_total, refresh=True)

        result = scan_workspace(root, config, model=args.model, jobs=args.jobs, progress=report,
                                with_streams=not args.no_clones)
        clones = None
        if not args.no_clones:
            if isinstance(bar, Progress) and task is not None:
                bar.update(task, description="Finding clones", refresh=True)
            clones = find_clones_indexed(result, config.clones)
        figures = None
        if clones is not None:
            # raw → deduplicated → fitted of the context plan's pack, where that is cheap.
            from ctxlens.context.figures import pack_figures
            from ctxlens.context.plan import PlanError

            if isinstance(bar, Progress) and task is not None:
                bar.update(task, description="Packing", refresh=True)
            try:
                figures = pack_figures(root, config, result.model.name,
                                       sum(f.tokens for f in result.files), args.jobs)
            except PlanError as err:
                figures = f"pack figures skipped: {err}"
    for warning in result.warnings:
        print(f"ctxlens: warning: {warning}", file=sys.stderr)
    if args.sarif and clones is not None:
        args.sarif.write_text(json.dumps(to_sarif(result.root, clones.classes,
                                                  result.model.encoding), indent=2) + "\n")
    if args.json:
        from ctxlens import json_out
        from ctxlens.context.figures import figures_json

        json_out.dump(scan_json(result, clones, figures_json(figures) if figures else None),
                      sys.stdout)
    else:
        _print_summary(result)
        if clones is not None:
            _print_clones(result, clones)
        if figures is not None:
            from ctxlens.context.figures import figures_line

            print(figures_line(figures, result.model.name, result.model.encoding))
    return EXIT_OK


def _share(part: int, whole: int) -> str:
    ratio = part / max(whole, 1)
    return f"{ratio:.1%}" if ratio < 1 else f"{ratio:,.1f}×"


def _print_summary(result: ScanResult) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    enc = f"{result.model.encoding}, {result.model.name}"
    raw = sum(f.tokens for f in result.files)
    units = sum(len(f.units) for f in result.files)
    size = sum(f.size for f in result.files)
    window = result.model.context_window
    console.print(f"[bold]{result.root}[/bold]")
    console.print(
        f"{len(result.files):,} files · {size / 1e6:,.1f} MB · {units:,} units · "
        f"[bold]{raw:,} tokens[/bold] raw ({enc}) = {_share(raw, window)} of the "
        f"{window:,}-token window"
    )
    by_lang = Table(title="By language", title_justify="left")
    for col in ("language", "files", "units", "tokens (raw)"):
        by_lang.add_column(col, justify="left" if col == "language" else "right")
    for lang, row in languages(result).items():
        by_lang.add_row(lang, f"{row['files']:,}", f"{row['units']:,}", f"{row['tokens']:,}")
    console.print(by_lang)
    for title, rows in (("Top folders", top_folders(result)), ("Top files", top_files(result))):
        table = Table(title=f"{title} by tokens ({result.model.encoding})", title_justify="left")
        table.add_column("path")
        table.add_column("tokens", justify="right")
        table.add_column("share", justify="right")
        for r in rows:
            table.add_row(r.path, f"{r.tokens:,}", f"{r.tokens / max(raw, 1):.1%}")
        console.print(table)
    if result.skipped:
        reasons: dict[str, list[str]] = {}
        for s in result.skipped:
            reasons.setdefault(s.reason, []).append(s.path)
        console.print(f"[bold]Skipped[/bold] {len(result.skipped):,} files "
                      f"(plus {result.ignored:,} paths ignored by ignore rules):")
        for reason, paths in sorted(reasons.items()):
            sample = ", ".join(paths[:3]) + (" …" if len(paths) > 3 else "")
            console.print(f"  {reason:<18} {len(paths):>6,}  {sample}")
    warnings = file_warnings(result)
    if warnings:
        console.print(f"[bold yellow]Warnings[/bold yellow] ({len(warnings)}):")
        for w in warnings[:10]:
            console.print(f"  {w['path']}: {w['detail']}")
    stats = result.stats
    console.print(
        f"[dim]index {result.index_path} · {stats.reused:,} unchanged · {stats.parsed:,} "
        f"parsed · {stats.seconds:.2f} s[/dim]"
    )


def _print_clones(result: ScanResult, clones: CloneReport, limit: int = 10) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    enc = f"{result.model.encoding}, {result.model.name}"
    raw, dedup = clones.tokens_raw, clones.tokens_deduplicated
    console.print(
        f"[bold]Duplicated logic[/bold]: {len(clones.classes):,} clone classes among "
        f"{clones.units_compared:,} units compared; tokens raw {raw:,} → deduplicated "
        f"[bold]{dedup:,}[/bold] ({enc}), saving {_share(raw - dedup, raw)}"
    )
    if not clones.classes:
        return
    table = Table(title=f"Biggest clone classes (tokens saved, {result.model.encoding})",
                  title_justify="left")
    for col in ("id", "kind", "sim.", "members", "canonical", "saves"):
        table.add_column(col, justify="right" if col in ("sim.", "members", "saves") else "left")
    for c in clones.classes[:limit]:
        m = c.canonical_member
        table.add_row(c.id, c.kind, f"{c.similarity:.2f}", str(len(c.members)),
                      f"{m.path}:{m.start_line} {m.name.rsplit('::', 1)[-1]}",
                      f"{c.tokens_saved:,}")
    console.print(table)


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
        if args.command == "pack":
            from ctxlens.context.cli_pack import run_pack

            return run_pack(args)
        if args.command == "serve":
            from ctxlens.cli_serve import run_serve

            return run_serve(args)
        if args.command in ("ask", "diagram"):
            code: int = args.handler(args)
            return code
        if args.command == "check":
            from ctxlens.stability.cli_check import run_check

            return run_check(args)
    except KeyboardInterrupt:
        print("ctxlens: interrupted; the index keeps what was finished", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`ctxlens scan --json | head`): not an error worth a trace.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK
    except (ConfigError, UnknownModelError, RegistryError, EncodingError,
            WorkspaceError) as err:
        print(f"ctxlens: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
