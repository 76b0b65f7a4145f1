"""Whole-file copies: a file whose content equals an earlier file's is rendered as one line."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ctxlens.clones.stubs import comment
from ctxlens.index.records import FileRecord


def copy_reference(record: FileRecord, original: str) -> str:
    return comment(record.language,
                   f"[ctxlens] same content as {original}, {record.tokens} tokens omitted")


def find_copies(
    records: Sequence[FileRecord], count: Callable[[str], int]
) -> dict[str, str]:
    """Path → the path of the file it copies, for every file worth collapsing.

    The original is the first path in `records` order (sorted by path, so stable). A copy
    is collapsed only when its reference costs fewer tokens than the file: an empty
    `__init__.py` repeated a hundred times stays as it is.
    """
    first: dict[str, str] = {}
    copies: dict[str, str] = {}
    for record in records:
        original = first.setdefault(record.content_hash, record.path)
        if original != record.path and count(copy_reference(record, original)) < record.tokens:
            copies[record.path] = original
    return copies
