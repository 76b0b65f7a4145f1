"""Render a pack as Markdown or XML: a header (tree, tokens per folder, collapsed classes),
then every file in path order. Pure: the same content gives the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

FORMATS = ("md", "xml")

# Markdown info strings for languages whose ctxlens label is not the usual one.
_FENCE_LANG = {"c_sharp": "csharp", "text": "text", "make": "makefile"}
_BACKTICKS = re.compile(r"`{3,}")
# Characters XML 1.0 forbids even in CDATA (a form feed in old C or Python sources).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True, slots=True)
class PackedFile:
    path: str
    language: str
    text: str  # what the pack shows: collapsed, or one line for a whole-file copy
    tokens_raw: int  # the file's own count, as indexed
    tokens: int  # exact count of `text`
    stubs: int  # clone members replaced by a reference
    copy_of: str | None = None
    level: str = "full"  # "full" | "deduplicated" | "skeleton" (see fit.py)


@dataclass(frozen=True, slots=True)
class OmittedFile:
    """A file left out to fit the budget: named in the header, its text not in the pack."""

    path: str
    language: str
    tokens_raw: int
    tokens: int  # what its text would have cost in the pack


@dataclass(frozen=True, slots=True)
class ClassEntry:
    id: str
    kind: str
    similarity: float
    canonical_path: str
    canonical_line: int
    canonical_name: str  # inside its file: "Class.method", or "path:L1-L9" for a fragment
    members: int
    stubbed: int  # members this pack replaced (nested, focus and expanded ones are not)
    tokens_saved: int  # as clone detection states it, for all non-canonical members
    expanded: bool


@dataclass(frozen=True, slots=True)
class PackContent:
    title: str
    model: str
    encoding: str
    files: tuple[PackedFile, ...]  # sorted by path
    classes: tuple[ClassEntry, ...]
    omitted: tuple[OmittedFile, ...] = ()  # sorted by path


@dataclass(frozen=True, slots=True)
class FolderRow:
    folder: str
    files: int
    tokens_raw: int
    tokens: int


def folder_of(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else "."


def folder_rows(files: Sequence[PackedFile]) -> tuple[FolderRow, ...]:
    rows: dict[str, list[PackedFile]] = defaultdict(list)
    for f in files:
        rows[folder_of(f.path)].append(f)
    return tuple(FolderRow(k, len(v), sum(f.tokens_raw for f in v), sum(f.tokens for f in v))
                 for k, v in sorted(rows.items()))


def directory_tree(paths: Sequence[str]) -> str:
    """Folders end in "/", two spaces per level: cheaper in tokens than box-drawing lines."""
    lines: list[str] = []
    seen: set[str] = set()
    for path in sorted(paths):
        parts = path.split("/")
        for depth in range(len(parts) - 1):
            folder = "/".join(parts[: depth + 1])
            if folder not in seen:
                seen.add(folder)
                lines.append("  " * depth + parts[depth] + "/")
        lines.append("  " * (len(parts) - 1) + parts[-1])
    return "\n".join(lines)


def shown_classes(content: PackContent) -> tuple[ClassEntry, ...]:
    """The header's index: classes this pack actually collapsed."""
    return tuple(c for c in content.classes if c.stubbed)


def reduced_rows(content: PackContent) -> tuple[tuple[str, str, int, int], ...]:
    """(path, level, tokens as is, tokens in pack) of every file reduced to fit, by path."""
    rows = [(f.path, f.level, f.tokens_raw, f.tokens) for f in content.files
            if f.level == "skeleton"]
    rows += [(f.path, "omitted", f.tokens_raw, 0) for f in content.omitted]
    return tuple(sorted(rows))


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _fence(text: str) -> str:
    longest = max((len(m) for m in _BACKTICKS.findall(text)), default=0)
    return "`" * max(3, longest + 1)


def render_markdown(content: PackContent) -> str:
    out = [f"# Context pack: {content.title}", "",
           f"{len(content.files)} files · model {content.model} · encoding {content.encoding}. "
           "Lines starting with [ctxlens] in a comment stand for code shown elsewhere "
           "in this pack.", "",
           "## Files", "", "```text", directory_tree([f.path for f in content.files]), "```", "",
           "## Tokens per folder", "",
           f"Exact counts of each file's text ({content.encoding}), summed per folder.", "",
           "| Folder | Files | Tokens as is | Tokens in pack |", "|---|---:|---:|---:|"]
    out += [f"| {_cell(r.folder)} | {r.files} | {r.tokens_raw} | {r.tokens} |"
            for r in folder_rows(content.files)]
    classes = shown_classes(content)
    if classes:
        out += ["", "## Collapsed clone classes", "",
                "| Class | Kind | Canonical | Members | Replaced | Tokens saved |",
                "|---|---|---|---:|---:|---:|"]
        out += [f"| {c.id} | {c.kind} | {_cell(c.canonical_path)}:{c.canonical_line} "
                f"{_cell(c.canonical_name)} | {c.members} | {c.stubbed} | {c.tokens_saved} |"
                for c in classes]
    reduced = reduced_rows(content)
    if reduced:
        out += ["", "## Reduced to fit the budget", "",
                "skeleton: signatures, outlines and docstrings, bodies elided; "
                "omitted: not in this pack.", "",
                "| File | Level | Tokens as is | Tokens in pack |", "|---|---|---:|---:|"]
        out += [f"| {_cell(p)} | {lv} | {raw} | {n} |" for p, lv, raw, n in reduced]
    for f in content.files:
        fence = _fence(f.text)
        lang = _FENCE_LANG.get(f.language, f.language)
        body = f.text if f.text.endswith("\n") else f.text + "\n"
        out += ["", f"## {f.path}", "", f"{fence}{lang}", body + fence]
    return "\n".join(out) + "\n"


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: end the section between "]]" and ">".
    text = _NOT_XML.sub("\ufffd", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def render_xml(content: PackContent) -> str:
    out = [f"<context_pack title={quoteattr(content.title)} model={quoteattr(content.model)} "
           f"encoding={quoteattr(content.encoding)}>", "<header>",
           "<tree>", escape(directory_tree([f.path for f in content.files])), "</tree>",
           "<folders>"]
    out += [f"<folder path={quoteattr(r.folder)} files=\"{r.files}\" "
            f"tokens_raw=\"{r.tokens_raw}\" tokens=\"{r.tokens}\"/>"
            for r in folder_rows(content.files)]
    out += ["</folders>", "<collapsed_classes>"]
    out += [f"<class id={quoteattr(c.id)} kind={quoteattr(c.kind)} "
            f"canonical={quoteattr(f'{c.canonical_path}:{c.canonical_line}')} "
            f"name={quoteattr(c.canonical_name)} members=\"{c.members}\" "
            f"replaced=\"{c.stubbed}\" tokens_saved=\"{c.tokens_saved}\"/>"
            for c in shown_classes(content)]
    out.append("</collapsed_classes>")
    reduced = reduced_rows(content)
    if reduced:
        out.append("<reduced>")
        out += [f"<reduced_file path={quoteattr(p)} level=\"{lv}\" tokens_raw=\"{raw}\" "
                f"tokens=\"{n}\"/>" for p, lv, raw, n in reduced]
        out.append("</reduced>")
    out += ["</header>", "<files>"]
    for f in content.files:
        # CDATA keeps code readable (no &lt; in every comparison) and the file text exact.
        out.append(f"<file path={quoteattr(f.path)} language={quoteattr(f.language)}>"
                   + _cdata(f.text) + "</file>")
    out += ["</files>", "</context_pack>"]
    return "\n".join(out) + "\n"


def render(content: PackContent, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(content)
    if fmt == "xml":
        return render_xml(content)
    raise ValueError(f"unknown pack format {fmt!r}; one of {', '.join(FORMATS)}")
