"""Repeated boilerplate: licence headers and other leading comment blocks, shown once.

The rule, for every file that is neither a focus file nor a whole-file copy:

- Its *leading comment region* is read: from the top (after a `#!`, `<?php` or `<?xml` line),
  the comments before the first line of code, in the language's own syntax — runs of line
  comments (`#`, `//`, `--`), and the inner lines of block comments (`/* … */`,
  `<!-- … -->`; the delimiter lines stay). Languages without a known comment syntax
  (Markdown, plain text, JSON) have none.
- A line of a region is *shared* when the same line (trailing whitespace aside) opens the
  region of at least `MIN_FILES` files. Each maximal run of shared lines inside one comment
  (a block comment or a run of line comments) is a candidate, trimmed of lines that are only
  comment decoration (`#`, ` *`).
- Candidates are taken greedily, largest estimated saving first. A candidate is a *block*
  when it still appears — as a contiguous run of lines not covered by an earlier block — in at
  least `MIN_FILES` files, and what it saves there exceeds what showing it once costs. So a
  licence whose copyright line differs per file (`Copyright (c) 1997, 2013, …`) still
  becomes one block: the lines around the varying one.
- A candidate in which the secrets scanner finds anything is never a block: those lines stay
  in each file, where redaction and the report see them.

Each block is shown once in the pack's header; in each file its lines are replaced by one
line, `[ctxlens] repeated header H1 (shown once in the pack header), 230 tokens omitted` — a
line comment in the file's syntax, or the bare text inside the block comment it sits in, so
the file still reads as a comment where the licence was. Pure: texts in, decisions out.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ctxlens.clones.stubs import comment
from ctxlens.secrets import scan_text

MIN_FILES = 3  # a header in fewer files is not "repeated" enough to pull out
MAX_REGION_LINES = 400  # a file that is one long comment is documentation, not a header
HEADER_ENTRY_OVERHEAD = 30  # the block's heading and fence in the header, in tokens (estimate)

_C_LIKE = frozenset({"c", "cpp", "java", "javascript", "typescript", "tsx", "csharp", "go",
                     "rust", "php", "kotlin", "scala", "swift", "dart", "groovy",
                     "objective-c", "objective-cpp", "protobuf"})
_LINE_PREFIX: dict[str, str] = {
    **{lang: "#" for lang in ("python", "ruby", "bash", "yaml", "toml", "perl", "r", "make",
                              "cmake", "dockerfile", "powershell", "terraform")},
    **{lang: "--" for lang in ("sql", "lua")},
    **{lang: "//" for lang in (*_C_LIKE, "scss", "less")},
}
_BLOCK: dict[str, tuple[str, str]] = {
    **{lang: ("/*", "*/") for lang in (*_C_LIKE, "css", "scss", "less", "sql")},
    **{lang: ("<!--", "-->") for lang in ("html", "xml", "vue", "svelte")},
}
_PREAMBLE = ("#!", "<?php", "<?xml")
_DECORATION = re.compile(r"[\s#/*!<>=;-]*")
_INNER_PREFIX = re.compile(r"[ \t]*(?:\*+[ \t]?)?")


@dataclass(frozen=True, slots=True)
class Boilerplate:
    """One repeated block, shown once in the pack header."""

    id: str  # "H1", "H2", … in the order taken (largest estimated saving first)
    language: str  # the language of most files it was cut from (for the fence)
    text: str  # its lines, trailing whitespace dropped, joined with "\n"
    lines: int
    tokens: int  # exact count of `text` in the pack's encoding
    files: int  # files whose copy is replaced by a reference


@dataclass(frozen=True, slots=True)
class HeaderCut:
    """In one file, lines [start, end) (0-based) are a copy of block `block`."""

    start: int
    end: int
    block: str
    inner: bool  # inside a block comment: the reference is bare text, not a new comment


@dataclass(frozen=True, slots=True)
class BoilerplatePlan:
    blocks: tuple[Boilerplate, ...]
    cuts: Mapping[str, tuple[HeaderCut, ...]]  # path -> its cuts, by line

    def block(self, block_id: str) -> Boilerplate:
        return next(b for b in self.blocks if b.id == block_id)


@dataclass(frozen=True, slots=True)
class _Segment:
    """Lines of one comment in a leading region; `start` is the first line's 0-based index."""

    start: int
    keys: tuple[str, ...]  # the lines, trailing whitespace dropped
    inner: bool


def _key(line: str) -> str:
    return line.rstrip()


def _decorative(key: str) -> bool:
    return _DECORATION.fullmatch(key) is not None


def _line_like(stripped: str, prefix: str | None, block: tuple[str, str] | None) -> bool:
    if prefix is not None and stripped.startswith(prefix):
        return True
    if block is None:
        return False
    opener, closer = block
    # A one-line block comment that ends the line reads as a line comment.
    return (stripped.startswith(opener) and stripped.endswith(closer)
            and stripped.find(closer, len(opener)) == len(stripped) - len(closer))


def leading_segments(text: str, language: str) -> list[_Segment]:
    """The comments at the top of `text`, each as a segment of replaceable lines."""
    prefix, block = _LINE_PREFIX.get(language), _BLOCK.get(language)
    if prefix is None and block is None:
        return []
    lines = text.split("\n")
    end = min(len(lines), MAX_REGION_LINES)
    i = 1 if lines and lines[0].lstrip().startswith(_PREAMBLE) else 0
    segments: list[_Segment] = []
    while i < end:
        stripped = lines[i].strip()
        if not stripped:
            i += 1
            continue
        if _line_like(stripped, prefix, block):
            j = i
            while j < end and _line_like(lines[j].strip(), prefix, block):
                j += 1
            segments.append(_Segment(i, tuple(_key(ln) for ln in lines[i:j]), False))
            i = j
            continue
        if block is None or not stripped.startswith(block[0]):
            break  # code: the region ends
        opener, closer = block
        if closer in lines[i][lines[i].find(opener) + len(opener):]:
            break  # a one-line comment followed by code
        close = next((k for k in range(i + 1, end) if closer in lines[k]), None)
        if close is None:
            break  # unclosed within the region: not a header
        if close > i + 1:
            segments.append(_Segment(i + 1, tuple(_key(ln) for ln in lines[i + 1:close]),
                                     True))
        if lines[close][lines[close].find(closer) + len(closer):].strip():
            break  # code follows the comment on its closing line
        i = close + 1
    return segments


@dataclass(slots=True)
class _Run:
    files: set[str]
    occurrences: list[tuple[str, int, bool]]  # (path, first line, inner)
    languages: Counter[str]


def _shared_runs(segments: Mapping[str, list[_Segment]], languages: Mapping[str, str],
                 min_files: int) -> dict[tuple[str, ...], _Run]:
    freq: Counter[str] = Counter()
    for segs in segments.values():
        freq.update({k for s in segs for k in s.keys if not _decorative(k)})
    runs: dict[tuple[str, ...], _Run] = {}
    for path in sorted(segments):
        for seg in segments[path]:
            i = 0
            while i < len(seg.keys):
                if freq[seg.keys[i]] < min_files and not _decorative(seg.keys[i]):
                    i += 1
                    continue
                j = i
                while j < len(seg.keys) and (freq[seg.keys[j]] >= min_files
                                             or _decorative(seg.keys[j])):
                    j += 1
                a, b = i, j
                while a < b and _decorative(seg.keys[a]):
                    a += 1
                while b > a and _decorative(seg.keys[b - 1]):
                    b -= 1
                if a < b:
                    run = runs.setdefault(seg.keys[a:b], _Run(set(), [], Counter()))
                    run.files.add(path)
                    run.occurrences.append((path, seg.start + a, seg.inner))
                    run.languages[languages[path]] += 1
                i = j
    return runs


def reference_text(block_id: str, tokens: int) -> str:
    return (f"[ctxlens] repeated header {block_id} (shown once in the pack header), "
            f"{tokens} tokens omitted")


def find_boilerplate(
    texts: Mapping[str, tuple[str, str]], count: Callable[[str], int],
    min_files: int = MIN_FILES,
) -> BoilerplatePlan:
    """Blocks repeated at the top of at least `min_files` of `texts` (path -> (language,
    text)), and where each file holds them. See the module's docstring for the rule."""
    segments = {p: segs for p, (lang, text) in texts.items()
                if (segs := leading_segments(text, lang))}
    languages = {p: texts[p][0] for p in segments}
    runs = _shared_runs(segments, languages, min_files)
    distinct = list(runs)
    by_line: dict[str, list[int]] = defaultdict(list)
    for rid, keys in enumerate(distinct):
        for k in set(keys):
            by_line[k].append(rid)
    covered = [[False] * len(keys) for keys in distinct]

    def placements(cand: tuple[str, ...]) -> list[tuple[int, int]]:
        """(run, offset) of the first uncovered occurrence of `cand` in each run."""
        rare = min(set(cand), key=lambda k: len(by_line[k]))
        found = []
        n = len(cand)
        for rid in by_line[rare]:
            keys, cov = distinct[rid], covered[rid]
            for pos in range(len(keys) - n + 1):
                if keys[pos:pos + n] == cand and not any(cov[pos:pos + n]):
                    found.append((rid, pos))
                    break
        return found

    def files_of(placed: Iterable[tuple[int, int]]) -> set[str]:
        return {p for rid, _ in placed for p in runs[distinct[rid]].files}

    reference_cost = count(comment("java", reference_text("H99", 999)))
    per_copy = {c: count("\n".join(c)) for c in distinct}
    estimate = {c: len(files_of(placements(c))) * (per_copy[c] - reference_cost)
                for c in distinct if per_copy[c] > reference_cost}
    blocks: list[Boilerplate] = []
    assigned: dict[int, list[tuple[int, int, str]]] = defaultdict(list)
    for cand in sorted(estimate, key=lambda c: (-estimate[c], c)):
        placed = placements(cand)
        files = files_of(placed)
        text = "\n".join(cand)
        saving = len(files) * (per_copy[cand] - reference_cost)
        if (len(files) < min_files or saving <= per_copy[cand] + HEADER_ENTRY_OVERHEAD
                or scan_text("boilerplate", text)):
            continue
        block_id = f"H{len(blocks) + 1}"
        langs: Counter[str] = Counter()
        for rid, pos in placed:
            covered[rid][pos:pos + len(cand)] = [True] * len(cand)
            assigned[rid].append((pos, len(cand), block_id))
            langs.update(runs[distinct[rid]].languages)
        language = min(langs, key=lambda lang: (-langs[lang], lang))
        blocks.append(Boilerplate(id=block_id, language=language, text=text, lines=len(cand),
                                  tokens=per_copy[cand], files=len(files)))
    cuts: dict[str, list[HeaderCut]] = defaultdict(list)
    for rid, items in assigned.items():
        for path, start, inner in runs[distinct[rid]].occurrences:
            cuts[path] += [HeaderCut(start + pos, start + pos + n, block_id, inner)
                           for pos, n, block_id in items]
    return BoilerplatePlan(blocks=tuple(blocks),
                           cuts={p: tuple(sorted(c, key=lambda x: x.start))
                                 for p, c in sorted(cuts.items())})


def apply_cuts(text: str, language: str, cuts: Sequence[HeaderCut],
               blocks: Mapping[str, Boilerplate], before_line: int | None = None,
               ) -> tuple[str, tuple[str, ...]]:
    """`text` with each cut's lines replaced by a one-line reference, and the blocks used.

    A cut is applied only where the file's lines still are the block's lines (trailing
    whitespace aside) and end before 0-based line `before_line` (the first line another
    rewrite — a clone stub — has touched): never a guess, never a line changed twice.
    """
    lines = text.split("\n")
    out: list[str] = []
    used: list[str] = []
    pos = 0
    for cut in cuts:
        block = blocks[cut.block]
        if (cut.start < pos or cut.end > len(lines)
                or (before_line is not None and cut.end > before_line)
                or [_key(ln) for ln in lines[cut.start:cut.end]] != block.text.split("\n")):
            continue
        first = lines[cut.start]
        ref = reference_text(block.id, block.tokens)
        if cut.inner:
            m = _INNER_PREFIX.match(first)
            line = (m.group(0) if m else "") + ref
        else:
            line = first[: len(first) - len(first.lstrip(" \t"))] + comment(language, ref)
        cr = "\r" if lines[cut.end - 1].endswith("\r") else ""
        out += lines[pos:cut.start]
        out.append(line + cr)
        used.append(block.id)
        pos = cut.end
    out += lines[pos:]
    return "\n".join(out), tuple(dict.fromkeys(used))
