"""Per-language tables for normalising tree-sitter leaves into clone-detection tokens.

Node type names are the grammars' own (check with `str(tree.root_node)` on a snippet).
`check_lexicon` rejects any node type or field a grammar does not have, and the tests run it
for every language, so a typo fails there instead of silently keeping a comment or blinding
nothing.

What the tables decide, and what `normalize.lex_file` does with it:

- `comments`: dropped with everything inside (Rust doc comments have children).
- `literals`: node type -> `streams` literal constant. The node becomes ONE token and is not
  entered: an f-string, template string or interpolated string with code inside is one
  `$str`, so an edit inside a string is a literal change, never a structural one.
- `identifiers`: leaves blinded to `$id` (variables, fields, properties, type names that are
  not keywords). Built-in types that are keywords (`int`, `void`, TS `string`) are anonymous
  leaves or unlisted named leaves and stay verbatim.
- `layout`: named nodes that are only layout or inert markup (Python's `\\` line
  continuation, C# `#region`): dropped.
- `excluded`: import/package/using/include statements: dropped with everything inside,
  because identical import blocks are the most common false duplicate.
- `excluded_if`: node type -> regex the node's whole text must match to be dropped, for
  imports that are ordinary syntax (`const x = require('x');`, Ruby `require 'x'`).
- `calls` and `callee_paths`: how to reach the called name of a call. `calls` maps a call
  node type to the field (or `FIRST_CHILD`/`LAST_CHILD`) holding the callee expression;
  from there `callee_paths` is followed (`obj.method` -> `method`, `ns::f<T>` -> `f`) until
  an identifier is reached, which keeps its own text instead of `$id`.

Every other leaf is kept: keywords, operators and punctuation (coded by their grammar name),
and unlisted named leaves such as `this`, `auto` or C `primitive_type` (by their text).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ctxlens.clones.streams import BOOLEAN, CHAR, NULL, NUMBER, OTHER_LITERAL, STRING
from ctxlens.syntax.grammars import get_language

# Where a node has no field for the child we need: its first or last named child.
FIRST_CHILD = "<first>"
LAST_CHILD = "<last>"

# The inline marker that keeps a unit out of clone reports (issue 3, item 6).
SUPPRESSION_MARKER = b"ctxlens: ignore-duplicate"

LITERAL_KINDS: tuple[str, ...] = (STRING, NUMBER, CHAR, BOOLEAN, NULL, OTHER_LITERAL)


@dataclass(frozen=True, slots=True)
class Lexicon:
    """One grammar's leaves and statements, as clone detection sees them."""

    comments: frozenset[str]
    identifiers: frozenset[str]
    literals: Mapping[str, str]  # node type -> one of LITERAL_KINDS
    layout: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()
    excluded_if: Mapping[str, bytes] = field(default_factory=dict)
    calls: Mapping[str, str] = field(default_factory=dict)
    callee_paths: Mapping[str, str] = field(default_factory=dict)


def _literals(**kinds: tuple[str, ...]) -> dict[str, str]:
    constants = {"string": STRING, "number": NUMBER, "char": CHAR, "boolean": BOOLEAN,
                 "null": NULL, "other": OTHER_LITERAL}
    return {name: constants[kind] for kind, names in kinds.items() for name in names}


# --- Python ----------------------------------------------------------------------------------

PYTHON = Lexicon(
    comments=frozenset({"comment"}),
    identifiers=frozenset({"identifier"}),
    # `concatenated_string` is entered: each part is its own `$str`, so the line breaks and
    # indentation between the parts stay outside every token. Docstrings are strings, not
    # comments: editing one is a literal change (Type-2), as in the clone literature.
    literals=_literals(string=("string",), number=("integer", "float"),
                       boolean=("true", "false"), null=("none",)),
    layout=frozenset({"line_continuation"}),
    excluded=frozenset({"import_statement", "import_from_statement", "future_import_statement"}),
    calls={"call": "function"},
    callee_paths={"attribute": "attribute"},
)

# --- JavaScript / TypeScript -----------------------------------------------------------------

_JS_QUOTED = rb"""(?:'[^'\n]*'|"[^"\n]*"|`[^`]*`)"""
_JS_EXCLUDED_IF: dict[str, bytes] = {
    # `const x = require('x');`, `const {a, b} = require('x').y;`
    "lexical_declaration": rb"(?:const|let|var)\s+[^=;]+?=\s*require\s*\(\s*" + _JS_QUOTED
    + rb"\s*\)(?:\s*\.\s*[\w$]+)*\s*;?",
    "variable_declaration": rb"var\s+[^=;]+?=\s*require\s*\(\s*" + _JS_QUOTED
    + rb"\s*\)(?:\s*\.\s*[\w$]+)*\s*;?",
    "expression_statement": rb"require\s*\(\s*" + _JS_QUOTED + rb"\s*\)\s*;?",
    # Re-exports are imports too: `export * from './x';`, `export { a } from './a';`
    "export_statement": rb"export\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*"
    + _JS_QUOTED + rb"\s*;?",
}

_JS_IDENTIFIERS = frozenset(
    {
        "identifier", "property_identifier", "private_property_identifier",
        "shorthand_property_identifier", "shorthand_property_identifier_pattern",
        "statement_identifier",
    }
)

_JS_LITERALS = _literals(
    string=("string", "template_string"), number=("number",), boolean=("true", "false"),
    null=("null",), other=("regex",),
)

# JSX text is markup content: a changed label is a literal change.
_JSX_LITERALS = _literals(string=("jsx_text", "html_character_reference"))

_JS_CALLS = {
    "call_expression": "function",
    "new_expression": "constructor",
    # A component in markup is a call of that component.
    "jsx_opening_element": "name",
    "jsx_closing_element": "name",
    "jsx_self_closing_element": "name",
}

JAVASCRIPT = Lexicon(
    comments=frozenset({"comment", "html_comment", "hash_bang_line"}),
    identifiers=_JS_IDENTIFIERS,
    literals={**_JS_LITERALS, **_JSX_LITERALS},
    excluded=frozenset({"import_statement"}),
    excluded_if=_JS_EXCLUDED_IF,
    calls=_JS_CALLS,
    callee_paths={"member_expression": "property"},
)

TYPESCRIPT = Lexicon(
    comments=JAVASCRIPT.comments,
    identifiers=_JS_IDENTIFIERS | {"type_identifier"},
    literals=_JS_LITERALS,
    # `import x = require('y')` is an import_statement; `import A = B.C` an import_alias.
    excluded=frozenset({"import_statement", "import_alias"}),
    excluded_if=_JS_EXCLUDED_IF,
    calls={"call_expression": "function", "new_expression": "constructor"},
    callee_paths={"member_expression": "property"},
)

TSX = Lexicon(
    comments=TYPESCRIPT.comments,
    identifiers=TYPESCRIPT.identifiers,
    literals={**_JS_LITERALS, **_JSX_LITERALS},
    excluded=TYPESCRIPT.excluded,
    excluded_if=_JS_EXCLUDED_IF,
    calls=_JS_CALLS,
    callee_paths=TYPESCRIPT.callee_paths,
)

# --- Java / C# -------------------------------------------------------------------------------

JAVA = Lexicon(
    comments=frozenset({"line_comment", "block_comment"}),
    identifiers=frozenset({"identifier", "type_identifier"}),
    literals=_literals(
        string=("string_literal",),  # text blocks and string templates included
        char=("character_literal",),
        number=("decimal_integer_literal", "hex_integer_literal", "octal_integer_literal",
                "binary_integer_literal", "decimal_floating_point_literal",
                "hex_floating_point_literal"),
        boolean=("true", "false"),
        null=("null_literal",),
    ),
    excluded=frozenset({"import_declaration", "package_declaration"}),
    calls={"method_invocation": "name", "object_creation_expression": "type"},
    # `new Foo<T>()` -> Foo, `new a.B()` -> B
    callee_paths={"generic_type": FIRST_CHILD, "scoped_type_identifier": LAST_CHILD},
)

CSHARP = Lexicon(
    comments=frozenset({"comment"}),
    identifiers=frozenset({"identifier", "implicit_parameter"}),  # `x` in `x => x + 1`
    literals=_literals(
        string=("string_literal", "verbatim_string_literal", "raw_string_literal",
                "interpolated_string_expression"),
        char=("character_literal",),
        number=("integer_literal", "real_literal"),
        boolean=("boolean_literal",),
        null=("null_literal",),
    ),
    layout=frozenset({"preproc_region", "preproc_endregion"}),
    excluded=frozenset({"using_directive", "extern_alias_directive"}),
    # `namespace A.B;` is C#'s package line; a block namespace holds code and stays.
    excluded_if={"file_scoped_namespace_declaration": rb"namespace\s+[\w.@]+\s*;"},
    calls={"invocation_expression": "function", "object_creation_expression": "type"},
    callee_paths={
        "member_access_expression": "name",
        "member_binding_expression": "name",
        "conditional_access_expression": LAST_CHILD,  # `x?.M()`
        "generic_name": FIRST_CHILD,
        "qualified_name": "name",
    },
)

# --- C / C++ ---------------------------------------------------------------------------------

_C_LITERALS = _literals(
    string=("string_literal", "system_lib_string"),
    char=("char_literal",),
    number=("number_literal",),
    boolean=("true", "false"),
    null=("null",),
    # A macro body is unparsed text: compared as one literal, exactly for Type-1.
    other=("preproc_arg",),
)

C = Lexicon(
    comments=frozenset({"comment"}),
    identifiers=frozenset({"identifier", "field_identifier", "type_identifier",
                           "statement_identifier"}),
    literals=_C_LITERALS,
    excluded=frozenset({"preproc_include"}),
    calls={"call_expression": "function"},
    callee_paths={"field_expression": "field"},  # `p->f(x)`, `s.f(x)`
)

CPP = Lexicon(
    comments=C.comments,
    identifiers=C.identifiers | {"namespace_identifier"},
    literals={**_C_LITERALS,
              **_literals(string=("raw_string_literal",), other=("user_defined_literal",))},
    # `using namespace std;` and `using std::cout;` import; `using V = T;` (alias) stays.
    excluded=frozenset({"preproc_include", "using_declaration"}),
    calls={"call_expression": "function", "new_expression": "type"},
    callee_paths={
        "field_expression": "field",
        "qualified_identifier": "name",  # `std::make_shared<T>(...)`
        "template_function": "name",
        "template_method": "name",
        "template_type": "name",  # `new Foo<int>(...)`
    },
)

# --- Go / Rust -------------------------------------------------------------------------------

GO = Lexicon(
    comments=frozenset({"comment"}),
    identifiers=frozenset({"identifier", "field_identifier", "type_identifier",
                           "package_identifier", "label_name"}),
    literals=_literals(
        string=("interpreted_string_literal", "raw_string_literal"),
        char=("rune_literal",),
        number=("int_literal", "float_literal", "imaginary_literal"),
        boolean=("true", "false"),
        null=("nil",),
    ),
    excluded=frozenset({"import_declaration", "package_clause"}),
    # A composite literal `Point{...}` constructs its type, like `new Point(...)`.
    calls={"call_expression": "function", "composite_literal": "type"},
    callee_paths={
        "selector_expression": "field",  # `fmt.Println`
        "qualified_type": "name",
        "generic_type": "type",
        "index_expression": "operand",  # `f[int](x)`
    },
)

RUST = Lexicon(
    comments=frozenset({"line_comment", "block_comment"}),
    identifiers=frozenset({"identifier", "field_identifier", "type_identifier",
                           "shorthand_field_identifier", "metavariable"}),
    literals=_literals(
        string=("string_literal", "raw_string_literal"),
        char=("char_literal",),
        number=("integer_literal", "float_literal"),
        boolean=("boolean_literal",),
    ),
    excluded=frozenset({"use_declaration", "extern_crate_declaration"}),
    # `mod foo;` pulls in a file, like an include; `mod foo { ... }` holds code.
    excluded_if={"mod_item": rb"(?:pub(?:\s*\([^)]*\))?\s+)?mod\s+\w+\s*;"},
    calls={"call_expression": "function", "macro_invocation": "macro",
           "struct_expression": "name"},
    callee_paths={
        "field_expression": "field",  # `a.b(x)`
        "scoped_identifier": "name",  # `Foo::new(x)`
        "generic_function": "function",  # `g::<T>(x)`
        "scoped_type_identifier": "name",
        "generic_type": "type",
    },
)

# --- PHP / Ruby / Bash -----------------------------------------------------------------------

PHP = Lexicon(
    comments=frozenset({"comment"}),
    identifiers=frozenset({"name"}),  # `$x` is `$` + name: the `$` stays
    literals=_literals(
        string=("string", "encapsed_string", "heredoc", "nowdoc", "shell_command_expression",
                "text"),  # `text`: inline HTML outside `<?php ?>`
        number=("integer", "float"),
        boolean=("boolean",),
        null=("null",),
    ),
    excluded=frozenset({"namespace_use_declaration"}),
    excluded_if={
        "namespace_definition": rb"(?i:namespace)\s+[\w\\]+\s*;",
        "expression_statement": rb"(?i:(?:require|include)(?:_once)?)\b[^;]*;",
    },
    calls={
        "function_call_expression": "function",
        "member_call_expression": "name",
        "nullsafe_member_call_expression": "name",
        "scoped_call_expression": "name",
        "object_creation_expression": FIRST_CHILD,
    },
    callee_paths={"qualified_name": LAST_CHILD},  # `\App\g()`: the name has no field
)

RUBY = Lexicon(
    comments=frozenset({"comment"}),
    identifiers=frozenset({"identifier", "constant", "instance_variable", "class_variable",
                           "global_variable", "hash_key_symbol"}),
    literals=_literals(
        # A heredoc is two nodes: its opener where it is used, its body after the line.
        string=("string", "bare_string", "subshell", "heredoc_beginning", "heredoc_body",
                "string_array", "symbol_array"),
        char=("character",),
        number=("integer", "float", "complex", "rational"),
        boolean=("true", "false"),
        null=("nil",),
        other=("regex", "simple_symbol", "delimited_symbol", "bare_symbol"),
    ),
    layout=frozenset({"uninterpreted"}),  # data after `__END__`
    excluded_if={"call": rb"(?:require(?:_relative)?|load)\s*\(?\s*(?:'[^'\n]*'|\"[^\"\n]*\")"
                         rb"\s*\)?"},
    calls={"call": "method"},
)

BASH = Lexicon(
    comments=frozenset({"comment"}),
    # Unquoted words are names as often as strings (commands, flags, paths); blinding them
    # keeps `cp a b` == `cp x y` but `cp a a` != `cp a b`. Command names are calls, kept.
    identifiers=frozenset({"variable_name", "word"}),
    literals=_literals(
        string=("string", "raw_string", "ansi_c_string", "translated_string", "heredoc_body"),
        number=("number",),
        # A heredoc's delimiter word is arbitrary, like a string's quotes.
        other=("regex", "extglob_pattern", "heredoc_start", "heredoc_end"),
    ),
    excluded_if={"command": rb"(?:source|\.)[ \t]+[^\s;&|]+"},
    calls={"command": "name"},
    callee_paths={"command_name": FIRST_CHILD},
)

LEXICONS: dict[str, Lexicon] = {
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "typescript": TYPESCRIPT,
    "tsx": TSX,
    "java": JAVA,
    "c": C,
    "cpp": CPP,
    "csharp": CSHARP,
    "go": GO,
    "rust": RUST,
    "php": PHP,
    "ruby": RUBY,
    "bash": BASH,
}

# --- Languages without a grammar -------------------------------------------------------------

# Words kept verbatim by the fallback lexer: the keywords shared by most C-family, scripting
# and config languages. Without them every `if` and `return` would blind to `$id` and unlike
# code would match.
FALLBACK_KEYWORDS: frozenset[bytes] = frozenset(
    b"""
    if else elif elsif for foreach while do loop until switch case default when match break
    continue return yield goto throw throws try catch except finally raise with as in is not
    and or new delete function func fun fn def lambda class struct enum interface trait impl
    object module package import export from use using namespace extends implements override
    public private protected internal static final const let var val mut abstract virtual
    async await void int long short float double char bool boolean string byte unsigned
    signed self this super then end begin select where group order by insert update set
    values create table
    """.split()
)
FALLBACK_LITERALS: dict[bytes, str] = {
    b"true": BOOLEAN, b"false": BOOLEAN, b"True": BOOLEAN, b"False": BOOLEAN,
    b"TRUE": BOOLEAN, b"FALSE": BOOLEAN,
    b"null": NULL, b"nil": NULL, b"None": NULL, b"NULL": NULL, b"undefined": NULL,
}


# --- Validation ------------------------------------------------------------------------------


def type_names(lexicon: Lexicon) -> set[str]:
    """Every node type a lexicon names."""
    names: set[str] = set()
    for table in (lexicon.comments, lexicon.identifiers, lexicon.literals, lexicon.layout,
                  lexicon.excluded, lexicon.excluded_if, lexicon.calls, lexicon.callee_paths):
        names.update(table)
    return names


def field_names(lexicon: Lexicon) -> set[str]:
    """Every field a lexicon follows (FIRST_CHILD/LAST_CHILD are not fields)."""
    steps = {*lexicon.calls.values(), *lexicon.callee_paths.values()}
    return steps - {FIRST_CHILD, LAST_CHILD}


def check_lexicon(language: str) -> None:
    """ValueError naming every node type, field or regex of `LEXICONS[language]` that its
    grammar does not have (or that does not compile)."""
    lexicon = LEXICONS[language]
    lang = get_language(language)
    known = {
        lang.node_kind_for_id(kind_id)
        for kind_id in range(lang.node_kind_count)
        if lang.node_kind_is_named(kind_id) and lang.node_kind_is_visible(kind_id)
    }
    problems = [f"node type {name!r}" for name in sorted(type_names(lexicon) - known)]
    problems += [f"field {name!r}" for name in sorted(field_names(lexicon))
                 if lang.field_id_for_name(name) is None]
    literal_kinds = set(lexicon.literals.values()) - set(LITERAL_KINDS)
    problems += [f"literal kind {kind!r}" for kind in sorted(literal_kinds)]
    for name, pattern in lexicon.excluded_if.items():
        try:
            re.compile(pattern)
        except re.error as exc:
            problems.append(f"regex for {name!r}: {exc}")
    if problems:
        raise ValueError(f"{language}: grammar mismatch: {', '.join(problems)}")
