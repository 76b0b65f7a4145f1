"""One chat request to an OpenAI-compatible endpoint, streamed, through the `openai` package.

Every request streams (`stream_options.include_usage`), so the terminal shows the answer
as it comes and the usage the server counted arrives with the last chunk. The SDK's own
retries are off (`max_retries=0`): `retry.with_retries` does them, honouring Retry-After,
and reports each one. The `openai` package's errors become ours here, with messages safe
to print: the key, and anything shaped like one, is scrubbed from them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ctxlens.llm.endpoint import Endpoint, read_key, scrub
from ctxlens.llm.framing import Message, count_messages
from ctxlens.llm.retry import LLMError, TransientError, retry_after
from ctxlens.tokens import count_tokens

if TYPE_CHECKING:
    from openai import OpenAI


class Unreachable(LLMError):
    """Nothing answers at the base URL (refused, unknown host)."""


class AuthFailed(LLMError):
    """The endpoint rejected the key (401) or the key may not do this (403)."""


class ContextTooLong(LLMError):
    """The server says the request is longer than the model's context."""


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    requests: int = 0
    counted_here: int = 0  # requests whose server sent no usage: counted with our tokenizer

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens,
                     self.completion_tokens + other.completion_tokens,
                     self.requests + other.requests, self.counted_here + other.counted_here)

    def cost(self, input_price: float, output_price: float) -> float:
        """US dollars at the given prices per 1M tokens."""
        return (self.prompt_tokens * input_price + self.completion_tokens * output_price) / 1e6

    def to_json(self) -> dict[str, Any]:
        return {"promptTokens": self.prompt_tokens, "completionTokens": self.completion_tokens,
                "requests": self.requests, "countedHere": self.counted_here}


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    usage: Usage
    finish_reason: str | None  # "length": cut off at the token cap


Completer = Callable[..., Completion]  # (messages, *, max_tokens, on_text=None)


class ChatClient:
    """A streaming chat client for one endpoint and model. Thread-safe (one HTTP pool)."""

    def __init__(self, endpoint: Endpoint, model: str, encoding: str, *,
                 timeout: float = 600.0) -> None:
        from openai import OpenAI

        self.endpoint = endpoint
        self.model = model
        self.encoding = encoding
        key = read_key(endpoint)
        def scrub_key(text: str) -> str:
            return scrub(text, key)

        # The key stays in this closure, only to scrub it from error messages.
        self._scrub: Callable[[str], str] = scrub_key
        self._client: OpenAI = OpenAI(base_url=endpoint.base_url, api_key=key, max_retries=0,
                                      timeout=timeout)
        # OpenAI's newer models refuse `max_tokens`; most other servers only know it.
        self._cap = "max_completion_tokens" if endpoint.is_openai else "max_tokens"

    def __repr__(self) -> str:
        return f"ChatClient({self.endpoint.base_url!r}, model={self.model!r})"

    def close(self) -> None:
        self._client.close()

    def complete(self, messages: Sequence[Message], *, max_tokens: int,
                 on_text: Callable[[str], None] | None = None) -> Completion:
        """Send `messages` once; `on_text` gets each piece of the answer as it streams."""
        import openai
        from openai import omit

        text: list[str] = []
        usage = None
        finish: str | None = None
        try:
            stream = self._client.chat.completions.create(
                model=self.model, messages=cast(Any, list(messages)), stream=True,
                stream_options={"include_usage": True},
                max_tokens=max_tokens if self._cap == "max_tokens" else omit,
                max_completion_tokens=max_tokens if self._cap != "max_tokens" else omit)
            for chunk in stream:
                if chunk.usage is not None:
                    usage = chunk.usage
                for choice in chunk.choices:
                    piece = choice.delta.content if choice.delta is not None else None
                    if piece:
                        text.append(piece)
                        if on_text is not None:
                            on_text(piece)
                    if choice.finish_reason:
                        finish = choice.finish_reason
        except openai.OpenAIError as err:
            raise self._translate(err) from None
        answer = "".join(text)
        if usage is not None:
            counted = Usage(usage.prompt_tokens, usage.completion_tokens, 1, 0)
        else:
            counted = Usage(count_messages(messages, self.encoding).total,
                            count_tokens(answer, self.encoding), 1, 1)
        return Completion(answer, counted, finish)

    def _translate(self, err: Exception) -> LLMError:
        import openai

        where = self.endpoint.base_url
        body = getattr(err, "body", None)
        said = body.get("message") if isinstance(body, dict) else None
        message = self._scrub(said if isinstance(said, str) and said
                              else str(getattr(err, "message", "") or err))
        if isinstance(err, openai.APITimeoutError):
            return TransientError(f"{where}: no answer in time (timed out)")
        if isinstance(err, openai.APIConnectionError):
            cause = err.__cause__ or err.__context__
            if type(cause).__name__ == "ConnectError":
                return Unreachable(f"cannot reach {where} ({self._scrub(str(cause))}); is the "
                                   "server running and the base URL right?")
            return TransientError(f"{where}: connection lost ({self._scrub(str(cause))})")
        if isinstance(err, openai.APIStatusError):
            status = err.status_code
            wait = retry_after(dict(err.response.headers))
            code = err.code or ""
            if isinstance(err, openai.AuthenticationError):
                return AuthFailed(f"{where} rejected the key from ${self.endpoint.api_key_env} "
                                  f"(401): {message}")
            if isinstance(err, openai.PermissionDeniedError):
                return AuthFailed(f"{where}: permission denied (403): {message}")
            if code == "context_length_exceeded" or "context_length_exceeded" in message:
                return ContextTooLong(f"{where}: the request is longer than the model's "
                                      f"context ({status}): {message}")
            if status == 429 and code == "insufficient_quota":
                return LLMError(f"{where}: quota exhausted (429): {message}")
            if status in (408, 409, 429) or status >= 500:
                return TransientError(f"{where}: {status} {message}", retry_after=wait)
            if isinstance(err, openai.NotFoundError):
                return LLMError(f"{where}: not found (404) — is model {self.model!r} served "
                                f"there? {message}")
            return LLMError(f"{where}: {status} {message}")
        if isinstance(err, openai.APIError):
            # An error event inside a stream: the server broke off mid-answer.
            kind = getattr(err, "type", None) or ""
            if kind in ("server_error", "overloaded_error", "rate_limit_error"):
                return TransientError(f"{where}: stream broke off: {message}")
            return LLMError(f"{where}: {message}")
        return LLMError(f"{where}: {message}")
