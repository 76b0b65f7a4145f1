"""`ctxlens` on the command line: a thin shell over the engine.

Each subcommand parses flags, calls one engine function and prints. Nothing here
computes what the engine could.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ctxlens import __version__
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

    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("files"), DownloadColumn(), TimeRemainingColumn(), transient=True,
        redirect_stdout=False,
    ) as bar:
        yield bar


def _scan(args: argparse.Namespace) -> int:
    from dataclasses import replace

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
    with _progress_bar(not args.no_progress and not args.json) as bar:
        task = None

        def report(p: ScanProgress) -> None:
            nonlocal task
            if bar is None:
                return
            from rich.progress import Progress

            assert isinstance(bar, Progress)
            if task is None:
                task = bar.add_task("Indexing", total=p.files_total)
            bar.update(task, completed=p.files_done, total=p.files_total)

        result = scan_workspace(root, config, model=args.model, jobs=args.jobs, progress=report)
    for warning in result.warnings:
        print(f"ctxlens: warning: {warning}", file=sys.stderr)
    if args.json:
        json.dump(scan_json(result), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        _print_summary(result)
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


def main(argv: Sequence[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "scan":
            return _scan(args)
    except KeyboardInterrupt:
        print("ctxlens: interrupted; the index keeps what was finished", file=sys.stderr)
        return EXIT_INTERRUPTED
    except (ConfigError, UnknownModelError, RegistryError, EncodingError,
            WorkspaceError) as err:
        print(f"ctxlens: {err}", file=sys.stderr)
        return EXIT_USAGE
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
