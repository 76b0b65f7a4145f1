"""Normalised token streams of Java, C/C++, JavaScript/TypeScript and the other grammars,
and the lexicon tables checked against every grammar."""

from __future__ import annotations

import dataclasses

import pytest

from clone_snippets import SNIPPETS, WORD
from ctxlens.clones import lexicon
from ctxlens.clones.lexicon import LEXICONS, check_lexicon
from ctxlens.clones.normalize import unit_stream
from ctxlens.clones.streams import (
    IDENTIFIER,
    STRING,
    UnitStream,
    token_code,
)
from ctxlens.workspace.languages import PARSED_LANGUAGES
from stream_helpers import lex, normalised


def texts(source: str, language: str) -> list[str]:
    data, tokens = lex(source, language)
    return [data[s:e].decode() for s, e in zip(tokens.starts, tokens.ends, strict=True)]


def whole(source: str, language: str) -> UnitStream:
    data, tokens = lex(source, language)
    return unit_stream(tokens, ((0, len(data)),), 1, source.count("\n") + 1)


# --- The tables -------------------------------------------------------------------------------


def test_every_parsed_language_has_a_lexicon() -> None:
    assert set(LEXICONS) == set(PARSED_LANGUAGES)


@pytest.mark.parametrize("language", sorted(LEXICONS))
def test_lexicon_names_only_what_the_grammar_has(language: str) -> None:
    check_lexicon(language)


def test_a_misspelt_node_type_or_field_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = dataclasses.replace(
        lexicon.PYTHON,
        identifiers=lexicon.PYTHON.identifiers | {"identifer"},
        callee_paths={"attribute": "atribute"},
    )
    monkeypatch.setitem(LEXICONS, "python", broken)
    with pytest.raises(ValueError, match=r"'identifer'.*'atribute'"):
        check_lexicon("python")


def test_every_language_has_a_smoke_snippet() -> None:
    assert set(SNIPPETS) == set(LEXICONS)


@pytest.mark.parametrize("language", sorted(SNIPPETS))
def test_every_language_lexes_and_drops_its_comments(language: str) -> None:
    source = SNIPPETS[language]
    _, tokens = lex(source, language)
    got = texts(source, language)
    assert len(tokens) >= 4
    assert not any(WORD in text for text in got), got
    assert "run" in got  # a called name, kept as text
    assert all(text and not text[0].isspace() for text in got)
    assert token_code(STRING) in tokens.codes.tolist()
    assert token_code(IDENTIFIER) in tokens.codes.tolist()
    assert tokens.lines.min() >= 1 and tokens.lines.max() <= source.count("\n")


# --- Java -------------------------------------------------------------------------------------

JAVA_A = """\
package com.example.a;

import java.util.List;
import static java.lang.Math.max;

/* Licensed under the Apache License. */
public class Totals {
    // Sum the prices.
    int sum(List<Item> items, int rate) {
        int acc = 0;
        for (Item it : items) { acc += it.price() * rate; }
        return acc;
    }
}
"""

JAVA_B = """\
package org.other;

import java.util.*;

public class Totals {
    int sum(List<Item> items, int rate) {
        int acc = 0;
        for (Item it : items) {
            /* layout and comments only */
            acc += it.price() * rate;
        }
        return acc;
    }
}
"""


def test_java_imports_package_comments_and_layout_are_not_tokens() -> None:
    assert whole(JAVA_A, "java").exact_hash == whole(JAVA_B, "java").exact_hash
    got = texts(JAVA_A, "java")
    assert "import" not in got and "package" not in got
    assert got[:3] == ["public", "class", "Totals"]


def test_java_renames_and_literals() -> None:
    a = whole("class A { int f(int a, int b) { int d = a + b; return d * 2; } }", "java")
    b = whole("class B { int g(int p, int q) { int s = p + q; return s * 7; } }", "java")
    c = whole("class B { int g(int p, int q) { int p = p + p; return p * 7; } }", "java")
    assert a.renamed_hash == b.renamed_hash
    assert a.exact_hash != b.exact_hash
    assert a.renamed_hash != c.renamed_hash


def test_java_keeps_called_methods_constructed_classes_and_keyword_types() -> None:
    assert normalised("class A { void f() { a.foo(x); } }", "java") != \
        normalised("class A { void f() { a.bar(x); } }", "java")
    got = normalised("class A { void f() { Object o = new java.util.ArrayList<T>(3); } }",
                     "java")
    assert "ArrayList" in got and "java" not in got and "util" not in got
    assert normalised("class A { int x; }", "java") != normalised("class A { long x; }", "java")
    # Type names that are not keywords are names like any other.
    assert normalised("class A { Foo x; }", "java") == normalised("class A { Bar x; }", "java")


def test_java_literals_by_kind() -> None:
    got = normalised(
        'class A { void f() { g("s", \'c\', 0x1F, 1.5e3, true, null, """\n  block\n  """); } }',
        "java",
    )
    assert got[got.index("g") + 2 :: 2][:7] == \
        ["$str", "$char", "$num", "$num", "$bool", "$null", "$str"]


# --- C and C++ --------------------------------------------------------------------------------


def test_c_includes_are_dropped_and_directive_spacing_is_layout() -> None:
    a = whole('#include <stdio.h>\n#include "x.h"\n#define N 10\nint n = N;\n', "c")
    b = whole("#  define N 10\nint n = N;\n", "c")
    assert a.exact_hash == b.exact_hash
    assert texts("#include <stdio.h>\nint n;\n", "c") == ["int", "n", ";"]
    # The newline that ends an `#if` condition is a leaf of its own in the grammar: layout.
    assert texts("#if X > 1\nint n;\n#endif\n", "c") == \
        ["#if", "X", ">", "1", "int", "n", ";", "#endif"]


def test_c_calls_fields_and_literals() -> None:
    got = normalised("void f(struct s *p) { p->emit(1, 'c', \"a\" \"b\", NULL, x.y); }", "c")
    assert got == ["void", "$id", "(", "struct", "$id", "*", "$id", ")", "{",
                   "$id", "->", "emit", "(", "$num", ",", "$char", ",", "$str", "$str", ",",
                   "$null", ",", "$id", ".", "$id", ")", ";", "}"]
    assert normalised("int x;", "c") != normalised("long x;", "c")
    # A call through a function pointer has no name to keep.
    assert normalised("void f() { (*fp)(2); }", "c")[5:9] == ["(", "*", "$id", ")"]


def test_c_renames_match() -> None:
    a = whole("int f(int a, int b) { int d = a + b; return d; }", "c")
    b = whole("int g(int p, int q) { int s = p + q; return s; }", "c")
    c = whole("int g(int p, int q) { int p = p + p; return p; }", "c")
    assert a.renamed_hash == b.renamed_hash != c.renamed_hash
    assert a.exact_hash != b.exact_hash


def test_cpp_using_dropped_and_qualified_calls_kept() -> None:
    got = texts("#include <vector>\nusing namespace std;\nusing std::cout;\n"
                "using V = std::vector<int>;\n", "cpp")
    assert got[0] == "using" and "namespace" not in got and "cout" not in got
    got = normalised("void f() { std::make_shared<T>(1); auto p = new Foo<int>(2); "
                     "obj->run(); }", "cpp")
    assert "make_shared" in got and "Foo" in got and "run" in got and "auto" in got
    assert "std" not in got


# --- JavaScript and TypeScript ----------------------------------------------------------------


def test_js_template_string_is_one_string_token() -> None:
    assert normalised("const t = `a${b + c}d${e}`;", "javascript") == \
        ["const", "$id", "=", "$str", ";"]
    assert whole("const t = `a${b}`;", "javascript").names.tolist() == [0, 1, 0, 0, 0]


def test_js_imports_requires_and_reexports_are_dropped() -> None:
    source = ("import x from 'y';\nimport {a, b as c} from \"z\";\n"
              "const fs = require('fs');\nconst {join} = require('path').posix;\n"
              "require('./side-effect');\nexport * from './all';\nexport { q } from './q';\n"
              "const n = 1;\n")
    assert texts(source, "javascript") == ["const", "n", "=", "1", ";"]
    # A call that merely is named `require` inside code is code.
    assert "require" in texts("const m = load() || require(name);\n", "javascript")


def test_js_calls_constructors_and_components_are_kept() -> None:
    got = normalised("obj.meth(1); new Foo.Bar(); a?.b?.(c); <Widget x={1} />;", "javascript")
    kept = {"meth", "Bar", "b", "Widget"}
    assert [t for t in got if t in kept] == ["meth", "Bar", "b", "Widget"]
    assert "obj" not in got and "Foo" not in got
    got = normalised("const e = <Panel.Body a={b}>hi {c}</Panel.Body>;", "javascript")
    assert got.count("Body") == 2 and "Panel" not in got and got.count("$str") == 1


def test_js_literals_and_renames() -> None:
    got = normalised("f('s', 2, /re+/g, true, null);", "javascript")
    assert got[2::2][:5] == ["$str", "$num", "$lit", "$bool", "$null"]
    a = whole("function f(a, b) { const d = a + b; return d; }", "javascript")
    b = whole("function g(p, q) { const s = p + q; return s; }", "javascript")
    c = whole("function g(p, q) { const p = p + p; return p; }", "javascript")
    assert a.renamed_hash == b.renamed_hash != c.renamed_hash
    assert a.exact_hash != b.exact_hash
    # Layout and comments
    d = whole("function f(a, b) {\n  // add\n  const d = a +\n    b;\n  return d;\n}\n",
              "javascript")
    assert d.exact_hash == a.exact_hash


def test_typescript_types_and_import_require() -> None:
    assert texts("import x = require('y');\nimport type { T } from './t';\nlet a = 1;\n",
                 "typescript") == ["let", "a", "=", "1", ";"]
    got = normalised("let a: string = f<Foo>(1);", "typescript")
    assert got == ["let", "$id", ":", "string", "=", "f", "<", "$id", ">", "(", "$num", ")",
                   ";"]


# --- The rest ---------------------------------------------------------------------------------


def test_other_languages_drop_their_imports() -> None:
    cases = {
        "go": ('package main\nimport (\n  "fmt"\n  x "os"\n)\nvar n = 1\n',
               ["var", "n", "=", "1"]),
        "rust": ("use std::io;\nextern crate foo;\nmod bar;\nstatic N: i32 = 1;\n",
                 ["static", "N", ":", "i32", "=", "1", ";"]),
        "csharp": ("using System;\nusing static System.Math;\nnamespace N;\n"
                   "class A { }\n", ["class", "A", "{", "}"]),
        "php": ("<?php\nnamespace App\\Models;\nuse Foo\\Bar;\nrequire_once __DIR__ . '/x.php';\n"
                "$n = 1;\n", ["<?php", "$", "n", "=", "1", ";"]),
        "ruby": ("require 'json'\nrequire_relative \"x\"\nn = 1\n", ["n", "=", "1"]),
        "bash": ("source ./lib.sh\n. other.sh\nn=1\n", ["n", "=", "1"]),
    }
    for language, (source, expected) in cases.items():
        assert texts(source, language) == expected, language


def test_other_languages_keep_called_names() -> None:
    cases = {
        "go": ("package main\nfunc f() { fmt.Println(a); p := Point{X: 1} }\n",
               {"Println", "Point"}, {"fmt", "a", "p", "X"}),
        "rust": ("fn f() { a.run(1); Foo::new(2); println!(\"x\"); S { x: 1 }; }",
                 {"run", "new", "println", "S"}, {"a", "Foo", "x"}),
        "csharp": ("class A { void F() { a.Run(1); new Foo<int>(); x?.M(); } }",
                   {"Run", "Foo", "M"}, {"a", "x"}),
        "php": ("<?php\n$o->m(1); Foo::s(2); strlen($a); new Bar(); \\App\\g();\n",
                {"m", "s", "strlen", "Bar", "g"}, {"o", "Foo", "a", "App"}),
        "ruby": ("obj.m(1)\nputs x\nFoo.new(2)\n", {"m", "puts", "new"}, {"obj", "x", "Foo"}),
        "bash": ("ls -la \"$dir\" | grep -v foo\n", {"ls", "grep"}, {"-la", "-v", "foo"}),
    }
    for language, (source, kept, blinded) in cases.items():
        got = set(normalised(source, language))
        assert kept <= got, (language, kept - got)
        assert not blinded & got, (language, blinded & got)


def test_interpolated_strings_are_one_token_in_every_language() -> None:
    cases = {
        "csharp": 'class A { string s = $"x{y + 1}z"; }',
        "ruby": 's = "x#{y + 1}z"\n',
        "php": '<?php\n$s = "x{$y}z";\n',
        "bash": 's="x ${y} $(z)"\n',
        "java": 'class A { String s = "x\\n"; }',
    }
    for language, source in cases.items():
        got = normalised(source, language)
        assert got.count("$str") == 1, (language, got)
        assert "y" not in got and "z" not in got, (language, got)
