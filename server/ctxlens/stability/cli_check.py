"""`ctxlens check`: is this context past what the model's attention handles stably?

    ctxlens check --model M (--tokens N | FILE) [--json]

Exit codes: 0 verdict ok or warn, 1 verdict critical, 2 usage or environment error
(unknown model, unreadable file, torch missing). `ctxlens.cli` mounts this through
`add_check_parser` and `run_check`; `main` runs it alone. Importing this module imports no
torch and no kernels: they load inside `run_check`, after the arguments are known good.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_CRITICAL = 1
EXIT_USAGE = 2


def _add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--model", help="model or profile name (default: the configured model)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--tokens", type=int, metavar="N", help="check a context of N tokens")
    source.add_argument("file", nargs="?", type=Path, metavar="FILE",
                        help="check this context file (its exact token count; content-aware)")
    parser.add_argument("--json", action="store_true", help="print the JSON document")
    parser.add_argument("--root", type=Path, default=None,
                        help="workspace whose .ctxlens.toml to read (default: current folder)")
    parser.add_argument("--no-limit", action="store_true",
                        help="skip the stable-limit search")
    parser.add_argument("--cache", type=Path, default=None,
                        help="stable-limit cache file (default: the user cache folder)")


def add_check_parser(subparsers: Any) -> None:
    """Add the `check` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "check",
        help="say whether a context is past the model's stable attention limits",
        description="Measure softmax dilution, noise, positions and numerics for a context "
                    "of N tokens under a model profile, with a verdict and the stable limit.",
    )
    _add_arguments(parser)
    parser.set_defaults(handler=run_check)


def _fail(message: str) -> int:
    print(f"ctxlens: {message}", file=sys.stderr)
    return EXIT_USAGE


def run_check(args: argparse.Namespace) -> int:
    """Run `ctxlens check` for parsed `args`; prints to stdout and returns the exit code."""
    from ctxlens.config import ConfigError, load_config
    from ctxlens.stability.profiles import ProfileError, get_profile
    from ctxlens.stability.torch_support import ProbeUnavailable, require_torch
    from ctxlens.tokens import EncodingError, RegistryError, UnknownModelError

    if (args.tokens is None) == (args.file is None):
        return _fail("check needs exactly one of --tokens N or FILE")
    if args.tokens is not None and args.tokens < 1:
        return _fail("--tokens must be at least 1")
    root: Path = args.root or Path.cwd()
    try:
        profile = get_profile(args.model, load_config(root))
    except (ConfigError, ProfileError, RegistryError, UnknownModelError) as err:
        return _fail(str(err))
    try:
        require_torch()
    except ProbeUnavailable as err:
        return _fail(str(err))

    from ctxlens.stability.limit import find_stable_limit
    from ctxlens.stability.pack_input import read_context
    from ctxlens.stability.probe import check_context
    from ctxlens.stability.report import result_json, result_lines

    tokens_from: dict[str, Any]
    if args.file is not None:
        try:
            context = read_context(args.file, profile.encoding)
        except OSError as err:
            return _fail(f"cannot read {args.file}: {err.strerror or err}")
        except EncodingError as err:
            return _fail(str(err))
        if context.tokens == 0:
            return _fail(f"{args.file} holds no tokens")
        tokens_from = {"file": str(args.file), "encoding": profile.encoding,
                       "units": len(context.units)}
        result = check_context(profile, context.tokens, ids=context.ids, units=context.units,
                               unit_keys=context.keys)
        label = f"{args.file}, {profile.encoding}"
    else:
        tokens_from = {"tokens": args.tokens}
        result = check_context(profile, args.tokens)
        label = "--tokens"
    limit = None if args.no_limit else find_stable_limit(profile, cache_path=args.cache)
    if args.json:
        json.dump(result_json(result, limit, tokens_from), sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print("\n".join(result_lines(result, limit, label)))
    return EXIT_CRITICAL if result.verdict == "critical" else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """`ctxlens check` as a program of its own (tests, and before cli.py mounts it)."""
    parser = argparse.ArgumentParser(prog="ctxlens check")
    _add_arguments(parser)
    return run_check(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
