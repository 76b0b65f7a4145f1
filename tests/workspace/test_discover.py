"""The walk: what it yields, in which order, and how it reports paths it cannot use."""

from __future__ import annotations

import errno
import json
import os
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import ctxlens
from ctxlens.workspace import (
    Candidate,
    DiscoveryOptions,
    DiscoveryStats,
    Skip,
    WorkspaceError,
    discover,
)

Make = Callable[[dict[str, "str | bytes"]], Path]
Row = tuple[str, str, str]  # path, reason ("" for a candidate), detail


def rows(results: list[Candidate | Skip] | Iterator[Candidate | Skip]) -> list[Row]:
    return [
        (r.path, "", "") if isinstance(r, Candidate) else (r.path, r.reason, r.detail)
        for r in results
    ]


def walk(root: Path, stats: DiscoveryStats | None = None, **options: object) -> list[Row]:
    return rows(discover(root, DiscoveryOptions(**options), stats))  # type: ignore[arg-type]


def test_candidate_carries_path_abs_path_size_and_mtime(tree: Make) -> None:
    root = tree({"pkg/mod.py": "x = 1\n"})
    os.utime(root / "pkg/mod.py", ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
    (result,) = discover(root, DiscoveryOptions())
    assert result == Candidate(
        path="pkg/mod.py",
        abs_path=str(root / "pkg" / "mod.py"),
        size=6,
        mtime_ns=1_600_000_000_123_456_789,
    )


def test_order_is_sorted_paths_whatever_the_creation_order(tree: Make) -> None:
    # '-' < '.' < '/': a directory sorts as its name plus "/", so a walk by name alone
    # would put "a/x.txt" before "a-b/y.txt" and "a.txt".
    root = tree({"b.txt": "", "a/x.txt": "", "a.txt": "", "a-b/y.txt": "", "A.txt": ""})
    expected = ["A.txt", "a-b/y.txt", "a.txt", "a/x.txt", "b.txt"]
    first = [path for path, _, _ in walk(root)]
    assert first == expected
    assert [path for path, _, _ in walk(root)] == expected


def test_stats_count_listed_directories(tree: Make) -> None:
    root = tree({"a/b/c.py": "", "a/d.py": "", "e/": ""})
    stats = DiscoveryStats()
    walk(root, stats)
    assert stats.directories == 4  # root, a, a/b, e
    assert stats.ignored == 0


def test_vendored_directories_are_reported_once_not_per_file(tree: Make) -> None:
    root = tree(
        {
            "vendor/github.com/x/y.go": "",
            "vendor/z.go": "",
            "vendors/a.js": "",
            "pkg/third_party/lib.c": "",
            "pkg/third-party/lib.c": "",
            "pkg/thirdparty/lib.c": "",
            "env/lib/site-packages/m.py": "",
            "ios/Pods/P.m": "",
            "Godeps/g.go": "",
            "k8s/pods/pod.yaml": "",  # lower-case `pods`: manifests, not CocoaPods
            "external/lib.c": "",  # too common a name to call vendored
        }
    )
    assert walk(root) == [
        ("Godeps", "vendored", "vendored directory 'Godeps/'"),
        ("env/lib/site-packages", "vendored", "vendored directory 'site-packages/'"),
        ("external/lib.c", "", ""),
        ("ios/Pods", "vendored", "vendored directory 'Pods/'"),
        ("k8s/pods/pod.yaml", "", ""),
        ("pkg/third-party", "vendored", "vendored directory 'third-party/'"),
        ("pkg/third_party", "vendored", "vendored directory 'third_party/'"),
        ("pkg/thirdparty", "vendored", "vendored directory 'thirdparty/'"),
        ("vendor", "vendored", "vendored directory 'vendor/'"),
        ("vendors", "vendored", "vendored directory 'vendors/'"),
    ]


def test_include_vendored_walks_vendored_directories(tree: Make) -> None:
    root = tree({"vendor/z.go": "", "pkg/third_party/lib.c": ""})
    assert walk(root, include_vendored=True) == [
        ("pkg/third_party/lib.c", "", ""),
        ("vendor/z.go", "", ""),
    ]


def test_gitignored_vendor_directory_is_silent(tree: Make) -> None:
    root = tree({".gitignore": "vendor/\n", "vendor/z.go": ""})
    stats = DiscoveryStats()
    assert walk(root, stats) == [(".gitignore", "", "")]
    assert stats.ignored == 1


def test_min_js_and_min_css_are_minified_by_name_without_reading(tree: Make) -> None:
    root = tree({"static/app.min.js": "x", "static/site.MIN.CSS": "x", "static/app.js": ""})
    assert walk(root) == [
        ("static/app.js", "", ""),
        ("static/app.min.js", "minified", "name ends with '.min.js'"),
        ("static/site.MIN.CSS", "minified", "name ends with '.min.css'"),
    ]


def test_too_large_is_decided_by_stat_size(tree: Make) -> None:
    root = tree({"big.txt": b"a" * 2560, "edge.txt": b"a" * 1024, "huge.log": ""})
    with open(root / "huge.log", "wb") as f:  # sparse: 3 GiB by stat, nothing on disk
        f.truncate(3 << 30)
    assert walk(root, max_file_bytes=1024) == [
        ("big.txt", "too-large", "2.5 KiB, limit 1.0 KiB"),
        ("edge.txt", "", ""),
        ("huge.log", "too-large", "3.0 GiB, limit 1.0 KiB"),
    ]


def test_too_large_detail_shows_bytes_when_rounding_would_hide_the_excess(tree: Make) -> None:
    root = tree({"f.txt": ""})
    with open(root / "f.txt", "wb") as f:
        f.truncate((1 << 20) + 1)
    assert walk(root) == [("f.txt", "too-large", "1,048,577 bytes, limit 1,048,576 bytes")]


def test_symlink_loops_terminate_and_are_reported(tmp_path: Path, tree: Make) -> None:
    root = tree({"d/f.py": ""})
    os.symlink("..", root / "d" / "loop")
    os.symlink(".", root / "d" / "self")
    os.symlink(tmp_path, root / "up")  # a directory above the root
    os.symlink("cycle_b", root / "cycle_a")
    os.symlink("cycle_a", root / "cycle_b")
    assert walk(root) == [
        ("cycle_a", "symlink-loop", "link to 'cycle_b' is part of a cycle"),
        ("cycle_b", "symlink-loop", "link to 'cycle_a' is part of a cycle"),
        ("d/f.py", "", ""),
        ("d/loop", "symlink-loop", "link to '..', which encloses it"),
        ("d/self", "symlink-loop", "link to '.', which encloses it"),
        ("up", "symlink-loop", f"link to '{tmp_path}', which encloses it"),
    ]


def test_broken_symlink_is_unreadable_unless_ignored(tree: Make) -> None:
    root = tree({".gitignore": "ignored_link\n"})
    os.symlink("missing.txt", root / "dangling")
    os.symlink("missing.txt", root / "ignored_link")
    assert walk(root) == [
        (".gitignore", "", ""),
        ("dangling", "unreadable", "broken symlink -> missing.txt"),
    ]


def test_symlinks_are_followed_and_each_real_file_yielded_once(
    tmp_path: Path, tree: Make
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "lib.py").write_text("")
    root = tree({"real/m.py": "", "real/n.py": "", "z.py": "", "h1.txt": "same inode"})
    os.symlink(outside, root / "ext")
    os.symlink("real", root / "alias")  # sorts first, so it wins over real/
    os.symlink("z.py", root / "a_link.py")  # likewise wins over z.py
    os.link(root / "h1.txt", root / "h2.txt")
    stats = DiscoveryStats()
    results = list(discover(root, DiscoveryOptions(), stats))
    assert rows(results) == [
        ("a_link.py", "", ""),
        ("alias/m.py", "", ""),
        ("alias/n.py", "", ""),
        ("ext/lib.py", "", ""),
        ("h1.txt", "", ""),
    ]
    assert stats.ignored == 3  # real/ (once, not per file), z.py, h2.txt
    assert stats.directories == 3  # root, alias (= real), ext
    assert isinstance(results[3], Candidate)
    assert results[3].abs_path == str(root / "ext" / "lib.py")


def test_special_files_are_dropped_silently(tree: Make) -> None:
    root = tree({"a.py": ""})
    os.mkfifo(root / "pipe")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(root / "sock"))
        stats = DiscoveryStats()
        assert walk(root, stats) == [("a.py", "", "")]
    assert stats.ignored == 2


def test_undecodable_file_name_is_unreadable(tree: Make) -> None:
    root = tree({"ok.py": ""})
    fd = os.open(os.fsencode(root) + b"/bad\xff.txt", os.O_CREAT | os.O_WRONLY)
    os.close(fd)
    assert walk(root) == [
        ("bad\ufffd.txt", "unreadable", "name is not valid UTF-8"),
        ("ok.py", "", ""),
    ]


def test_paths_vanishing_mid_walk_are_unreadable_not_errors(tree: Make) -> None:
    # A real race, not a mock: the walk lists a directory when it enters it, and
    # examines each entry when it reaches it, so removal in between is observable.
    root = tree({"a.txt": "", "b/c.txt": "", "d.txt": ""})
    results = discover(root, DiscoveryOptions())
    assert rows([next(results)]) == [("a.txt", "", "")]
    shutil.rmtree(root / "b")
    (root / "d.txt").unlink()
    gone = os.strerror(errno.ENOENT)
    assert rows(results) == [("b", "unreadable", gone), ("d.txt", "unreadable", gone)]


# Root is exempt from permission bits through CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH, so
# as root the walk runs in a child process that drops those two capabilities (capset,
# the call behind `setpriv`/`capsh`); the kernel then enforces the bits as it would for
# any user. Nothing is mocked: the child runs the real walk on the real tree.
_DROP_DAC_AND_WALK = r"""
import ctypes, json, sys
from pathlib import Path

class Header(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

class Data(ctypes.Structure):
    _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

libc = ctypes.CDLL(None, use_errno=True)
header, data = Header(0x20080522, 0), (Data * 2)()  # _LINUX_CAPABILITY_VERSION_3
if libc.capget(ctypes.byref(header), data) != 0:
    sys.exit(77)
keep = ~((1 << 1) | (1 << 2))  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
for field in ("effective", "permitted", "inheritable"):
    setattr(data[0], field, getattr(data[0], field) & keep)
if libc.capset(ctypes.byref(header), data) != 0:
    sys.exit(77)

from ctxlens.workspace import Candidate, DiscoveryOptions, discover

print(json.dumps([
    (r.path, "", "") if isinstance(r, Candidate) else (r.path, r.reason, r.detail)
    for r in discover(Path(sys.argv[1]), DiscoveryOptions())
]))
"""


def _walk_without_root_privileges(root: Path) -> list[Row]:
    if os.geteuid() != 0:
        return walk(root)
    if not sys.platform.startswith("linux"):
        pytest.skip("dropping root's file-access capabilities needs Linux")
    server = str(Path(ctxlens.__file__).parent.parent)
    env = {**os.environ, "PYTHONPATH": server}
    proc = subprocess.run(
        [sys.executable, "-c", _DROP_DAC_AND_WALK, str(root)],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )
    if proc.returncode == 77:
        pytest.skip("cannot drop CAP_DAC_OVERRIDE here (capset refused)")
    assert proc.returncode == 0, proc.stderr
    return [(path, reason, detail) for path, reason, detail in json.loads(proc.stdout)]


def test_permission_denied_directory_and_files(tree: Make) -> None:
    root = tree({"locked/inside.py": "", "noexec/f.txt": "", "secret.txt": "", "ok.txt": ""})
    (root / "locked").chmod(0o000)  # cannot be listed
    (root / "noexec").chmod(0o600)  # listed, but its entries cannot be examined
    (root / "secret.txt").chmod(0o000)  # examined, but cannot be read
    try:
        results = _walk_without_root_privileges(root)
    finally:
        (root / "locked").chmod(0o755)
        (root / "noexec").chmod(0o755)
    assert results == [
        ("locked", "permission-denied", "cannot list directory: permission denied"),
        ("noexec/f.txt", "permission-denied", "cannot examine file: permission denied"),
        ("ok.txt", "", ""),
        ("secret.txt", "permission-denied", "file is not readable"),
    ]


def test_missing_root_raises_workspace_error_at_call_time(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(WorkspaceError, match="nope"):
        discover(missing, DiscoveryOptions())  # not iterated: the root is checked eagerly


def test_file_root_raises_workspace_error(tmp_path: Path) -> None:
    file_root = tmp_path / "file.txt"
    file_root.write_text("")
    with pytest.raises(WorkspaceError, match="is not a directory"):
        discover(file_root, DiscoveryOptions())


def test_skip_rejects_unknown_reasons() -> None:
    with pytest.raises(ValueError, match="unknown skip reason"):
        Skip("a", "too-big", "")
