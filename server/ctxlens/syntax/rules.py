"""Per-language tables: which tree-sitter node types are units, which only qualify names,
and which are walked to reach them.

Node type names are the grammars' own (check with `str(tree.root_node)` on a snippet);
`extract.compile_rules` rejects any name a grammar does not have, so a typo fails the tests
rather than silently finding nothing.

Naming: a unit's name is its enclosing units' and scopes' names joined with "." and then its
own, in every language (`ns.A.f` for C++ `ns::A::f`, `M.C.m` for Ruby `M::C#m`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from tree_sitter import Node

# (qualifier, name): the qualifier is written in the definition itself, not inherited from
# an enclosing node (Go receiver `Server`, C++ `A` in `void A::f()`); "" when there is none.
# None: this node is not a unit after all (anonymous, a declaration without a body, ...).
UnitName = tuple[str, str] | None
NameFn = Callable[[Node, bytes], UnitName]
# A scope's qualifier ("ns", "Foo"), or None for a scope that adds nothing to names.
ScopeFn = Callable[[Node, bytes], str | None]


@dataclass(frozen=True, slots=True)
class LanguageRules:
    """How one grammar's tree maps to units. Every field is a plain table of node types."""

    # Function-like units; each becomes "function", "method" or "constructor" by context.
    functions: frozenset[str]
    classes: frozenset[str] = frozenset()
    # Containers walked to reach units (allowlist). Units, scopes and wrappers are walked
    # anyway; ERROR nodes always are, so units survive a syntax error.
    descend: frozenset[str] = frozenset()
    # When set, walk every named node except these instead: for languages whose functions
    # may sit inside any expression (JS callbacks, Ruby `private def`).
    skip: frozenset[str] | None = None
    # Byte strings one of which is in every container that holds a unit (`def` for Ruby).
    # Containers with none are not entered: a scan in C instead of a Python visit per
    # statement or expression. They may match too much, never too little.
    unit_hints: tuple[bytes, ...] = ()
    # A regex tried when no hint string is found (JS object-literal methods).
    unit_hint_regex: bytes | None = None
    # Qualify the names inside but are not units: type -> whether definitions directly
    # inside are methods (Rust impl: yes; C++ namespace: no).
    scopes: Mapping[str, bool] = field(default_factory=dict)
    # Syntax around a definition that belongs to it (decorators, `export`, `template<>`,
    # `const f = ...;`): type -> only when it has exactly one named child. The wrapped
    # definition is the wrapper's last named child and takes the wrapper's range.
    wrappers: Mapping[str, bool] = field(default_factory=dict)
    # Bindings whose value makes them a unit (`const f = () => {}`): type -> (name field,
    # value field). A name field of None names the unit "default" (`export default ...`).
    named_values: Mapping[str, tuple[str | None, str]] = field(default_factory=dict)
    # Value node type -> "function", "class", or "scope" (an object literal: its methods
    # are qualified by the binding's name).
    value_kinds: Mapping[str, str] = field(default_factory=dict)
    # Siblings just before a unit that belong to it (Rust `#[test]`).
    prefixes: frozenset[str] = frozenset()
    method_types: frozenset[str] = frozenset()  # always methods, wherever they sit
    constructor_types: frozenset[str] = frozenset()
    constructor_names: frozenset[str] = frozenset()  # a method with this name constructs
    constructor_is_class_name: bool = False  # C++: `A::A()`
    # Not units without a `body` field: abstract/interface methods, forward declarations.
    needs_body: frozenset[str] = frozenset()
    # Units that take a `;` written right after them (C++ `class A {...};`), which would
    # otherwise be left alone in the module unit.
    semicolon_ends: frozenset[str] = frozenset()
    names: Mapping[str, NameFn] = field(default_factory=dict)  # default: the "name" field
    scope_names: Mapping[str, ScopeFn] = field(default_factory=dict)


def first_named_child(node: Node) -> Node | None:
    return node.named_child(0) if node.named_child_count else None


def text(data: bytes, node: Node) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")


def dotted(data: bytes, node: Node) -> str:
    """A qualified name as written (`A::B`, `a.b`), joined with "." instead; whitespace
    inside (a C++ specialization's arguments across lines) becomes one space."""
    raw = data[node.start_byte : node.end_byte]
    if b"::" in raw:
        raw = raw.replace(b"::", b".")
    words = raw.split()
    if len(words) > 1:
        raw = b" ".join(words)
    return raw.decode("utf-8", errors="replace")


def name_text(data: bytes, node: Node) -> str:
    # A leaf is one identifier token: no `::` or whitespace to normalise.
    return text(data, node) if node.child_count == 0 else dotted(data, node)


def field_name(node: Node, data: bytes) -> UnitName:
    name = node.child_by_field_name("name")
    return None if name is None else ("", name_text(data, name))


def scope_field_name(node: Node, data: bytes) -> str | None:
    name = node.child_by_field_name("name")
    return None if name is None else name_text(data, name)


def _no_qualifier(node: Node, data: bytes) -> str | None:
    return None


# --- C and C++ ------------------------------------------------------------------------------

# Where a declarator chain ends in the function's own name.
_C_NAME_LEAVES = frozenset(
    {"identifier", "field_identifier", "destructor_name", "operator_name", "type_identifier"}
)


def _cpp_scope_part(data: bytes, node: Node) -> str:
    if node.type == "template_type":  # `A<T>::f`: the class is A
        name = node.child_by_field_name("name")
        if name is not None:
            return text(data, name)
    return dotted(data, node)


def _cpp_qualified(data: bytes, node: Node) -> UnitName:
    parts: list[str] = []
    current: Node | None = node
    while current is not None and current.type == "qualified_identifier":
        scope = current.child_by_field_name("scope")
        if scope is not None:  # absent for a global `::f`
            parts.append(_cpp_scope_part(data, scope))
        current = current.child_by_field_name("name")
    if current is None:
        return None
    return ".".join(parts), _cpp_last_name(data, current)


def _cpp_last_name(data: bytes, node: Node) -> str:
    kind = node.type
    if kind == "template_function":  # `f<int>`: the function is f
        name = node.child_by_field_name("name")
        return text(data, node if name is None else name)
    if kind == "operator_cast":  # `operator bool() const`: keep only `operator bool`
        target = node.child_by_field_name("type")
        return "operator " + ("" if target is None else dotted(data, target))
    return text(data, node)


def c_function_name(node: Node, data: bytes) -> UnitName:
    """The name inside a C/C++ declarator chain: `int *(*f)(void)`, `A::f`, `operator<<`."""
    current = node.child_by_field_name("declarator")
    while current is not None:
        kind = current.type
        if kind in _C_NAME_LEAVES:
            return "", text(data, current)
        if kind == "qualified_identifier":
            return _cpp_qualified(data, current)
        if kind in ("template_function", "operator_cast"):
            return "", _cpp_last_name(data, current)
        # pointer/reference/parenthesized/attributed/function declarators all wrap one
        # inner declarator; the parenthesized one has no field for it.
        inner = current.child_by_field_name("declarator")
        current = inner if inner is not None else first_named_child(current)
    return None


# --- Go -------------------------------------------------------------------------------------


def _go_type_name(data: bytes, node: Node) -> str:
    while node.type in ("pointer_type", "generic_type", "parenthesized_type"):
        inner = node.child_by_field_name("type") or first_named_child(node)
        if inner is None:
            break
        node = inner
    return text(data, node)


def go_method_name(node: Node, data: bytes) -> UnitName:
    """`func (s *Server[T]) Run()` -> ("Server", "Run")."""
    name = node.child_by_field_name("name")
    if name is None:
        return None
    receiver = node.child_by_field_name("receiver")
    param = None if receiver is None else first_named_child(receiver)
    rtype = None if param is None else param.child_by_field_name("type")
    return ("" if rtype is None else _go_type_name(data, rtype)), text(data, name)


def go_struct_name(node: Node, data: bytes) -> UnitName:
    """A `type_spec` is a class only when it declares a struct."""
    body = node.child_by_field_name("type")
    if body is None or body.type != "struct_type":
        return None
    return field_name(node, data)


# --- Rust -----------------------------------------------------------------------------------


def rust_impl_name(node: Node, data: bytes) -> str | None:
    """`impl<T> Trait for &a::Foo<T>` -> "Foo": methods are qualified by the type."""
    current = node.child_by_field_name("type")
    while current is not None:
        kind = current.type
        if kind in ("type_identifier", "primitive_type"):
            return text(data, current)
        if kind == "scoped_type_identifier":
            current = current.child_by_field_name("name")
        elif kind in ("generic_type", "reference_type", "pointer_type"):
            current = current.child_by_field_name("type")
        else:  # `impl Trait for [T]`, `for dyn Foo`: the type as written
            return dotted(data, current)
    return None


# --- C# -------------------------------------------------------------------------------------


def csharp_destructor_name(node: Node, data: bytes) -> UnitName:
    name = node.child_by_field_name("name")
    return None if name is None else ("", "~" + text(data, name))


# --- JavaScript / TypeScript ----------------------------------------------------------------


def ts_module_name(node: Node, data: bytes) -> str | None:
    """`namespace A.B {}` qualifies as "A.B"; `module "x" {}` adds nothing."""
    name = node.child_by_field_name("name")
    if name is None or name.type == "string":
        return None
    return dotted(data, name)


# --- The tables -----------------------------------------------------------------------------

PYTHON = LanguageRules(
    functions=frozenset({"function_definition"}),
    classes=frozenset({"class_definition"}),
    descend=frozenset(
        {
            "module", "block", "if_statement", "elif_clause", "else_clause", "for_statement",
            "while_statement", "try_statement", "except_clause", "finally_clause",
            "with_statement", "match_statement", "case_clause",
        }
    ),
    wrappers={"decorated_definition": False},
    unit_hints=(b"def", b"class"),
    constructor_names=frozenset({"__init__"}),
)

# Types that hold no function in practice: leaves and type syntax. Skipping them is only a
# speed-up in the denylist walk; a leaf left out costs one wasted visit.
_JS_SKIP = frozenset(
    {
        "comment", "identifier", "property_identifier", "private_property_identifier",
        "shorthand_property_identifier", "shorthand_property_identifier_pattern",
        "statement_identifier", "string", "string_fragment", "escape_sequence",
        "template_string", "regex", "number", "this", "super", "true", "false", "null",
        "undefined", "formal_parameters", "import_statement", "hash_bang_line",
    }
)

_JS_NAMED_VALUES: dict[str, tuple[str | None, str]] = {
    "variable_declarator": ("name", "value"),
    "assignment_expression": ("left", "right"),  # `Foo.prototype.bar = function () {}`
    "pair": ("key", "value"),
    "export_statement": (None, "value"),  # `export default function () {}`
}

_JS_VALUE_KINDS = {
    "function_expression": "function",
    "arrow_function": "function",
    "generator_function": "function",
    "class": "class",
    "object": "scope",
}

# Every unit holds `function`, `=>` or `class`, or is a method, whose parameter list
# closes right before its body (`m() {`, TS `m(): T {`). One regex pass measured faster
# here than three `find`s and a regex.
_JS_HINT_REGEX = rb"function|=>|class|\)\s*[{:]"

JAVASCRIPT = LanguageRules(
    functions=frozenset({"function_declaration", "generator_function_declaration",
                         "method_definition"}),
    classes=frozenset({"class_declaration"}),
    skip=_JS_SKIP,
    unit_hint_regex=_JS_HINT_REGEX,
    prefixes=frozenset({"decorator"}),  # a method's decorators are its siblings
    # A bare object literal: its shorthand methods are methods, with no qualifier.
    scopes={"object": True},
    scope_names={"object": _no_qualifier},
    wrappers={
        "export_statement": False,
        "lexical_declaration": True,
        "variable_declaration": True,
        "expression_statement": True,
    },
    named_values={**_JS_NAMED_VALUES, "field_definition": ("property", "value")},
    value_kinds=_JS_VALUE_KINDS,
    constructor_names=frozenset({"constructor"}),
)

_TS_TYPE_SYNTAX = frozenset(
    {
        "type_annotation", "type_arguments", "type_parameters", "predefined_type",
        "type_identifier", "interface_declaration", "type_alias_declaration",
        "enum_declaration", "ambient_declaration", "function_signature", "method_signature",
        "abstract_method_signature", "index_signature", "property_signature",
        "accessibility_modifier", "override_modifier", "asserts_annotation",
    }
)

TYPESCRIPT = LanguageRules(
    functions=JAVASCRIPT.functions,
    classes=frozenset({"class_declaration", "abstract_class_declaration"}),
    skip=_JS_SKIP | _TS_TYPE_SYNTAX,
    unit_hint_regex=_JS_HINT_REGEX,
    prefixes=JAVASCRIPT.prefixes,
    scopes={"object": True, "internal_module": False, "module": False},
    scope_names={"object": _no_qualifier, "internal_module": ts_module_name,
                 "module": ts_module_name},
    wrappers=JAVASCRIPT.wrappers,
    named_values={**_JS_NAMED_VALUES, "public_field_definition": ("name", "value")},
    value_kinds=_JS_VALUE_KINDS,
    constructor_names=JAVASCRIPT.constructor_names,
)

JAVA = LanguageRules(
    functions=frozenset({"method_declaration", "constructor_declaration",
                         "compact_constructor_declaration"}),
    classes=frozenset({"class_declaration", "interface_declaration", "enum_declaration",
                       "record_declaration"}),
    # Method bodies only to their statements: a local class sits there; anonymous classes
    # deep in expressions stay part of their method.
    descend=frozenset({"program", "class_body", "interface_body", "enum_body",
                       "enum_body_declarations", "block", "constructor_body"}),
    method_types=frozenset({"method_declaration"}),
    constructor_types=frozenset({"constructor_declaration", "compact_constructor_declaration"}),
    needs_body=frozenset({"method_declaration"}),
)

CSHARP = LanguageRules(
    functions=frozenset({"method_declaration", "constructor_declaration",
                         "destructor_declaration", "local_function_statement"}),
    classes=frozenset({"class_declaration", "struct_declaration", "interface_declaration",
                       "record_declaration"}),
    descend=frozenset({"compilation_unit", "namespace_declaration", "declaration_list",
                       "block"}),
    method_types=frozenset({"method_declaration", "destructor_declaration"}),
    constructor_types=frozenset({"constructor_declaration"}),
    needs_body=frozenset({"method_declaration"}),
    names={"destructor_declaration": csharp_destructor_name},
)

_C_DESCEND = frozenset(
    {
        "translation_unit", "preproc_if", "preproc_ifdef", "preproc_else", "preproc_elif",
        "preproc_elifdef", "linkage_specification", "declaration_list",
    }
)

C = LanguageRules(
    functions=frozenset({"function_definition"}),
    descend=_C_DESCEND,
    names={"function_definition": c_function_name},
)

CPP = LanguageRules(
    functions=frozenset({"function_definition"}),
    classes=frozenset({"class_specifier", "struct_specifier"}),
    descend=_C_DESCEND | {"field_declaration_list", "friend_declaration"},
    scopes={"namespace_definition": False},  # `namespace a::b {`: "a.b"; anonymous: nothing
    # `struct In {...};` inside a class is a field_declaration holding only the struct.
    wrappers={"template_declaration": False, "field_declaration": True, "declaration": True},
    constructor_is_class_name=True,
    # `A() = default;` and `class A;` declare, they do not define.
    needs_body=frozenset({"function_definition", "class_specifier", "struct_specifier"}),
    semicolon_ends=frozenset({"class_specifier", "struct_specifier"}),
    names={"function_definition": c_function_name},
)

GO = LanguageRules(
    functions=frozenset({"function_declaration", "method_declaration"}),
    classes=frozenset({"type_spec"}),
    descend=frozenset({"source_file"}),
    wrappers={"type_declaration": True},
    method_types=frozenset({"method_declaration"}),
    names={"method_declaration": go_method_name, "type_spec": go_struct_name},
)

RUST = LanguageRules(
    functions=frozenset({"function_item"}),
    descend=frozenset({"source_file", "declaration_list", "block"}),
    unit_hints=(b"fn",),
    scopes={"impl_item": True, "trait_item": True, "mod_item": False},
    scope_names={"impl_item": rust_impl_name},
    prefixes=frozenset({"attribute_item"}),
)

PHP = LanguageRules(
    functions=frozenset({"function_definition", "method_declaration"}),
    classes=frozenset({"class_declaration", "interface_declaration", "trait_declaration",
                       "enum_declaration"}),
    # Function bodies and `if` blocks: `if (!function_exists('f')) { function f() {} }`.
    descend=frozenset({"program", "namespace_definition", "compound_statement",
                       "declaration_list", "enum_declaration_list", "if_statement",
                       "else_clause", "else_if_clause", "colon_block"}),
    # PHP keywords ignore case; a scan per spelling beats a case-blind regex several times.
    unit_hints=tuple(
        spelling
        for word in (b"function", b"class", b"interface", b"trait", b"enum")
        for spelling in (word, word.upper(), word.capitalize())
    ),
    method_types=frozenset({"method_declaration"}),
    constructor_names=frozenset({"__construct"}),
    needs_body=frozenset({"method_declaration"}),
)

RUBY = LanguageRules(
    functions=frozenset({"method", "singleton_method"}),
    classes=frozenset({"class"}),
    # `private def x`, `included do ... end`, RSpec blocks: defs sit inside calls.
    skip=frozenset(
        {
            "comment", "identifier", "constant", "string", "string_content",
            "escape_sequence", "heredoc_body", "heredoc_beginning", "integer", "float",
            "simple_symbol", "delimited_symbol", "instance_variable", "class_variable",
            "global_variable", "regex", "self", "nil", "true", "false",
            "method_parameters", "superclass", "scope_resolution",
        }
    ),
    unit_hints=(b"def", b"class", b"module"),
    scopes={"module": True, "singleton_class": True},
    scope_names={"singleton_class": _no_qualifier},
    method_types=frozenset({"singleton_method"}),
    constructor_names=frozenset({"initialize"}),
)

BASH = LanguageRules(
    functions=frozenset({"function_definition"}),
    descend=frozenset(
        {
            "program", "compound_statement", "if_statement", "elif_clause", "else_clause",
            "while_statement", "for_statement", "c_style_for_statement", "do_group",
            "case_statement", "case_item", "subshell", "redirected_statement", "list",
        }
    ),
    unit_hints=(b"function",),
    unit_hint_regex=rb"\(\s*\)",  # `f()`, `f ( )`
)

RULES: dict[str, LanguageRules] = {
    "python": PYTHON,
    "javascript": JAVASCRIPT,
    "typescript": TYPESCRIPT,
    "tsx": TYPESCRIPT,
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
