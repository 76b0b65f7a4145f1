"""The fixture workspace of the language-server tests: small real files with known clones
in Python, Java, JavaScript and C, plus files that take no part."""

from __future__ import annotations

from pathlib import Path

from clone_snippets import C_SRC, JAVA, JS_SRC, PY_ORIGINAL, PY_RENAMED
from trees import write_tree

UNRELATED_PY = '''import os


def cwd_name():
    """The current folder's name."""
    return os.path.basename(os.getcwd())
'''

# Same logic as JAVA's Billing.total, names changed: a renamed copy.
JAVA_COPY = (JAVA.replace("Billing", "Invoice").replace("sum", "acc")
             .replace("price", "cost").replace("item", "entry").replace("Item ", "Item "))
C_COPY = (C_SRC.replace("count_words", "word_total").replace("words", "n")
          .replace("in_word", "inside").replace("text", "s"))
JS_COPY = JS_SRC.replace("groupBy", "bucketBy").replace("groups", "buckets").replace(
    "keyFn", "pick")

FILES: dict[str, str | bytes] = {
    "py/orders.py": "import math\n\n" + PY_ORIGINAL.lstrip("\n"),
    "py/report.py": "\n" + PY_RENAMED.lstrip("\n"),
    "py/util.py": UNRELATED_PY,
    "java/Billing.java": JAVA.lstrip("\n"),
    "java/Invoice.java": JAVA_COPY.lstrip("\n"),
    "c/words.c": C_SRC.lstrip("\n"),
    "c/count.c": C_COPY.lstrip("\n"),
    "js/group.js": JS_SRC.lstrip("\n"),
    "js/bucket.js": JS_COPY.lstrip("\n"),
    "assets/logo.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
}


# A copied block inside two functions that are not copies as a whole: a fragment clone.
_BLOCK = '''    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        key = key.strip().lower()
        value = value.strip().strip('"')
        if key in seen:
            raise ValueError(f"duplicate key {key!r} on line {len(rows) + 1}")
        seen.add(key)
        rows.append((key, value))
'''
_INDENTED = "    " + _BLOCK.replace("\n    ", "\n        ")
FRAGMENT_A = '''import json


def load_settings(path, defaults):
    """Settings from a file, over the defaults."""
    text = open(path, encoding="utf-8").read()
    seen = set(defaults)
''' + _BLOCK + '''    merged = dict(defaults)
    merged.update(rows)
    return json.dumps(merged, indent=2, sort_keys=True)
'''
FRAGMENT_B = '''import logging

log = logging.getLogger(__name__)


class EnvFile:
    def __init__(self, name):
        self.name = name
        self.cache = {}

    def parse(self, text, seen=None):
        seen = seen if seen is not None else set()
        log.debug("parsing %s (%d bytes)", self.name, len(text))
''' + _INDENTED + '''        for key, value in rows:
            self.cache[key] = value
        return len(rows), sorted(self.cache)
'''

FRAGMENT_FILES: dict[str, str | bytes] = {"conf/settings.py": FRAGMENT_A,
                                          "conf/envfile.py": FRAGMENT_B}


def make_workspace(root: Path) -> Path:
    return write_tree(root, dict(FILES))
