"""What a scan found, as the stable JSON document and as figures for the console.

Pure functions of a `ScanResult`: no IO, no printing (the CLI prints).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from ctxlens.clones.detect import CloneReport
from ctxlens.clones.model import CloneClass
from ctxlens.index import ScanResult

JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Ranked:
    path: str
    files: int
    bytes: int
    tokens: int


def folder_of(path: str, depth: int) -> str:
    parts = path.split("/")[:-1]
    return "/".join(parts[:depth]) or "."


def top_files(result: ScanResult, limit: int = 10) -> list[Ranked]:
    ranked = sorted(result.files, key=lambda f: (-f.tokens, f.path))[:limit]
    return [Ranked(f.path, 1, f.size, f.tokens) for f in ranked]


def top_folders(result: ScanResult, limit: int = 10, depth: int = 2) -> list[Ranked]:
    files: Counter[str] = Counter()
    size: Counter[str] = Counter()
    tokens: Counter[str] = Counter()
    for f in result.files:
        key = folder_of(f.path, depth)
        files[key] += 1
        size[key] += f.size
        tokens[key] += f.tokens
    order = sorted(tokens, key=lambda k: (-tokens[k], k))[:limit]
    return [Ranked(k, files[k], size[k], tokens[k]) for k in order]


def languages(result: ScanResult) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for f in result.files:
        row = table.setdefault(f.language, {"files": 0, "bytes": 0, "units": 0, "tokens": 0})
        row["files"] += 1
        row["bytes"] += f.size
        row["units"] += len(f.units)
        row["tokens"] += f.tokens
    return dict(sorted(table.items(), key=lambda kv: (-kv[1]["tokens"], kv[0])))


def file_warnings(result: ScanResult) -> list[dict[str, str]]:
    out = []
    for f in result.files:
        if f.decode_errors:
            out.append({"path": f.path, "kind": "invalid-utf8",
                        "detail": f"{f.decode_errors} invalid UTF-8 sequence(s) replaced"})
        if f.error_nodes:
            out.append({"path": f.path, "kind": "parse-errors",
                        "detail": f"{f.error_nodes} syntax error node(s); units that parsed "
                                  "are kept"})
    return out


def clone_class_json(c: CloneClass) -> dict[str, Any]:
    return {
        "id": c.id, "kind": c.kind, "similarity": c.similarity,
        "tokens_saved": c.tokens_saved, "canonical": c.canonical,
        "members": [{"path": m.path, "start_line": m.start_line, "end_line": m.end_line,
                     "name": m.name, "tokens": m.tokens, "similarity": m.similarity}
                    for m in c.members],
    }


def scan_json(result: ScanResult, clones: CloneReport | None = None,
              pack: dict[str, Any] | None = None) -> dict[str, Any]:
    """The `ctxlens scan --json` document. Keys of version 1 stay stable; later work adds.

    `pack`: the context plan's pack figures (`context.figures.figures_json`), under
    `tokens.pack`."""
    unit_kinds: Counter[str] = Counter(u.kind for f in result.files for u in f.units)
    langs = languages(result)
    return {
        "version": JSON_VERSION,
        "root": str(result.root),
        "model": result.model.name,
        "encoding": result.model.encoding,
        "files": {
            "count": len(result.files),
            "bytes": sum(f.size for f in result.files),
            "by_language": {k: v["files"] for k, v in langs.items()},
            "skipped": [{"path": s.path, "reason": s.reason, "detail": s.detail}
                        for s in result.skipped],
            "ignored": result.ignored,
            "warnings": file_warnings(result),
        },
        "units": {"count": sum(unit_kinds.values()), "by_kind": dict(sorted(unit_kinds.items()))},
        "tokens": {
            "raw": sum(f.tokens for f in result.files),
            **({"deduplicated": clones.tokens_deduplicated} if clones else {}),
            "by_language": {k: v["tokens"] for k, v in langs.items()},
            **({"pack": pack} if pack is not None else {}),
        },
        "top_files": [{"path": r.path, "bytes": r.bytes, "tokens": r.tokens}
                      for r in top_files(result)],
        "top_folders": [{"path": r.path, "files": r.files, "bytes": r.bytes, "tokens": r.tokens}
                        for r in top_folders(result)],
        "index": {
            "path": str(result.index_path),
            "reused": result.stats.reused,
            "parsed": result.stats.parsed,
            "seconds": round(result.stats.seconds, 3),
            "warnings": result.warnings,
        },
        "clone_classes": [clone_class_json(c) for c in clones.classes] if clones else [],
    }
