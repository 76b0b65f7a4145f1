"""Benchmark: clone-detection quality by mutation, ctxlens beside jscpd 5.x in the same run.

    .venv/bin/python bench/clone_quality.py [--quick] [--seed 1] [--keep DIR]

Real code nobody here wrote — functions of the running Python's standard library, of the npm
CLI's own node_modules (JavaScript), of libxml2 as vendored by the npm package libxmljs2 (C,
fetched with `npm pack` into the bench cache) and of the JDK's src.zip (Java) — is copied into
a temporary tree, a seeded sample of its functions (8–60 lines, at least 60 code tokens) is
copied again into `planted/<lang>/<type>_<n>.<ext>` with mutations, and both tools scan the
tree:

  t1  layout: 1–3 blank lines, 1–2 comment lines (the language's comment syntax), spaces
      added after 2–5 operators/commas — outside strings and comments, never after a `\\`
      line continuation
  t2  consistent renames of 1–4 parameters/locals (names bound in the function, never called,
      never attribute/field/keyword-argument names, builtins or keywords; `self`/`this`
      kept), plus 1–2 changed number/string literals where the function has simple ones
  t3  1–3 statement edits, at most ~20 % of the lines: delete a simple statement (never the
      last one of its block), insert a logging/assert statement after one (same indentation),
      or change one (swap an operator, replace a name by another local, change a number)

Python methods are dedented to top level (kept in a one-line class wrapper when dedenting
would change a multi-line string); Java methods go into `class Planted_<type>_<n> { }`; a
JavaScript method that is not valid on its own goes into a class or object literal. Every
planted file must parse without an ERROR node (and Python must `compile`), and must yield a
unit spanning exactly the planted lines, or the sample is drawn again.

Recall rule: a planted copy P of original O is found when the tool reports a group (a
ctxlens clone class; a jscpd duplicate pair) holding one member that overlaps P's lines and
another that overlaps O's lines ("direct"); "+hop" also counts one intermediate: P grouped
with X and X (the same span, ≥ 50 % overlap) grouped with O — e.g. when O already had a twin
in the tree (npm packages ship esm and commonjs copies of one file) and the tool grouped the
copy with the twin, or with another planted copy of the twin. Targets are judged on this
rule (the brief's "a member of a class that contains the original"). A stricter
"cover" column asks each of the two members to overlap ≥ 50 % of its function's lines.

Precision: every reported pair — ctxlens: (canonical, member) of each class; jscpd: each
duplicate — is "overlapping" (counted false) when its two sides share lines of one file (a
unit paired with a unit nested in it, or a repetitive region with itself shifted), else
"planted" when its two sides are a planted copy and its original, else "verified" when an
independent check passes (our own regex lexer, not tree-sitter: comments dropped, literals
by kind; token similarity 2·LCS/(|a|+|b|) ≥ 0.7 with identifiers kept, or ≥ 0.8 with
identifiers blinded AND the aligned identifiers mapping one-to-one for ≥ 80 % of positions),
else "unverified". Precision = (planted + verified) / pairs; 10 random unverified pairs per
tool are printed for a reader to judge.

Both tools run with their defaults plus: ctxlens `scan --json` (threshold 0.8, 50 tokens,
5 lines); jscpd `--min-tokens 50 --min-lines 5 --ignore-identifiers --ignore-literals
--similarity 0.8` (the flags issue 3 names), and once more "tuned": plus `--max-gap-lines 3`
(merges token clones split by a few edited lines into one near-miss clone) and
`--skip-comments` (no comment tokens, so licence headers stop matching). Wall time and peak
RSS are each tool's child process (see clone_common.run_measured).
"""

from __future__ import annotations

import argparse
import builtins
import difflib
import functools
import glob
import json
import keyword
import os
import random
import re
import shutil
import subprocess
import sysconfig
import tarfile
import tempfile
import textwrap
import time
import warnings
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tree_sitter import Node

from clone_common import (
    Jscpd,
    Measured,
    ctxlens_executable,
    default_cache_dir,
    ensure_jscpd,
    jscpd_report,
    run_measured,
    safe_relpath,
)
from ctxlens.syntax import count_error_nodes, extract_units, parse
from ctxlens.syntax.units import UnitSpan
from ctxlens.workspace import classify_content
from ctxlens.workspace.options import DiscoveryOptions

LANGS = ("python", "javascript", "c", "java")
TYPES = ("t1", "t2", "t3")
FUNCTION_KINDS = frozenset({"function", "method", "constructor"})
MIN_LINES, MAX_LINES, MIN_CODE_TOKENS = 8, 60, 60
MAX_FILE_BYTES = 1 << 20  # both tools skip larger files by default
LIBXML_SPEC = "libxmljs2@0.37.0"  # vendors libxml2's C sources

# --- Languages ---------------------------------------------------------------------------------

_STRINGY = ("string", "comment", "template", "regex", "char_literal", "heredoc")
_SPACE_OPS = frozenset({",", "=", "+", "-", "*", "/", "%", "==", "!=", "<", ">", "<=", ">=",
                        "&&", "||", "+=", "-=", "|", "&", "===", "!==", "->", "=>"})
_SWAPS = {"+": "-", "-": "+", "<": "<=", ">": ">=", "<=": "<", ">=": ">", "==": "!=",
          "!=": "==", "===": "!==", "!==": "===", "&&": "||", "||": "&&", "and": "or",
          "or": "and", "is": "is not", "in": "not in"}
_WORDS = ("alpha", "bravo", "cursor", "delta", "entry", "field", "gauge", "handle", "index",
          "joint", "kappa", "level", "marker", "node", "offset", "probe", "quota", "record",
          "slot", "token", "unit", "vector", "width", "yield_", "zone")
_COMMENTS = ("TODO: check the bounds here", "note: keep in sync with the caller",
             "fast path", "see the design note", "edge case handled below", "FIXME later",
             "copied from upstream", "the common case first")

_JS_GLOBALS = frozenset({
    "undefined", "NaN", "Infinity", "require", "module", "exports", "console", "process",
    "Object", "Array", "JSON", "Math", "Promise", "Error", "String", "Number", "Boolean",
    "Symbol", "Map", "Set", "Buffer", "global", "globalThis", "arguments", "__dirname",
    "__filename", "Date", "RegExp", "this", "self", "window", "document"})
_JAVA_KEEP = frozenset({"this", "super", "length"})


@dataclass(frozen=True)
class Lang:
    name: str
    ext: str
    comment: str  # format with the text
    numbers: frozenset[str]
    strings: frozenset[str]
    simple: frozenset[str]  # one-line statements T3 may anchor on
    declarations: frozenset[str]  # of those, the ones T3 never deletes or changes
    blocks: frozenset[str]  # statement containers
    inserts: tuple[str, ...]  # statements T3 inserts; {v} is a local name
    reserved: frozenset[str]  # names never renamed


LANG_INFO: dict[str, Lang] = {
    "python": Lang(
        "python", "py", "# {}", frozenset({"integer"}), frozenset({"string"}),
        frozenset({"expression_statement", "return_statement", "pass_statement",
                   "raise_statement", "assert_statement", "break_statement",
                   "continue_statement", "delete_statement"}),
        frozenset(), frozenset({"block"}),
        ("print('checkpoint', {v})", "assert {v} is not None", "_trace.append({v})",
         "log.debug('step %r', {v})"),
        frozenset(dir(builtins)) | frozenset(keyword.kwlist) | {"self", "cls", "_"}),
    "javascript": Lang(
        "javascript", "js", "// {}", frozenset({"number"}), frozenset({"string"}),
        frozenset({"expression_statement", "lexical_declaration", "variable_declaration",
                   "return_statement", "throw_statement", "break_statement",
                   "continue_statement"}),
        frozenset({"lexical_declaration", "variable_declaration"}),
        frozenset({"statement_block", "switch_case", "switch_default"}),
        ("console.log('checkpoint', {v});", "debug('step %o', {v});",
         "assert.ok({v} !== undefined);"),
        _JS_GLOBALS),
    "c": Lang(
        "c", "c", "/* {} */", frozenset({"number_literal"}), frozenset({"string_literal"}),
        frozenset({"expression_statement", "declaration", "return_statement",
                   "break_statement", "continue_statement"}),
        frozenset({"declaration"}), frozenset({"compound_statement", "case_statement"}),
        ('fprintf(stderr, "checkpoint %d\\n", (int) {v});', "assert({v});",
         "trace_value((long) {v});"),
        frozenset({"NULL", "errno", "stderr", "stdout", "stdin"})),
    "java": Lang(
        "java", "java", "// {}", frozenset({"decimal_integer_literal"}),
        frozenset({"string_literal"}),
        frozenset({"expression_statement", "local_variable_declaration", "return_statement",
                   "throw_statement", "break_statement", "continue_statement"}),
        frozenset({"local_variable_declaration"}),
        frozenset({"block", "switch_block_statement_group"}),
        ('System.out.println("checkpoint " + {v});', "Objects.requireNonNull({v});",
         "assert {v} != null;"),
        _JAVA_KEEP),
}

# --- Corpus ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceFile:
    rel: str  # path inside the language's corpus, "/"-separated
    size: int
    read: Callable[[], bytes]


def _walk(root: Path, exts: tuple[str, ...], skip: Callable[[str], bool]) -> list[SourceFile]:
    out: list[SourceFile] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            if not name.endswith(exts) or name.endswith(".min.js"):
                continue
            p = Path(dirpath) / name
            rel = p.relative_to(root).as_posix()
            if skip(rel) or p.is_symlink():
                continue
            out.append(SourceFile(rel, p.stat().st_size, p.read_bytes))
    return out


def python_sources() -> list[SourceFile]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    # The brief's test/, lib2to3/tests and idlelib/idle_test, and every other test folder
    # (unittest/test, ctypes/test, …): jscpd leaves test files out of --similarity.
    bad = re.compile(r"^site-packages/|(^|/)(tests?|idle_test|__pycache__)/")
    return _walk(stdlib, (".py",), lambda rel: bad.search(rel) is not None)


def _npm_root() -> Path | None:
    try:
        out = subprocess.run(["npm", "root", "-g"], capture_output=True, text=True,
                             check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        out = ""
    for cand in (Path(out) / "npm" / "node_modules" if out else None,
                 Path("/usr/lib/node_modules/npm/node_modules")):
        if cand is not None and cand.is_dir():
            return cand
    return None


def javascript_sources() -> list[SourceFile]:
    root = _npm_root()
    if root is None:
        return []
    return _walk(root, (".js", ".cjs", ".mjs"), lambda rel: "/test/" in f"/{rel}")


def c_sources(cache: Path) -> tuple[list[SourceFile], str]:
    """libxml2's .c files from the libxmljs2 npm tarball (fetched once into `cache`)."""
    dest = cache / "c"
    tarballs = sorted(dest.glob("libxmljs2-*.tgz"))
    if not tarballs:
        dest.mkdir(parents=True, exist_ok=True)
        cmd = ["npm", "pack", LIBXML_SPEC, "--pack-destination", str(dest)]
        print(f"fetching C sources: {' '.join(cmd)}", flush=True)
        try:
            subprocess.run(cmd, check=True, capture_output=True)
        except (OSError, subprocess.CalledProcessError) as err:
            return [], f"C skipped: `{' '.join(cmd)}` failed ({err})"
        tarballs = sorted(dest.glob("libxmljs2-*.tgz"))
        if not tarballs:
            return [], "C skipped: npm pack produced no tarball"
    out: list[SourceFile] = []
    with tarfile.open(tarballs[0]) as tar:
        for m in tar.getmembers():
            if m.isfile() and m.name.startswith("package/vendor/libxml/") and \
                    m.name.endswith(".c"):
                f = tar.extractfile(m)
                data = f.read() if f else b""
                rel = m.name.removeprefix("package/vendor/")
                out.append(SourceFile(rel, len(data), functools.partial(bytes, data)))
    return out, f"C: libxml2 from {tarballs[0].name}"


def java_sources() -> tuple[list[SourceFile], str]:
    # glob.glob follows the symlinked JDK folders; os.path.isfile drops dangling links.
    zips = sorted(Path(p) for p in glob.glob("/usr/lib/jvm/*/lib/src.zip") if os.path.isfile(p))
    zips.sort(key=lambda p: ("17" not in p.as_posix(), p.as_posix()))
    if not zips:
        return [], ("Java skipped: no JDK src.zip (apt-get install openjdk-17-source provides "
                    "/usr/lib/jvm/*/lib/src.zip)")
    path = zips[0]
    zf = zipfile.ZipFile(path)
    out = [SourceFile(i.filename, i.file_size, functools.partial(zf.read, i.filename))
           for i in zf.infolist() if i.filename.endswith(".java")
           and not i.filename.endswith(("package-info.java", "module-info.java"))]
    return out, f"Java: {path}"


def pick_files(sources: Sequence[SourceFile], n: int, rng: random.Random
               ) -> list[tuple[str, bytes]]:
    """`n` files in seeded random order that both tools index (size, not minified/generated)."""
    pool = [s for s in sources if 2048 <= s.size <= MAX_FILE_BYTES]
    rng.shuffle(pool)
    options = DiscoveryOptions()
    out: list[tuple[str, bytes]] = []
    for s in pool:
        data = s.read()
        if classify_content(s.rel, data, options) is not None:
            continue
        out.append((s.rel, data))
        if len(out) >= n:
            break
    return out


# --- Trees and nodes ---------------------------------------------------------------------------


def _stringy(node: Node) -> bool:
    return any(s in node.type for s in _STRINGY)


def iter_nodes(node: Node) -> Iterator[tuple[Node, bool]]:
    """Every node under `node` (pre-order), with whether it lies inside a string or comment."""
    stack = [(node, False)]
    while stack:
        n, inside = stack.pop()
        yield n, inside
        inner = inside or _stringy(n)
        stack.extend((c, inner) for c in reversed(n.children))


def code_tokens(node: Node) -> int:
    count = 0
    stack = [node]
    while stack:
        n = stack.pop()
        if "comment" in n.type:
            continue
        if n.child_count == 0 or _stringy(n):
            count += 1
            continue
        stack.extend(n.children)
    return count


def within(n: Node, lo: int, hi: int) -> bool:
    return lo <= n.start_byte and n.end_byte <= hi


Edit = tuple[int, int, bytes]  # start byte, end byte, replacement


def apply_edits(data: bytes, edits: Sequence[Edit]) -> bytes:
    out = data
    last = len(data) + 1
    for s, e, rep in sorted(edits, key=lambda x: (x[0], x[1]), reverse=True):
        if e > last:  # overlaps an edit already applied; drop it
            continue
        out = out[:s] + rep + out[e:]
        last = s
    return out


def _line_start(data: bytes, pos: int) -> int:
    return data.rfind(b"\n", 0, pos) + 1


def _indent_of(data: bytes, pos: int) -> bytes:
    start = _line_start(data, pos)
    end = start
    while end < len(data) and data[end:end + 1] in (b" ", b"\t"):
        end += 1
    return data[start:end]


# --- Planting ----------------------------------------------------------------------------------


@dataclass
class Plant:
    lang: str
    type: str
    n: int
    planted_path: str
    planted_start: int
    planted_end: int
    original_path: str
    original_start: int
    original_end: int
    original_name: str
    edits: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Wrapped:
    data: bytes  # the whole planted file
    lo: int  # the function's bytes: data[lo:hi]
    hi: int
    start_line: int
    end_line: int


def _function_unit_at(data: bytes, lang: str, start: int, end: int) -> bool:
    units = extract_units(data, lang).units
    return any(u.kind in FUNCTION_KINDS and u.start_line == start and u.end_line == end
               for u in units)


def valid_planted(data: bytes, lang: str, start: int, end: int) -> bool:
    tree = parse(data, lang)
    if tree is None or count_error_nodes(tree.root_node):
        return False
    if lang == "python":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                compile(data, "<planted>", "exec", dont_inherit=True)
            except (SyntaxError, ValueError):
                return False
    return _function_unit_at(data, lang, start, end)


def _wrap(prefix: str, body: bytes, suffix: str) -> Wrapped:
    pre = prefix.encode()
    data = pre + body + suffix.encode() + b"\n"
    start = pre.count(b"\n") + 1
    return Wrapped(data, len(pre), len(pre) + len(body), start, start + body.count(b"\n"))


def _strings(data: bytes, lang: str) -> list[bytes]:
    tree = parse(data, lang)
    if tree is None:
        return []
    return [data[n.start_byte:n.end_byte] for n, _ in iter_nodes(tree.root_node)
            if n.type == "string"]


def wrap_function(lang: str, body: bytes, tag: str) -> Wrapped | None:
    """The function's lines as a planted file of its own, or None if no wrapper parses."""
    variants: list[Wrapped] = []
    if lang == "python":
        text = body.decode("utf-8", "replace")
        dedented = textwrap.dedent(text).encode()
        if dedented == body:
            variants.append(_wrap("", body, ""))
        elif _strings(dedented, lang) == _strings(b"class _W:\n" + body, lang):
            variants.append(_wrap("", dedented, ""))
        variants.append(_wrap(f"class Planted_{tag}:\n", body, ""))
    elif lang == "java":
        variants.append(_wrap(f"class Planted_{tag} {{\n", body, "\n}"))
    elif lang == "javascript":
        variants += [_wrap("", body, ""), _wrap(f"class Planted_{tag} {{\n", body, "\n}"),
                     _wrap(f"const planted_{tag} = {{\n", body, "\n};")]
    else:
        variants.append(_wrap("", body, ""))
    for w in variants:
        if valid_planted(w.data, lang, w.start_line, w.end_line):
            return w
    return None


def _local_names(root: Node, lo: int, hi: int, data: bytes, lang: str
                 ) -> tuple[list[str], dict[str, list[Node]]]:
    """Names bound inside the function (parameters, assignments, declarations, loop
    variables) that may be renamed, and every identifier node by name."""
    info = LANG_INFO[lang]
    occurrences: dict[str, list[Node]] = defaultdict(list)
    bound: set[str] = set()
    banned: set[str] = set(info.reserved)
    for n, _inside in iter_nodes(root):
        if not within(n, lo, hi):
            continue
        t = n.type
        if t in ("shorthand_property_identifier", "shorthand_property_identifier_pattern"):
            banned.add(data[n.start_byte:n.end_byte].decode())
            continue
        if t in ("global_statement", "nonlocal_statement"):
            banned.update(data[c.start_byte:c.end_byte].decode()
                          for c in n.named_children)
            continue
        if t != "identifier":
            continue
        name = data[n.start_byte:n.end_byte].decode()
        parent = n.parent
        if parent is None:
            continue
        pt = parent.type
        fname = _field_of(parent, n)
        # Member names and keyword-argument names are not the variable: never renamed.
        if (pt == "attribute" and fname == "attribute") or \
                (pt == "keyword_argument" and fname == "name") or \
                (pt == "field_access" and fname == "field") or \
                (pt == "method_invocation" and fname == "name"):
            continue
        if (pt in ("call", "call_expression") and fname == "function") or \
                (pt == "new_expression" and fname == "constructor"):
            banned.add(name)  # called names are kept by both tools' normalisation
        if pt in ("function_definition", "function_declaration", "method_declaration",
                  "constructor_declaration", "class_definition", "class_declaration",
                  "function_declarator"):
            banned.add(name)
        occurrences[name].append(n)
        if _binds(n, parent, fname, lang):
            bound.add(name)
    names = sorted(n for n in bound - banned
                   if not keyword.iskeyword(n) and not (lang == "c" and n.isupper()))
    return names, occurrences


def _field_of(parent: Node, child: Node) -> str | None:
    for i, c in enumerate(parent.children):
        if c.id == child.id:
            return parent.field_name_for_child(i)
    return None


def _binds(n: Node, parent: Node, fname: str | None, lang: str) -> bool:
    pt = parent.type
    if lang == "python":
        if pt in ("parameters", "lambda_parameters", "list_splat_pattern",
                  "dictionary_splat_pattern", "typed_parameter"):
            return pt != "typed_parameter" or parent.named_children[0].id == n.id
        if pt in ("default_parameter", "typed_default_parameter"):
            return fname == "name"
        if pt in ("assignment", "augmented_assignment", "for_statement", "for_in_clause"):
            return fname == "left"
        return pt in ("pattern_list", "tuple_pattern", "as_pattern_target")
    if lang == "javascript":
        if pt in ("formal_parameters", "rest_pattern"):
            return True
        if pt == "assignment_pattern":
            return fname == "left"
        if pt == "variable_declarator":
            return fname == "name"
        if pt in ("for_in_statement",):
            return fname == "left"
        if pt == "arrow_function":
            return fname == "parameter"
        if pt == "catch_clause":
            return fname == "parameter"
        return False
    if lang == "java":
        if pt in ("formal_parameter", "catch_formal_parameter", "variable_declarator",
                  "enhanced_for_statement"):
            return fname == "name"
        if pt == "lambda_expression":
            return fname == "parameters"
        return pt == "inferred_parameters"
    # C: an identifier at the bottom of a declarator chain of a parameter or declaration.
    cur, p = n, parent
    while p.type in ("pointer_declarator", "array_declarator", "init_declarator",
                     "parenthesized_declarator"):
        if p.type != "parenthesized_declarator" and _field_of(p, cur) != "declarator":
            return False
        if p.parent is None:
            return False
        cur, p = p, p.parent
    return p.type in ("parameter_declaration", "declaration") and \
        _field_of(p, cur) == "declarator"


def _new_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        name = f"{rng.choice(_WORDS)}{rng.randint(2, 99)}"
        if name not in taken:
            taken.add(name)
            return name


def mutate_t1(w: Wrapped, lang: str, rng: random.Random) -> tuple[list[Edit], list[str]]:
    data = w.data
    tree = parse(data, lang)
    assert tree is not None
    info = LANG_INFO[lang]
    multi = [(n.start_byte, n.end_byte) for n, _ in iter_nodes(tree.root_node)
             if _stringy(n) and n.start_point.row != n.end_point.row]
    bounds = []
    pos = data.find(b"\n", w.lo)
    while 0 <= pos < w.hi:  # a newline inside the function: between two of its lines
        line = data[_line_start(data, pos):pos]
        if not line.rstrip().endswith(b"\\") and not any(s < pos < e for s, e in multi):
            bounds.append(pos)
        pos = data.find(b"\n", pos + 1)
    edits: list[Edit] = []
    notes: list[str] = []
    if bounds:
        for p in rng.sample(bounds, min(len(bounds), rng.randint(1, 3))):
            edits.append((p, p, b"\n"))
        notes.append(f"{len(edits)} blank line(s)")
        k = 0
        for p in rng.sample(bounds, min(len(bounds), rng.randint(1, 2))):
            indent = _indent_of(data, p + 1)
            text = info.comment.format(rng.choice(_COMMENTS)).encode()
            edits.append((p, p, b"\n" + indent + text))
            k += 1
        notes.append(f"{k} comment line(s)")
    ops = [n for n, inside in iter_nodes(tree.root_node)
           if not inside and n.child_count == 0 and within(n, w.lo, w.hi)
           and data[n.start_byte:n.end_byte].decode("utf-8", "replace") in _SPACE_OPS]
    spaced = 0
    for n in rng.sample(ops, min(len(ops), rng.randint(2, 5))):
        after = data[n.end_byte:n.end_byte + 1]
        if after in (b"\n", b"\r", b""):
            continue
        edits.append((n.end_byte, n.end_byte, b" "))
        spaced += 1
    if spaced:
        notes.append(f"{spaced} space(s) after operators/commas")
    return edits, notes


def mutate_t2(w: Wrapped, lang: str, rng: random.Random) -> tuple[list[Edit], list[str]]:
    data = w.data
    tree = parse(data, lang)
    assert tree is not None
    info = LANG_INFO[lang]
    names, occurrences = _local_names(tree.root_node, w.lo, w.hi, data, lang)
    if not names:
        return [], []
    taken = set(re.findall(r"[A-Za-z_$][\w$]*", data.decode("utf-8", "replace")))
    edits: list[Edit] = []
    notes: list[str] = []
    for name in rng.sample(names, min(len(names), rng.randint(1, 4))):
        new = _new_name(rng, taken)
        for n in occurrences[name]:
            edits.append((n.start_byte, n.end_byte, new.encode()))
        notes.append(f"rename {name}->{new}")
    simple_str = re.compile(rb"""^(["'])[A-Za-z0-9_ .,:;!?=-]*\1$""")
    literals = [n for n, _ in iter_nodes(tree.root_node) if within(n, w.lo, w.hi) and (
        (n.type in info.numbers and re.fullmatch(rb"[0-9]+", data[n.start_byte:n.end_byte]))
        or (n.type in info.strings and simple_str.match(data[n.start_byte:n.end_byte])))]
    for n in rng.sample(literals, min(len(literals), rng.randint(1, 2))):
        old = data[n.start_byte:n.end_byte]
        if n.type in info.numbers:
            new_b = str(int(old) + rng.randint(1, 97)).encode()
        else:
            q = old[:1]
            new_b = q + rng.choice(_WORDS).encode() + b" " + rng.choice(_WORDS).encode() + q
        edits.append((n.start_byte, n.end_byte, new_b))
        notes.append(f"literal {old.decode()[:20]}->{new_b.decode()}")
    return edits, notes


def mutate_t3(w: Wrapped, lang: str, rng: random.Random) -> tuple[list[Edit], list[str]]:
    data = w.data
    tree = parse(data, lang)
    assert tree is not None
    info = LANG_INFO[lang]
    names, occurrences = _local_names(tree.root_node, w.lo, w.hi, data, lang)
    stmts: list[Node] = []
    for n, inside in iter_nodes(tree.root_node):
        if inside or n.type not in info.simple or not within(n, w.lo, w.hi):
            continue
        if n.parent is None or n.parent.type not in info.blocks:
            continue
        if n.start_point.row != n.end_point.row or n.start_point.row == w.start_line - 1:
            continue
        ls = _line_start(data, n.start_byte)
        le = data.find(b"\n", n.end_byte)
        le = len(data) if le == -1 else le
        if data[ls:n.start_byte].strip() or data[n.end_byte:le].strip():
            continue  # shares its line with other code
        stmts.append(n)
    if not stmts:
        return [], []
    n_lines = w.end_line - w.start_line + 1
    budget = min(rng.randint(1, 3), max(1, int(0.2 * n_lines)))
    rng.shuffle(stmts)
    remaining: Counter[int] = Counter()
    for n in stmts:
        assert n.parent is not None
        if not remaining[n.parent.id]:
            remaining[n.parent.id] = sum(1 for c in n.parent.named_children
                                         if "comment" not in c.type)
    edits: list[Edit] = []
    notes: list[str] = []
    for n in stmts:
        if len(edits) >= budget:
            break
        assert n.parent is not None
        ls = _line_start(data, n.start_byte)
        indent = data[ls:n.start_byte]
        op = rng.choice(("insert", "delete", "change"))
        if op != "insert" and n.type in info.declarations:
            op = "insert"
        if op == "delete" and remaining[n.parent.id] < 2:
            op = "change"
        v = rng.choice(names) if names else "0"
        if op == "insert":
            text = rng.choice(info.inserts).format(v=v).encode()
            edits.append((n.end_byte, n.end_byte, b"\n" + indent + text))
            notes.append(f"insert after line {n.start_point.row + 1}")
        elif op == "delete":
            le = data.find(b"\n", n.end_byte)
            edits.append((ls, le + 1, b""))
            remaining[n.parent.id] -= 1
            notes.append(f"delete line {n.start_point.row + 1}")
        else:
            change = _change_statement(n, data, names, occurrences, rng, lang)
            if change is None:
                text = rng.choice(info.inserts).format(v=v).encode()
                change = (n.start_byte, n.end_byte, text)
            edits.append(change)
            notes.append(f"change line {n.start_point.row + 1}")
    return edits, notes


def _change_statement(n: Node, data: bytes, names: list[str],
                      occurrences: dict[str, list[Node]], rng: random.Random,
                      lang: str) -> Edit | None:
    leaves = [x for x, inside in iter_nodes(n) if not inside and x.child_count == 0]
    ops = [x for x in leaves if x.parent is not None
           and any(k in x.parent.type for k in ("binary", "comparison", "boolean"))
           and data[x.start_byte:x.end_byte].decode() in _SWAPS
           and (lang == "python" or not data[x.start_byte:x.end_byte].isalpha())]
    if ops:
        x = rng.choice(ops)
        return (x.start_byte, x.end_byte, _SWAPS[data[x.start_byte:x.end_byte].decode()]
                .encode())
    ids = {x.id for x in leaves}
    uses = [(name, o) for name in names for o in occurrences.get(name, ()) if o.id in ids]
    if uses and len(names) > 1:
        name, o = rng.choice(uses)
        other = rng.choice([m for m in names if m != name])
        return (o.start_byte, o.end_byte, other.encode())
    return None


MUTATORS = {"t1": mutate_t1, "t2": mutate_t2, "t3": mutate_t3}


@dataclass(frozen=True)
class Candidate:
    rel: str  # tree path of the original file
    unit: UnitSpan
    body: bytes


def candidates(lang: str, files: Sequence[tuple[str, bytes]]) -> list[Candidate]:
    out: list[Candidate] = []
    for rel, data in files:
        tree = parse(data, lang)
        if tree is None:
            continue
        units = extract_units(data, lang, tree=tree).units
        taken: list[tuple[int, int]] = []
        lines = data.split(b"\n")
        for u in units:
            if u.kind not in FUNCTION_KINDS:
                continue
            if not MIN_LINES <= u.end_line - u.start_line + 1 <= MAX_LINES:
                continue
            node = tree.root_node.descendant_for_byte_range(u.start_byte, u.end_byte)
            if node is None or node.has_error or code_tokens(node) < MIN_CODE_TOKENS:
                continue
            if any(not (u.end_line < a or u.start_line > b) for a, b in taken):
                continue  # nested in (or holding) a function already taken
            taken.append((u.start_line, u.end_line))
            body = b"\n".join(lines[u.start_line - 1:u.end_line])
            out.append(Candidate(f"src/{lang}/{rel}", u, body))
    return out


def plant(lang: str, cands: list[Candidate], per_type: int, tree: Path,
          rng: random.Random) -> list[Plant]:
    rng.shuffle(cands)
    plants: list[Plant] = []
    it = iter(cands)
    ext = LANG_INFO[lang].ext
    for kind in TYPES:
        made = 0
        while made < per_type:
            c = next(it, None)
            if c is None:
                print(f"  {lang} {kind}: only {made} of {per_type} plants (candidates ran out)")
                break
            tag = f"{kind}_{made + 1}"
            w = wrap_function(lang, c.body, tag)
            if w is None:
                continue
            for _attempt in range(4):
                edits, notes = MUTATORS[kind](w, lang, rng)
                if not edits:
                    break
                data = apply_edits(w.data, edits)
                end = w.end_line + data.count(b"\n") - w.data.count(b"\n")
                if data != w.data and valid_planted(data, lang, w.start_line, end):
                    path = f"planted/{lang}/{tag}.{ext}"
                    (tree / path).parent.mkdir(parents=True, exist_ok=True)
                    (tree / path).write_bytes(data)
                    plants.append(Plant(lang, kind, made + 1, path, w.start_line, end, c.rel,
                                        c.unit.start_line, c.unit.end_line,
                                        f"{c.rel}::{c.unit.name}", notes))
                    made += 1
                    break
    return plants


# --- Reading the tools' answers ----------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    path: str
    start: int
    end: int

    @property
    def lines(self) -> int:
        return self.end - self.start + 1


def overlap(a: Span, b: Span) -> int:
    if a.path != b.path:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start) + 1)


@dataclass
class ToolResult:
    name: str
    command: str
    measured: Measured
    groups: list[list[Span]]  # clone classes / duplicate pairs
    pairs: list[tuple[Span, Span]]
    note: str = ""


def ctxlens_result(tree: Path, work: Path) -> ToolResult:
    exe = ctxlens_executable()
    out = work / "ctxlens.json"
    index = work / "ctxlens-index.db"
    index.unlink(missing_ok=True)
    cmd = [str(exe), "scan", str(tree), "--json", "--index", str(index), "--no-progress"]
    m = run_measured(cmd, stdout=out)
    try:
        doc = json.loads(out.read_text())
    except ValueError:
        print(f"ctxlens printed no JSON (exit {m.returncode})")
        doc = {"clone_classes": []}
    groups, pairs = [], []
    for c in doc.get("clone_classes", []):
        members = [Span(x["path"], x["start_line"], x["end_line"]) for x in c["members"]]
        groups.append(members)
        canon = members[c.get("canonical", 0)]
        pairs += [(canon, x) for i, x in enumerate(members) if i != c.get("canonical", 0)]
    kinds = Counter(c["kind"] for c in doc.get("clone_classes", []))
    note = f"{len(groups)} classes ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})"
    return ToolResult("ctxlens", " ".join(cmd), m, groups, pairs, note)


def jscpd_result(tree: Path, work: Path, jscpd: Jscpd, extra: Sequence[str], label: str
                 ) -> ToolResult:
    out_dir = work / f"jscpd-{label}"
    shutil.rmtree(out_dir, ignore_errors=True)
    cmd = [str(jscpd.binary), "--min-tokens", "50", "--min-lines", "5",
           "--ignore-identifiers", "--ignore-literals", "--similarity", "0.8", *extra,
           "--reporters", "json", "--output", str(out_dir), "--silent", "--absolute",
           "--no-gitignore", str(tree)]
    env = dict(os.environ, JSCPD_NO_TIPS="1")
    m = run_measured(cmd, env=env)
    report = jscpd_report(out_dir)
    groups, pairs = [], []
    kinds: Counter[str] = Counter()

    def span(side: dict[str, Any]) -> Span:
        name = str(side["name"])
        rel = os.path.relpath(name, tree) if os.path.isabs(name) else name
        s = int((side.get("startLoc") or {}).get("line", side.get("start", 0)))
        e = int((side.get("endLoc") or {}).get("line", side.get("end", 0)))
        return Span(Path(rel).as_posix(), s, e)

    duplicates: list[dict[str, Any]] = report.get("duplicates", [])  # type: ignore[assignment]
    for d in duplicates:
        a, b = span(d["firstFile"]), span(d["secondFile"])
        groups.append([a, b])
        pairs.append((a, b))
        kinds[str(d.get("kind", "?"))] += 1
    note = f"{len(pairs)} pairs ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})"
    return ToolResult(f"jscpd {label}".strip(), " ".join(cmd), m, groups, pairs, note)


# --- Recall ------------------------------------------------------------------------------------


@dataclass
class Recall:
    direct: bool = False
    hop: bool = False
    cover: bool = False


def recall(plants: Sequence[Plant], result: ToolResult) -> list[Recall]:
    by_path: dict[str, list[tuple[int, int, Span]]] = defaultdict(list)
    for gi, g in enumerate(result.groups):
        for mi, s in enumerate(g):
            by_path[s.path].append((gi, mi, s))
    out: list[Recall] = []
    for p in plants:
        ps = Span(p.planted_path, p.planted_start, p.planted_end)
        os_ = Span(p.original_path, p.original_start, p.original_end)
        r = Recall()
        for gi, mi, m in by_path.get(ps.path, ()):
            if not overlap(m, ps):
                continue
            g = result.groups[gi]
            others = [x for i, x in enumerate(g) if i != mi]
            if any(overlap(x, os_) for x in others):
                r.direct = True
                if overlap(m, ps) * 2 >= ps.lines and any(
                        overlap(x, os_) * 2 >= os_.lines for x in others):
                    r.cover = True
            for x in others:
                if overlap(x, ps) or overlap(x, os_):
                    continue
                for hj, yi, y in by_path.get(x.path, ()):
                    if hj == gi or overlap(x, y) * 2 < min(x.lines, y.lines):
                        continue
                    if any(overlap(z, os_) for zi, z in enumerate(result.groups[hj])
                           if zi != yi):
                        r.hop = True
        r.hop = r.hop or r.direct
        out.append(r)
    return out


# --- Precision: an independent check -----------------------------------------------------------



def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_KEYWORDS = {
    "python": frozenset(keyword.kwlist) | {"self", "print", "len", "isinstance", "None"},
    "javascript": _words(
        "break case catch class const continue debugger default delete do else export "
        "extends finally for function if import in instanceof let new return super switch "
        "this throw try typeof var void while with yield async await of null true false "
        "undefined"),
    "java": _words(
        "abstract assert boolean break byte case catch char class const continue default do "
        "double else enum extends final finally float for goto if implements import "
        "instanceof int interface long native new package private protected public return "
        "short static strictfp super switch synchronized this throw throws transient try "
        "void volatile while var null true false"),
    "c": _words(
        "auto break case char const continue default do double else enum extern float for "
        "goto if inline int long register restrict return short signed sizeof static struct "
        "switch typedef union unsigned void volatile while NULL"),
}
_LEX = {
    "python": re.compile(
        r"""(?P<s>[rRbBuUfF]{0,2}(?:'''[\s\S]*?'''|\"\"\"[\s\S]*?\"\"\"|'(?:\\.|[^'\\\n])*'|"""
        r""""(?:\\.|[^"\\\n])*"))|(?P<c>\#[^\n]*)|(?P<n>\d[\w.]*|\.\d[\w]*)"""
        r"""|(?P<i>[A-Za-z_]\w*)|(?P<o>\*\*=?|//=?|->|:=|[-+*/%&|^<>=!]=|<<=?|>>=?|\S)"""),
    "clike": re.compile(
        r"""(?P<s>`(?:\\.|[^`\\])*`|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*")"""
        r"""|(?P<c>//[^\n]*|/\*[\s\S]*?\*/)|(?P<n>\d[\w.]*|\.\d\w*)"""
        r"""|(?P<i>[A-Za-z_$][\w$]*)|(?P<o>===|!==|>>>=?|\.\.\.|=>|->|\+\+|--|&&|\|\||"""
        r"""<<=?|>>=?|[-+*/%&|^<>=!]=|\S)"""),
}


def lex(text: str, lang: str) -> list[tuple[str, str]]:
    """(kind, text) tokens: comments dropped, literals by kind."""
    rx = _LEX["python" if lang == "python" else "clike"]
    kws = _KEYWORDS.get(lang, frozenset())
    out: list[tuple[str, str]] = []
    for m in rx.finditer(text):
        k = m.lastgroup
        if k == "c" or k is None:
            continue
        if k in ("s", "n"):
            out.append(("lit", "$" + k))
        elif k == "i" and m.group() not in kws:
            out.append(("id", m.group()))
        else:
            out.append(("kw", m.group()))
    return out


def _lang_of(path: str) -> str:
    ext = path.rsplit(".", 1)[-1]
    return {"py": "python", "js": "javascript", "cjs": "javascript", "mjs": "javascript",
            "java": "java", "c": "c", "h": "c"}.get(ext, "c")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    raw: float
    blind: float
    mapping: float


def lcs_length(a: Sequence[str], b: Sequence[str]) -> int:
    """Length of the longest common subsequence (bit-parallel, Hyyrö 2004)."""
    if not a or not b:
        return 0
    masks: dict[str, int] = {}
    for i, x in enumerate(a):
        masks[x] = masks.get(x, 0) | (1 << i)
    full = (1 << len(a)) - 1
    v = full
    for y in b:
        u = v & masks.get(y, 0)
        v = ((v + u) | (v - u)) & full
    return len(a) - bin(v).count("1")


def _ratio(a: Sequence[str], b: Sequence[str]) -> float:
    return 2 * lcs_length(a, b) / (len(a) + len(b))


def verify(a: str, b: str, lang: str) -> Verdict:
    """Similarity = 2·LCS / (|a| + |b|) over our own tokens (exact LCS, unlike difflib's
    ratio, which under-rates repetitive code); the identifier mapping is read off difflib's
    matching blocks of the blinded streams."""
    ta, tb = lex(a, lang), lex(b, lang)
    if not ta or not tb:
        return Verdict(False, 0.0, 0.0, 0.0)
    raw = _ratio([t for _, t in ta], [t for _, t in tb])
    if raw >= 0.7:
        return Verdict(True, raw, raw, 1.0)
    ba = ["$id" if k == "id" else t for k, t in ta]
    bb = ["$id" if k == "id" else t for k, t in tb]
    blind = _ratio(ba, bb)
    if blind < 0.8:
        return Verdict(False, raw, blind, -1.0)  # mapping not computed
    sm = difflib.SequenceMatcher(None, ba, bb, autojunk=len(ba) + len(bb) > 6000)
    pairs: list[tuple[str, str]] = []
    for i, j, size in sm.get_matching_blocks():
        pairs += [(ta[i + k][1], tb[j + k][1]) for k in range(size) if ta[i + k][0] == "id"]
    if not pairs:
        mapping = 1.0
    else:
        fwd: dict[str, Counter[str]] = defaultdict(Counter)
        bwd: dict[str, Counter[str]] = defaultdict(Counter)
        for x, y in pairs:
            fwd[x][y] += 1
            bwd[y][x] += 1
        f = sum(c.most_common(1)[0][1] for c in fwd.values()) / len(pairs)
        g = sum(c.most_common(1)[0][1] for c in bwd.values()) / len(pairs)
        mapping = min(f, g)
    return Verdict(blind >= 0.8 and mapping >= 0.8, raw, blind, mapping)


@dataclass
class Precision:
    pairs: int = 0
    planted: int = 0
    verified: int = 0
    overlapping: int = 0  # the two sides share lines of one file: never a usable clone pair
    unverified: list[tuple[Span, Span, Verdict]] = field(default_factory=list)

    @property
    def value(self) -> float:
        return (self.planted + self.verified) / self.pairs if self.pairs else 1.0

    @property
    def value_without_overlapping(self) -> float:
        n = self.pairs - self.overlapping
        return (self.planted + self.verified) / n if n else 1.0


def precision(plants: Sequence[Plant], result: ToolResult, tree: Path) -> Precision:
    truth: dict[str, list[tuple[Span, int]]] = defaultdict(list)
    for i, p in enumerate(plants):
        truth[p.planted_path].append((Span(p.planted_path, p.planted_start, p.planted_end), i))
        truth[p.original_path].append(
            (Span(p.original_path, p.original_start, p.original_end), i))
    cache: dict[str, list[str]] = {}

    def text(s: Span) -> str:
        if s.path not in cache:
            try:
                cache[s.path] = (tree / s.path).read_text("utf-8", "replace").split("\n")
            except OSError:
                cache[s.path] = []
        return "\n".join(cache[s.path][s.start - 1:s.end])

    def groups_of(s: Span) -> set[int]:
        return {i for t, i in truth.get(s.path, ()) if overlap(s, t)}

    out = Precision()
    for a, b in result.pairs:
        out.pairs += 1
        if overlap(a, b):
            out.overlapping += 1
            continue
        ga, gb = groups_of(a), groups_of(b)
        if ga & gb and a.path != b.path and (a.path.startswith("planted/")
                                             or b.path.startswith("planted/")):
            out.planted += 1
            continue
        v = verify(text(a), text(b), _lang_of(a.path))
        if v.ok:
            out.verified += 1
        else:
            out.unverified.append((a, b, v))
    return out


# --- Report ------------------------------------------------------------------------------------


def pct(x: int, n: int) -> str:
    return f"{100 * x / n:5.1f}%" if n else "   -  "


def print_report(plants: Sequence[Plant], results: Sequence[ToolResult], tree: Path,
                 rng: random.Random, langs: Sequence[str]) -> None:
    print("\n## Recall (planted copies found: direct / with one hop / both members ≥ 50 % "
          "covered)\n")
    header = "| tool | language | " + " | ".join(f"{t} direct / +hop / cover" for t in TYPES)
    print(header + " | all direct |")
    print("|" + "---|" * (len(TYPES) + 3))
    summary: dict[str, dict[str, float]] = {}
    precs: dict[str, Precision] = {}
    for res in results:
        rec = recall(plants, res)
        totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for lang in [*langs, "all"]:
            cells = []
            all_d = all_n = 0
            for t in TYPES:
                idx = [i for i, p in enumerate(plants)
                       if p.type == t and (lang == "all" or p.lang == lang)]
                d = sum(rec[i].direct for i in idx)
                h = sum(rec[i].hop for i in idx)
                c = sum(rec[i].cover for i in idx)
                cells.append(f"{pct(d, len(idx))} / {pct(h, len(idx))} / {pct(c, len(idx))}"
                             f" (n={len(idx)})")
                all_d += d
                all_n += len(idx)
                if lang == "all":
                    totals[t] = [d, h, c, len(idx)]
            print(f"| {res.name} | {lang} | " + " | ".join(cells) + f" | {pct(all_d, all_n)} |")
        summary[res.name] = {t: (totals[t][1] / totals[t][3] if totals[t][3] else 0.0)
                             for t in TYPES}
        precs[res.name] = precision(plants, res, tree)

    print("\n## Precision, time and memory\n")
    print("| tool | pairs | planted | verified | overlapping | unverified | precision "
          "| precision w/o overlapping | wall s | peak RSS (largest process) "
          "| peak RSS (process tree) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for res in results:
        pr = precs[res.name]
        m = res.measured
        print(f"| {res.name} | {pr.pairs:,} | {pr.planted:,} | {pr.verified:,} | "
              f"{pr.overlapping:,} | {len(pr.unverified):,} | {100 * pr.value:.2f}% | "
              f"{100 * pr.value_without_overlapping:.2f}% | {m.wall_s:.1f} | "
              f"{m.max_rss_mb:,.0f} MB | {m.tree_rss_mb:,.0f} MB |")
    print("\n## Targets (ctxlens; recall with one hop)\n")
    ours = summary.get("ctxlens", {})
    ours_p = precs.get("ctxlens")
    for t, goal in (("t1", 1.0), ("t2", 0.99), ("t3", 0.90)):
        got = ours.get(t, 0.0)
        print(f"- {t}: {100 * got:.1f}% (target ≥ {100 * goal:.0f}%) "
              f"{'met' if got >= goal else 'NOT met'}")
    if ours_p is not None:
        print(f"- precision: {100 * ours_p.value:.2f}% (target ≥ 99%) "
              f"{'met' if ours_p.value >= 0.99 else 'NOT met'}")

    for res in results:
        print(f"\n## {res.name}: notes\n\n{res.note}\n\ncommand: {res.command}")
        missed = [p for p, r in zip(plants, recall(plants, res), strict=True) if not r.hop]
        if missed:
            print(f"\nmissed ({len(missed)}), first 12:")
            for p in missed[:12]:
                print(f"  {p.lang} {p.type} {p.planted_path}:{p.planted_start}-{p.planted_end}"
                      f" <- {p.original_name} L{p.original_start}-{p.original_end}"
                      f"  [{'; '.join(p.edits)}]")
        un = precs[res.name].unverified
        if un:
            print(f"\n{min(10, len(un))} random unverified pairs of {len(un)} (similarity "
                  "raw / blinded, identifier mapping):")
            for a, b, v in rng.sample(un, min(10, len(un))):
                print(f"  {a.path}:{a.start}-{a.end}  ~  {b.path}:{b.start}-{b.end}   "
                      f"raw {v.raw:.2f} blind {v.blind:.2f} map "
                      f"{'-' if v.mapping < 0 else f'{v.mapping:.2f}'}")
                for side in (a, b):
                    lines = (tree / side.path).read_text("utf-8", "replace").split("\n")
                    snippet = [ln.strip()[:90] for ln in lines[side.start - 1:side.end]
                               if ln.strip()]
                    print("      | " + "\n      | ".join(snippet[:3]))
                    print("      ---")


# --- Main --------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="~1 minute: fewer files and plants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, help="original files per language")
    ap.add_argument("--plants", type=int, help="planted copies per type per language")
    ap.add_argument("--langs", default=",".join(LANGS))
    ap.add_argument("--cache", type=Path, default=default_cache_dir(),
                    help="where jscpd and the C tarball are kept (default %(default)s)")
    ap.add_argument("--keep", type=Path, help="build the tree here and keep it")
    ap.add_argument("--no-jscpd", action="store_true")
    ap.add_argument("--json", type=Path, help="also write ground truth and figures here")
    args = ap.parse_args()
    n_files = args.files or (80 if args.quick else 400)
    n_plants = args.plants or (20 if args.quick else 100)

    jscpd = None if args.no_jscpd else ensure_jscpd(args.cache)
    work = args.keep or Path(tempfile.mkdtemp(prefix="ctxlens-clone-quality-"))
    if args.keep and work.exists():
        shutil.rmtree(work)
    tree = work / "tree"
    tree.mkdir(parents=True)
    started = time.perf_counter()

    notes: list[str] = []
    plants: list[Plant] = []
    langs = [x for x in args.langs.split(",") if x]
    used: list[str] = []
    for lang in langs:
        if lang == "python":
            sources = python_sources()
            notes.append(f"Python: {sysconfig.get_paths()['stdlib']}")
        elif lang == "javascript":
            sources = javascript_sources()
            notes.append(f"JavaScript: {_npm_root()}" if sources
                         else "JavaScript skipped: no global npm node_modules")
        elif lang == "c":
            sources, note = c_sources(args.cache)
            notes.append(note)
        else:
            sources, note = java_sources()
            notes.append(note)
        if not sources:
            continue
        files = pick_files(sources, n_files, random.Random(f"{args.seed}-{lang}"))
        written = []
        for rel, data in files:
            path = tree / "src" / lang / safe_relpath(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            written.append((safe_relpath(rel), data))
        cands = candidates(lang, written)
        made = plant(lang, cands, n_plants, tree, random.Random(f"{args.seed}-{lang}-plant"))
        plants += made
        used.append(lang)
        size = sum(len(d) for _, d in written)
        print(f"{lang}: {len(written)} files ({size / 1e6:.1f} MB), {len(cands)} candidate "
              f"functions, {len(made)} planted", flush=True)
    print("\n".join(notes))
    print(f"tree: {tree} (built in {time.perf_counter() - started:.1f} s)", flush=True)

    results = [ctxlens_result(tree, work)]
    print(f"ctxlens: {results[0].measured.wall_s:.1f} s", flush=True)
    if jscpd is not None:
        print(f"jscpd {jscpd.version}: {jscpd.binary}")
        results.append(jscpd_result(tree, work, jscpd, (), ""))
        results.append(jscpd_result(tree, work, jscpd,
                                    ("--max-gap-lines", "3", "--skip-comments"), "tuned"))
        for r in results[1:]:
            print(f"{r.name}: {r.measured.wall_s:.1f} s", flush=True)
    print_report(plants, results, tree, random.Random(args.seed), used)
    if args.json:
        args.json.write_text(json.dumps({"plants": [asdict(p) for p in plants]}, indent=1))
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
