"""Normalised token streams: a file lexed once from its tree, then sliced per unit.

`lex_file` walks every leaf of the tree ONCE (an explicit stack, so deep expressions cannot
hit the recursion limit) and classifies it by integer kind id through a byte table: the
per-leaf Python work is one table lookup and one list append. Comments, strings and
excluded statements are whole subtrees that are never entered. Everything per token after
that (offsets, text codes, line numbers, document order) is done in bulk: C-level `map`s
over the collected nodes, then numpy. The walk's stack order is not document order; one
argsort restores it.

`streams_of` slices every unit's tokens out of the file's (one `searchsorted` on the start
offsets for all units) and numbers each unit's identifiers by first appearance in one sort
over all units, so units are compared without lexing any byte twice and without numpy calls
per unit; `unit_stream` is the same for one unit.

Text codes are `zlib.crc32` of a token's bytes, which equals `streams.token_code` of its
text for valid UTF-8 (an invalid byte sequence still gets a stable code of its own).
Keywords and operators are coded by their kind's name, looked up by kind id.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import chain
from operator import attrgetter

import numpy as np
import numpy.typing as npt
from tree_sitter import Node, Tree

from ctxlens.clones.lexicon import (
    FALLBACK_KEYWORDS,
    FALLBACK_LITERALS,
    FIRST_CHILD,
    LAST_CHILD,
    LEXICONS,
    LITERAL_KINDS,
    SUPPRESSION_MARKER,
    check_lexicon,
)
from ctxlens.clones.lexwalk import NativeWalk, native_walk
from ctxlens.clones.streams import (
    IDENTIFIER,
    NUMBER,
    STRING,
    Codes,
    UnitStream,
    le_buffer,
    renamed_hash,
    token_code,
)
from ctxlens.syntax.grammars import get_language
from ctxlens.syntax.units import UnitSpan

# What the walk does with a node, by kind id. _KEYWORD: an anonymous leaf (keyword, operator,
# punctuation), coded by its kind's name; _DESCEND: a named node, entered, or kept as written
# when it turns out to be a leaf no table lists (`this`, `auto`, C `primitive_type`).
_KEYWORD, _IDENT, _DESCEND, _SKIP, _COMMENT, _SPECIAL = range(6)
_LITERAL = 8  # _LITERAL + i: LITERAL_KINDS[i]
# tree-sitter's ERROR symbol: (TSSymbol)-1, the same in every grammar.
_ERROR_KIND_ID = 0xFFFF
# Callee path steps that are not field ids (tree-sitter field ids start at 1).
_FIRST, _LAST = -1, -2

_IDENTIFIER_CODE = token_code(IDENTIFIER)
_LITERAL_CODES = np.array([token_code(kind) for kind in LITERAL_KINDS], dtype=np.uint32)
# Token classes while assembling FileTokens: keyword, named leaf, identifier, literal kinds.
_CLASS_KEYWORD, _CLASS_LEAF, _CLASS_IDENT, _CLASS_LITERAL = 0, 1, 2, 3

_START = attrgetter("start_byte")
_END = attrgetter("end_byte")
_KIND = attrgetter("kind_id")

_EMPTY = np.zeros(0, dtype=np.uint32)
_EMPTY.flags.writeable = False  # shared by every empty FileTokens


@dataclass(frozen=True, slots=True)
class FileTokens:
    """A file's kept tokens in document order, one entry per token in every array."""

    codes: Codes  # token_code of the normalised token ($id, $str, ..., or the text itself)
    # token_code of the source text (Type-1); a keyword's or operator's is that of its
    # grammar name, so `#  define` is `#define`
    raw: Codes
    ident: Codes  # code of the text of a blinded identifier; 0 for every other token
    starts: Codes  # byte offset of the token's first byte
    ends: Codes  # byte offset just past the token
    lines: Codes  # 1-based line of the token's first byte
    # Byte offset of each `ctxlens: ignore-duplicate` marker inside a comment, in document
    # order, and the 1-based line its comment ENDS on (a block comment above a definition
    # ends on the line just above it, wherever in the block the marker is).
    suppressions: tuple[int, ...] = ()
    suppression_lines: tuple[int, ...] = ()

    def __len__(self) -> int:
        return len(self.codes)


# --- Compiling the lexicon --------------------------------------------------------------------

# (exclusion regex, callee step): the regex drops the node when it matches the node's whole
# text; the step (field id, _FIRST or _LAST) leads from a call to its callee; None: not a call.
_Special = tuple[re.Pattern[bytes] | None, int | None]


@dataclass(frozen=True, slots=True)
class _Compiled:
    actions: bytes  # indexed by kind id (ERROR is 0xFFFF)
    keyword_codes: Codes  # indexed by kind id: token_code of an anonymous kind's name
    specials: dict[int, _Special]
    steps: dict[int, int]  # composite callee kind id -> step towards the called name
    # The same tables for the C walk (lexwalk.py): per kind id, a special's step to its
    # callee and a composite's step onwards (0: none), and the specials' exclusion regexes.
    call_steps: bytes
    callee_steps: bytes
    excluded: dict[int, re.Pattern[bytes]]


def _step(language: str, step: str) -> int:
    if step == FIRST_CHILD:
        return _FIRST
    if step == LAST_CHILD:
        return _LAST
    field_id = get_language(language).field_id_for_name(step)
    assert field_id is not None  # check_lexicon has vetted every field
    return field_id


@cache
def _compile(language: str) -> _Compiled:
    check_lexicon(language)
    lexicon = LEXICONS[language]
    lang = get_language(language)
    ids: dict[str, list[int]] = {}
    actions = bytearray([_DESCEND]) * (_ERROR_KIND_ID + 1)
    keyword_codes = np.zeros(_ERROR_KIND_ID + 1, dtype=np.uint32)
    for kind_id in range(lang.node_kind_count):
        name = lang.node_kind_for_id(kind_id)
        if not name or not lang.node_kind_is_visible(kind_id):
            continue
        if lang.node_kind_is_named(kind_id):
            ids.setdefault(name, []).append(kind_id)
        elif not name.strip():
            actions[kind_id] = _SKIP  # the newline that ends a C `#if` condition
        elif name != "".join(name.split()):
            pass  # Python `is not`, `not in`: nodes over two keyword leaves, entered
        else:
            # Coded by the kind's name, not the text: `#  define` is `#define`, PHP's
            # `ReadOnly` is `readonly`, so layout inside a token is still layout.
            actions[kind_id] = _KEYWORD
            keyword_codes[kind_id] = token_code(name)
    # Later tables win: an excluded statement is dropped even if it is also a call.
    tables: list[tuple[Iterable[str], int]] = [(lexicon.identifiers, _IDENT)]
    tables += [
        ([name for name, literal in lexicon.literals.items() if literal == kind], _LITERAL + index)
        for index, kind in enumerate(LITERAL_KINDS)
    ]
    tables += [
        (lexicon.calls, _SPECIAL),
        (lexicon.excluded_if, _SPECIAL),
        (lexicon.comments, _COMMENT),
        (lexicon.layout, _SKIP),
        (lexicon.excluded, _SKIP),
    ]
    for names, action in tables:
        for name in names:
            for kind_id in ids[name]:
                actions[kind_id] = action
    specials: dict[int, _Special] = {}
    for name in {*lexicon.calls, *lexicon.excluded_if}:
        pattern = lexicon.excluded_if.get(name)
        call = lexicon.calls.get(name)
        special = (None if pattern is None else re.compile(pattern),
                   None if call is None else _step(language, call))
        for kind_id in ids[name]:
            specials[kind_id] = special
    steps = {kind_id: _step(language, step)
             for name, step in lexicon.callee_paths.items() for kind_id in ids[name]}
    call_steps = np.zeros(_ERROR_KIND_ID + 1, dtype=np.int32)
    callee_steps = np.zeros(_ERROR_KIND_ID + 1, dtype=np.int32)
    for kind_id, (_, call_step) in specials.items():
        call_steps[kind_id] = call_step or 0
    for kind_id, step in steps.items():
        callee_steps[kind_id] = step
    excluded = {k: pattern for k, (pattern, _) in specials.items() if pattern is not None}
    return _Compiled(actions=bytes(actions), keyword_codes=keyword_codes, specials=specials,
                     steps=steps, call_steps=call_steps.tobytes(),
                     callee_steps=callee_steps.tobytes(), excluded=excluded)


# --- Lexing a file ----------------------------------------------------------------------------


def lex_file(tree: Tree | None, data: bytes, language: str) -> FileTokens:
    """Every kept token of `data`, normalised, in document order.

    With a tree (from `syntax.parse(data, language)`): comments and layout give no tokens;
    import/package/using/include statements and everything inside them are dropped; an
    identifier becomes `$id` (its text code in `ident`) unless it is the called name of a
    call; a literal becomes its kind (`$str`, ...) as one token, even a string with code
    inside; every other leaf is its own text (a keyword or operator: its grammar name, so
    `#  define` is `#define`). Broken code lexes too: the leaves under ERROR nodes are
    classified like any other, and zero-width MISSING leaves are dropped.

    Without a tree (a language with no grammar, or blank data): a regex lexer splits
    identifiers, numbers, quoted strings and single punctuation characters, and drops `#`,
    `//`, `/* */` and `--` comments.
    """
    if tree is None:
        return _lex_text(data)
    if language not in LEXICONS:
        raise ValueError(f"no lexicon for language {language!r}")
    compiled = _compile(language)
    want_comments = data.find(SUPPRESSION_MARKER) >= 0
    walk = native_walk()
    if walk is not None:
        tokens, comments = _walk_in_c(walk, tree, data, compiled, want_comments)
    else:
        tokens, comments = _walk(tree, data, compiled, want_comments)
    if not comments:
        return tokens
    found = [
        (offset, end)
        for start, end in comments
        if (offset := data.find(SUPPRESSION_MARKER, start, end)) >= 0
    ]
    return _with_suppressions(tokens, data, found)


def _walk(tree: Tree, data: bytes, compiled: _Compiled, want_comments: bool
          ) -> tuple[FileTokens, list[tuple[int, int]]]:
    """The walk in Python: tokens, and comment spans if `want_comments`."""
    actions = compiled.actions
    specials = compiled.specials
    steps = compiled.steps
    keywords: list[Node] = []
    leaves: list[Node] = []
    idents: list[Node] = []
    literals: list[list[Node]] = [[] for _ in LITERAL_KINDS]
    comments: list[Node] = []
    called: list[int] = []
    add_keyword = keywords.append
    add_ident = idents.append
    stack = [tree.root_node]
    pop = stack.pop
    push_all = stack.extend
    while stack:
        node = pop()
        action = actions[node.kind_id]
        if action == _KEYWORD:
            add_keyword(node)
        elif action == _IDENT:
            add_ident(node)
        elif action == _DESCEND:
            children = node.children
            if children:
                push_all(children)
            else:
                leaves.append(node)
        elif action >= _LITERAL:
            literals[action - _LITERAL].append(node)
        elif action == _SPECIAL:
            pattern, step = specials[node.kind_id]
            if pattern is not None and pattern.fullmatch(data, node.start_byte, node.end_byte):
                continue
            if step is not None:
                start = _callee_start(node, step, actions, steps)
                if start >= 0:
                    called.append(start)
            push_all(node.children)
        elif action == _COMMENT and want_comments:
            comments.append(node)
    groups = [keywords, leaves, idents, *literals]
    count = sum(map(len, groups))
    starts = np.fromiter(map(_START, chain.from_iterable(groups)), dtype=np.int64, count=count)
    ends = np.fromiter(map(_END, chain.from_iterable(groups)), dtype=np.int64, count=count)
    classes = np.repeat(np.arange(len(groups), dtype=np.uint8),
                        [len(group) for group in groups])
    kinds = np.fromiter(map(_KIND, keywords), dtype=np.intp, count=len(keywords))
    tokens = _assemble(data, compiled.keyword_codes, kinds, starts, ends, classes, called)
    return tokens, [(node.start_byte, node.end_byte) for node in comments]


def _walk_in_c(walk: NativeWalk, tree: Tree, data: bytes, compiled: _Compiled,
               want_comments: bool) -> tuple[FileTokens, list[tuple[int, int]]]:
    """The same walk by ctxlens._lexwalk, the same tokens in the same groups and order."""
    keywords, leaves, idents, literals, comments, called = (
        np.frombuffer(b, dtype=np.int64) for b in walk(
            tree.root_node, compiled.actions, compiled.call_steps, compiled.callee_steps,
            compiled.excluded, data, want_comments))
    keywords, leaves, idents = keywords.reshape(-1, 3), leaves.reshape(-1, 3), idents.reshape(-1, 3)
    literals = literals.reshape(-1, 4)
    # Python keeps one list per literal kind, each in walk order: a stable sort by kind.
    literals = literals[np.argsort(literals[:, 0], kind="stable")]
    rest = np.concatenate([leaves, idents, literals[:, 1:]])  # (start, end, crc32 of text)
    classes = np.concatenate([
        np.full(len(keywords), _CLASS_KEYWORD, dtype=np.uint8),
        np.full(len(leaves), _CLASS_LEAF, dtype=np.uint8),
        np.full(len(idents), _CLASS_IDENT, dtype=np.uint8),
        (literals[:, 0] + _CLASS_LITERAL).astype(np.uint8)])
    tokens = _assemble(data, compiled.keyword_codes, keywords[:, 0],
                       np.concatenate([keywords[:, 1], rest[:, 0]]),
                       np.concatenate([keywords[:, 2], rest[:, 1]]), classes, called.tolist(),
                       rest[:, 2].astype(np.uint32))
    pairs = comments.reshape(-1, 2).tolist()
    return tokens, [(start, end) for start, end in pairs]


def _callee_start(call: Node, step: int, actions: bytes, steps: dict[int, int]) -> int:
    """Start byte of the identifier a call calls (`f` in `a.f(x)`), or -1 if it has none
    (`f(x)(y)`, `(*fp)(x)`)."""
    target: Node | None = call
    while target is not None:
        if step == _FIRST:
            target = target.named_child(0) if target.named_child_count else None
        elif step == _LAST:
            count = target.named_child_count
            target = target.named_child(count - 1) if count else None
        else:
            target = target.child_by_field_id(step)
        if target is None:
            return -1
        kind_id = target.kind_id
        if actions[kind_id] == _IDENT:
            return target.start_byte
        next_step = steps.get(kind_id)
        if next_step is None:
            return -1
        step = next_step
    return -1


def _assemble(data: bytes, keyword_codes: Codes, kinds: npt.NDArray[np.intp],
              starts: npt.NDArray[np.int64], ends: npt.NDArray[np.int64],
              classes: npt.NDArray[np.uint8], called: list[int],
              text_codes: Codes | None = None) -> FileTokens:
    """FileTokens from the walk's tokens: spans and classes with the keywords first (`kinds`
    their kind ids), then named leaves, identifiers and literals; `called`: start bytes of
    called names; `text_codes`: the crc32 of each non-keyword token's text, if known."""
    count = len(starts)
    if not count:
        return _empty()
    n_keywords = len(kinds)
    raw = np.empty(count, dtype=np.uint32)
    raw[:n_keywords] = keyword_codes[kinds]
    if text_codes is None:
        texts = map(data.__getitem__, map(slice, starts[n_keywords:].tolist(),
                                          ends[n_keywords:].tolist()))
        text_codes = np.fromiter(map(zlib.crc32, texts), dtype=np.uint32,
                                 count=count - n_keywords)
    raw[n_keywords:] = text_codes
    # MISSING leaves of broken code have no bytes.
    keep = ends > starts
    if not keep.all():
        starts, ends, classes, raw = starts[keep], ends[keep], classes[keep], raw[keep]
    order = np.argsort(starts, kind="stable")
    starts, ends, classes, raw = starts[order], ends[order], classes[order], raw[order]

    codes = raw.copy()
    is_ident = classes == _CLASS_IDENT
    if called and len(starts):
        # Starts are sorted and a called name is one of the tokens: no hashing (np.isin).
        called_at = np.array(called, dtype=np.int64)
        at = np.minimum(np.searchsorted(starts, called_at), len(starts) - 1)
        is_ident[at[starts[at] == called_at]] = False
    codes[is_ident] = _IDENTIFIER_CODE
    is_literal = classes >= _CLASS_LITERAL
    codes[is_literal] = _LITERAL_CODES[classes[is_literal] - _CLASS_LITERAL]
    # 0 means "not a blinded identifier": a text whose crc32 is 0 takes 1 instead.
    ident = np.where(is_ident, np.maximum(raw, 1), 0).astype(np.uint32)
    return FileTokens(
        codes=codes,
        raw=raw,
        ident=ident,
        starts=starts.astype(np.uint32),
        ends=ends.astype(np.uint32),
        lines=_lines(np.frombuffer(data, dtype=np.uint8), starts),
    )


def _lines(buffer: npt.NDArray[np.uint8], offsets: npt.NDArray[np.int64]) -> Codes:
    newlines = np.flatnonzero(buffer == 10)
    return (np.searchsorted(newlines, offsets, side="left") + 1).astype(np.uint32)


def _with_suppressions(tokens: FileTokens, data: bytes,
                       found: list[tuple[int, int]]) -> FileTokens:
    """`found`: (marker offset, end of its comment) pairs, in any order."""
    if not found:
        return tokens
    found.sort()
    # The comment's last byte, not its end: a line comment's node may include its newline.
    lines = tuple(data.count(b"\n", 0, max(end - 1, offset)) + 1 for offset, end in found)
    return FileTokens(tokens.codes, tokens.raw, tokens.ident, tokens.starts, tokens.ends,
                      tokens.lines, suppressions=tuple(offset for offset, _ in found),
                      suppression_lines=lines)


def _empty() -> FileTokens:
    return FileTokens(codes=_EMPTY, raw=_EMPTY, ident=_EMPTY, starts=_EMPTY, ends=_EMPTY,
                      lines=_EMPTY)


# --- Languages without a grammar --------------------------------------------------------------

_FALLBACK = re.compile(
    rb"""
    (?P<comment>\#[^\n]*|//[^\n]*|/\*.*?(?:\*/|\Z)|--[^\n]*)
    |(?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
    |(?P<number>\d[\w.]*)
    |(?P<call>[A-Za-z_\x80-\xff][\w\x80-\xff]*(?=[ \t]*\())
    |(?P<word>[A-Za-z_\x80-\xff][\w\x80-\xff]*)
    |(?P<punct>\S)
    """,
    re.DOTALL | re.VERBOSE,
)
_COMMENT_GROUP = _FALLBACK.groupindex["comment"]
_STRING_GROUP = _FALLBACK.groupindex["string"]
_NUMBER_GROUP = _FALLBACK.groupindex["number"]
_WORD_GROUP = _FALLBACK.groupindex["word"]
_STRING_CODE = token_code(STRING)
_NUMBER_CODE = token_code(NUMBER)
# Words are classified by their text codes, in bulk: keywords keep their code, literal words
# take their kind's. (A crc32 collision with one of these few hundred words is negligible.)
_KEYWORD_CODES = np.array(sorted({zlib.crc32(word) for word in FALLBACK_KEYWORDS}),
                          dtype=np.uint32)
_LITERAL_WORDS = sorted((zlib.crc32(word), token_code(kind))
                        for word, kind in FALLBACK_LITERALS.items())
_LITERAL_WORD_CODES = np.array([word for word, _ in _LITERAL_WORDS], dtype=np.uint32)
_LITERAL_WORD_KINDS = np.array([kind for _, kind in _LITERAL_WORDS], dtype=np.uint32)


def _lex_text(data: bytes) -> FileTokens:
    """The regex lexer for text without a grammar: words blinded unless keywords or called
    (a word right before `(`), quoted strings and numbers by kind, punctuation as is."""
    # Match objects are dropped as they come: keeping millions alive costs more than this
    # loop (allocation and the cyclic GC's passes over them).
    flat: list[int] = []
    add = flat.append
    for match in _FALLBACK.finditer(data):
        add(match.lastindex or 0)
        add(match.start())
        add(match.end())
    table = np.array(flat, dtype=np.int64).reshape(-1, 3)
    comment = table[:, 0] == _COMMENT_GROUP
    found: list[tuple[int, int]] = []
    if data.find(SUPPRESSION_MARKER) >= 0:
        for start, end in table[comment, 1:].tolist():
            offset = data.find(SUPPRESSION_MARKER, start, end)
            if offset >= 0:
                found.append((offset, end))
    table = table[~comment]
    if not len(table):
        return _with_suppressions(_empty(), data, found)
    groups = table[:, 0]
    starts = table[:, 1]
    start_list = starts.tolist()
    end_list = table[:, 2].tolist()
    texts = map(data.__getitem__, map(slice, start_list, end_list))
    raw = np.fromiter(map(zlib.crc32, texts), dtype=np.uint32, count=len(start_list))
    codes = raw.copy()
    word = groups == _WORD_GROUP
    at = np.minimum(np.searchsorted(_LITERAL_WORD_CODES, raw), len(_LITERAL_WORD_CODES) - 1)
    literal = word & (_LITERAL_WORD_CODES[at] == raw)
    codes[literal] = _LITERAL_WORD_KINDS[at[literal]]
    blinded = word & ~literal & ~np.isin(raw, _KEYWORD_CODES)
    codes[blinded] = _IDENTIFIER_CODE
    codes[groups == _STRING_GROUP] = _STRING_CODE
    codes[groups == _NUMBER_GROUP] = _NUMBER_CODE
    tokens = FileTokens(
        codes=codes,
        raw=raw,
        ident=np.where(blinded, np.maximum(raw, 1), 0).astype(np.uint32),
        starts=starts.astype(np.uint32),
        ends=table[:, 2].astype(np.uint32),
        lines=_lines(np.frombuffer(data, dtype=np.uint8), starts),
    )
    return _with_suppressions(tokens, data, found)


# --- Units ------------------------------------------------------------------------------------

# A unit's byte ranges (`UnitSpan.byte_ranges()`, in document order) and its first line.
UnitPlace = tuple[tuple[tuple[int, int], ...], int]


def unit_stream(tokens: FileTokens, ranges: tuple[tuple[int, int], ...], start_line: int,
                end_line: int) -> UnitStream:
    """The tokens of one unit: those whose first byte lies in one of `ranges` (a unit's
    `byte_ranges()`, in document order).

    `names` numbers the blinded identifiers by first appearance inside the unit (1, 2, ...;
    0 for every other token). `exact_hash` covers the exact token texts (Type-1: layout and
    comments ignored); `renamed_hash` covers (codes, names) (Type-2).

    `suppressed`: a `ctxlens: ignore-duplicate` marker lies in one of the unit's byte
    ranges, or in a comment that ends on the line just above `start_line` (where people
    annotate a definition: a line comment, or the last line of a doc block; decorators and
    annotations already belong to the unit, so it is the line above those). The ranges, not
    the span from the first to the last: a module unit's ranges skip the functions between
    them, and a marker inside a function must not silence the module. A marker inside or
    above a method does silence its class too, whose range contains it.
    `end_line` is not needed: the ranges decide which tokens belong.
    """
    return streams_of(tokens, [(ranges, start_line)])[0]


def streams_of(tokens: FileTokens, places: Sequence[UnitPlace]) -> list[UnitStream]:
    """`unit_stream` for every unit of one file at once.

    The per-unit work that numpy can batch is done for all units together: one
    `searchsorted` for every range, and one sort that numbers every unit's identifiers
    (`_names`); what is left per unit is slicing and the two hashes.
    """
    if not places:
        return []
    pieces = [ranges or ((0, 0),) for ranges, _ in places]
    per_unit = [len(ranges) for ranges in pieces]
    flat = np.array([x for ranges in pieces for piece in ranges for x in piece], dtype=np.int64)
    bounds = np.searchsorted(tokens.starts.astype(np.int64), flat, side="left").reshape(-1, 2)
    lo, hi = bounds[:, 0], bounds[:, 1]
    names = _names(tokens.ident, lo, hi, np.repeat(np.arange(len(pieces)), per_unit))
    offsets = np.cumsum(hi - lo).tolist()
    lo_list, hi_list = lo.tolist(), hi.tolist()
    codes_all, raw_all, lines_all = tokens.codes, tokens.raw, tokens.lines
    marked = bool(tokens.suppressions)
    out: list[UnitStream] = []
    piece = 0
    for (ranges, start_line), count in zip(places, per_unit, strict=True):
        end = offsets[piece + count - 1]
        if count == 1:
            a, b = lo_list[piece], hi_list[piece]
            codes, raw, lines = codes_all[a:b], raw_all[a:b], lines_all[a:b]
        else:
            cuts = [slice(lo_list[k], hi_list[k]) for k in range(piece, piece + count)]
            codes = np.concatenate([codes_all[cut] for cut in cuts])
            raw = np.concatenate([raw_all[cut] for cut in cuts])
            lines = np.concatenate([lines_all[cut] for cut in cuts])
        unit_names = names[end - len(codes):end]
        piece += count
        out.append(UnitStream(
            codes=codes,
            names=unit_names,
            lines=lines,
            exact_hash=hashlib.blake2b(le_buffer(raw), digest_size=16).hexdigest(),
            renamed_hash=renamed_hash(codes, unit_names),
            suppressed=marked and _suppressed(tokens, ranges or ((0, 0),), start_line),
        ))
    return out


def _names(ident: Codes, lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64],
           piece_unit: npt.NDArray[np.intp]) -> Codes:
    """`first_appearance` of each unit's identifiers, for all units in one pass.

    Piece k is tokens [lo[k], hi[k]) of unit piece_unit[k]; pieces of a unit are adjacent
    and in document order. The result holds every piece's names one after the other (the
    pieces' tokens concatenated). Nested units (a class and its methods) number their
    identifiers independently: an identifier is keyed by (unit, text code), so it is first
    seen once per unit that holds it.
    """
    lengths = hi - lo
    names = np.zeros(int(lengths.sum()), dtype=np.uint32)
    where = np.flatnonzero(ident)  # file positions of blinded identifiers
    first = np.searchsorted(where, lo)
    count = np.searchsorted(where, hi) - first
    total = int(count.sum())
    if not total:
        return names
    # Every (piece, identifier inside it) pair: concatenated aranges over `where`.
    piece = np.repeat(np.arange(len(lo)), count)
    at = where[np.arange(total) - np.repeat(np.cumsum(count) - count - first, count)]
    # Index of each pair's token in the concatenated output.
    slot = (np.cumsum(lengths) - lengths)[piece] + (at - lo[piece])
    key = (piece_unit[piece].astype(np.uint64) << np.uint64(32)) | ident[at].astype(np.uint64)
    # Stable: equal keys stay in slot order, so each group's first entry is its first use.
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts_group = np.empty(total, dtype=bool)
    starts_group[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=starts_group[1:])
    group = np.cumsum(starts_group) - 1
    first_slot = slot[order][starts_group]
    group_unit = (sorted_key[starts_group] >> np.uint64(32)).astype(np.int64)
    # Units own disjoint, increasing runs of slots: ordering groups by first slot orders
    # them by unit, then by first appearance inside it.
    by_first = np.argsort(first_slot)
    unit_sorted = group_unit[by_first]
    position = np.arange(len(by_first))
    new_unit = np.empty(len(by_first), dtype=bool)
    new_unit[0] = True
    np.not_equal(unit_sorted[1:], unit_sorted[:-1], out=new_unit[1:])
    unit_start = np.maximum.accumulate(np.where(new_unit, position, 0))
    rank = np.empty(len(by_first), dtype=np.uint32)
    rank[by_first] = position - unit_start + 1
    names[slot[order]] = rank[group]
    return names


def first_appearance(ident: Codes) -> Codes:
    """Per position: 0 where `ident` is 0, else the 1-based rank of that value's first
    occurrence among the distinct nonzero values (`[7, 3, 7, 0, 9]` -> `[1, 2, 1, 0, 3]`)."""
    n = len(ident)
    return _names(ident, np.zeros(1, dtype=np.int64), np.full(1, n, dtype=np.int64),
                  np.zeros(1, dtype=np.intp))


def _suppressed(tokens: FileTokens, ranges: tuple[tuple[int, int], ...], start_line: int) -> bool:
    for offset, line in zip(tokens.suppressions, tokens.suppression_lines, strict=True):
        if line == start_line - 1:
            return True
        for start, end in ranges:
            if start <= offset < end:
                return True
    return False


def unit_streams(tree: Tree | None, data: bytes, language: str,
                 units: Sequence[UnitSpan]) -> list[UnitStream]:
    """`unit_stream` for each of `units` (from `extract_units`), lexing the file once."""
    tokens = lex_file(tree, data, language)
    return streams_of(tokens, [(unit.byte_ranges(), unit.start_line) for unit in units])
