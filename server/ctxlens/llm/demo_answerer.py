"""Answers for the local server when no test scripts it: built from the request itself.

No model: a map request gets a real JSON summary of the files in its part (paths,
top-level names, imports), a merge request the union of its summaries, a diagram request a
Mermaid flowchart of the files and their imports, a question a short listing. Enough to
watch `ctxlens ask` and `ctxlens diagram` work end to end without network or GPU.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from ctxlens.llm import prompts
from ctxlens.llm.diagram import DIAGRAM_QUESTION

if TYPE_CHECKING:
    from ctxlens.llm.local_server import RecordedRequest

_MD_FILE = re.compile(r"^## (?P<path>[^\n]+)\n\n(?P<fence>`{3,})[^\n]*\n(?P<body>.*?)^(?P=fence)$",
                      re.MULTILINE | re.DOTALL)
_XML_FILE = re.compile(r'<file path="(?P<path>[^"]+)"[^>]*>(?P<body>.*?)</file>', re.DOTALL)
_NAMES = re.compile(r"^\s*(?:export\s+)?(?:public\s+)?(?:async\s+)?"
                    r"(?:def|class|function|func|fn|interface|struct)\s+([A-Za-z_]\w*)",
                    re.MULTILINE)
_IMPORTS = re.compile(
    r"^\s*(?:from\s+([\w.]+)\s+import|import\s+([\w.]+)\s*;?\s*$)"
    r"|from\s+['\"]([^'\"]+)['\"]|require\(['\"]([^'\"]+)['\"]\)"
    r"|#include\s+[<\"]([^>\"]+)[>\"]", re.MULTILINE)


def _first_line(text: str) -> str:
    return text.split("\n", 1)[0]


def files_in(text: str) -> list[tuple[str, str]]:
    """(path, text) of each file of a rendered pack (Markdown or XML) inside `text`."""
    found = [(m["path"].strip(), m["body"]) for m in _MD_FILE.finditer(text)
             if "." in m["path"] or "/" in m["path"]]
    return found or [(m["path"], m["body"]) for m in _XML_FILE.finditer(text)]


def module_summary(path: str, body: str) -> dict[str, Any]:
    names = list(dict.fromkeys(_NAMES.findall(body)))
    deps = list(dict.fromkeys(next(g for g in m.groups() if g) for m in _IMPORTS.finditer(body)))
    language = PurePosixPath(path).suffix.lstrip(".") or "text"
    return {"path": path, "responsibility": f"{language} file, {body.count(chr(10))} lines",
            "public_interfaces": names[:20], "dependencies": deps[:20]}


def _summaries(user: str) -> list[dict[str, Any]]:
    out = []
    for line in user.splitlines():
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                out.append(value)
    return out


def _modules(summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    merged: dict[str, dict[str, Any]] = {}
    for s in summaries:
        for m in s.get("modules", []):
            if isinstance(m, dict) and isinstance(m.get("path"), str):
                merged.setdefault(m["path"], m)
    return list(merged.values())


def flowchart(modules: list[dict[str, Any]]) -> str:
    ids = {m["path"]: f"n{i}" for i, m in enumerate(modules)}
    by_stem = {PurePosixPath(m["path"]).stem: m["path"] for m in modules}
    lines = ["flowchart LR"]
    lines += [f'  {ids[m["path"]]}["{m["path"]}"]' for m in modules]
    for m in modules:
        for dep in m.get("dependencies", []):
            stem = PurePosixPath(str(dep).replace(".", "/")).stem
            target = by_stem.get(stem)
            if target is not None and target != m["path"]:
                lines.append(f"  {ids[m['path']]} --> {ids[target]}")
    return "\n".join(lines)


def _answer(question: str, modules: list[dict[str, Any]]) -> str:
    if DIAGRAM_QUESTION in question:
        return (f"```mermaid\n{flowchart(modules)}\n```\n\n{len(modules)} components, from "
                "the local demo server (no model).")
    listing = "\n".join(f"- {m['path']}: {', '.join(m.get('public_interfaces', [])) or '—'}"
                        for m in modules)
    return (f"Demo answer (ctxlens local server, no model) to: {question}\n\n"
            f"The code I was given holds {len(modules)} files:\n{listing}\n")


def demo_answer(request: RecordedRequest) -> str:
    # The first user message holds the material, also when this is a re-ask.
    head = _first_line(request.system)
    user = next((str(m.get("content", "")) for m in request.messages
                 if m.get("role") == "user"), "")
    if head == _first_line(prompts.MAP_SYSTEM):
        part = re.search(r"Part (\d+) of", user)
        modules = [module_summary(p, b) for p, b in files_in(user)]
        return json.dumps({"part": int(part.group(1)) if part else 0, "modules": modules,
                           "notes": f"{len(modules)} files in this part"})
    if head == _first_line(prompts.MERGE_SYSTEM):
        summaries = _summaries(user)
        parts = [s.get("part", 0) for s in summaries]
        return json.dumps({"part": min(parts, default=0), "modules": _modules(summaries),
                           "notes": f"merged {len(summaries)} summaries"})
    question = user.rsplit("Question: ", 1)[-1]
    if head == _first_line(prompts.FINAL_SYSTEM):
        return _answer(question, _modules(_summaries(user)))
    if head == _first_line(prompts.ASK_SYSTEM):
        return _answer(question, [module_summary(p, b) for p, b in files_in(user)])
    return f"echo: {user}"
