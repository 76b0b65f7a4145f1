"""Find secrets in one file's text.

Two sources, merged:

* **detect-secrets token formats.** We instantiate the library's regex-based plugins directly
  (AWS, GitHub, GitLab, Slack, Stripe, JWT, OpenAI, PyPI, npm, SendGrid, Twilio, Discord,
  Telegram, Mailchimp, Azure storage, basic auth in URLs, …) and run their `denylist` patterns
  with `finditer`, so we know *where* each secret is. We do not go through
  `detect_secrets.core.scan` / `transient_settings`: those mutate process-global settings (not
  safe with threads or with another caller of the library), and `BasePlugin.analyze_line` may
  call `verify()`, which for some plugins is a network request. `analyze_string` is not enough
  either: for patterns with a capture group it yields the group (for GitHub tokens that is just
  the `ghp` prefix). Not used: `IPPublicDetector` (an address is not a secret),
  `PrivateKeyDetector` (header only; our PEM check below finds the whole block),
  `KeywordDetector` and the high-entropy plugins (replaced by the checks below, which know the
  value's span and filter placeholders; we still use the plugins' Shannon-entropy functions and
  the library's `filters.heuristic` helpers).
* **Our own checks** where detect-secrets is weak: PEM / OpenSSH / PGP private-key blocks (the
  body between BEGIN and END, so the markers stay readable), PuTTY private lines, AWS access key
  ids with word boundaries, `password/secret/token/api_key = <literal>` assignments, and quoted
  high-entropy base64 (> 4.5 bits/char) or hex (> 3.0) strings of 20+ characters.

False-positive choices (keep the pack usable):

* assignments: the key's *last* word must be a secret word (`DB_PASSWORD`, `apiKey`,
  `client_secret`, `GITHUB_TOKEN`; not `token_type`, `password_hash`, `secret_name`); in code
  files the value must be a string literal (an unquoted value is an expression); the value is
  dropped when it is empty, shorter than 4 characters, contains whitespace (prose such as a
  prompt), is templated (`${VAR}`, `{{ x }}`, `%(x)s`, `{x}`, `<your key>`, `$VAR`, `%VAR%`),
  is made of one repeated filler character (`xxx`, `***`), or is a known placeholder word
  (`changeme`, `password`, `example`, `dummy`, `your_token_here`, …);
* high entropy: only quoted strings; never in lockfiles (`package-lock.json`, `yarn.lock`,
  `poetry.lock`, `go.sum`, any `*.lock`, …); never UUIDs, sequential strings
  (`ABCDEF…`), SRI hashes (`sha512-…`); a hex string on a line that talks about a hash (`sha`,
  `md5`, `hash`, `digest`, `checksum`, `commit`, `rev`, `integrity`, `fingerprint`, `etag`)
  is a hash, not a secret; a base64 candidate needs both a letter and a digit.

Speed: the per-line checks run only on the lines `prefilter.candidate_lines` picks (whole-text
searches for what each check needs; same findings, ~28x faster on the standard library), the
private-key searches only when their literal is in the text, and an answer is kept per
(rules, content hash), so a rebuilt pack does not scan its files again.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import string
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from re import Match, Pattern

from detect_secrets.filters.heuristic import (
    is_lock_file,
    is_potential_uuid,
    is_sequential_string,
)
from detect_secrets.plugins.artifactory import ArtifactoryDetector
from detect_secrets.plugins.aws import AWSKeyDetector
from detect_secrets.plugins.azure_storage_key import AzureStorageKeyDetector
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.basic_auth import BasicAuthDetector
from detect_secrets.plugins.discord import DiscordBotTokenDetector
from detect_secrets.plugins.github_token import GitHubTokenDetector
from detect_secrets.plugins.gitlab_token import GitLabTokenDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
)
from detect_secrets.plugins.jwt import JwtTokenDetector
from detect_secrets.plugins.mailchimp import MailchimpDetector
from detect_secrets.plugins.npm import NpmDetector
from detect_secrets.plugins.openai import OpenAIDetector
from detect_secrets.plugins.pypi_token import PypiTokenDetector
from detect_secrets.plugins.sendgrid import SendGridDetector
from detect_secrets.plugins.slack import SlackDetector
from detect_secrets.plugins.square_oauth import SquareOAuthDetector
from detect_secrets.plugins.stripe import StripeDetector
from detect_secrets.plugins.telegram_token import TelegramBotTokenDetector
from detect_secrets.plugins.twilio import TwilioKeyDetector

from ctxlens.secrets.model import Finding
from ctxlens.secrets.prefilter import (
    ALL_CHECKS,
    ASSIGNMENT,
    AWS_KEY_ID,
    ENTROPY,
    TRIGGERS_FOR,
    candidate_lines,
)

log = logging.getLogger(__name__)

BASE64_LIMIT = 4.5
HEX_LIMIT = 3.0
MIN_ENTROPY_LENGTH = 20

# Kind names, most specific first: when findings overlap, the earlier kind names the marker.
KIND_PRIORITY: tuple[str, ...] = (
    "private-key",
    "aws-access-key",
    "aws-secret-key",
    "github-token",
    "gitlab-token",
    "slack-token",
    "slack-webhook",
    "stripe-key",
    "openai-key",
    "pypi-token",
    "npm-token",
    "sendgrid-key",
    "twilio-key",
    "discord-token",
    "telegram-token",
    "mailchimp-key",
    "azure-storage-key",
    "artifactory-token",
    "square-oauth-secret",
    "jwt",
    "basic-auth",
    "password-assignment",
    "secret-assignment",
    "generic-high-entropy",
)

_DETECTORS: tuple[tuple[RegexBasedDetector, str], ...] = (
    (AWSKeyDetector(), "aws"),
    (GitHubTokenDetector(), "github-token"),
    (GitLabTokenDetector(), "gitlab-token"),
    (SlackDetector(), "slack"),
    (StripeDetector(), "stripe-key"),
    (OpenAIDetector(), "openai-key"),
    (PypiTokenDetector(), "pypi-token"),
    (NpmDetector(), "npm-token"),
    (SendGridDetector(), "sendgrid-key"),
    (TwilioKeyDetector(), "twilio-key"),
    (DiscordBotTokenDetector(), "discord-token"),
    (TelegramBotTokenDetector(), "telegram-token"),
    (MailchimpDetector(), "mailchimp-key"),
    (AzureStorageKeyDetector(), "azure-storage-key"),
    (ArtifactoryDetector(), "artifactory-token"),
    (SquareOAuthDetector(), "square-oauth-secret"),
    (JwtTokenDetector(), "jwt"),
    (BasicAuthDetector(), "basic-auth"),
)
_JWT = _DETECTORS[16][0]
_B64 = Base64HighEntropyString(limit=BASE64_LIMIT)
_HEX = HexHighEntropyString(limit=HEX_LIMIT)

_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")
_AWS_KEY_ID = re.compile(r"(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])")

# PEM-style private keys (PKCS#1/#8, EC, DSA, OpenSSH, encrypted, PGP, SSH2).
_PEM_BEGIN = re.compile(r"-{4,5} ?BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?(?: ?-{4,5})")
_KEY_MARKER = re.compile(r"P(?:RIVATE KEY|rivate-Lines:)")
_PEM_END = r"-{{4,5}} ?END {prefix}PRIVATE KEY(?: BLOCK)?"
_PEM_MAX_BODY = 32_768
_PEM_HEADER_LINE = re.compile(r"^[A-Za-z][\w-]*: .*$", re.MULTILINE)
_PEM_NOISE = re.compile(r"\\[nr]|[\s\"'`+,]")
_B64_RUN = re.compile(r"[A-Za-z0-9+/=]{16,}")
_B64_BODY_LINE = re.compile(r"\s*(?:[A-Za-z0-9+/=]+|[A-Za-z][\w-]*: .*)?\s*")
_EDGE_NOISE = re.compile(r"\A(?:\\[nr]|[\s\"'`+,])+|(?:\\[nr]|[\s\"'`+,])+\Z")
_PUTTY = re.compile(
    r"^Private-Lines: *\d+[ \t]*\r?\n((?:[A-Za-z0-9+/=]+[ \t]*(?:\r?\n|\Z))+)", re.MULTILINE
)

_ASSIGNMENT = re.compile(
    r"""
    (?<![\w.])
    (?P<key>[A-Za-z_][A-Za-z0-9_.\-]*)
    ["'`]?\]?
    [ \t]*
    (?::[ \t]*[A-Za-z_][\w\[\], .|]*?[ \t]*(?==))?       # a type annotation: `x: str = ...`
    (?P<op>:=|=>|(?<![=!<>])=(?!=)|:(?!:))
    [ \t]*
    (?P<value>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`[^`\n]*`|[^\s,;#}\])]+)
    """,
    re.VERBOSE,
)
_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_PASSWORD_WORDS = frozenset({"password", "passwd", "pwd", "pass", "passphrase", "passcode"})
_SECRET_WORDS = frozenset(
    {
        "secret",
        "token",
        "apikey",
        "secretkey",
        "accesskey",
        "privatekey",
        "credential",
        "credentials",
    }
)
_SECRET_PAIRS = frozenset(
    {
        ("api", "key"),
        ("access", "key"),
        ("secret", "key"),
        ("private", "key"),
        ("auth", "key"),
        ("signing", "key"),
        ("encryption", "key"),
        ("master", "key"),
        ("client", "key"),
    }
)
_PLACEHOLDERS = frozenset(
    {
        "changeme",
        "change_me",
        "change-me",
        "changeit",
        "password",
        "passwd",
        "secret",
        "token",
        "none",
        "null",
        "nil",
        "undefined",
        "true",
        "false",
        "example",
        "sample",
        "dummy",
        "fake",
        "placeholder",
        "todo",
        "tbd",
        "redacted",
        "hidden",
        "masked",
        "required",
        "optional",
        "string",
        "str",
        "env",
        "default",
        "test",
        "testing",
        "foobar",
        "notasecret",
        "api_key",
        "apikey",
    }
)
_FILLER = re.compile(r"^(.)\1*$|^[xX*.\-_#?]+$")
_TEMPLATE = re.compile(r"\$\{|\{\{|%\(|\$\(|\{[^}]*\}|^<.*>$|^\$\w|^%\w+%$")
_PLACEHOLDER_PHRASE = re.compile(
    r"^(?:your|my|enter|insert|replace|put|add|set)[_\-.]|(?:[_\-.]here)$|^x{3,}|"
    r"example|placeholder|changeme|dummy",
    re.IGNORECASE,
)

# Files whose unquoted values are literals (config) rather than expressions (code).
_CODE_EXTENSIONS = frozenset(
    {
        ".py",
        ".pyi",
        ".js",
        ".jsx",
        ".mjs",
        ".cjs",
        ".ts",
        ".tsx",
        ".java",
        ".kt",
        ".kts",
        ".scala",
        ".go",
        ".rs",
        ".c",
        ".h",
        ".cc",
        ".cpp",
        ".hpp",
        ".cs",
        ".php",
        ".rb",
        ".swift",
        ".m",
        ".dart",
        ".lua",
        ".r",
        ".jl",
        ".ex",
        ".exs",
        ".groovy",
        ".vue",
        ".svelte",
    }
)

_QUOTED_TOKEN = re.compile(r"([\"'`])([A-Za-z0-9+/=_\-]{20,})\1")  # MIN_ENTROPY_LENGTH
_HASH_CONTEXT = re.compile(
    r"sha\d*|md5|hash|digest|checksum|commit|\brev|integrity|fingerprint|etag|\boid\b",
    re.IGNORECASE,
)
_SRI = re.compile(r"^(?:sha\d+|md5)-", re.IGNORECASE)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I)
_LOCK_NAMES = frozenset(
    {
        "package-lock.json",
        "npm-shrinkwrap.json",
        "yarn.lock",
        "pnpm-lock.yaml",
        "poetry.lock",
        "pipfile.lock",
        "cargo.lock",
        "gemfile.lock",
        "composer.lock",
        "go.sum",
        "uv.lock",
        "pdm.lock",
        "flake.lock",
        "mix.lock",
        "packages.lock.json",
        "gradle.lockfile",
        "bun.lockb",
        "deno.lock",
        "podfile.lock",
        "package.resolved",
    }
)


def _iter_lines(text: str) -> Iterator[tuple[int, str, frozenset[str]]]:
    """(offset of line start, line without its line break, every check) for every line."""
    offset = 0
    for raw in text.splitlines(keepends=True):
        yield offset, raw.rstrip("\r\n"), ALL_CHECKS
        offset += len(raw)


def _installed_patterns() -> dict[str, tuple[tuple[str, int], ...]]:
    return {
        kind: tuple((p.pattern, p.flags) for p in plugin.denylist) for plugin, kind in _DETECTORS
    }


# The prefilter's triggers were derived from these plugins' patterns; with others, scan all.
PREFILTER_ACTIVE = _installed_patterns() == TRIGGERS_FOR
if not PREFILTER_ACTIVE:
    log.warning("detect-secrets' patterns differ from the prefilter's; scanning every line")

Span = tuple[int, int, int, str]  # line, start, end, kind
_CACHE_SIZE = 32_768  # entries of (rules, digest) -> spans: a few MB at most
_cache: OrderedDict[tuple[bool, bool, bytes], tuple[Span, ...]] = OrderedDict()
_cache_lock = threading.Lock()


def scan_text(path: str, text: str) -> list[Finding]:
    """All secrets in `text` (the content of `path`), sorted by offset, none nested in another.

    Pure and offline: no settings, no network, no file access (`path` only picks rules).
    The answer for a text is kept by content hash (the pack is rebuilt on every budget change
    and scans the same files again); `clear_cache` drops it.
    """
    code, lockfile = _rules(path)
    key = (
        code,
        lockfile,
        hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
    )
    with _cache_lock:
        spans = _cache.get(key)
        if spans is not None:
            _cache.move_to_end(key)
    if spans is None:
        spans = _scan(text, code=code, lockfile=lockfile, prefilter=PREFILTER_ACTIVE)
        with _cache_lock:
            _cache[key] = spans
            if len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return [Finding(path=path, line=line, kind=kind, start=s, end=e) for line, s, e, kind in spans]


def scan_text_unfiltered(path: str, text: str) -> list[Finding]:
    """`scan_text` without the prefilter or the cache: every check on every line. The
    reference the prefilter must agree with (tests, `bench/secrets_bench.py`)."""
    code, lockfile = _rules(path)
    spans = _scan(text, code=code, lockfile=lockfile, prefilter=False)
    return [Finding(path=path, line=line, kind=kind, start=s, end=e) for line, s, e, kind in spans]


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()


def _rules(path: str) -> tuple[bool, bool]:
    """(code file: unquoted values are expressions, lockfile: no high-entropy check)."""
    return os.path.splitext(path)[1].lower() in _CODE_EXTENSIONS, _is_lockfile(path)


def _scan(text: str, *, code: bool, lockfile: bool, prefilter: bool) -> tuple[Span, ...]:
    spans: list[tuple[int, int, str]] = []
    spans.extend(_private_keys(text))
    lines: Iterable[tuple[int, str, frozenset[str]]] = (
        candidate_lines(text, entropy=not lockfile) if prefilter else _iter_lines(text)
    )
    for line_start, line, checks in lines:
        for start, end, kind in _line_findings(line, checks, code=code, lockfile=lockfile):
            spans.append((line_start + start, line_start + end, kind))
    out: list[Span] = []
    line_no, pos = 1, 0
    for start, end, kind in _drop_nested(spans):  # sorted by start
        line_no += text.count("\n", pos, start)
        pos = start
        out.append((line_no, start, end, kind))
    return tuple(out)


def _line_findings(
    line: str, checks: frozenset[str], *, code: bool, lockfile: bool
) -> Iterator[tuple[int, int, str]]:
    yield from _detect_secrets_tokens(line, checks)
    if AWS_KEY_ID in checks:
        for m in _AWS_KEY_ID.finditer(line):
            yield m.start(), m.end(), "aws-access-key"
    if ASSIGNMENT in checks:
        yield from _assignments(line, code=code)
    if ENTROPY in checks and not lockfile:
        yield from _high_entropy(line)


# --- detect-secrets plugins -----------------------------------------------------------------


def _detect_secrets_tokens(line: str, checks: frozenset[str]) -> Iterator[tuple[int, int, str]]:
    for plugin, kind in _DETECTORS:
        if kind not in checks:
            continue
        for pattern in plugin.denylist:
            for m in pattern.finditer(line):
                start, end = _secret_span(m)
                start, end = _trim(line, start, end)
                if end - start < 4:
                    continue
                value = line[start:end]
                if plugin is _JWT and not any(True for _ in _JWT.analyze_string(value)):
                    continue
                yield start, end, _kind_for(kind, value, pattern)


def _secret_span(m: Match[str]) -> tuple[int, int]:
    """The secret inside a plugin match: its longest group, unless that is just a prefix."""
    best: tuple[int, int] | None = None
    for i in range(1, (m.re.groups or 0) + 1):
        if m.start(i) < 0:
            continue
        if best is None or m.end(i) - m.start(i) > best[1] - best[0]:
            best = (m.start(i), m.end(i))
    if best is None or best[0] == m.start() or best[1] - best[0] < 8:
        return m.start(), m.end()
    return best


def _trim(line: str, start: int, end: int) -> tuple[int, int]:
    while start < end and line[start] in " \t=:\"'":
        start += 1
    while end > start and line[end - 1] in " \t\"'":
        end -= 1
    return start, end


def _kind_for(kind: str, value: str, pattern: Pattern[str]) -> str:
    if kind == "aws":
        return "aws-access-key" if _AWS_KEY_ID.fullmatch(value) else "aws-secret-key"
    if kind == "slack":
        return "slack-webhook" if value.lower().startswith("https://") else "slack-token"
    return kind


# --- private keys ---------------------------------------------------------------------------


def _private_keys(text: str) -> Iterator[tuple[int, int, str]]:
    # Each pattern needs its literal; one search for both is far cheaper than theirs.
    if _KEY_MARKER.search(text) is None:
        return
    if "PRIVATE KEY" in text:
        yield from _pem_keys(text)
    if "Private-Lines:" in text:
        for m in _PUTTY.finditer(text):
            span = _strip_edges(text, m.start(1), m.end(1))
            if span is not None:
                yield span[0], span[1], "private-key"


def _pem_keys(text: str) -> Iterator[tuple[int, int, str]]:
    for begin in _PEM_BEGIN.finditer(text):
        body_start = begin.end()
        end_re = re.compile(_PEM_END.format(prefix=re.escape(begin.group(1))))
        end = end_re.search(text, body_start, body_start + _PEM_MAX_BODY)
        body_end: int | None = None
        if end is not None and _is_key_body(text[body_start : end.start()]):
            body_end = end.start()
        else:
            body_end = _unterminated_body_end(text, body_start)
        if body_end is None:
            continue
        span = _strip_edges(text, body_start, body_end)
        if span is not None:
            yield span[0], span[1], "private-key"


def _is_key_body(body: str) -> bool:
    stripped = _PEM_NOISE.sub("", _PEM_HEADER_LINE.sub("", body.replace("\\n", "\n")))
    return len(stripped) >= 16 and re.fullmatch(r"[A-Za-z0-9+/=]+", stripped) is not None


def _unterminated_body_end(text: str, body_start: int) -> int | None:
    """A truncated key (no END): the following base64 lines, or the rest of an escaped line."""
    newline = text.find("\n", body_start)
    rest_of_line = text[body_start : newline if newline >= 0 else len(text)]
    if _B64_RUN.search(rest_of_line):  # "-----BEGIN ...-----\nMIIE...\n..." in one string
        return body_start + len(rest_of_line)
    if newline < 0:
        return None
    pos = newline + 1
    end = None
    while pos < len(text):
        nxt = text.find("\n", pos)
        stop = nxt if nxt >= 0 else len(text)
        if not _B64_BODY_LINE.fullmatch(text[pos:stop]):
            break
        end = stop
        pos = stop + 1
    if end is None or not _B64_RUN.search(text[newline:end]):
        return None
    return end


def _strip_edges(text: str, start: int, end: int) -> tuple[int, int] | None:
    body = text[start:end]
    lead = _EDGE_NOISE.match(body)
    if lead and lead.start() == 0:
        start += lead.end()
        body = text[start:end]
    tail = re.search(r"(?:\\[nr]|[\s\"'`+,])+\Z", body)
    if tail:
        end = start + tail.start()
    return (start, end) if end > start else None


# --- assignments ----------------------------------------------------------------------------


def _assignments(line: str, *, code: bool) -> Iterator[tuple[int, int, str]]:
    for m in _ASSIGNMENT.finditer(line):
        kind = _assignment_kind(m.group("key"))
        if kind is None:
            continue
        raw = m.group("value")
        quoted = raw[0] in "\"'`" and len(raw) >= 2 and raw[-1] == raw[0]
        if raw[0] == "`" and m.group("op") == ":":
            continue  # prose such as "secret: `text[a:b]`" in docs and docstrings
        if quoted:
            start, end = m.start("value") + 1, m.end("value") - 1
        else:
            if code:
                continue  # an expression, e.g. `password = os.environ["PW"]`
            start, end = m.start("value"), m.end("value")
        value = line[start:end]
        if _is_literal_secret(value, m.group("key"), quoted=quoted):
            if "aws" in m.group("key").lower() and _AWS_SECRET.fullmatch(value):
                kind = "aws-secret-key"
            yield start, end, kind


def _assignment_kind(key: str) -> str | None:
    words = [w.lower() for w in _WORDS.findall(key)]
    if not words:
        return None
    if words[-1] in _PASSWORD_WORDS:
        return "password-assignment"
    if words[-1] in _SECRET_WORDS or tuple(words[-2:]) in _SECRET_PAIRS:
        return "secret-assignment"
    return None


def _is_literal_secret(value: str, key: str, *, quoted: bool) -> bool:
    if len(value) < 4 or any(c.isspace() for c in value):
        return False
    low = value.lower()
    if low in _PLACEHOLDERS or low == key.lower() or _FILLER.match(value):
        return False
    if _TEMPLATE.search(value) or _PLACEHOLDER_PHRASE.search(value):
        return False
    # Unquoted (config files): not YAML tags/blocks/anchors, calls or env lookups.
    return quoted or not (
        value[0] in "!|>&*@[{(" or "(" in value or value.startswith(("process.env", "os."))
    )


# --- high entropy ---------------------------------------------------------------------------


def _is_lockfile(path: str) -> bool:
    name = os.path.basename(path)
    return name.lower() in _LOCK_NAMES or name.endswith(".lock") or is_lock_file(path)


def _high_entropy(line: str) -> Iterator[tuple[int, int, str]]:
    for m in _QUOTED_TOKEN.finditer(line):
        value = m.group(2)
        if _UUID.match(value) or is_potential_uuid(value) or is_sequential_string(value):
            continue
        if _SRI.match(value):
            continue
        if all(c in string.hexdigits for c in value):
            if _HASH_CONTEXT.search(line):
                continue
            if _HEX.calculate_shannon_entropy(value) <= HEX_LIMIT:
                continue
        else:
            has_letter = any(c.isalpha() for c in value)
            has_digit = any(c.isdigit() for c in value)
            if not (has_letter and has_digit):
                continue
            if _B64.calculate_shannon_entropy(value) <= BASE64_LIMIT:
                continue
        yield m.start(2), m.end(2), "generic-high-entropy"


# --- merging --------------------------------------------------------------------------------


def _priority(kind: str) -> int:
    try:
        return KIND_PRIORITY.index(kind)
    except ValueError:
        return len(KIND_PRIORITY)


def _drop_nested(spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Dedupe; drop a span inside another (the outer one, or the more specific kind, wins)."""
    ordered = sorted(set(spans), key=lambda s: (s[0], -(s[1] - s[0]), _priority(s[2])))
    kept: list[tuple[int, int, str]] = []
    for span in ordered:
        if not any(k[0] <= span[0] and span[1] <= k[1] for k in kept):
            kept.append(span)
    return sorted(kept)
