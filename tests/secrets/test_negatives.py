"""Things that look a bit like secrets but are not: no findings."""

from __future__ import annotations

import pytest

from ctxlens.secrets import scan_text

PLACEHOLDERS_PY = """password = ""
api_key = "changeme"
secret = "<your secret>"
DB_PASSWORD = "${DB_PASSWORD}"
token = "{{ vault_token }}"
client_secret = "xxxxxxxxxxxx"
password = "********"
API_KEY = "your_api_key_here"
prompt_password = "Enter your password:"
"""

ENV_REFS_PY = """import os
password = os.environ["DB_PASSWORD"]
token = os.getenv("GITHUB_TOKEN")
api_key = settings.API_KEY
secret = get_secret("name")
def login(password: str) -> None:
    check(password=password)
if password == "":
    pass
"""

ENV_REFS_ENV = """DB_PASSWORD=${DB_PASSWORD}
API_TOKEN=$API_TOKEN
SECRET_KEY=changeme
EMPTY_PASSWORD=
"""

ENV_REFS_YAML = """db:
  password: ${DB_PASSWORD}
  token: "{{ .Values.token }}"
  api_key: !vault |
  secret: null
"""

ENV_REFS_JS = """const password = process.env.PASSWORD;
const token = config.github.token;
const apiKey = `${process.env.API_KEY}`;
"""

UUIDS = """REQUEST_ID = "123e4567-e89b-12d3-a456-426614174000"
tenant_id: "9B2F6C4E-1A3D-4E5F-8A7B-0C1D2E3F4A5B"
"""

LOCKFILE = """[[package]]
name = "requests"
version = "2.32.3"
files = [
    {file = "requests-2.32.3.tar.gz", hash = "sha256:\
55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760"},
]
"""

PACKAGE_LOCK = """{
  "node_modules/left-pad": {
    "resolved": "https://registry.npmjs.org/left-pad/-/left-pad-1.3.0.tgz",
    "integrity": "sha512-XI5MPzVNApjAyhQzphX8BkmKsKUxD4LdyK24iZeQF1+\
Mw4wPBt+GNZs0WnnAQB3QrJyGTnrAuXB3NFgOSVrg0A=="
  }
}
"""

FIXTURE = """EXPECTED_SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
commit = "3f786850e387550fdab836ed7e6dc881de23001b"
md5_digest = "5d41402abc4b2a76b9719d911017c592"
"""

ORDINARY = '''"""A module."""
from collections.abc import Iterator

TOKEN_TYPE = "Bearer"
password_hash = hash_password(raw)
secret_name = "prod/db"
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
MODULE = "ctxlens_secrets_redaction_module"
URL = "https://example.com/api/v2/users"


def tokens(text: str) -> Iterator[str]:
    """Each token: `text.split()` pieces; secret: `text[start:end]` is never stored."""
    for token in text.split():
        yield token
'''

NEGATIVES = [
    ("placeholders.py", PLACEHOLDERS_PY),
    ("env_refs.py", ENV_REFS_PY),
    (".env.example", ENV_REFS_ENV),
    ("values.yaml", ENV_REFS_YAML),
    ("app.js", ENV_REFS_JS),
    ("ids.py", UUIDS),
    ("poetry.lock", LOCKFILE),
    ("package-lock.json", PACKAGE_LOCK),
    ("tests/fixtures.py", FIXTURE),
    ("module.py", ORDINARY),
]


@pytest.mark.parametrize(("path", "text"), NEGATIVES, ids=[n[0] for n in NEGATIVES])
def test_no_findings(path: str, text: str) -> None:
    assert scan_text(path, text) == []


def test_hash_outside_hash_context_and_lockfile_is_still_flagged() -> None:
    """The lockfile / hash-context exemptions are what keep the negatives quiet."""
    value = "55365417734eb18255590a9ff9eb97e9e1da868d4ccd6402399eaf68af20a760"
    text = f'session = "{value}"\n'
    assert [f.kind for f in scan_text("app.py", text)] == ["generic-high-entropy"]


def test_high_entropy_base64_is_flagged() -> None:
    text = 'blob = "Zq8x7Lm2Pw9Rt5Yv3Bn6Kd4Hs1Jf0Ga"\n'
    findings = scan_text("app.py", text)
    assert [(f.line, f.kind) for f in findings] == [(1, "generic-high-entropy")]
    assert text[findings[0].start : findings[0].end] == "Zq8x7Lm2Pw9Rt5Yv3Bn6Kd4Hs1Jf0Ga"
