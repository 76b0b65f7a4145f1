"""`ctxlens serve`: start the language server (stdio, or TCP for debugging)."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

EXIT_USAGE = 2


class _NoPayloads(logging.Filter):
    """pygls logs whole messages (documents, settings) at info and debug, and their params
    with errors; our log names the event only, never file contents or keys. Errors already
    answered to the client (InvalidParams and the like, whose messages quote the input)
    are not logged at all."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not record.name.startswith("pygls"):
            return True
        if record.exc_info and record.exc_info[1] is not None:
            from pygls.exceptions import JsonRpcException

            if isinstance(record.exc_info[1], JsonRpcException):
                return False
        if record.args:
            record.msg = str(record.msg).replace("%s", "…").replace("%r", "…")
            record.args = ()
        return True


def _tcp_address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {value!r}")
    return host, int(port)


def add_serve_parser(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve", help="run the language server (stdio by default)",
        description="Speak the Language Server Protocol on stdin/stdout (docs/protocol.md).")
    parser.add_argument("--stdio", action="store_true", help="use stdin/stdout (the default)")
    parser.add_argument("--tcp", type=_tcp_address, metavar="HOST:PORT",
                        help="listen on a TCP port instead, for debugging")
    parser.add_argument("--log-level", choices=("error", "warning", "info", "debug"),
                        default="warning", help="what ctxlens logs to stderr (warning)")
    parser.set_defaults(handler=run_serve)


def run_serve(args: argparse.Namespace) -> int:
    if args.stdio and args.tcp:
        print("ctxlens: --stdio and --tcp exclude each other", file=sys.stderr)
        return EXIT_USAGE
    handler = logging.StreamHandler(sys.stderr)  # stdout carries the protocol
    handler.addFilter(_NoPayloads())
    handler.setFormatter(logging.Formatter("ctxlens %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    logging.getLogger("ctxlens").setLevel(args.log_level.upper())
    logging.getLogger("pygls").setLevel(logging.WARNING)
    from ctxlens.lsp.server import serve

    serve(args.tcp)
    return 0
