"""Helpers the clone tests share: toy token streams and labelled lexer output."""

from __future__ import annotations

import numpy as np

from ctxlens.clones.normalize import FileTokens, lex_file
from ctxlens.clones.streams import (
    BOOLEAN,
    CHAR,
    IDENTIFIER,
    NULL,
    NUMBER,
    OTHER_LITERAL,
    STRING,
    UnitStream,
    token_code,
)
from ctxlens.syntax import parse

# A normalised token's label for literal and identifier codes; other tokens show their text.
LABELS = {token_code(kind): kind
          for kind in (IDENTIFIER, STRING, NUMBER, CHAR, BOOLEAN, NULL, OTHER_LITERAL)}


def toy_stream(lines: list[str], *, suppressed: bool = False) -> UnitStream:
    """Whitespace-split tokens, one source line per entry; lowercase single letters are
    identifiers (blinded, numbered by first appearance), everything else is kept."""
    codes: list[int] = []
    names: list[int] = []
    numbers: list[int] = []
    ids: dict[str, int] = {}
    for number, line in enumerate(lines, 1):
        for tok in line.split():
            identifier = len(tok) == 1 and tok.islower()
            codes.append(token_code(IDENTIFIER if identifier else tok))
            names.append(ids.setdefault(tok, len(ids) + 1) if identifier else 0)
            numbers.append(number)
    return UnitStream(
        np.array(codes, np.uint32), np.array(names, np.uint32), np.array(numbers, np.uint32),
        exact_hash="\n".join(lines), renamed_hash="", suppressed=suppressed,
    )


def lex(source: str, language: str = "python") -> tuple[bytes, FileTokens]:
    data = source.encode()
    return data, lex_file(parse(data, language), data, language)


def normalised(source: str, language: str = "python") -> list[str]:
    """Each token as clone detection sees it: a literal/identifier label or its text."""
    data, tokens = lex(source, language)
    return [LABELS.get(int(code), data[start:end].decode())
            for code, start, end in zip(tokens.codes, tokens.starts, tokens.ends, strict=True)]


def random_pairs(seed: int, count: int) -> tuple[list[UnitStream], np.ndarray]:
    """Toy units and edited copies: renamed, statements inserted, deleted, changed and names
    rewired, so both passes and every tie-break get exercised."""
    rng = np.random.default_rng(seed)
    words = ["=", "+", "(", ")", ".", "if", "return", "for", "in", ":", "f", "g", "0"]
    letters = list("abcdefghijklmnopqrstuvwxyz")
    streams: list[UnitStream] = []
    for _ in range(count):
        lines = []
        for _ in range(int(rng.integers(1, 12))):
            size = int(rng.integers(1, 9))
            names = rng.choice(letters[: int(rng.integers(2, 8))], size)
            ops = rng.choice(words, size)
            lines.append(" ".join(str(t) for pair in zip(names, ops, strict=True)
                                  for t in pair))
        edited = []
        rename = dict(zip(letters, rng.permutation(letters), strict=True))
        for line in lines:
            roll = rng.random()
            if roll < 0.1:
                continue  # deleted
            tokens = [rename.get(t, t) if rng.random() > 0.05 else str(rng.choice(letters))
                      for t in line.split()]
            edited.append(" ".join(tokens))
            if roll > 0.9:
                edited.append(" ".join(rng.choice(letters + words, 4)))  # inserted
        streams += [toy_stream(lines), toy_stream(edited or ["x"])]
    n = len(streams)
    pairs = np.array([(i, i + 1) for i in range(0, n, 2)]
                     + [(int(rng.integers(n)), int(rng.integers(n))) for _ in range(count)])
    return streams, pairs
