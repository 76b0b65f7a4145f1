"""Which lines can hold a secret at all: a few whole-text searches before the per-line checks.

Running every per-line check (18 detect-secrets plugins with 30 patterns, the AWS key-id
pattern, the assignment and high-entropy checks) on every line cost ~17 µs a line — most of a
warm `ctxlens pack`. Each check has a *trigger* here: a pattern that any line the check can
report something on must contain (a literal or a short pattern taken from the check's own
pattern, with the same character classes). A trigger is searched in the whole text, which C
does at ~1.5 GB/s, and only the lines it hits get the checks it guards. The result is exactly
the unfiltered scan's, because each trigger is a necessary condition:

* a trigger never matches a line break and has no anchors or lookarounds, so a trigger match
  inside a line is found by a search over the whole text, at that place (or a match
  overlapping it, which is then on the same line);
* searches resume after the line they hit, and a hit marks the whole `\\n`-delimited stretch,
  which is split exactly as `str.splitlines` splits the text (`\\r`, `\\f`, `\\u2028`, … are
  line breaks too), so the per-line checks see the very same lines at the same offsets;
* case-insensitive checks are searched in a lowercased copy of the text (`fold`), which has the
  same offsets; for text whose lowercase changes length (`İ`) the triggers run with
  `re.IGNORECASE` on the text itself instead.

`TRIGGERS_FOR` pins the detect-secrets patterns the triggers were derived from; `scan.py`
turns the prefilter off (every line, every check) if the installed plugins differ, and a test
fails, so an upgrade cannot make the prefilter silently drop findings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from re import Pattern

# Per-line checks besides the plugins (which are named by their kind in `scan._DETECTORS`).
AWS_KEY_ID = "aws-key-id"
ASSIGNMENT = "assignment"
ENTROPY = "entropy"

# After a secret word of a key: the rest of `scan._ASSIGNMENT` up to its operator (a type
# annotation starts with `:`, every operator with `:` or `=`).
_KEY_TAIL = r"""[_.\-]*["'`]?\]?[ \t]*[:=]"""

# (pattern searched in the text as is, checks it guards). Triggers sharing a first character
# are merged into one pattern: each search is a full pass over the text.
_EXACT: tuple[tuple[str, frozenset[str]], ...] = (
    (
        r"A(?:3T|BIA|CCA|KIA|SIA|KC|ccountKey=|C[a-z0-9]{32}|P[\dABCDEF][a-zA-Z0-9]{8})",
        frozenset({"aws", AWS_KEY_ID, "artifactory-token", "azure-storage-key", "twilio-key"}),
    ),
    (r"S(?:G\.|K[a-z0-9]{32})", frozenset({"sendgrid-key", "twilio-key"})),
    (
        r":(?://|_authToken=|[0-9A-Za-z_-]{35})",
        frozenset({"basic-auth", "npm-token", "telegram-token"}),
    ),
    (r"\.[a-zA-Z\d_-]{6}\.[a-zA-Z\d_-]{27}", frozenset({"discord-token"})),
    (r"yJ", frozenset({"jwt"})),  # of `eyJ`: `e` is common, and a search runs along the 1st char
)
# (pattern searched in the folded text, checks it guards); lowercase letters only, so that
# with re.IGNORECASE it matches the unfolded text wherever it matches the folded one.
_FOLDED: tuple[tuple[str, frozenset[str]], ...] = (
    (r"k(?:_live_|ey" + _KEY_TAIL + ")", frozenset({"stripe-key", ASSIGNMENT})),
    (
        r"p(?:ass(?:word|wd|phrase|code)?" + _KEY_TAIL + "|wd" + _KEY_TAIL + "|ypi-age)",
        frozenset({"pypi-token", ASSIGNMENT}),
    ),
    (r"s(?:ecret" + _KEY_TAIL + "|q0csp-)", frozenset({"square-oauth-secret", ASSIGNMENT})),
    (r"t(?:oken" + _KEY_TAIL + "|3blbkfj)", frozenset({"openai-key", ASSIGNMENT})),
    (r"credentials?" + _KEY_TAIL, frozenset({ASSIGNMENT})),
    (
        r"g(?:h[pousr]_|l(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas)-|r1348941)",
        frozenset({"github-token", "gitlab-token"}),
    ),
    (r"-us[0-9]", frozenset({"mailchimp-key"})),
    (r"aws", frozenset({"aws"})),
    (r"xox", frozenset({"slack"})),
    (r"hooks\.slack\.com", frozenset({"slack"})),
)
# `scan._QUOTED_TOKEN`, one quote at a time (a literal first character searches faster than
# a set): the high-entropy check only looks at its matches.
_ENTROPY = tuple(re.compile(q + r"[A-Za-z0-9+/=_\-]{20,}" + q) for q in "\"'`")

_EXACT_RE = tuple((re.compile(p), checks) for p, checks in _EXACT)
_FOLDED_RE = tuple((re.compile(p), re.compile(p, re.IGNORECASE), checks) for p, checks in _FOLDED)

ALL_CHECKS: frozenset[str] = frozenset(
    {AWS_KEY_ID, ASSIGNMENT, ENTROPY}.union(*(c for _p, c in _EXACT + _FOLDED))
)

# The detect-secrets 1.5.0 patterns (pattern, flags) each plugin's trigger was derived from.
TRIGGERS_FOR: dict[str, tuple[tuple[str, int], ...]] = {
    "aws": (
        ("(?:A3T[A-Z0-9]|ABIA|ACCA|AKIA|ASIA)[0-9A-Z]{16}", 32),
        (
            "aws.{0,20}?(?:key|pwd|pw|password|pass|token).{0,20}?[\\'\\\"]([0-9a-zA-Z/+]{40})[\\'\\\"]",
            34,
        ),
    ),
    "github-token": (("(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9_]{36}", 32),),
    "gitlab-token": (
        ("(glpat|gldt|glft|glsoat|glrt)-[A-Za-z0-9_\\-]{20,50}(?!\\w)", 32),
        ("GR1348941[A-Za-z0-9_\\-]{20,50}(?!\\w)", 32),
        ("glcbt-([0-9a-fA-F]{2}_)?[A-Za-z0-9_\\-]{20,50}(?!\\w)", 32),
        ("glimt-[A-Za-z0-9_\\-]{25}(?!\\w)", 32),
        ("glptt-[A-Za-z0-9_\\-]{40}(?!\\w)", 32),
        ("glagent-[A-Za-z0-9_\\-]{50,1024}(?!\\w)", 32),
        ("gloas-[A-Za-z0-9_\\-]{64}(?!\\w)", 32),
    ),
    "slack": (
        ("xox(?:a|b|p|o|s|r)-(?:\\d+-)+[a-z0-9]+", 34),
        (
            "https://hooks\\.slack\\.com/services/T[a-zA-Z0-9_]+/B[a-zA-Z0-9_]+/[a-zA-Z0-9_]+",
            98,
        ),
    ),
    "stripe-key": (("(?:r|s)k_live_[0-9a-zA-Z]{24}", 32),),
    "openai-key": (("sk-[A-Za-z0-9-_]*[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20}", 32),),
    "pypi-token": (
        ("pypi-AgEIcHlwaS5vcmc[A-Za-z0-9-_]{70,}", 32),
        ("pypi-AgENdGVzdC5weXBpLm9yZw[A-Za-z0-9-_]{70,}", 32),
    ),
    "npm-token": (("\\/\\/.+\\/:_authToken=\\s*((npm_.+)|([A-Fa-f0-9-]{36})).*", 32),),
    "sendgrid-key": (("SG\\.[a-zA-Z0-9_-]{22}\\.[a-zA-Z0-9_-]{43}", 32),),
    "twilio-key": (("AC[a-z0-9]{32}", 32), ("SK[a-z0-9]{32}", 32)),
    "discord-token": (("[MNO][a-zA-Z\\d_-]{23,25}\\.[a-zA-Z\\d_-]{6}\\.[a-zA-Z\\d_-]{27}", 32),),
    "telegram-token": (("\\d{8,10}:[0-9A-Za-z_-]{35}", 32),),
    "mailchimp-key": (("[0-9a-z]{32}-us[0-9]{1,2}", 32),),
    "azure-storage-key": (("AccountKey=[a-zA-Z0-9+\\/=]{88}", 32),),
    "artifactory-token": (
        ('(?:\\s|=|:|"|^)AKC[a-zA-Z0-9]{10,}(?:\\s|"|$)', 32),
        ('(?:\\s|=|:|"|^)AP[\\dABCDEF][a-zA-Z0-9]{8,}(?:\\s|"|$)', 32),
    ),
    "square-oauth-secret": (("sq0csp-[0-9A-Za-z\\\\\\-_]{43}", 32),),
    "jwt": (("eyJ[A-Za-z0-9-_=]+\\.[A-Za-z0-9-_=]+\\.?[A-Za-z0-9-_.+/=]*?", 32),),
    "basic-auth": (
        (
            "://[^:/\\?\\#\\[\\]@!\\$\\&'\\(\\)\\*\\+,;=\\s]+:"
            "([^:/\\?\\#\\[\\]@!\\$\\&'\\(\\)\\*\\+,;=\\s]+)@",
            32,
        ),
    ),
}


def fold(text: str) -> str | None:
    """`text` lowercased with the same offsets, or None when lowercasing changes its length.

    Also maps the two characters `re.IGNORECASE` equates with an ASCII letter that `lower()`
    keeps (`ſ` ~ s, `ı` ~ i); `K` (Kelvin) already lowers to `k`. A test checks this against
    every code point.
    """
    low = text.lower()
    if text.isascii():
        return low
    if len(low) != len(text):
        return None
    return low.replace("\u017f", "s").replace("\u0131", "i")


def candidate_lines(
    text: str, *, entropy: bool = True
) -> Iterator[tuple[int, str, frozenset[str]]]:
    """(offset of line start, line without its line break, checks to run) for each line some
    trigger hits, in text order — the lines and offsets `str.splitlines` gives.

    `entropy=False` leaves the high-entropy check out (lockfiles).
    """
    hit: dict[int, tuple[int, frozenset[str]]] = {}  # stretch start -> (end, checks)

    def search(pattern: Pattern[str], haystack: str, checks: frozenset[str]) -> None:
        m = pattern.search(haystack)
        while m is not None:
            pos = m.start()
            start = text.rfind("\n", 0, pos) + 1
            end = text.find("\n", pos) + 1 or len(text)
            known = hit.get(start)
            hit[start] = (end, checks if known is None else known[1] | checks)
            m = pattern.search(haystack, end)

    for pattern, checks in _EXACT_RE:
        search(pattern, text, checks)
    folded = fold(text)
    for lower, ignorecase, checks in _FOLDED_RE:
        if folded is not None:
            search(lower, folded, checks)
        else:
            search(ignorecase, text, checks)
    if entropy:
        for pattern in _ENTROPY:
            search(pattern, text, frozenset({ENTROPY}))
    for start in sorted(hit):
        end, checks = hit[start]
        offset = start
        for raw in text[start:end].splitlines(keepends=True):
            yield offset, raw.rstrip("\r\n"), checks
            offset += len(raw)
