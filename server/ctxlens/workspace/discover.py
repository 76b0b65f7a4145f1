"""Walking a workspace: which files the indexer should read, which it skips and why.

The walk is iterative (no recursion limit on deep trees) and lists each directory once
with `os.scandir`, whose entries already know whether they are directories, so a kept
file costs one `stat` and nothing else. Siblings are visited in code-point order of
their names, a directory's name taken with a trailing "/": yielded files therefore
come out in `sorted()` order of their paths, whatever the file system's order, and a
directory skipped whole (vendored, unlistable) appears where its files would have.

Symbolic links are followed, files and directories alike, and each real file or
directory is walked once: the first path in walk order wins and later paths to the
same (device, inode) are dropped silently (counted in `DiscoveryStats.ignored`), hard
links included. A link to a directory that encloses it is reported as `symlink-loop`.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from operator import itemgetter
from pathlib import Path

from ctxlens.workspace.admission import EntryRules, entry_rules, exclusion_detail
from ctxlens.workspace.classify import minified_by_name
from ctxlens.workspace.ignore import RuleLevel
from ctxlens.workspace.options import DiscoveryOptions
from ctxlens.workspace.results import (
    Candidate,
    DiscoveryStats,
    Skip,
    WorkspaceError,
    format_bytes,
)

_Item = tuple[str, "os.DirEntry[str]", bool]  # sort key, entry, is a directory
_by_key = itemgetter(0)


@dataclass(frozen=True, slots=True)
class _Frame:
    """One directory on the walk chain and the entries of it still to visit."""

    prefix: str  # root-relative path of the directory plus "/"; "" for the root
    levels: tuple[RuleLevel, ...]  # rule files in force, root first
    key: tuple[int, int]  # (st_dev, st_ino) of the real directory
    items: Iterator[_Item]


def discover(
    root: Path, options: DiscoveryOptions, stats: DiscoveryStats | None = None
) -> Iterator[Candidate | Skip]:
    """Walk `root` and yield every file to index and every path skipped for a reason.

    Paths dropped by ignore rules and built-in excludes are not yielded, only counted
    in `stats`. Nothing below the root raises: a path that cannot be listed or examined
    becomes a `Skip`. The root itself is checked here, before iteration starts, and a
    root that is missing, not a directory or not listable raises `WorkspaceError`.
    """
    root_abs = os.path.abspath(os.fspath(root))
    try:
        st = os.stat(root_abs)
    except OSError as err:
        raise WorkspaceError(f"workspace root {root_abs}: {err.strerror}") from err
    if not stat.S_ISDIR(st.st_mode):
        raise WorkspaceError(f"workspace root {root_abs} is not a directory")
    try:
        entries = _list(root_abs)
    except OSError as err:
        raise WorkspaceError(f"cannot list workspace root {root_abs}: {err.strerror}") from err
    return _walk(
        root_abs,
        entries,
        (st.st_dev, st.st_ino),
        options,
        stats if stats is not None else DiscoveryStats(),
    )


def _walk(
    root_abs: str,
    root_entries: list[os.DirEntry[str]],
    root_key: tuple[int, int],
    options: DiscoveryOptions,
    stats: DiscoveryStats,
) -> Iterator[Candidate | Skip]:
    rules = entry_rules(options)
    exclusion = rules.exclusion
    max_bytes = options.max_file_bytes
    above_root = _ancestor_keys(root_abs)
    visited_dirs = {root_key}
    seen_files: dict[int, set[int]] = {}  # st_dev -> st_ino of every file yielded

    stats.directories += 1
    items, levels = _prepare(root_abs, "", root_entries, (), rules, rules.root_lines(root_abs))
    stack = [_Frame("", levels, root_key, iter(items))]

    while stack:
        frame = stack[-1]
        item = next(frame.items, None)
        if item is None:
            stack.pop()
            continue
        _, entry, is_dir = item
        name = entry.name
        rel = frame.prefix + name

        reason = exclusion(rel, name, is_dir, frame.levels)
        if reason == "vendored":
            yield Skip(rel, "vendored", exclusion_detail(reason, name, is_dir))
            continue
        if reason is not None:
            stats.ignored += 1
            continue
        if not rel.isascii() and not _encodable(rel):
            yield Skip(_printable(rel), "unreadable", "name is not valid UTF-8")
            continue

        if is_dir:
            is_link = entry.is_symlink()
            try:
                st = entry.stat()
                if not st.st_ino:  # Windows: DirEntry.stat() leaves the inode at 0
                    st = os.stat(entry.path)
            except OSError as err:
                yield _error_skip(rel, err, "cannot examine directory")
                continue
            key = (st.st_dev, st.st_ino)
            if is_link and (key in above_root or any(f.key == key for f in stack)):
                target = _link_target(entry.path)
                yield Skip(rel, "symlink-loop", f"link to '{target}', which encloses it")
                continue
            if key in visited_dirs:
                stats.ignored += 1
                continue
            visited_dirs.add(key)
            try:
                children = _list(entry.path)
            except OSError as err:
                yield _error_skip(rel, err, "cannot list directory")
                continue
            stats.directories += 1
            prefix = rel + "/"
            items, levels = _prepare(entry.path, prefix, children, frame.levels, rules)
            stack.append(_Frame(prefix, levels, key, iter(items)))
            continue

        try:
            st = entry.stat()
        except OSError as err:
            if entry.is_symlink():
                target = _link_target(entry.path)
                if err.errno == errno.ELOOP:
                    yield Skip(rel, "symlink-loop", f"link to '{target}' is part of a cycle")
                    continue
                if err.errno == errno.ENOENT:
                    yield Skip(rel, "unreadable", f"broken symlink -> {target}")
                    continue
            yield _error_skip(rel, err, "cannot examine file")
            continue
        if not stat.S_ISREG(st.st_mode):
            stats.ignored += 1  # fifo, socket, device: nothing to read
            continue
        if st.st_ino:  # 0 where DirEntry cannot tell (Windows): no per-file dedupe there
            inodes = seen_files.setdefault(st.st_dev, set())
            if st.st_ino in inodes:
                stats.ignored += 1
                continue
            inodes.add(st.st_ino)
        by_name = minified_by_name(rel)
        if by_name is not None:
            yield by_name
            continue
        if st.st_size > max_bytes:
            yield Skip(rel, "too-large", _size_detail(st.st_size, max_bytes))
            continue
        # World-readable files (nearly all) skip the access() syscall; for the rest it
        # also honours ACLs and root's override, which the mode bits cannot tell.
        if not st.st_mode & stat.S_IROTH and not os.access(entry.path, os.R_OK):
            yield Skip(rel, "permission-denied", "file is not readable")
            continue
        yield Candidate(rel, entry.path, st.st_size, st.st_mtime_ns)


def _size_detail(size: int, limit: int) -> str:
    shown, shown_limit = format_bytes(size), format_bytes(limit)
    if shown == shown_limit:  # "1.0 MiB, limit 1.0 MiB" would read as a contradiction
        shown, shown_limit = f"{size:,} bytes", f"{limit:,} bytes"
    return f"{shown}, limit {shown_limit}"


def _list(path: str) -> list[os.DirEntry[str]]:
    with os.scandir(path) as it:
        return list(it)


def _prepare(
    abs_dir: str,
    prefix: str,
    entries: list[os.DirEntry[str]],
    levels: tuple[RuleLevel, ...],
    rules: EntryRules,
    extra: list[str] | None = None,
) -> tuple[list[_Item], tuple[RuleLevel, ...]]:
    """Sort a directory's entries and add its rule files to the levels in force."""
    items: list[_Item] = []
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        items.append((name + "/" if is_dir else name, entry, is_dir))
    present = {entry.name for entry in entries if entry.name in rules.rule_names}
    level = rules.level(abs_dir, prefix, present, extra)
    items.sort(key=_by_key)
    return items, (levels if level is None else (*levels, level))


def _ancestor_keys(root_abs: str) -> frozenset[tuple[int, int]]:
    """(dev, ino) of every directory above the root: a link to one would walk the root
    again from outside, a loop the walk chain alone cannot see."""
    keys: set[tuple[int, int]] = set()
    path = os.path.realpath(root_abs)
    while True:
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
        try:
            st = os.stat(path)
        except OSError:
            continue
        keys.add((st.st_dev, st.st_ino))
    return frozenset(keys)


def _error_skip(rel: str, err: OSError, what: str) -> Skip:
    if isinstance(err, PermissionError):
        return Skip(rel, "permission-denied", f"{what}: permission denied")
    return Skip(rel, "unreadable", str(err.strerror or err))


def _link_target(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def _encodable(rel: str) -> bool:
    # Undecodable bytes in a name arrive as lone surrogates; such a path cannot be
    # stored or printed as UTF-8 downstream.
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _printable(rel: str) -> str:
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
