"""LSP positions ↔ text: lines are 0-based, characters are code units of the negotiated
encoding (UTF-16 unless the client asked otherwise), and the engine's lines are 1-based.

Python strings index code points; a character outside the Basic Multilingual Plane is
one code point but two UTF-16 units, so every column crossing the wire is converted here.
"""

from __future__ import annotations

from lsprotocol import types

UTF16 = "utf-16"
UTF8 = "utf-8"
UTF32 = "utf-32"


def unit_length(text: str, encoding: str = UTF16) -> int:
    """Length of `text` in code units of `encoding`."""
    if encoding == UTF32:
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", errors="surrogatepass"))
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def column_to_index(line: str, column: int, encoding: str = UTF16) -> int:
    """The string index of code-unit `column` in `line`, clamped to the line (a column
    inside a surrogate pair or a multi-byte sequence lands after that character)."""
    if column <= 0:
        return 0
    if encoding == UTF32:
        return min(column, len(line))
    units = 0
    for i, ch in enumerate(line):
        if units >= column:
            return i
        units += len(ch.encode("utf-8")) if encoding == UTF8 else (2 if ord(ch) > 0xFFFF else 1)
    return len(line)


def split_lines(text: str) -> list[str]:
    """Lines without their terminators, as LSP counts them (\\n, \\r\\n or \\r)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def offset_of(lines: list[str], position: types.Position, encoding: str = UTF16) -> int:
    """Index into "\\n".join(lines) of `position`, clamped to the text."""
    if position.line < 0:
        return 0
    if position.line >= len(lines):
        return sum(len(line) + 1 for line in lines) - 1
    before = sum(len(line) + 1 for line in lines[:position.line])
    return before + column_to_index(lines[position.line], position.character, encoding)


def text_in_range(text: str, rng: types.Range, encoding: str = UTF16) -> str:
    lines = split_lines(text)
    joined = "\n".join(lines)
    start = offset_of(lines, rng.start, encoding)
    end = offset_of(lines, rng.end, encoding)
    return joined[start:max(start, end)]


def is_past_end(lines: list[str], position: types.Position, encoding: str = UTF16) -> bool:
    if position.line < 0 or position.character < 0 or position.line >= len(lines):
        return True
    return position.character > unit_length(lines[position.line], encoding)


def line_span(start_line: int, end_line: int, lines: list[str] | None = None,
              encoding: str = UTF16) -> types.Range:
    """The range of 1-based inclusive lines [start_line, end_line]: from the start of the
    first to the end of the last. Without the text, the end is the start of the next line
    (the same lines, as an exclusive end)."""
    start = types.Position(line=max(start_line - 1, 0), character=0)
    if lines is None:
        return types.Range(start=start, end=types.Position(line=end_line, character=0))
    last = min(max(end_line, start_line), len(lines)) - 1
    if last < 0:
        return types.Range(start=types.Position(line=0, character=0),
                           end=types.Position(line=0, character=0))
    start = types.Position(line=min(start.line, last), character=0)
    return types.Range(start=start, end=types.Position(
        line=last, character=unit_length(lines[last], encoding)))
