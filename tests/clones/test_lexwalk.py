"""The clone lexer's walk in C gives exactly what the walk in Python gives."""

from __future__ import annotations

import sysconfig
from dataclasses import fields
from pathlib import Path

import numpy as np
import pytest

from clone_snippets import SNIPPETS
from ctxlens.clones import lexwalk, normalize
from ctxlens.clones.lexicon import LEXICONS
from ctxlens.syntax import parse
from ctxlens.workspace.languages import language_for_path

BROKEN = {
    "python": "def f(x:\n    return g(x)[0 +\nclass A(: pass\n",
    "java": "class A { void f( { int x = g(1; } import x.y;",
    "c": "#include <x.h>\nint f( { return g(1 + ; }\n",
    "javascript": "function f( { return g(1 + }; import x from 'y'",
}
SUPPRESSED = "def f(x):  # ctxlens: ignore-duplicate\n    return g(x)\n"


def both_walks(source: bytes, language: str) -> tuple[tuple[object, ...], tuple[object, ...]]:
    tree = parse(source, language)
    assert tree is not None
    compiled = normalize._compile(language)
    walk = lexwalk.native_walk()
    assert walk is not None
    results = []
    for c_walk in (False, True):
        tokens, comments = (normalize._walk_in_c(walk, tree, source, compiled, True) if c_walk
                            else normalize._walk(tree, source, compiled, True))
        results.append((*(getattr(tokens, f.name) for f in fields(tokens)), comments))
    return results[0], results[1]


def assert_same(python: tuple[object, ...], native: tuple[object, ...]) -> None:
    for a, b in zip(python, native, strict=True):
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and np.array_equal(a, b)  # type: ignore[union-attr]
        else:
            assert a == b


def test_the_native_walk_is_built_and_trusted_here() -> None:
    # setup.py builds it wherever a C compiler is (this machine and CI have one): a build
    # that silently failed would make every scan a quarter slower.
    assert lexwalk.native_walk() is not None


@pytest.mark.parametrize("language", sorted(LEXICONS))
def test_same_tokens_in_every_language(language: str) -> None:
    source = (SNIPPETS[language] * 3).encode()
    python, native = both_walks(source, language)
    assert len(python[0]) >= 12  # type: ignore[arg-type]
    assert python[-1]  # the snippet's comments were collected by both
    assert_same(python, native)


@pytest.mark.parametrize("language", sorted(BROKEN))
def test_same_tokens_in_broken_code(language: str) -> None:
    source = BROKEN[language].encode()
    tree = parse(source, language)
    assert tree is not None and tree.root_node.has_error
    assert_same(*both_walks(source, language))


def test_same_tokens_with_a_suppression_and_in_real_files() -> None:
    assert_same(*both_walks(SUPPRESSED.encode(), "python"))
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = [*sorted(stdlib.glob("*.py"))[:40], stdlib / "json" / "decoder.py"]
    for path in files:
        data = path.read_bytes()
        language = language_for_path(str(path), data[:128])
        assert language == "python"
        assert_same(*both_walks(data, language))


def test_lex_file_takes_the_native_walk_and_pure_python_turns_it_off(
        monkeypatch: pytest.MonkeyPatch) -> None:
    source = SNIPPETS["python"].encode()
    tree = parse(source, "python")
    native = normalize.lex_file(tree, source, "python")
    calls: list[int] = []
    walk = lexwalk.native_walk()
    assert walk is not None

    def counting(*args):  # type: ignore[no-untyped-def]
        calls.append(1)
        return walk(*args)

    monkeypatch.setattr(normalize, "native_walk", lambda: counting)
    normalize.lex_file(tree, source, "python")
    assert calls == [1]
    monkeypatch.undo()
    monkeypatch.setenv("CTXLENS_PURE_PYTHON", "1")
    lexwalk.native_walk.cache_clear()
    try:
        assert lexwalk.native_walk() is None
        python = normalize.lex_file(tree, source, "python")
    finally:
        monkeypatch.delenv("CTXLENS_PURE_PYTHON")
        lexwalk.native_walk.cache_clear()
    assert np.array_equal(python.codes, native.codes)
    assert np.array_equal(python.starts, native.starts)


def test_another_py_tree_sitter_version_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lexwalk.metadata, "version", lambda name: "0.0.1")
    lexwalk.native_walk.cache_clear()
    try:
        assert lexwalk.native_walk() is None
    finally:
        monkeypatch.undo()
        lexwalk.native_walk.cache_clear()
    assert lexwalk.native_walk() is not None


def test_the_extension_refuses_what_is_not_a_node_or_a_table() -> None:
    from ctxlens import _lexwalk  # type: ignore[attr-defined]

    with pytest.raises(TypeError):
        _lexwalk.node_facts("not a node")
    tree = parse(b"x = 1\n", "python")
    assert tree is not None
    with pytest.raises(TypeError):
        _lexwalk.walk(tree.root_node, b"short", b"", b"", {}, b"x = 1\n", False)
