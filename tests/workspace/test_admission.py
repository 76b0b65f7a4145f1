"""One path's verdict (`path_exclusion`) against a real tree: the walk's own answer, path by
path, with the reason and the component that decided."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from ctxlens.workspace import Candidate, DiscoveryOptions, Exclusion, discover, path_exclusion

Make = Callable[[dict[str, "str | bytes"]], Path]

FILES: dict[str, str | bytes] = {
    ".gitignore": "*.log\nbuild-out/\n!keep.log\n!dist/\n",
    ".git/HEAD": "ref: refs/heads/main\n",
    ".git/info/exclude": "private.txt\n",
    ".ctxlensignore": "secret/\n",
    ".ctxlens/index.db": "",
    "src/a.py": "A = 1\n",
    "src/app.log": "",
    "src/__pycache__/a.cpython-311.pyc": b"\x00",
    "keep.log": "",
    "private.txt": "",
    "build-out/x.py": "",
    "secret/s.py": "",
    "sub/.gitignore": "local.py\n",
    "sub/local.py": "",
    "sub/deeper/local.py": "",
    "sub/ok.py": "",
    "vendor/lib.py": "",
    "lib/third_party/x.c": "",
    "node_modules/pkg/index.js": "",
    "package-lock.json": "{}",
    "dist/app.py": "",  # a built-in exclude, brought back by `!dist/`
}


def _why(root: Path, rel: str, **options: object) -> tuple[str, str] | None:
    found = path_exclusion(root, rel, DiscoveryOptions(**options))  # type: ignore[arg-type]
    return None if found is None else (found.reason, found.path)


def test_each_rule_answers_with_its_reason_and_the_deciding_component(tree: Make) -> None:
    root = tree(FILES)
    assert _why(root, "src/a.py") is None
    assert _why(root, "src/new.py") is None  # need not exist: a file about to be indexed
    assert _why(root, "keep.log") is None  # `!keep.log` re-includes
    assert _why(root, "dist/app.py") is None  # `!dist/` beats the built-in exclude
    assert _why(root, "sub/ok.py") is None
    assert _why(root, "src/app.log") == ("rules", "src/app.log")
    assert _why(root, "private.txt") == ("rules", "private.txt")  # .git/info/exclude
    assert _why(root, "build-out/x.py") == ("rules", "build-out")
    assert _why(root, "secret/s.py") == ("rules", "secret")  # .ctxlensignore
    assert _why(root, "sub/local.py") == ("rules", "sub/local.py")  # nested .gitignore
    assert _why(root, "sub/deeper/local.py") == ("rules", "sub/deeper/local.py")
    assert _why(root, "local.py") is None  # sub/.gitignore speaks only below sub/
    assert _why(root, "vendor/lib.py") == ("vendored", "vendor")
    assert _why(root, "lib/third_party/x.c") == ("vendored", "lib/third_party")
    assert _why(root, "node_modules/pkg/index.js") == ("builtin", "node_modules")
    assert _why(root, "src/__pycache__/a.cpython-311.pyc") == ("builtin", "src/__pycache__")
    assert _why(root, "package-lock.json") == ("builtin", "package-lock.json")
    assert _why(root, ".git/HEAD") == ("vcs", ".git")
    assert _why(root, ".ctxlens/index.db") == ("index", ".ctxlens")
    assert _why(root, "nested/.ctxlens/index.db") == ("index", "nested/.ctxlens")
    assert _why(root, "../outside.py") == ("outside", "../outside.py")
    assert _why(root, "src//a.py") == ("outside", "src//a.py")


def test_options_change_the_verdict_as_they_change_the_walk(tree: Make) -> None:
    root = tree(FILES)
    assert _why(root, "vendor/lib.py", include_vendored=True) is None
    assert _why(root, "src/a.py", exclude=("src/*.py",)) == ("rules", "src/a.py")
    # `exclude` is matched first: no rule file can bring the path back.
    assert _why(root, "keep.log", exclude=("keep.log",)) == ("rules", "keep.log")
    # Without git's rules, .gitignore and .git/info/exclude go quiet; ctxlens's stay.
    assert _why(root, "src/app.log", respect_gitignore=False) is None
    assert _why(root, "private.txt", respect_gitignore=False) is None
    assert _why(root, "secret/s.py", respect_gitignore=False) == ("rules", "secret")
    assert _why(root, "cache/x.py", index_dir="cache") == ("index", "cache")
    assert _why(root, "deep/cache/x.py", index_dir="deep/cache") == ("index", "deep/cache")
    assert _why(root, "other/cache/x.py", index_dir="deep/cache") is None


def test_details_read_as_sentences(tree: Make) -> None:
    root = tree(FILES)
    vendored = path_exclusion(root, "vendor/lib.py", DiscoveryOptions())
    assert vendored == Exclusion("vendor", "vendored", "vendored directory 'vendor/'")
    built_in = path_exclusion(root, "package-lock.json", DiscoveryOptions())
    assert built_in is not None and built_in.detail == "built-in exclude 'package-lock.json'"


def test_agrees_with_discover_on_every_file_of_the_tree(tree: Make) -> None:
    root = tree(FILES)
    on_disk = sorted(
        os.path.relpath(os.path.join(d, f), root).replace(os.sep, "/")
        for d, _, files in os.walk(root) for f in files)
    for options in (DiscoveryOptions(), DiscoveryOptions(include_vendored=True),
                    DiscoveryOptions(respect_gitignore=False, exclude=("sub/",))):
        walked = {r.path for r in discover(root, options) if isinstance(r, Candidate)}
        admitted = {rel for rel in on_disk if path_exclusion(root, rel, options) is None}
        assert admitted == walked, options
        assert len(walked) < len(on_disk)
