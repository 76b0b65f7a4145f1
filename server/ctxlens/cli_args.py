"""Argument types the `ctxlens` subcommands share: argparse `type=` callables that refuse a
bad value with a message saying what was wrong."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import TypeVar

_N = TypeVar("_N", int, float)


def positive_int(value: str) -> int:
    """A count (tokens, requests in flight): a whole number above 0."""
    return _positive(value, int, "not a whole number")


def positive_float(value: str) -> float:
    """A duration in seconds: any number above 0."""
    return _positive(value, float, "not a number")


def _positive(value: str, kind: Callable[[str], _N], unparsable: str) -> _N:
    try:
        n = kind(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{unparsable}: {value!r}") from None
    if n <= 0:
        raise argparse.ArgumentTypeError(f"must be positive: {value}")
    return n
