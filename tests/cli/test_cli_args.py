"""The argument types `ctxlens pack`, `ask` and `diagram` share, through argparse itself."""

from __future__ import annotations

import argparse

import pytest

from ctxlens.cli_args import positive_float, positive_int


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="t", exit_on_error=False)
    parser.add_argument("--n", type=positive_int)
    parser.add_argument("--s", type=positive_float)
    return parser


def test_positive_values_parse_to_their_kind() -> None:
    args = _parser().parse_args(["--n", "12", "--s", "0.5"])
    assert args.n == 12 and isinstance(args.n, int) and args.s == 0.5


@pytest.mark.parametrize(("argv", "message"), [
    (["--n", "0"], "argument --n: must be positive: 0"),
    (["--n", "-3"], "argument --n: must be positive: -3"),
    (["--n", "1.5"], "argument --n: not a whole number: '1.5'"),
    (["--s", "0"], "argument --s: must be positive: 0"),
    (["--s", "soon"], "argument --s: not a number: 'soon'"),
])
def test_bad_values_are_refused_with_what_was_wrong(argv: list[str], message: str) -> None:
    with pytest.raises(argparse.ArgumentError) as info:
        _parser().parse_args(argv)
    assert str(info.value) == message
