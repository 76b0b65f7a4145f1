"""The prefilter never drops a finding: on tricky texts, `scan_text` (prefilter + cache) finds
exactly what every check run on every line (`scan_text_unfiltered`) finds."""

from __future__ import annotations

import re
import string
import sys

import pytest

from ctxlens.secrets import scan, scan_text
from ctxlens.secrets.prefilter import (
    ALL_CHECKS,
    ASSIGNMENT,
    AWS_KEY_ID,
    ENTROPY,
    TRIGGERS_FOR,
    candidate_lines,
    fold,
)
from ctxlens.secrets.scan import KIND_PRIORITY, clear_cache, scan_text_unfiltered

# Fake secrets, assembled at run time so this file itself holds no secret-shaped literal.
AWS_ID = "AKIA" + "Q7X2M4PLR9TZ5WB3"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzq8Rj3Lk2V"
ENTROPIC = "Zq8x7Lm2Pw9Rt5Yv3Bn6" + "Kd4Hs1Jf0Ga"
KEY_LINES = [
    "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
    "aI5m7Nq0Qz8Xk1YcV4LmRt9WpB2sHd6Je3Kf5Gh7Ln0Pq2Rs4Tu6Vw8Xy0Za1Bc==",
]

# One line per kind (and per plugin pattern where a plugin has several shapes).
BY_KIND: dict[str, list[str]] = {
    "aws-access-key": [f"key_id = {AWS_ID}", f"AWS_ACCESS_KEY_ID: '{AWS_ID}'"],
    "aws-secret-key": [
        f"aws_secret = '{AWS_SECRET}'",
        f"AWS_SECRET_ACCESS_KEY = '{AWS_SECRET}'",
        f'boto3.client("AWS", key="{AWS_SECRET}")',
    ],
    "github-token": ['GH = "' + "ghp_" + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"'],
    "gitlab-token": [
        'x = "' + "glpat-" + 'aB3dE5fG7hJ9kL1mN3pQ"',
        "x = " + "GR1348941" + "aB3dE5fG7hJ9kL1mN3pQ",
    ],
    "slack-token": ["Client('" + "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOp')"],
    "slack-webhook": [
        "url = "
        + "https://hooks.slack.com/services/"
        + "T0A1B2C3D/B0A1B2C3D/aBcDeFgHiJkLmNoPqRsTuVwX",
        "URL = "
        + "HTTPS://HOOKS.SLACK.COM/services/"
        + "T0A1B2C3D/B0A1B2C3D/aBcDeFgHiJkLmNoPqRsTuVwX",
    ],
    "stripe-key": ["k = " + "sk_live_" + "4eC39HqLyjWDarjtT1zdp7dc"],
    "openai-key": ["k = " + "sk-" + "aB3dE5fG7hJ9kL1mN3pQ" + "T3BlbkFJ" + "aB3dE5fG7hJ9kL1mN3pQ"],
    "pypi-token": [
        "k = "
        + "pypi-AgEIcHlwaS5vcmc"
        + "CJGE4ZjkxYjY1LTg2YTgtNDg4ZC04ZjQ0LWY2ZjUwZjQ4ZjY1ZgACJXsicGVybWlzc2lvbnMiOiAidXNlciIs"
    ],
    "npm-token": ["//registry.npmjs.org/:_authToken=" + "743b294a-cd03-11ec-9d64-0242ac120002"],
    "sendgrid-key": [
        "k = " + "SG." + "ngeVfQFYQlKU0ufo8x5d1A.TwL2iGABf9DHoTf-09kqeF8tAmbihYzrnopKc-1s5cr"
    ],
    "twilio-key": [
        "sid = " + "AC" + "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4",
        "key = " + "SK" + "a1b2c3d4e5f6a1b2c3d4e5f6a1b2c3d4",
    ],
    "discord-token": ["bot(" + "MTk4NjIyNDgzNDcxOTI1MjQ4" + ".Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs)"],
    "telegram-token": ["bot = " + "123456789:" + "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawx"],
    "mailchimp-key": ["mc = " + "0123456789abcdef0123456789abcdef" + "-us12"],
    "azure-storage-key": [
        "DefaultEndpointsProtocol=https;AccountName=foo;AccountKey="
        + "lJzRc1YdHaAA2KCNJJ1tkYwF/+mKK6Ygw0NGe170Xu592euJv2wYUtBlV8z+qnlcNQSnIYVTkLWntUO1F8j8rQ=="
    ],
    "artifactory-token": [
        "art = " + "AKC" + "p5dKYHn7sNh6b2fQ9p1Lm3Xr8Wt4Zu6Vb0Nc2Dg5Jh7Ke9Lm1Pn3Qr5",
        "art: " + "AP6" + "aB3dE5fG7hJ9kL1mN3pQ",
    ],
    "square-oauth-secret": ["sq = " + "sq0csp-" + "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijk-_mnop"],
    "jwt": [
        "Authorization: Bearer "
        + "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
        + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
    ],
    "basic-auth": ["DB = " + "postgres://admin:" + "s3cr3tP4ss@db.internal:5432/app"],
    "password-assignment": [
        'DB_PASSWORD = "hunter2-' + 'Prod!x"',
        '"Passwd": "hunter2-' + 'Prod!x",',
        "db_pwd := 'hunter2-" + "Prod!x'",
        "passphrase_: str = 'hunter2-" + "Prod!x'",
    ],
    "secret-assignment": [
        'clientSecret: "q8Zr-' + '55vTt"',
        "API_KEY = 'q8Zr-" + "55vTt'",
        "self.access_token => 'q8Zr-" + "55vTt'",
        "cfg['signing.key'] = 'q8Zr-" + "55vTt'",
        "CREDENTIALS='q8Zr-" + "55vTt'",
    ],
    "generic-high-entropy": [f'blob = "{ENTROPIC}"', f"blob = '{ENTROPIC}'", f"x = `{ENTROPIC}`"],
}

PEM = "\n".join(["-----BEGIN RSA PRIVATE KEY-----", *KEY_LINES, "-----END RSA PRIVATE KEY-----"])
SPECIAL: list[tuple[str, str, str]] = [
    # (path, text, a kind it must hold)
    ("id_rsa", PEM + "\n", "private-key"),
    ("k.py", f"KEY = '''{PEM}'''\n", "private-key"),
    ("k.js", 'const k = "' + PEM.replace("\n", "\\n") + '";\n', "private-key"),
    ("k.pem", "-----BEGIN OPENSSH PRIVATE KEY-----\n" + "\n".join(KEY_LINES) + "\n", "private-key"),
    (
        "k.asc",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n"
        + "\n".join(KEY_LINES)
        + "\n-----END PGP PRIVATE KEY BLOCK-----\n",
        "private-key",
    ),
    (
        "k.ppk",
        "PuTTY-User-Key-File-2: ssh-rsa\nPrivate-Lines: 2\n" + "\n".join(KEY_LINES) + "\n",
        "private-key",
    ),
    # a key split over lines: the assignment on one line, the value on the next
    (
        "split.py",
        "AWS_SECRET_ACCESS_KEY = (\n    '" + AWS_SECRET + "'\n)\n",
        "generic-high-entropy",
    ),
    ("split.yaml", "password:\n  hunter2-Prod!x\ntoken: >\n  " + ENTROPIC + "\n", ""),
    # line breaks other than \n: \r\n, a lone \r, \f, \v, \x1c, \x85, \u2028
    ("crlf.env", f"A=1\r\nDB_PASSWORD=hunter2-Prod!x\r\nB='{ENTROPIC}'\r\n", "password-assignment"),
    ("cr.env", f"A=1\rDB_PASSWORD=hunter2-Prod!x\rkey_id={AWS_ID}\r", "aws-access-key"),
    (
        "ff.py",
        f"x = 1\x0cpassword = 'hunter2-Prod!x'\x0by = '{ENTROPIC}'\n",
        "generic-high-entropy",
    ),
    ("sep.txt", f"a\x1cDB_PASSWORD=hunter2-Prod!x\x85key_id={AWS_ID}\u2028z\n", "aws-access-key"),
    # non-ASCII: `İ` lowercases to two characters (the prefilter's case-insensitive fallback),
    # `ſ` and the Kelvin sign match `s` and `k` under re.IGNORECASE
    (
        "tr.py",
        f"# İstanbul\nAWS_SECRET_ACCESS_KEY = '{AWS_SECRET}'\nPASSWORD = 'hunter2-Prod!x'\n",
        "aws-secret-key",
    ),
    (
        "u.py",
        f'# é\nconfig("AWſ", \u212aEY="{AWS_SECRET}")\nhttps://hooks.ſlack.com/services/'
        "T0A1B2C3D/B0A1B2C3D/aBcDeFgHiJkLmNoPqRsTuVwX\n",
        "aws-secret-key",
    ),
    (
        "u2.py",
        "# İ\nurl = 'HOOKS.ſLACK.COM'; x = \"https://hooks.slac\u212a.com/services/"
        'T0A1B2C3D/B0A1B2C3D/aBcDeFgHiJkLmNoPqRsTuVwX"\n',
        "slack-webhook",
    ),
    # lockfiles: no high-entropy findings, other kinds still
    (
        "poetry.lock",
        f'hash = "sha256:{ENTROPIC}"\nx = "{ENTROPIC}"\npassword = "hunter2-Prod!x"\n',
        "password-assignment",
    ),
    (
        "package-lock.json",
        f'{{"integrity": "{ENTROPIC}", "token": "'
        + "ghp_"
        + 'aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"}\n',
        "github-token",
    ),
    # no trailing newline; secrets as the first and the last thing in the text
    ("edge.env", f"{AWS_ID}\nx\nDB_PASSWORD=hunter2-Prod!x", "password-assignment"),
    ("one.txt", "'" + ENTROPIC + "'", "generic-high-entropy"),
]


def _rows(findings: list[scan.Finding]) -> list[tuple[str, int, str, int, int]]:
    return [(f.path, f.line, f.kind, f.start, f.end) for f in findings]


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for kind, lines in BY_KIND.items():
        for i, line in enumerate(lines):
            for path in ("app.py", "config.yaml", ".env"):
                cases.append((path, f"x = 1\n{line}\ny = 2\n", kind if i == 0 else ""))
    # every line at once, in one file, with other text around
    everything = "\n".join(line for lines in BY_KIND.values() for line in lines)
    cases.append(("all.py", f'"""Doc."""\n{everything}\n{PEM}\n', ""))
    cases.append(("all.yaml", everything.replace("\n", "\r\n"), ""))
    return cases + SPECIAL


CASES = _cases()


@pytest.mark.parametrize(
    ("path", "text", "kind"), CASES, ids=[f"{i}-{c[0]}" for i, c in enumerate(CASES)]
)
def test_prefilter_finds_what_the_full_scan_finds(path: str, text: str, kind: str) -> None:
    clear_cache()
    full = _rows(scan_text_unfiltered(path, text))
    assert _rows(scan_text(path, text)) == full
    assert _rows(scan_text(path, text)) == full  # answered by the cache this time
    if kind:
        assert kind in {f[2] for f in full}, full


def test_every_kind_is_exercised() -> None:
    found = {f.kind for path, text, _ in CASES for f in scan_text_unfiltered(path, text)}
    assert found == set(KIND_PRIORITY)


def test_lockfile_cases_have_no_entropy_findings() -> None:
    for path, text, _ in SPECIAL:
        if path.endswith((".lock", "-lock.json")):
            kinds = {f.kind for f in scan_text(path, text)}
            assert kinds and "generic-high-entropy" not in kinds


def test_triggers_match_the_installed_plugins() -> None:
    """A detect-secrets upgrade that changes a pattern fails here (and turns the prefilter
    off at run time) rather than letting a stale trigger drop findings."""
    assert scan._installed_patterns() == TRIGGERS_FOR
    assert scan.PREFILTER_ACTIVE
    kinds = {kind for _plugin, kind in scan._DETECTORS}
    assert kinds | {AWS_KEY_ID, ASSIGNMENT, ENTROPY} == ALL_CHECKS


def test_fold_equates_what_ignorecase_equates() -> None:
    """Wherever `re.IGNORECASE` matches an ASCII letter, the folded text holds that letter
    (or `fold` refuses, and the prefilter falls back to re.IGNORECASE)."""
    every = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    checked = 0
    for m in re.finditer("[a-z]", every, re.IGNORECASE):
        c = m.group()
        folded = fold(c)
        for letter in string.ascii_lowercase:
            if re.fullmatch(letter, c, re.IGNORECASE):
                assert folded is None or folded == letter, (hex(ord(c)), letter, folded)
                checked += 1
    assert checked >= 52  # a-z, A-Z and the few others (ſ, ı, K, İ)
    assert fold("İ") is None and fold("AWS ſ \u212a") == "aws s k"


def test_candidate_lines_are_the_lines_splitlines_gives() -> None:
    """Same lines and offsets as `str.splitlines` (whose breaks include \\r, \\f, \\x85,
    \\u2028); every line a trigger hits is there; the checks are the triggers' own."""
    text = f"a\r\nkey = 1\rB\x0ckey: 2\u2028c\x85\nplain\nz = '{ENTROPIC}'\nend"
    lines = list(candidate_lines(text))
    every = []
    offset = 0
    for raw in text.splitlines(keepends=True):
        every.append((offset, raw.rstrip("\r\n")))
        offset += len(raw)
    got = [(o, line) for o, line, _ in lines]
    assert set(got) <= set(every) and got == sorted(got)
    hit = [x for x in every if "key" in x[1] or ENTROPIC in x[1]]
    assert [x for x in got if x in hit] == hit
    assert all(line not in ("plain", "a", "end") for _o, line in got)
    checks = {line: c for _o, line, c in lines}
    assert ASSIGNMENT in checks["key = 1"] and ENTROPY not in checks["key = 1"]
    assert checks[f"z = '{ENTROPIC}'"] == {ENTROPY}
    assert all(ENTROPY not in c for _o, _l, c in candidate_lines(text, entropy=False))


def test_cache_keeps_rules_and_paths_apart() -> None:
    clear_cache()
    text = f'x = "{ENTROPIC}"\n'
    assert [(f.path, f.kind) for f in scan_text("a.py", text)] == [("a.py", "generic-high-entropy")]
    assert scan_text("poetry.lock", text) == []  # same text, lockfile rules
    assert [(f.path, f.kind) for f in scan_text("b.py", text)] == [("b.py", "generic-high-entropy")]
    assert scan_text("b.py", text + "\n") == scan_text("b.py", text)  # another text: rescanned
