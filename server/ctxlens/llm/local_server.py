"""An OpenAI-compatible HTTP server on 127.0.0.1, for tests and demos.

    python -m ctxlens.llm.local_server --port 8765     # answers with `demo_answerer`

Implements `GET /v1/models` and `POST /v1/chat/completions`, plain and streaming (SSE with
a final `usage` chunk when `stream_options.include_usage` is set), with usage counted
exactly in the model's encoding, and answers cut at the request's token cap. Tests script
it per request: a queue of `Reply`s is served first, then a handler function decides;
either can answer with an error as OpenAI sends it (401, 429 with Retry-After, 500, 400
`context_length_exceeded`), a delay, or an error event in the middle of a stream. Every
request received is recorded.
It writes no file and logs no header; the bearer token a request carried is kept in memory
only, so a test can check it was sent.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from ctxlens.tokens import count_tokens, get_encoding


@dataclass(frozen=True, slots=True)
class Reply:
    """What the server answers to one request."""

    content: str = ""
    status: int = 200
    error: dict[str, Any] | None = None  # the `error` object of an error body
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds before the response starts
    usage: bool = True  # send usage (in the last chunk when streaming)
    finish_reason: str = "stop"
    chunk_chars: int = 12  # characters per streamed chunk
    stream_error_after: int | None = None  # chunks sent before an error event breaks the stream

    @classmethod
    def rate_limited(cls, *, retry_after: str | None = None,
                     retry_after_ms: str | None = None) -> Reply:
        headers = {}
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        if retry_after_ms is not None:
            headers["retry-after-ms"] = retry_after_ms
        return cls(status=429, headers=headers, error={
            "message": "Rate limit reached for requests. Please try again later.",
            "type": "requests", "param": None, "code": "rate_limit_exceeded"})

    @classmethod
    def server_error(cls, status: int = 500) -> Reply:
        return cls(status=status, error={
            "message": "The server had an error while processing your request. Sorry about "
                       "that!", "type": "server_error", "param": None, "code": None})

    @classmethod
    def context_length_exceeded(cls, limit: int, got: int) -> Reply:
        return cls(status=400, error={
            "message": f"This model's maximum context length is {limit} tokens. However, "
                       f"your messages resulted in {got} tokens. Please reduce the length of "
                       "the messages.",
            "type": "invalid_request_error", "param": "messages",
            "code": "context_length_exceeded"})

    @classmethod
    def unauthorized(cls, sent: str | None) -> Reply:
        # OpenAI echoes a masked form of the key it got: the client must scrub it.
        shown = f"{sent[:6]}{'*' * 12}{sent[-4:]}" if sent and len(sent) > 10 else "''"
        return cls(status=401, error={
            "message": f"Incorrect API key provided: {shown}. You can find your API key at "
                       "https://platform.openai.com/account/api-keys.",
            "type": "invalid_request_error", "param": None, "code": "invalid_api_key"})


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    method: str
    path: str
    body: dict[str, Any]
    bearer: str | None  # the Authorization bearer token, in memory only

    @property
    def messages(self) -> list[dict[str, Any]]:
        messages = self.body.get("messages", [])
        return messages if isinstance(messages, list) else []

    @property
    def system(self) -> str:
        return next((str(m.get("content", "")) for m in self.messages
                     if m.get("role") == "system"), "")

    @property
    def user(self) -> str:
        """The last user message."""
        return next((str(m.get("content", "")) for m in reversed(self.messages)
                     if m.get("role") == "user"), "")

    @property
    def stream(self) -> bool:
        return bool(self.body.get("stream"))


Handler = Callable[[RecordedRequest], "Reply | str"]


class LocalLLMServer:
    """A real HTTP server on 127.0.0.1 (port 0: a free one). Use as a context manager."""

    def __init__(self, handler: Handler | None = None, *, replies: Iterable[Reply | str] = (),
                 models: Sequence[str] = ("gpt-4.1",), api_key: str | None = None,
                 context_limit: int | None = None, encoding: str = "o200k_base",
                 host: str = "127.0.0.1", port: int = 0, log: bool = False) -> None:
        if handler is None:
            from ctxlens.llm.demo_answerer import demo_answer

            handler = demo_answer
        self.handler: Handler = handler
        self.models = tuple(models)
        self.api_key = api_key  # None: any key (or none) is accepted
        self.context_limit = context_limit
        self.encoding = encoding
        self.log = log
        self._queue: deque[Reply | str] = deque(replies)
        self._requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd = _Server((host, port), _make_handler(self))
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The base URL to give a client: `http://127.0.0.1:PORT/v1`."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    def enqueue(self, *replies: Reply | str) -> None:
        with self._lock:
            self._queue.extend(replies)

    def start(self) -> LocalLLMServer:
        # A short poll so stop() returns at once (shutdown waits for the next poll).
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,),
                                        daemon=True, name=f"local-llm-{self.port}")
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> LocalLLMServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- called from request threads --------------------------------------------------

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _reply_for(self, request: RecordedRequest) -> Reply:
        if self.api_key is not None and request.bearer != self.api_key:
            return Reply.unauthorized(request.bearer)
        if self.context_limit is not None:
            got = self.prompt_tokens(request)
            if got > self.context_limit:
                return Reply.context_length_exceeded(self.context_limit, got)
        with self._lock:
            queued = self._queue.popleft() if self._queue else None
        answer = queued if queued is not None else self.handler(request)
        reply = Reply(content=answer) if isinstance(answer, str) else answer
        return self._capped(request, reply)

    def _capped(self, request: RecordedRequest, reply: Reply) -> Reply:
        """Cut the answer at the request's token cap, as a model does (finish "length")."""
        cap = request.body.get("max_completion_tokens", request.body.get("max_tokens"))
        if not isinstance(cap, int) or reply.status != 200:
            return reply
        tokens = get_encoding(self.encoding).encode_ordinary(reply.content)
        if len(tokens) <= cap:
            return reply
        cut = get_encoding(self.encoding).decode(tokens[:cap])
        return replace(reply, content=cut, finish_reason="length")

    def prompt_tokens(self, request: RecordedRequest) -> int:
        """The request's tokens by OpenAI's chat framing rule (see framing.py)."""
        total = 3
        for m in request.messages:
            total += 3 + count_tokens(str(m.get("role", "")), self.encoding)
            total += count_tokens(str(m.get("content", "")), self.encoding)
        return total

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gave up (a timeout test) or closed a kept-alive connection is normal.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


def _make_handler(server: LocalLLMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        server_version = "ctxlens-local-llm"

        def log_message(self, format: str, *args: Any) -> None:
            if server.log:  # method, path and status only: never headers
                status = args[1] if len(args) > 1 else ""
                sys.stderr.write(f"local-llm: {self.command} {self.path} {status}\n")

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                data = [{"id": m, "object": "model", "created": 0, "owned_by": "ctxlens-local"}
                        for m in server.models]
                self._json(200, {"object": "list", "data": data})
            else:
                self._json(404, {"error": {"message": f"no route {self.path}",
                                           "type": "invalid_request_error", "code": None}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            auth = self.headers.get("Authorization") or ""
            bearer = auth[7:] if auth.startswith("Bearer ") else None
            request = RecordedRequest("POST", self.path,
                                      body if isinstance(body, dict) else {}, bearer)
            server._record(request)
            if not self.path.rstrip("/").endswith("/chat/completions"):
                self._json(404, {"error": {"message": f"no route {self.path}",
                                           "type": "invalid_request_error", "code": None}})
                return
            if not isinstance(body, dict) or not isinstance(body.get("messages"), list):
                self._json(400, {"error": {"message": "'messages' is required",
                                           "type": "invalid_request_error",
                                           "param": "messages", "code": None}})
                return
            reply = server._reply_for(request)
            if reply.delay:
                server.wait(reply.delay)
            try:
                if reply.status != 200:
                    self._json(reply.status, {"error": reply.error or {}}, reply.headers)
                elif request.stream:
                    self._stream(request, reply)
                else:
                    self._json(200, self._completion(request, reply), reply.headers)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test): nothing to answer

        def _usage(self, request: RecordedRequest, content: str) -> dict[str, int]:
            prompt = server.prompt_tokens(request)
            completion = count_tokens(content, server.encoding)
            return {"prompt_tokens": prompt, "completion_tokens": completion,
                    "total_tokens": prompt + completion}

        def _completion(self, request: RecordedRequest, reply: Reply) -> dict[str, Any]:
            doc: dict[str, Any] = {
                "id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion",
                "created": int(time.time()), "model": request.body.get("model", ""),
                "choices": [{"index": 0, "finish_reason": reply.finish_reason,
                             "message": {"role": "assistant", "content": reply.content}}]}
            if reply.usage:
                doc["usage"] = self._usage(request, reply.content)
            return doc

        def _stream(self, request: RecordedRequest, reply: Reply) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            base = {"id": f"chatcmpl-{uuid.uuid4().hex[:12]}", "object": "chat.completion.chunk",
                    "created": int(time.time()), "model": request.body.get("model", "")}

            def event(choices: list[dict[str, Any]], **extra: Any) -> None:
                self._chunk(f"data: {json.dumps({**base, 'choices': choices, **extra})}\n\n")

            event([{"index": 0, "delta": {"role": "assistant", "content": ""},
                    "finish_reason": None}])
            text, size = reply.content, max(1, reply.chunk_chars)
            for n, start in enumerate(range(0, len(text), size)):
                if reply.stream_error_after is not None and n >= reply.stream_error_after:
                    self._chunk("data: " + json.dumps({"error": {
                        "message": "The server had an error while processing your request.",
                        "type": "server_error", "param": None, "code": None}}) + "\n\n")
                    self._chunk("")
                    return
                event([{"index": 0, "delta": {"content": text[start:start + size]},
                        "finish_reason": None}])
            event([{"index": 0, "delta": {}, "finish_reason": reply.finish_reason}])
            options = request.body.get("stream_options") or {}
            if reply.usage and isinstance(options, dict) and options.get("include_usage"):
                event([], usage=self._usage(request, text))
            self._chunk("data: [DONE]\n\n")
            self._chunk("")  # the terminating zero-length chunk

        def _chunk(self, text: str) -> None:
            data = text.encode("utf-8")
            self.wfile.write(f"{len(data):X}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

        def _json(self, status: int, doc: dict[str, Any],
                  headers: dict[str, str] | None = None) -> None:
            data = json.dumps(doc).encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ctxlens.llm.local_server",
        description="An OpenAI-compatible server on 127.0.0.1 that answers from the request "
                    "itself (summaries of the files it was sent, a diagram of them): for demos "
                    "of ctxlens ask and ctxlens diagram without a model.")
    parser.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    parser.add_argument("--model", action="append", dest="models", metavar="NAME",
                        help="a model name /v1/models lists (repeatable; default gpt-4.1)")
    parser.add_argument("--quiet", action="store_true", help="do not log requests")
    args = parser.parse_args(argv)
    server = LocalLLMServer(models=args.models or ("gpt-4.1",), port=args.port,
                            log=not args.quiet)
    print(f"serving an OpenAI-compatible API on {server.url} (Ctrl-C stops)", flush=True)
    try:
        server._httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
