"""Rank files by centrality in the import graph, so fitting degrades leaves before hubs.

Deliberately simple and documented: one regex per language family finds import / include /
require / use targets; each target resolves to files of the selection by module path (the
longest leading part of a dotted or slashed name whose end is the end of a file's path,
extension or not, `__init__`/`index` standing for their folder, so packages above the packed
root are skipped) — which degrades to a basename match for a one-part name. Relative targets
(`./x`, `../x`, Python's `.x`) resolve against the importer's folder first. Then PageRank
(damping 0.85, dangling rank spread evenly) over edges importer → imported. Pure: texts in,
order out.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping

_PY = re.compile(r"^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+)?import[ \t]+\(?([\w., \t]+)", re.M)
_JS = re.compile(
    r"""(?:\bfrom|\bimport|\brequire[ \t]*\(|\bimport[ \t]*\()[ \t]*['"]([^'"\n]+)['"]""")
_JAVA = re.compile(r"^[ \t]*import[ \t]+(?:static[ \t]+)?([\w.]+)", re.M)
_CSHARP = re.compile(r"^[ \t]*using[ \t]+(?:static[ \t]+)?([\w.]+)[ \t]*;", re.M)
_C = re.compile(r"""^[ \t]*#[ \t]*include[ \t]*[<"]([^>"\n]+)[>"]""", re.M)
_RUBY = re.compile(r"""\brequire(?:_relative)?[ \t(]+['"]([^'"\n]+)['"]""")
_RUST = re.compile(r"^[ \t]*(?:pub[ \t]+)?(?:use|mod)[ \t]+([\w:]+)", re.M)
_GO = re.compile(r"""^[ \t]*(?:import[ \t]+)?(?:[\w.][ \t]+)?"([\w./-]+)"[ \t]*$""", re.M)
_PHP = re.compile(r"""\b(?:require|include)(?:_once)?[ \t(]*['"]([^'"\n]+)['"]""")

_JS_LIKE = {"javascript", "typescript", "tsx", "jsx", "vue", "svelte"}
_INDEX_STEMS = {"__init__", "index", "mod"}
DAMPING = 0.85


def import_targets(language: str, text: str) -> list[str]:
    """The raw names `text` imports, in source order (dotted, slashed or relative)."""
    if language == "python":
        out: list[str] = []
        for m in _PY.finditer(text):
            # `from a import b` names a.b (a module or a name in a); resolution falls back to a.
            base = m.group(1)
            prefix = "" if base is None else base if base.endswith(".") else base + "."
            out += [prefix + p.split()[0] for p in m.group(2).split(",") if p.strip()]
        return out
    if language in _JS_LIKE:
        return _JS.findall(text)
    if language in ("java", "kotlin", "scala"):
        return _JAVA.findall(text)
    if language == "c_sharp":
        return _CSHARP.findall(text)
    if language in ("c", "cpp", "objc"):
        return _C.findall(text)
    if language == "ruby":
        return _RUBY.findall(text)
    if language == "rust":
        return [t.replace("::", "/") for t in _RUST.findall(text)]
    if language == "go":
        return _GO.findall(text)
    if language == "php":
        return _PHP.findall(text)
    return []


def _stem_parts(path: str) -> tuple[str, ...]:
    parts = path.split("/")
    stem = parts[-1].split(".", 1)[0]
    if stem in _INDEX_STEMS and len(parts) > 1:
        return tuple(parts[:-1])
    return (*parts[:-1], stem)


class _Resolver:
    def __init__(self, paths: Iterable[str]) -> None:
        self.by_suffix: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for path in sorted(paths):
            keys = {tuple(path.split("/")), _stem_parts(path)}
            for key in keys:
                for k in range(1, len(key) + 1):
                    self.by_suffix[key[-k:]].append(path)

    def _longest(self, parts: list[str]) -> list[str]:
        # The longest leading part of the name (a.b.c, then a.b: `c` may be a name inside
        # a.b); within it, leading packages may lie above the packed root (a.b.c, b.c, c).
        for k in range(len(parts), 0, -1):
            for s in range(k):
                hit = self.by_suffix.get(tuple(parts[s:k]))
                if hit:
                    return sorted(set(hit))
        return []

    def resolve(self, importer: str, language: str, target: str) -> list[str]:
        folder = posixpath.dirname(importer)
        if language == "python" and target.startswith("."):
            dots = len(target) - len(target.lstrip("."))
            base = folder
            for _ in range(dots - 1):
                base = posixpath.dirname(base)
            rest = [p for p in target[dots:].split(".") if p]
            return self._longest([p for p in (*base.split("/"), *rest) if p])
        if target.startswith(("./", "../")):
            joined = posixpath.normpath(posixpath.join(folder, target))
            if joined.startswith(".."):
                return []
            return self._longest([p for p in joined.split("/") if p])
        sep = "." if language in ("python", "java", "kotlin", "scala", "c_sharp") else "/"
        parts = [p for p in target.split(sep) if p and p not in ("crate", "self", "super")]
        if sep == "/" and parts and "." in parts[-1] and language not in ("c", "cpp", "objc"):
            parts[-1] = parts[-1].split(".", 1)[0]
        return self._longest(parts)


def import_graph(files: Mapping[str, tuple[str, str]]) -> dict[str, set[str]]:
    """Importer path → imported paths within `files` (path → (language, text)); no self-edges."""
    resolver = _Resolver(files)
    graph: dict[str, set[str]] = {}
    for path, (language, text) in sorted(files.items()):
        edges: set[str] = set()
        for target in import_targets(language, text):
            edges.update(t for t in resolver.resolve(path, language, target) if t != path)
        graph[path] = edges
    return graph


def pagerank(graph: Mapping[str, set[str]], iterations: int = 50) -> dict[str, float]:
    """PageRank over `graph` (node → successors, all nodes as keys); sums to 1."""
    nodes = sorted(graph)
    n = len(nodes)
    if n == 0:
        return {}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(iterations):
        dangling = sum(rank[v] for v in nodes if not graph[v])
        new = dict.fromkeys(nodes, (1.0 - DAMPING) / n + DAMPING * dangling / n)
        for v in nodes:
            succ = graph[v]
            if succ:
                share = DAMPING * rank[v] / len(succ)
                for w in succ:
                    new[w] += share
        delta = sum(abs(new[v] - rank[v]) for v in nodes)
        rank = new
        if delta < 1e-12:
            break
    return rank


def rank_files(files: Mapping[str, tuple[str, str]], focus: Iterable[str] = ()) -> list[str]:
    """Every path of `files`, most important first: focus files (by path), then the others by
    PageRank (highest first), ties — such as files nothing imports — by path."""
    focus_set = set(focus) & set(files)
    scores = pagerank(import_graph(files))
    rest = sorted((p for p in files if p not in focus_set),
                  key=lambda p: (-round(scores[p], 12), p))
    return sorted(focus_set) + rest
