"""Which paths a walk drops: gitignore-style rule files, config patterns, built-ins.

Precedence, highest first (the first that has an opinion decides):

1. `DiscoveryOptions.exclude`, matched against the root-relative path (like git's
   command-line excludes);
2. the rule files of the directories on the way down, deepest first. A directory's
   `.gitignore` and `.ctxlensignore` form one list, `.ctxlensignore` last, so it wins
   within its directory; the root's list also starts with `.git/info/exclude`. Inside
   one list the last matching pattern wins, `!pattern` re-includes;
3. the built-in excludes below. They come last on purpose so that `!build/` in any rule
   file brings back a project whose sources really live in `build/`.

The index directory and VCS metadata directories are dropped before any of that: no
rule can bring them back. As in git, a dropped directory is not descended into, so a
file below it cannot be re-included.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from pathspec import GitIgnoreSpec

RULE_FILES: tuple[str, ...] = (".gitignore", ".ctxlensignore")
GIT_RULE_FILE = ".gitignore"

VCS_DIRS: frozenset[str] = frozenset({".git", ".hg", ".svn", ".bzr"})

# Directory-only: a file named `build` or `out` is ordinary source.
BUILTIN_DIRS: frozenset[str] = frozenset(
    {
        "node_modules", "bower_components",
        "__pycache__", ".venv", "venv", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".gradle", ".idea",
        "build", "dist", "target", "out", ".next", ".nuxt", "coverage",
    }
)
BUILTIN_DIR_SUFFIXES: tuple[str, ...] = (".egg-info",)

BUILTIN_FILES: frozenset[str] = frozenset(
    {
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "poetry.lock",
        "Gemfile.lock", "composer.lock", "go.sum", "uv.lock", "Pipfile.lock",
        ".DS_Store",
    }
)
BUILTIN_FILE_SUFFIXES: tuple[str, ...] = (
    ".pyc", ".pyo", ".class", ".o", ".obj", ".so", ".dll", ".dylib", ".a", ".lib",
    ".exe", ".jar", ".war",
)

# Case matters: `Pods` (CocoaPods) and `Godeps` are spelt that way; a `pods/` folder
# of Kubernetes manifests is not vendored code.
VENDORED_DIRS: frozenset[str] = frozenset(
    {"vendor", "vendors", "third_party", "third-party", "thirdparty", "site-packages",
     "Pods", "Godeps"}
)


# Paths reach the specs already "/"-separated; skip pathspec's per-call normalisation.
_NO_SEPARATORS: tuple[str, ...] = ()
_NAMED_GROUP = re.compile(r"\(\?P<\w+>")


@dataclass(frozen=True, slots=True)
class RuleLevel:
    """The patterns of one directory's rule files; they match paths relative to `base`."""

    base: str  # "" for the root, else "a/b/"
    spec: GitIgnoreSpec
    # Matches whenever any pattern of `spec` does. Most paths match no pattern, and one
    # search of a joined regex is far cheaper than pathspec's per-pattern loop; when it
    # does match, `spec` decides (last match, negation, directory marks).
    any_match: re.Pattern[str] | None


def compile_rules(base: str, lines: Iterable[str]) -> RuleLevel | None:
    """A level for `lines`, or None when they hold no pattern (blank lines, comments)."""
    spec = GitIgnoreSpec.from_lines(list(lines))
    # Comments and blank lines still become patterns with include=None.
    sources = [p.regex.pattern for p in spec.patterns if p.include is not None and p.regex]
    if not sources:
        return None
    return RuleLevel(base, spec, _joined(sources))


def _joined(sources: list[str]) -> re.Pattern[str] | None:
    # Group names repeat across patterns, which one regex does not allow; the groups
    # only matter to `spec`, so they become plain groups here.
    try:
        return re.compile("|".join(f"(?:{_NAMED_GROUP.sub('(?:', s)})" for s in sources))
    except (re.error, TypeError):
        return None  # not str, or flags that cannot be joined: check with `spec` only


def read_rule_lines(path: str) -> list[str]:
    """Lines of a rule file; raises OSError. Bytes that are not UTF-8 cannot match a
    path we produce anyway, so they are replaced rather than refused."""
    with open(path, "rb") as f:
        return f.read().decode("utf-8", "replace").splitlines()


def git_info_exclude(root: str) -> list[str]:
    """`.git/info/exclude` lines, or none. A `.git` file (worktree, submodule) is not
    followed to its real git directory: rare, and its excludes are personal anyway."""
    try:
        return read_rule_lines(os.path.join(root, ".git", "info", "exclude"))
    except OSError:
        return []


def rule_verdict(
    rel: str, overrides: RuleLevel | None, levels: tuple[RuleLevel, ...]
) -> bool | None:
    """True: ignored; False: re-included by a `!` pattern; None: no rule spoke.

    `rel` is root-relative with "/" separators and, for a directory, a trailing "/"
    so that directory-only patterns (`name/`) match it.
    """
    if overrides is not None:
        verdict = _check(overrides, rel)
        if verdict is not None:
            return verdict
    for level in reversed(levels):
        # Every level's base is a prefix of `rel`: levels come from the walk chain.
        verdict = _check(level, rel[len(level.base):])
        if verdict is not None:
            return verdict
    return None


def _check(level: RuleLevel, path: str) -> bool | None:
    if level.any_match is not None and level.any_match.search(path) is None:
        return None
    return level.spec.check_file(path, _NO_SEPARATORS).include


def builtin_dir_excluded(name: str) -> bool:
    return name in BUILTIN_DIRS or name.endswith(BUILTIN_DIR_SUFFIXES)


def builtin_file_excluded(name: str) -> bool:
    return name in BUILTIN_FILES or name.endswith(BUILTIN_FILE_SUFFIXES)


def is_vendored_dir(name: str) -> bool:
    return name in VENDORED_DIRS
