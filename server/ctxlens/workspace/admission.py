"""Would discovery reach this path, and if not, why: one verdict for the walk and for callers
that meet a single path later (the language server, for a file created after the scan).

`discover` asks `EntryRules.exclusion` about every entry it lists; `path_exclusion` asks the
same question about one root-relative path, reading the rule files of the directories along
it instead of during a walk. Only the path decides here: size, permissions and content
(binary, minified, generated) are checked on the file itself (`classify_content`).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from ctxlens.workspace.ignore import (
    RULE_FILES,
    VCS_DIRS,
    RuleLevel,
    builtin_dir_excluded,
    builtin_file_excluded,
    compile_rules,
    git_info_exclude,
    is_vendored_dir,
    read_rule_lines,
    rule_verdict,
)
from ctxlens.workspace.options import DiscoveryOptions

# "rules": a rule file, `.git/info/exclude` or `DiscoveryOptions.exclude`. Discovery drops
# all of these silently except "vendored", which it reports as a `Skip`; "outside" is never
# met by a walk: a path with "..", "." or an empty component.
Reason = Literal["vcs", "index", "rules", "builtin", "vendored", "outside"]


@dataclass(frozen=True, slots=True)
class Exclusion:
    """Why discovery leaves a path out."""

    path: str  # the component that decided: "lib/vendor" for "lib/vendor/x.py"
    reason: Reason
    detail: str  # a short sentence for reports


@dataclass(frozen=True, slots=True)
class EntryRules:
    """What decides one directory entry, fixed for a walk (`entry_rules(options)`)."""

    overrides: RuleLevel | None  # `DiscoveryOptions.exclude`, matched before any rule file
    rule_names: tuple[str, ...]  # rule files read in each directory, in precedence order
    respect_gitignore: bool
    index_rel: str | None  # the index directory, root-relative
    index_name: str | None  # ... and as a name matched at any depth, when one component
    include_vendored: bool

    def exclusion(self, rel: str, name: str, is_dir: bool,
                  levels: tuple[RuleLevel, ...]) -> Reason | None:
        """Why the entry `name` at root-relative `rel` is left out, or None to keep it;
        `levels` are the rule files in force in its directory, root first."""
        if name in VCS_DIRS:  # a `.git` file too: a worktree's or submodule's pointer
            return "vcs"
        if is_dir:
            if name == self.index_name or rel == self.index_rel:
                return "index"
            verdict = rule_verdict(rel + "/", self.overrides, levels)
            if verdict:
                return "rules"
            if verdict is None and builtin_dir_excluded(name):
                return "builtin"
            if not self.include_vendored and is_vendored_dir(name):
                return "vendored"
            return None
        verdict = rule_verdict(rel, self.overrides, levels)
        if verdict:
            return "rules"
        if verdict is None and builtin_file_excluded(name):
            return "builtin"
        return None

    def root_lines(self, root_abs: str) -> list[str]:
        """Patterns the root's level starts with: `.git/info/exclude` when git's are read."""
        return git_info_exclude(root_abs) if self.respect_gitignore else []

    def level(self, abs_dir: str, prefix: str, present: Collection[str] | None = None,
              extra: list[str] | None = None) -> RuleLevel | None:
        """The rule level of the directory at `abs_dir` (root-relative `prefix`, "" or
        "a/b/"), after the `extra` patterns; `present`: the names it holds, when known."""
        lines = list(extra or ())
        for name in self.rule_names:
            if present is None or name in present:
                # Unreadable: as if absent; the walk still examines and reports the file.
                with contextlib.suppress(OSError):
                    lines.extend(read_rule_lines(os.path.join(abs_dir, name)))
        return compile_rules(prefix, lines) if lines else None


def entry_rules(options: DiscoveryOptions) -> EntryRules:
    index_rel, index_name = _index_dir(options.index_dir)
    return EntryRules(
        overrides=compile_rules("", options.exclude) if options.exclude else None,
        rule_names=RULE_FILES if options.respect_gitignore else (".ctxlensignore",),
        respect_gitignore=options.respect_gitignore,
        index_rel=index_rel,
        index_name=index_name,
        include_vendored=options.include_vendored,
    )


def path_exclusion(root: str | os.PathLike[str], rel: str,
                   options: DiscoveryOptions) -> Exclusion | None:
    """Why discovery would not reach the file at root-relative `rel` ("/"-separated), or
    None when it would: the same ignore rules, built-in excludes, vendored folders, VCS
    and index directories, decided component by component from the root down (a dropped
    directory drops everything below it, as in the walk). The file need not exist."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        return Exclusion(rel, "outside", "not a path below the workspace root")
    rules = entry_rules(options)
    abs_dir = os.path.abspath(os.fspath(root))
    extra: list[str] | None = rules.root_lines(abs_dir)
    levels: tuple[RuleLevel, ...] = ()
    prefix = ""
    last = len(parts) - 1
    for depth, name in enumerate(parts):
        level = rules.level(abs_dir, prefix, extra=extra)
        extra = None
        if level is not None:
            levels = (*levels, level)
        here = prefix + name
        reason = rules.exclusion(here, name, depth < last, levels)
        if reason is not None:
            return Exclusion(here, reason, exclusion_detail(reason, name, depth < last))
        prefix = here + "/"
        abs_dir = os.path.join(abs_dir, name)
    return None


def exclusion_detail(reason: Reason, name: str, is_dir: bool) -> str:
    shown = f"'{name}/'" if is_dir else f"'{name}'"
    if reason == "vendored":
        return f"vendored directory {shown}"
    if reason == "builtin":
        return f"built-in exclude {shown}"
    if reason == "rules":
        return f"{shown} matches an ignore rule"
    if reason == "vcs":
        return f"version-control metadata {shown}"
    if reason == "index":
        return f"the ctxlens index directory {shown}"
    return "not a path below the workspace root"


def _index_dir(index_dir: str) -> tuple[str | None, str | None]:
    """The index directory as a root-relative path, and as a name matched at any depth
    when it is a single component (a nested workspace's index is never source)."""
    parts = [p for p in index_dir.replace(os.sep, "/").split("/") if p not in ("", ".")]
    if not parts or ".." in parts or os.path.isabs(index_dir):
        return None, None
    return "/".join(parts), (parts[0] if len(parts) == 1 else None)
