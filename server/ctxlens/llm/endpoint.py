"""Where requests go and with which key: flags, then environment, then `[llm]`.

The key is read from the environment at the moment a client is made and handed straight
to it; an `Endpoint` holds only the variable's name, so printing, logging or caching one
cannot leak the key. `scrub` removes a key (and the masked `sk-ab***yz` forms servers
echo in errors) from any text we are about to show.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from ctxlens.llm.options import LLMOptions

OPENAI_BASE_URL = "https://api.openai.com/v1"
BASE_URL_ENV = "OPENAI_BASE_URL"
# Local servers (vLLM, Ollama, LM Studio, ours) usually want no key; the client needs one.
NO_KEY = "ctxlens-no-key"
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}
# OpenAI-style keys, and masked echoes of any key ("sk-proj-ab***********wxyz").
_KEYLIKE = re.compile(r"\b(?:sk|rk|pk)-[A-Za-z0-9_\-*]{4,}|[A-Za-z0-9_\-]*\*{3,}[A-Za-z0-9_\-]*")


class EndpointError(ValueError):
    """The endpoint cannot be used as configured (no key, bad URL)."""


@dataclass(frozen=True, slots=True)
class Endpoint:
    base_url: str
    base_url_source: str  # "--base-url" | "$OPENAI_BASE_URL" | ".ctxlens.toml [llm]" | "default"
    api_key_env: str  # the variable's name; the key itself is never stored

    @property
    def is_local(self) -> bool:
        return (urlsplit(self.base_url).hostname or "") in _LOCAL_HOSTS

    @property
    def is_openai(self) -> bool:
        return (urlsplit(self.base_url).hostname or "").endswith("api.openai.com")

    def describe(self) -> str:
        return f"{self.base_url} (from {self.base_url_source}; key from ${self.api_key_env})"


def resolve_endpoint(options: LLMOptions, base_url: str | None = None,
                     environ: Mapping[str, str] | None = None) -> Endpoint:
    env = os.environ if environ is None else environ
    if base_url:
        url, source = base_url, "--base-url"
    elif env.get(BASE_URL_ENV):
        url, source = env[BASE_URL_ENV], f"${BASE_URL_ENV}"
    elif options.base_url:
        url, source = options.base_url, ".ctxlens.toml [llm]"
    else:
        url, source = OPENAI_BASE_URL, "default"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise EndpointError(f"base URL {url!r} (from {source}) is not an http(s) URL")
    if parts.username or parts.password:
        raise EndpointError(f"base URL from {source} holds credentials; put the key in "
                            f"${options.api_key_env} instead")
    return Endpoint(base_url=url.rstrip("/"), base_url_source=source,
                    api_key_env=options.api_key_env)


def read_key(endpoint: Endpoint, environ: Mapping[str, str] | None = None) -> str:
    """The key for `endpoint`, read now; a placeholder for local servers without one."""
    env = os.environ if environ is None else environ
    key = env.get(endpoint.api_key_env, "").strip()
    if key:
        return key
    if endpoint.is_local:
        return NO_KEY
    raise EndpointError(f"no API key: set ${endpoint.api_key_env} (or name another variable "
                        "with api_key_env in .ctxlens.toml [llm])")


def scrub(text: str, key: str | None = None) -> str:
    """`text` with `key` and anything shaped like an API key replaced by `<redacted key>`."""
    if key and key != NO_KEY:
        text = text.replace(key, "<redacted key>")
    return _KEYLIKE.sub("<redacted key>", text)
