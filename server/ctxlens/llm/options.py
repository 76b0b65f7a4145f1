"""Settings of the LLM bridge: `[llm]` in .ctxlens.toml, then flags on top.

The API key never lives here: only the name of the environment variable that holds it.
"""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_KEY_ENV = "OPENAI_API_KEY"


@dataclass(frozen=True, slots=True)
class LLMOptions:
    base_url: str | None = None  # None: $OPENAI_BASE_URL, else OpenAI's
    model: str | None = None  # None: the plan's, then the config's, then the registry default
    api_key_env: str = DEFAULT_KEY_ENV
    concurrency: int = 4  # map requests in flight at once
    timeout: float = 600.0  # seconds per request
    max_retries: int = 4  # retries of one request on 429, 5xx and timeouts
    answer_tokens: int = 4096  # reserved for (and capped at) the final answer
    summary_tokens: int = 2048  # reserved for (and capped at) each part's summary
    cache: bool = True  # answers are kept in .ctxlens/llm-cache.db
