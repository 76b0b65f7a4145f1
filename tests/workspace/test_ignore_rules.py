"""Ignore rules: gitignore semantics at every level, ctxlens's own rules, built-ins."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pathspec import GitIgnoreSpec

from ctxlens.workspace import Candidate, DiscoveryOptions, DiscoveryStats, Skip, discover
from ctxlens.workspace.ignore import compile_rules, rule_verdict

Make = Callable[[dict[str, "str | bytes"]], Path]


def kept(root: Path, stats: DiscoveryStats | None = None, **options: object) -> list[str]:
    """Paths discovery keeps, in walk order; asserts nothing was skipped with a reason."""
    results = list(discover(root, DiscoveryOptions(**options), stats))  # type: ignore[arg-type]
    assert [r for r in results if isinstance(r, Skip)] == []
    assert all(isinstance(r, Candidate) for r in results)
    return [r.path for r in results]


def test_nested_gitignore_negation_dir_only_anchored_and_globstar(tree: Make) -> None:
    root = tree(
        {
            ".gitignore": "# comment\n*.log\nout-dir/\n/anchored.txt\ndocs/**/secret.md\n",
            "a.log": "",
            "anchored.txt": "",
            "out-dir/x.py": "",
            "docs/secret.md": "",
            "docs/a/b/secret.md": "",
            "docs/readme.md": "",
            "sub/.gitignore": "!keep.log\n/only_here.txt\nlocal/\n",
            "sub/keep.log": "",
            "sub/other.log": "",
            "sub/anchored.txt": "",
            "sub/only_here.txt": "",
            "sub/deeper/only_here.txt": "",
            "sub/deeper/keep.log": "",
            "sub/local/x.py": "",
            "sub/out-dir": "a file, so the directory-only pattern does not drop it",
        }
    )
    stats = DiscoveryStats()
    assert kept(root, stats) == [
        ".gitignore",
        "docs/readme.md",
        "sub/.gitignore",
        "sub/anchored.txt",
        "sub/deeper/keep.log",
        "sub/deeper/only_here.txt",
        "sub/keep.log",
        "sub/out-dir",
    ]
    # a.log, anchored.txt, out-dir/, both secret.md, sub/other.log, sub/only_here.txt,
    # sub/local/: a dropped directory counts once.
    assert stats.ignored == 8


def test_file_below_an_ignored_directory_cannot_be_reincluded(tree: Make) -> None:
    # Git does not descend into an excluded directory, so `!` below it has no effect;
    # `dir/*` excludes the contents only, so a negation does work there.
    root = tree(
        {
            ".gitignore": "gone/\n!gone/x.py\nsome/*\n!some/x.py\n",
            "gone/x.py": "",
            "some/x.py": "",
            "some/y.py": "",
        }
    )
    assert kept(root) == [".gitignore", "some/x.py"]


def test_deeper_gitignore_overrides_the_root_one(tree: Make) -> None:
    root = tree(
        {
            ".gitignore": "!*.gen\n",
            "a.gen": "",
            "sub/.gitignore": "*.gen\n",
            "sub/b.gen": "",
            "sub/deeper/.gitignore": "!b.gen\n",
            "sub/deeper/b.gen": "",
        }
    )
    assert kept(root) == [
        ".gitignore",
        "a.gen",
        "sub/.gitignore",
        "sub/deeper/.gitignore",
        "sub/deeper/b.gen",
    ]


def test_ctxlensignore_at_any_level_wins_over_gitignore_in_its_folder(tree: Make) -> None:
    root = tree(
        {
            ".ctxlensignore": "fixtures/\n",
            "fixtures/big.json": "",
            "pkg/.gitignore": "*.tmp\n",
            "pkg/.ctxlensignore": "!wanted.tmp\nnotes.md\n",
            "pkg/notes.md": "",
            "pkg/other.tmp": "",
            "pkg/wanted.tmp": "",
            "pkg/code.py": "",
        }
    )
    assert kept(root) == [
        ".ctxlensignore",
        "pkg/.ctxlensignore",
        "pkg/.gitignore",
        "pkg/code.py",
        "pkg/wanted.tmp",
    ]


def test_git_info_exclude_is_read_at_the_root(tree: Make) -> None:
    root = tree({".git/info/exclude": "scratch/\n", "scratch/a.py": "", "b.py": ""})
    assert kept(root) == ["b.py"]


def test_respect_gitignore_false_keeps_ctxlens_rules_only(tree: Make) -> None:
    root = tree(
        {
            ".git/info/exclude": "excluded.py\n",
            ".gitignore": "gitignored.py\n",
            ".ctxlensignore": "ctxignored.py\n",
            "excluded.py": "",
            "gitignored.py": "",
            "ctxignored.py": "",
        }
    )
    assert kept(root, respect_gitignore=False) == [
        ".ctxlensignore",
        ".gitignore",
        "excluded.py",
        "gitignored.py",
    ]
    assert kept(root) == [".ctxlensignore", ".gitignore"]


def test_config_exclude_patterns_apply_from_the_root_and_win(tree: Make) -> None:
    root = tree(
        {
            ".gitignore": "!*.snap\n",
            "a.snap": "",
            "tests/b.snap": "",
            "tests/data/x.py": "",
            "data/y.py": "",
            "src/z.py": "",
        }
    )
    assert kept(root, exclude=("*.snap", "/data/")) == [".gitignore", "src/z.py", "tests/data/x.py"]


def test_config_exclude_negation_overrides_rule_files(tree: Make) -> None:
    root = tree({".gitignore": "*.snap\n", "keep.snap": "", "drop.snap": ""})
    assert kept(root, exclude=("!keep.snap",)) == [".gitignore", "keep.snap"]


def test_builtin_directories_are_pruned_and_counted_once(tree: Make) -> None:
    root = tree(
        {
            "node_modules/lib/index.js": "",
            "web/bower_components/x.js": "",
            "pkg/__pycache__/m.cpython-311.pyc": b"",
            ".venv/lib/site.py": "",
            "venv/x.py": "",
            ".tox/x.py": "",
            ".nox/x.py": "",
            ".mypy_cache/x.json": "",
            ".pytest_cache/v": "",
            ".ruff_cache/x": "",
            ".gradle/x": "",
            ".idea/workspace.xml": "",
            "build/lib/a.py": "",
            "dist/a.whl": "",
            "target/debug/a": "",
            "out/a.js": "",
            ".next/a.js": "",
            ".nuxt/a.js": "",
            "coverage/lcov.info": "",
            "pkg.egg-info/PKG-INFO": "",
            ".git/HEAD": "",
            ".hg/x": "",
            ".svn/x": "",
            ".bzr/x": "",
            ".ctxlens/index.db": b"",
            "sub/.git": "gitdir: ../.git/modules/sub\n",  # a submodule's pointer file
            ".vscode/settings.json": "{}",
            "src/build": "a file named build is source",
            "src/out.py": "",
        }
    )
    stats = DiscoveryStats()
    assert kept(root, stats) == [".vscode/settings.json", "src/build", "src/out.py"]
    assert stats.ignored == 26
    # Only the directories still walked are listed: root, .vscode, pkg, src, sub, web.
    assert stats.directories == 6


def test_builtin_file_excludes_compiled_objects_and_ds_store(tree: Make) -> None:
    names = [
        "a.pyc", "a.pyo", "A.class", "a.o", "a.obj", "a.so", "a.dll", "a.dylib", "a.a",
        "a.lib", "a.exe", "a.jar", "a.war", ".DS_Store",
    ]
    root = tree({**{f"bin/{n}": b"" for n in names}, "bin/a.py": "", "bin/liba.so.txt": ""})
    stats = DiscoveryStats()
    assert kept(root, stats) == ["bin/a.py", "bin/liba.so.txt"]
    assert stats.ignored == len(names)


def test_lock_files_are_excluded_at_any_depth(tree: Make) -> None:
    locks = [
        "package-lock.json", "yarn.lock", "pnpm-lock.yaml", "Cargo.lock", "poetry.lock",
        "Gemfile.lock", "composer.lock", "go.sum", "uv.lock", "Pipfile.lock",
    ]
    root = tree(
        {**{n: "" for n in locks}, **{f"app/{n}": "" for n in locks}, "package.json": "{}"}
    )
    stats = DiscoveryStats()
    assert kept(root, stats) == ["package.json"]
    assert stats.ignored == 2 * len(locks)


def test_a_rule_file_can_bring_back_a_builtin_exclude_but_not_vcs_or_index(tree: Make) -> None:
    root = tree(
        {
            ".gitignore": "!build/\n!yarn.lock\n!.git/\n!.ctxlens/\n",
            "build/gen.py": "",
            "yarn.lock": "",
            ".git/config": "",
            ".ctxlens/index.db": b"",
        }
    )
    assert kept(root) == [".gitignore", "build/gen.py", "yarn.lock"]


def test_custom_index_dir_is_excluded_at_its_path(tree: Make) -> None:
    root = tree({"var/idx/index.db": b"", "var/keep.txt": "", "idx/keep.txt": ""})
    assert kept(root, index_dir="var/idx") == ["idx/keep.txt", "var/keep.txt"]


def test_one_component_index_dir_is_excluded_at_any_depth(tree: Make) -> None:
    # A nested workspace's index is never source either.
    root = tree({"nested/.ctxlens/index.db": b"", "nested/a.py": "", "idx/index.db": b""})
    assert kept(root) == ["idx/index.db", "nested/a.py"]
    assert kept(root, index_dir="idx") == ["nested/.ctxlens/index.db", "nested/a.py"]


def test_joined_prefilter_agrees_with_pathspec_on_every_path() -> None:
    # The walk screens paths with one joined regex per rule file before asking
    # pathspec; the verdicts must be exactly pathspec's own.
    lines = [
        "*.log", "!keep.log", "build/", "/anchored", "docs/**/secret.md", "**/cache",
        "a/*/c", "[Tt]emp?.txt", "\\#literal", "trailing\\ ", "dir/**", "!dir/keep/",
        "name", "x/y/", "*.py[co]", "**/deep/**/leaf",
    ]
    level = compile_rules("", lines)
    assert level is not None and level.any_match is not None
    spec = GitIgnoreSpec.from_lines(lines)
    names = ["a", "b", "x", "y", "c", "docs", "deep", "dir", "keep", "cache", "build", "name",
             "keep.log", "z.log", "anchored", "secret.md", "Temp1.txt", "temp12.txt", "#literal",
             "trailing ", "m.pyc", "m.py", "leaf"]
    paths = [f"{p}{q}" for p in ["", "a/", "a/b/", "docs/x/", "dir/", "x/", "q/deep/r/"]
             for q in names]
    for path in paths + [p + "/" for p in paths]:
        assert rule_verdict(path, None, (level,)) == spec.check_file(path).include, path
