"""A syntactic check of Mermaid flowcharts: the subset an architecture diagram uses.

Not a full Mermaid parser; it accepts what Mermaid's flowchart grammar accepts for the
statements below and rejects the mistakes models make most: a missing or misspelled
header, unbalanced brackets or quotes, unquoted labels holding brackets, an arrow with no
target, a node named `end`, `subgraph` without `end`, and statements Mermaid does not know.

    flowchart|graph TB|TD|BT|RL|LR          header (after optional --- front matter ---)
    A[label] --> B(label) & C{label}        nodes, shapes, links, `&`, chains, `:::class`
    A -->|label| B    A -- label --> B      link labels
    subgraph id [title] … end, direction LR inside a subgraph
    classDef, class, style, linkStyle, click, accTitle:, accDescr:, %% comments
"""

from __future__ import annotations

import re

DIRECTIONS = ("TB", "TD", "BT", "RL", "LR")
_HEADER = re.compile(r"(flowchart|graph)(?:\s+(\S+))?\s*;?\s*$")
_ID = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
_ARROW = re.compile(
    r"<?(?:-{2,}>|-{3,}|-{2,}[xo](?=\s)|={2,}>|={3,}|={2,}[xo](?=\s)|-\.+->|-\.+-|~{3,})")
_INLINE_LABEL = re.compile(
    r"(?:--|==|-\.)\s+(\"[^\"]*\"|[^\s\"|>\-=.][^\"|]*?)\s+"
    r"(?:-{2,}>|-{3,}|={2,}>|={3,}|\.-+>|\.-+)")
_PIPE_LABEL = re.compile(r"\|(\"[^\"]*\"|[^|\"]*)\|")
_CLASS_SUFFIX = re.compile(r":::[A-Za-z0-9_-]+")
# Node shapes, longest opener first: opener -> accepted closers.
_SHAPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("(((", (")))",)), ("((", ("))",)), ("([", ("])",)), ("[[", ("]]",)), ("[(", (")]",)),
    ("[/", ("/]", "\\]")), ("[\\", ("\\]", "/]")), ("{{", ("}}",)),
    ("[", ("]",)), ("(", (")",)), ("{", ("}",)), (">", ("]",)),
)
_STRUCTURAL = set('[](){}"|')
_SIMPLE_KEYWORDS = ("classDef", "class", "style", "linkStyle", "click")
_KEYWORDS = ("subgraph", "end", "direction", *_SIMPLE_KEYWORDS)
_PAIRS = {"(": ")", "[": "]", "{": "}"}


class _Error(Exception):
    pass


def check_flowchart(source: str) -> list[str]:
    """Problems with `source` as a Mermaid flowchart, as `line N: …`; empty when valid."""
    problems: list[str] = []
    lines = source.splitlines()
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i < len(lines) and lines[i].strip() == "---":  # YAML front matter (title: …)
        end = next((j for j in range(i + 1, len(lines)) if lines[j].strip() == "---"), None)
        if end is None:
            return [f"line {i + 1}: front matter opened with --- is never closed"]
        i = end + 1
    header_seen = False
    depth = 0
    nodes = 0
    for n in range(i, len(lines)):
        text = lines[n].strip()
        if not text or text.startswith("%%"):
            continue
        where = f"line {n + 1}"
        if not header_seen:
            m = _HEADER.match(text)
            if not m:
                return [f"{where}: a flowchart starts with `flowchart LR` (or graph; TB, TD, "
                        f"BT, RL, LR), got {text[:40]!r}"]
            if m.group(2) is not None and m.group(2) not in DIRECTIONS:
                return [f"{where}: unknown direction {m.group(2)!r}; one of "
                        f"{', '.join(DIRECTIONS)}"]
            header_seen = True
            continue
        word = text.split(maxsplit=1)[0].rstrip(";")
        rest = text[len(word):].strip()
        # Node statements are parsed in full below; the others only need balance.
        balance = _balance_problem(rest) if word in _KEYWORDS else None
        if balance:
            problems.append(f"{where}: {balance}")
        if word == "subgraph":
            if not rest:
                problems.append(f"{where}: subgraph needs an id or a title")
            depth += 1
        elif word == "end":
            if rest.strip(";"):
                problems.append(f"{where}: nothing may follow `end`")
            elif depth == 0:
                problems.append(f"{where}: `end` without a subgraph")
            else:
                depth -= 1
        elif word == "direction":
            if rest.rstrip(";") not in DIRECTIONS:
                problems.append(f"{where}: direction must be one of {', '.join(DIRECTIONS)}")
        elif word in _SIMPLE_KEYWORDS:
            if not rest:
                problems.append(f"{where}: `{word}` needs arguments")
        elif word.startswith(("accTitle:", "accDescr:")):
            pass
        else:
            try:
                nodes += _statements(text)
            except _Error as err:
                problems.append(f"{where}: {err}")
    if not header_seen:
        return ["no `flowchart` header: the diagram is empty"]
    if depth:
        problems.append(f"{depth} subgraph(s) never closed with `end`")
    if not problems and nodes == 0:
        problems.append("the flowchart has no nodes")
    return problems


def _balance_problem(text: str) -> str | None:
    stack: list[str] = []
    quoted = False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif ch in _PAIRS:
            stack.append(_PAIRS[ch])
        elif ch in _PAIRS.values() and (not stack or stack.pop() != ch):
            return f"unbalanced {ch!r}"
    if quoted:
        return "unclosed quote"
    if stack:
        return f"unclosed bracket (missing {stack[-1]!r})"
    return None


def _statements(text: str) -> int:
    """Parse `text` as node/link statements separated by `;`; returns the nodes named."""
    pos, nodes = 0, 0
    while True:
        pos, count = _chain(text, pos)
        nodes += count
        pos = _skip(text, pos)
        if pos >= len(text):
            return nodes
        if text[pos] != ";":
            raise _Error(f"cannot read {text[pos:pos + 20]!r}: not a node or a link")
        pos = _skip(text, pos + 1)
        if pos >= len(text):
            return nodes


def _skip(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t":
        pos += 1
    return pos


def _chain(text: str, pos: int) -> tuple[int, int]:
    pos, nodes = _group(text, pos)
    while True:
        end = _link(text, _skip(text, pos))
        if end is None:
            return pos, nodes
        pos = _skip(text, end)
        if pos >= len(text) or text[pos] == ";":
            raise _Error("a link needs a target node")
        pos, count = _group(text, pos)
        nodes += count


def _link(text: str, pos: int) -> int | None:
    for pattern in (_ARROW, _INLINE_LABEL):
        m = pattern.match(text, pos)
        if m:
            end = m.end()
            if pattern is _ARROW:
                label = _PIPE_LABEL.match(text, _skip(text, end))
                if label:
                    end = label.end()
                elif text[_skip(text, end):].startswith("|"):
                    raise _Error("unclosed |label| on a link")
            return end
    return None


def _group(text: str, pos: int) -> tuple[int, int]:
    pos = _node(text, pos)
    nodes = 1
    while True:
        after = _skip(text, pos)
        if after < len(text) and text[after] == "&":
            pos = _node(text, _skip(text, after + 1))
            nodes += 1
        else:
            return pos, nodes


def _node(text: str, pos: int) -> int:
    m = _ID.match(text, pos)
    if not m:
        raise _Error(f"expected a node id at {text[pos:pos + 20]!r}")
    if m.group() == "end":
        raise _Error("`end` cannot be a node id (Mermaid reads it as closing a subgraph)")
    pos = m.end()
    for opener, closers in _SHAPES:
        if text.startswith(opener, pos):
            pos = _label(text, pos + len(opener), closers)
            break
    suffix = _CLASS_SUFFIX.match(text, pos)
    return suffix.end() if suffix else pos


def _label(text: str, pos: int, closers: tuple[str, ...]) -> int:
    if pos < len(text) and text[pos] == '"':
        close = text.find('"', pos + 1)
        if close < 0:
            raise _Error("unclosed quote in a node label")
        pos = close + 1
        for closer in closers:
            if text.startswith(closer, pos):
                return pos + len(closer)
        raise _Error(f"expected {closers[0]!r} after the quoted label")
    start = pos
    while pos < len(text):
        for closer in closers:
            if text.startswith(closer, pos) and pos > start:
                return pos + len(closer)
        if text[pos] in _STRUCTURAL:
            raise _Error(f"{text[pos]!r} inside an unquoted label: quote the label "
                         f"(A[\"text with {text[pos]}\"])")
        pos += 1
    raise _Error(f"node label never closed with {closers[0]!r}")
