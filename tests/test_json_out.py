"""Readable JSON written by the C encoder: the same document as json.dumps."""

from __future__ import annotations

import io
import json

from ctxlens import json_out


def test_same_document_with_sections_indented_and_list_items_on_one_line() -> None:
    doc = {
        "version": 1,
        "root": "/tmp/ws \"quoted\"",
        "tokens": {"raw": 10, "by_language": {"python": 7, "c": 3}},
        "clone_classes": [
            {"id": "c1", "members": [{"path": "a.py", "start_line": 1}], "similarity": 0.9},
            {"id": "c2", "members": [], "similarity": 1.0},
        ],
        "empty": {}, "none": [], "names": ["α", "b"], "odd keys": {7: "seven"},
    }
    text = json_out.dumps(doc)
    assert json.loads(text) == json.loads(json.dumps(doc))
    lines = text.splitlines()
    assert lines[0] == "{" and lines[-1] == "}"
    # Each clone class is one line, keyed sections are indented.
    assert sum('"id": "c' in line for line in lines) == 2
    assert any(line.startswith('  "tokens": {') for line in lines)
    assert '    "raw": 10,' in lines
    out = io.StringIO()
    json_out.dump({"a": [1, 2]}, out)
    assert out.getvalue() == '{\n  "a": [1, 2]\n}\n'
