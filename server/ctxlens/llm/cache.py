"""Answers kept in SQLite so asking again costs nothing.

`.ctxlens/llm-cache.db` in the workspace. Two kinds of entry, one table:
- a request: its answer by a hash of (endpoint, model, cap, messages) — so a map summary
  is reused when only another part failed, and a re-run sends only what is missing;
- an answer: by (pack hash, task, question, prompt version, model, endpoint) — so the same
  question on the same pack sends nothing at all.
Only answers and token counts are stored: no key, no header, no request text.
A corrupt file is moved aside and recreated; a read-only one just means no caching.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ctxlens.llm.framing import Message
from ctxlens.llm.prompts import PROMPT_VERSION

CACHE_FILE = ".ctxlens/llm-cache.db"
SCHEMA_VERSION = 1


@dataclass(frozen=True, slots=True)
class CachedAnswer:
    text: str
    meta: dict[str, Any]  # usage, cost and anything else the writer kept
    created: float


def request_key(base_url: str, model: str, max_tokens: int,
                messages: Sequence[Message]) -> str:
    doc = {"kind": "request", "url": base_url, "model": model, "cap": max_tokens,
           "messages": list(messages)}
    return _hash(doc)


def answer_key(pack_hash: str, task: str, question: str, model: str, base_url: str) -> str:
    doc = {"kind": "answer", "pack": pack_hash, "task": task, "question": question,
           "prompts": PROMPT_VERSION, "model": model, "url": base_url}
    return _hash(doc)


def text_hash(*texts: str) -> str:
    h = hashlib.sha256()
    for t in texts:
        h.update(t.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()


def _hash(doc: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(doc, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


class AnswerCache:
    """A thread-safe handle on the cache file (map requests run in threads)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.warning: str | None = None
        self._lock = threading.Lock()
        self._db: sqlite3.Connection | None = self._open()

    @classmethod
    def for_workspace(cls, root: Path) -> AnswerCache:
        return cls(root / CACHE_FILE)

    def _open(self) -> sqlite3.Connection | None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
        except sqlite3.OperationalError as err:  # cannot open (permissions, a folder)
            self.warning = f"answer cache {self.path} unusable ({err}); not caching"
            return None
        except sqlite3.DatabaseError:  # not a database, or not ours
            broken = self.path.with_name(f"{self.path.name}.broken-{int(time.time())}")
            try:
                self.path.replace(broken)
                db = self._connect()
            except (OSError, sqlite3.Error) as err:
                self.warning = f"answer cache {self.path} unusable ({err}); not caching"
                return None
            self.warning = f"answer cache {self.path} was corrupt; moved to {broken.name}"
        except OSError as err:
            self.warning = f"answer cache {self.path} unusable ({err}); not caching"
            return None
        return db

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"unknown cache schema {version}")
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS answers (key TEXT PRIMARY KEY, text TEXT "
                       "NOT NULL, meta TEXT NOT NULL, created REAL NOT NULL)")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.Error:
            db.close()
            raise
        return db

    def get(self, key: str) -> CachedAnswer | None:
        if self._db is None:
            return None
        with self._lock:
            row = self._db.execute("SELECT text, meta, created FROM answers WHERE key = ?",
                                   (key,)).fetchone()
        if row is None:
            return None
        try:
            meta = json.loads(row[1])
        except ValueError:
            meta = {}
        return CachedAnswer(row[0], meta if isinstance(meta, dict) else {}, float(row[2]))

    def put(self, key: str, text: str, meta: dict[str, Any] | None = None) -> None:
        if self._db is None:
            return
        try:
            with self._lock:
                self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                                 (key, text, json.dumps(meta or {}), time.time()))
        except sqlite3.Error as err:  # disk full, read-only: the answer is still printed
            self.warning = f"answer cache {self.path}: cannot write ({err})"

    def __len__(self) -> int:
        if self._db is None:
            return 0
        with self._lock:
            return int(self._db.execute("SELECT count(*) FROM answers").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            with self._lock:
                self._db.close()
            self._db = None


class RequestMemo:
    """`reask.Memo` over the cache: answers that passed their check, by request."""

    def __init__(self, cache: AnswerCache, base_url: str, model: str) -> None:
        self.cache, self.base_url, self.model = cache, base_url, model

    def get(self, messages: Sequence[Message], max_tokens: int) -> str | None:
        hit = self.cache.get(request_key(self.base_url, self.model, max_tokens, messages))
        return hit.text if hit is not None else None

    def put(self, messages: Sequence[Message], max_tokens: int, text: str) -> None:
        self.cache.put(request_key(self.base_url, self.model, max_tokens, messages), text)
