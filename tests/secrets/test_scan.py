"""Planted fake secrets are found (right line and kind), redacted, and never reported."""

from __future__ import annotations

import json

import pytest

from ctxlens.secrets import Finding, SecretsReport, redact, scan_and_redact, scan_text

# Fake secrets, assembled at run time so this file itself holds no secret-shaped literal.
AWS_KEY_ID = "AKIA" + "Q7X2M4PLR9TZ5WB3"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/" + "bPxRfiCYzq8Rj3Lk2V"
GITHUB = "ghp_" + "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3zA5"
SLACK = "xoxb-" + "123456789012-1234567890123-" + "AbCdEfGhIjKlMnOpQrStUvWx"
PASSWORD = "hunter2-" + "Prod!x"
KEY_LINES = [
    "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB",
    "aI5m7Nq0Qz8Xk1YcV4LmRt9WpB2sHd6Je3Kf5Gh7Ln0Pq2Rs4Tu6Vw8Xy0Za1Bc==",
]
BEGIN = "-----BEGIN RSA PRIVATE KEY-----"
END = "-----END RSA PRIVATE KEY-----"
PEM = "\n".join([BEGIN, *KEY_LINES, END])

ALL_SECRETS = [AWS_KEY_ID, AWS_SECRET, GITHUB, SLACK, PASSWORD, *KEY_LINES]
assert len(AWS_SECRET) == 40 and len(GITHUB) == 40


def kinds_by_line(findings: list[Finding]) -> set[tuple[int, str]]:
    return {(f.line, f.kind) for f in findings}


def assert_clean(text: str) -> None:
    for secret in ALL_SECRETS:
        assert secret not in text
        # no fragment of a secret either
        assert secret[:12] not in text and secret[-12:] not in text


PYTHON = f'''import os

AWS_ACCESS_KEY_ID = "{AWS_KEY_ID}"
aws_secret_access_key = "{AWS_SECRET}"
DB_PASSWORD = "{PASSWORD}"
token = os.environ["TOKEN"]
GITHUB_TOKEN = "{GITHUB}"
notify = Client('{SLACK}')
KEY = """{PEM}
"""
'''

JS = f"""const apiKey = '{GITHUB}';
const password = process.env.PASSWORD;
const cfg = {{ password: '{PASSWORD}', user: 'admin' }};
const pem = "{BEGIN}\\n{KEY_LINES[0]}\\n{KEY_LINES[1]}\\n{END}\\n";
"""

YAML = f"""database:
  user: admin
  password: {PASSWORD}
slack:
  token: {SLACK}
aws:
  access_key_id: {AWS_KEY_ID}
"""

ENV = f"""DB_PASSWORD={PASSWORD}
AWS_ACCESS_KEY_ID={AWS_KEY_ID}
AWS_SECRET_ACCESS_KEY={AWS_SECRET}
GITHUB_TOKEN={GITHUB}
"""

CASES = [
    (
        "app/settings.py",
        PYTHON,
        {
            (3, "aws-access-key"),
            (4, "aws-secret-key"),
            (5, "password-assignment"),
            (7, "github-token"),
            (8, "slack-token"),
            (10, "private-key"),  # the key body starts on the line after BEGIN
        },
    ),
    (
        "web/src/app.js",
        JS,
        {(1, "github-token"), (3, "password-assignment"), (4, "private-key")},
    ),
    (
        "deploy/config.yaml",
        YAML,
        {(3, "password-assignment"), (5, "slack-token"), (7, "aws-access-key")},
    ),
    (
        ".env",
        ENV,
        {
            (1, "password-assignment"),
            (2, "aws-access-key"),
            (3, "aws-secret-key"),
            (4, "github-token"),
        },
    ),
]


@pytest.mark.parametrize(("path", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_planted_secrets_are_found_with_line_and_kind(
    path: str, text: str, expected: set[tuple[int, str]]
) -> None:
    findings = scan_text(path, text)
    assert kinds_by_line(findings) == expected
    assert all(f.path == path for f in findings)


@pytest.mark.parametrize(("path", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_offsets_point_at_the_secret(path: str, text: str, expected: set[tuple[int, str]]) -> None:
    for f in scan_text(path, text):
        value = text[f.start : f.end]
        assert any(s in value or value in s for s in ALL_SECRETS), (f, value)


@pytest.mark.parametrize(("path", "text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_redacted_text_holds_no_secret(
    path: str, text: str, expected: set[tuple[int, str]]
) -> None:
    redacted, findings = scan_and_redact(path, text)
    assert_clean(redacted)
    for kind in {f.kind for f in findings}:
        assert f"[ctxlens: redacted {kind}]" in redacted
    assert scan_text(path, redacted) == []  # nothing left to find


def test_private_key_keeps_begin_and_end_lines() -> None:
    text = f"key = '''\n{PEM}\n'''\n"
    redacted = redact(text, scan_text("k.py", text))
    assert redacted == f"key = '''\n{BEGIN}\n[ctxlens: redacted private-key]\n{END}\n'''\n"


@pytest.mark.parametrize(
    "begin",
    [
        "-----BEGIN PRIVATE KEY-----",
        "-----BEGIN OPENSSH PRIVATE KEY-----",
        "-----BEGIN EC PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----",
    ],
)
def test_other_private_key_flavours(begin: str) -> None:
    end = begin.replace("BEGIN", "END")
    text = "\n".join(["x = 1", begin, *KEY_LINES, end, "y = 2"])
    findings = scan_text("id_key", text)
    assert [(f.line, f.kind) for f in findings] == [(3, "private-key")]
    assert redact(text, findings) == "\n".join(
        ["x = 1", begin, "[ctxlens: redacted private-key]", end, "y = 2"]
    )


def test_truncated_private_key_is_still_redacted() -> None:
    text = f"{BEGIN}\n{KEY_LINES[0]}\n{KEY_LINES[1]}\n"  # the pack cut the file before END
    redacted, findings = scan_and_redact("k.pem", text)
    assert [f.kind for f in findings] == ["private-key"]
    assert_clean(redacted)
    assert redacted.startswith(BEGIN)


def test_overlapping_findings_are_merged_without_leaking() -> None:
    text = "abcdefghij"
    findings = [
        Finding("f", 1, "generic-high-entropy", 1, 5),
        Finding("f", 1, "github-token", 3, 8),
    ]
    assert redact(text, findings) == "a[ctxlens: redacted github-token]ij"


def test_redact_rejects_offsets_from_another_text() -> None:
    with pytest.raises(ValueError):
        redact("short", [Finding("f", 1, "jwt", 0, 99)])


def test_report_never_contains_secrets() -> None:
    findings = [f for path, text, _ in CASES for f in scan_text(path, text)]
    report = SecretsReport.of(findings)
    assert report.has_findings and report.needs_override
    dumped = report.dumps()
    shown = repr(report) + str(report) + "\n".join(report.lines()) + repr(findings)
    for blob in (dumped, shown):
        for secret in ALL_SECRETS:
            assert secret not in blob
            assert secret[:12] not in blob
    data = json.loads(dumped)
    assert data["needs_override"] is True
    assert {"path": ".env", "line": 4, "kind": "github-token"} in data["findings"]
    assert set(data["findings"][0]) == {"path", "line", "kind"}
    assert "app/settings.py:3: aws-access-key" in report.lines()


def test_empty_report() -> None:
    report = SecretsReport.of([])
    assert not report.has_findings and not report.needs_override
    assert json.loads(report.dumps())["findings"] == []
