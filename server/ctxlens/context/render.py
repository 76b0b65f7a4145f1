"""Render a pack as Markdown or XML: a header (tree, tokens per folder, collapsed classes,
repeated file headers, files reduced to fit), then every file in path order. A part of a
split pack has the same header (it describes the whole pack) and only its own files, plus
the code its references point at in other parts. Pure: the same content gives the same bytes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape, quoteattr

from ctxlens.context.boilerplate import Boilerplate

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
    boilerplate: tuple[str, ...] = ()  # ids of the repeated headers replaced in `text`
    piece: Piece | None = None  # set when `text` is one piece of a file split across parts


@dataclass(frozen=True, slots=True)
class Piece:
    """A file too large for one part, cut between top-level units (see split.py)."""

    index: int  # 1-based
    total: int
    first_line: int  # 1-based, inclusive: lines of the file's text as packed, not as on disk
    last_line: int


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
class Borrowed:
    """Code a reference in a part points at, shown in full in another part (or split there)."""

    path: str
    language: str
    start_line: int  # 1-based, as on disk; 0 for a whole file
    end_line: int
    name: str  # the member's name, or "" for a whole file
    text: str
    part: int | None  # the part that shows it in full; None when it is cut into pieces


@dataclass(frozen=True, slots=True)
class PartView:
    index: int  # 1-based
    total: int
    files: tuple[PackedFile, ...]  # this part's files and pieces, in path order
    borrowed: tuple[Borrowed, ...] = ()


@dataclass(frozen=True, slots=True)
class PackContent:
    title: str
    model: str
    encoding: str
    files: tuple[PackedFile, ...]  # sorted by path; the whole pack's, also in a part's header
    classes: tuple[ClassEntry, ...]
    omitted: tuple[OmittedFile, ...] = ()  # sorted by path
    boilerplate: tuple[Boilerplate, ...] = ()  # candidates; the header shows those in use
    part: PartView | None = None  # set: render this part (its files) under the shared header


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


def shown_boilerplate(content: PackContent) -> tuple[tuple[Boilerplate, int], ...]:
    """The header's repeated headers: (block, files of this pack that reference it)."""
    uses: dict[str, int] = defaultdict(int)
    for f in content.files:
        for block_id in f.boilerplate:
            uses[block_id] += 1
    return tuple((b, uses[b.id]) for b in content.boilerplate if uses[b.id])


def body_files(content: PackContent) -> tuple[PackedFile, ...]:
    return content.part.files if content.part is not None else content.files


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


def _md_intro(content: PackContent) -> list[str]:
    part = content.part
    about = (f"{len(content.files)} files · model {content.model} · encoding "
             f"{content.encoding}. ")
    if part is None:
        return [f"# Context pack: {content.title}", "",
                about + "Lines starting with [ctxlens] in a comment stand for code shown "
                "elsewhere in this pack.", ""]
    return [f"# Context pack: {content.title} — part {part.index} of {part.total}", "",
            about + f"This part holds {len({f.path for f in part.files})} of those files; "
            "the header is the same in every part and describes the whole pack. Lines "
            "starting with [ctxlens] in a comment stand for code shown elsewhere in this "
            "part or in its header.", ""]


def _md_piece_heading(f: PackedFile) -> str:
    if f.piece is None:
        return f"## {f.path}"
    p = f.piece
    return (f"## {f.path} (piece {p.index} of {p.total}: lines {p.first_line}-{p.last_line} "
            "of its text in this pack)")


def _md_file(f: PackedFile) -> list[str]:
    fence = _fence(f.text)
    lang = _FENCE_LANG.get(f.language, f.language)
    body = f.text if f.text.endswith("\n") else f.text + "\n"
    return ["", _md_piece_heading(f), "", f"{fence}{lang}", body + fence]


def markdown_file_section(f: PackedFile) -> str:
    """What one file adds to a Markdown pack (for estimates; the pack is counted whole)."""
    return "\n".join(_md_file(f))


def _md_borrowed(b: Borrowed) -> list[str]:
    where = f"in part {b.part}" if b.part is not None else "its file is cut into pieces"
    what = (f"{b.path} (whole file)" if b.start_line == 0
            else f"{b.path}:{b.start_line}-{b.end_line} {b.name}")
    fence = _fence(b.text)
    lang = _FENCE_LANG.get(b.language, b.language)
    body = b.text if b.text.endswith("\n") else b.text + "\n"
    return ["", f"### {what} ({where})", "", f"{fence}{lang}", body + fence]


def borrowed_section(b: Borrowed, fmt: str) -> str:
    return "\n".join(_md_borrowed(b)) if fmt == "md" else _xml_borrowed(b)


def file_section(f: PackedFile, fmt: str) -> str:
    return markdown_file_section(f) if fmt == "md" else _xml_file(f)


def boilerplate_section(content: PackContent, fmt: str) -> str:
    """The header's repeated-headers section alone ("" when there is none)."""
    lines = _md_boilerplate(content) if fmt == "md" else _xml_boilerplate(content)
    return "\n".join(lines)


def _md_boilerplate(content: PackContent) -> list[str]:
    blocks = shown_boilerplate(content)
    if not blocks:
        return []
    out = ["", "## Repeated file headers", "",
           "Each block below opens several files; in each of them it is replaced by one line, "
           "`[ctxlens] repeated header H…`."]
    for b, files in blocks:
        fence = _fence(b.text)
        lang = _FENCE_LANG.get(b.language, b.language)
        out += ["", f"### {b.id} · {b.lines} lines · {b.tokens} tokens · in {files} files", "",
                f"{fence}{lang}", b.text + "\n" + fence]
    return out


def render_markdown(content: PackContent) -> str:
    out = [*_md_intro(content),
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
    out += _md_boilerplate(content)
    for f in body_files(content):
        out += _md_file(f)
    if content.part is not None and content.part.borrowed:
        out += ["", "## Referenced code from other parts", "",
                "References in this part whose code is shown in full in another part; it is "
                "repeated here so that this part reads on its own."]
        for b in content.part.borrowed:
            out += _md_borrowed(b)
    return "\n".join(out) + "\n"


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: end the section between "]]" and ">".
    text = _NOT_XML.sub("\ufffd", text)
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _xml_file(f: PackedFile) -> str:
    piece = ""
    if f.piece is not None:
        p = f.piece
        piece = (f" piece=\"{p.index}\" pieces=\"{p.total}\" "
                 f"lines=\"{p.first_line}-{p.last_line}\"")
    # CDATA keeps code readable (no &lt; in every comparison) and the file text exact.
    return (f"<file path={quoteattr(f.path)} language={quoteattr(f.language)}{piece}>"
            + _cdata(f.text) + "</file>")


def _xml_borrowed(b: Borrowed) -> str:
    lines = "" if b.start_line == 0 else f" lines=\"{b.start_line}-{b.end_line}\""
    name = f" name={quoteattr(b.name)}" if b.name else ""
    part = f" part=\"{b.part}\"" if b.part is not None else " part=\"pieces\""
    return (f"<snippet path={quoteattr(b.path)} language={quoteattr(b.language)}{lines}{name}"
            f"{part}>" + _cdata(b.text) + "</snippet>")


def _xml_boilerplate(content: PackContent) -> list[str]:
    blocks = shown_boilerplate(content)
    if not blocks:
        return []
    return (["<repeated_headers>"]
            + [f"<repeated_header id={quoteattr(b.id)} language={quoteattr(b.language)} "
               f"lines=\"{b.lines}\" tokens=\"{b.tokens}\" files=\"{files}\">"
               + _cdata(b.text) + "</repeated_header>" for b, files in blocks]
            + ["</repeated_headers>"])


def render_xml(content: PackContent) -> str:
    part = content.part
    parts = f" part=\"{part.index}\" parts=\"{part.total}\"" if part is not None else ""
    out = [f"<context_pack title={quoteattr(content.title)} model={quoteattr(content.model)} "
           f"encoding={quoteattr(content.encoding)}{parts}>", "<header>",
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
    out += _xml_boilerplate(content)
    out += ["</header>", "<files>"]
    out += [_xml_file(f) for f in body_files(content)]
    out.append("</files>")
    if part is not None and part.borrowed:
        out += ["<referenced>", *(_xml_borrowed(b) for b in part.borrowed), "</referenced>"]
    out.append("</context_pack>")
    return "\n".join(out) + "\n"


def render(content: PackContent, fmt: str) -> str:
    if fmt == "md":
        return render_markdown(content)
    if fmt == "xml":
        return render_xml(content)
    raise ValueError(f"unknown pack format {fmt!r}; one of {', '.join(FORMATS)}")
