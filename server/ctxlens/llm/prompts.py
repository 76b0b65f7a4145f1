"""The messages each step sends. Text only: no counting, no sending.

Every system prompt opens with a fixed first line so the local test server (and a reader of
a request log) can tell the steps apart; `PROMPT_VERSION` goes into cache keys, so editing
a prompt never serves an answer to the old one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ctxlens.llm.framing import Message

PROMPT_VERSION = 1

_PACK_NOTES = (
    "The code comes as a ctxlens context pack: a header (file tree, tokens per folder, "
    "collapsed clone classes), then each file. Lines like `[ctxlens] same logic as PATH:LINE "
    "NAME, N tokens omitted` stand for a copy of code shown at PATH:LINE; `[ctxlens] body "
    "elided` marks a function shown as its signature only; `[ctxlens: redacted KIND]` "
    "replaces a secret."
)

ASK_SYSTEM = (
    "You answer questions about a codebase.\n"
    f"{_PACK_NOTES} Answer from the code shown; name files and functions; say when the "
    "pack does not hold what an answer needs."
)

MAP_SYSTEM = (
    "You summarise one part of a codebase as JSON.\n"
    "The codebase is too large to read at once, so it was cut into parts; a later step "
    "answers a question from the summaries of all parts. " + _PACK_NOTES + "\n"
    "Reply with one JSON object and nothing else, of this shape:\n"
    '{"part": <the part number>, "modules": [{"path": "file or folder", '
    '"responsibility": "what it does, one or two sentences", '
    '"public_interfaces": ["functions, classes, endpoints others use"], '
    '"dependencies": ["modules or files it uses"]}], '
    '"notes": "anything in this part that bears on the question"}\n'
    "Every module of the part gets an entry. Be brief: the reply has a token limit."
)

MERGE_SYSTEM = (
    "You merge summaries of parts of a codebase into one summary as JSON.\n"
    "Reply with one JSON object and nothing else, of the same shape as each summary "
    '({"part": <the first part number>, "modules": [...], "notes": "..."}); keep every '
    "module (merge entries for the same path), shorten responsibilities rather than "
    "dropping modules, and keep what bears on the question in notes."
)

FINAL_SYSTEM = (
    "You answer questions about a codebase from summaries of its parts.\n"
    "The codebase was too large to read at once: each part was summarised as JSON "
    "(modules, responsibilities, public interfaces, dependencies, notes). Answer from the "
    "summaries; name files and modules; say when they do not hold what an answer needs."
)

FAILED_PARTS_NOTE = ("Summaries of these parts are missing because the requests failed: "
                     "{parts}. Say so where it limits the answer.")


def ask_messages(pack_text: str, question: str) -> list[Message]:
    return [{"role": "system", "content": ASK_SYSTEM},
            {"role": "user", "content": f"{pack_text}\n\n---\n\nQuestion: {question}"}]


def map_messages(part_text: str, index: int, total: int, question: str) -> list[Message]:
    return [{"role": "system", "content": MAP_SYSTEM},
            {"role": "user", "content": f"Part {index} of {total}. The question the summaries "
                                        f"will serve: {question}\n\n{part_text}"}]


def summaries_block(summaries: Sequence[dict[str, Any]]) -> str:
    # One summary per line: compact, and a line boundary between summaries keeps each
    # summary's tokens the same alone and together.
    return "\n".join(json.dumps(s, ensure_ascii=False, separators=(",", ":"))
                     for s in summaries)


def merge_messages(summaries: Sequence[dict[str, Any]], question: str) -> list[Message]:
    return [{"role": "system", "content": MERGE_SYSTEM},
            {"role": "user", "content": f"The question: {question}\n\nSummaries, one JSON "
                                        f"object per line:\n{summaries_block(summaries)}"}]


def final_messages(summaries: Sequence[dict[str, Any]], question: str,
                   failed_parts: Sequence[int] = ()) -> list[Message]:
    note = ""
    if failed_parts:
        note = "\n\n" + FAILED_PARTS_NOTE.format(parts=", ".join(map(str, failed_parts)))
    return [{"role": "system", "content": FINAL_SYSTEM},
            {"role": "user", "content": f"Summaries, one JSON object per line:\n"
                                        f"{summaries_block(summaries)}{note}\n\n---\n\n"
                                        f"Question: {question}"}]


def reask_messages(messages: Sequence[Message], answer: str, problems: Sequence[str],
                   what: str) -> list[Message]:
    """The same request once more, with the broken answer and what was wrong with it."""
    listed = "\n".join(f"- {p}" for p in problems[:10])
    return [*messages, {"role": "assistant", "content": answer},
            {"role": "user", "content": f"That reply is not {what}:\n{listed}\n"
                                        f"Reply again with {what} only."}]
