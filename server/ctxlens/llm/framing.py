"""Exact token counts of chat messages as the model reads them.

The content of each message is counted exactly in the model's encoding. Chat models also
read framing the API adds around each message; OpenAI documents it for its models as 3
tokens per message plus the role's own tokens, and 3 more that prime the reply
(`<|start|>assistant<|message|>`) — the rule of OpenAI's cookbook "How to count tokens
with tiktoken". Servers with other chat templates (vLLM, Ollama) frame differently by a
few tokens per message, so the framing is reported apart from the content, never mixed in.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypedDict

from ctxlens.tokens import count_tokens

TOKENS_PER_MESSAGE = 3
REPLY_PRIMING = 3

Role = Literal["system", "user", "assistant"]


class Message(TypedDict):
    role: Role
    content: str


@dataclass(frozen=True, slots=True)
class MessageCount:
    content: int  # exact: the messages' text in the encoding
    framing: int  # per-message framing, roles and reply priming (OpenAI's rule)
    encoding: str

    @property
    def total(self) -> int:
        return self.content + self.framing


def count_messages(messages: Sequence[Message], encoding: str) -> MessageCount:
    content = sum(count_tokens(m["content"], encoding) for m in messages)
    framing = REPLY_PRIMING + sum(
        TOKENS_PER_MESSAGE + count_tokens(m["role"], encoding) for m in messages)
    return MessageCount(content=content, framing=framing, encoding=encoding)
