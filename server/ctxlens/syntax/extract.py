"""Units from a file's bytes: tree-sitter for `PARSED_LANGUAGES`, line windows otherwise.

The walk visits only node types that can hold a unit (see `rules.py`), through an explicit
stack so deeply nested expressions cannot hit Python's recursion limit. It touches node
kinds as integers and decodes nothing but the identifiers that become names.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from tree_sitter import Language, Node, Tree

from ctxlens.syntax.grammars import get_language, get_parser
from ctxlens.syntax.rules import RULES, LanguageRules, field_name, scope_field_name, text
from ctxlens.syntax.units import ParseResult, UnitSpan
from ctxlens.workspace.languages import PARSED_LANGUAGES

MODULE_NAME = "<module>"
DEFAULT_WINDOW_LINES = 100

# What the walk does with a node, by kind id. Above _PREFIX: containers, which the unit hint
# may prune.
_SKIP, _FUNCTION, _CLASS, _PREFIX, _DESCEND, _NAMED_VALUE, _SCOPE, _WRAPPER = range(8)
# tree-sitter's ERROR symbol: (TSSymbol)-1, the same in every grammar.
_ERROR_KIND_ID = 0xFFFF

# The range a unit takes when more than its own node belongs to it: (first, last) nodes.
_Outer = tuple[Node, Node]
# node, action, parent unit index, name prefix ("A.B." or ""), owner, outer range.
# owner: the enclosing class's name when definitions here are methods ("" for an unnamed
# class-like scope), None inside functions and at file level.
_Frame = tuple[Node, int, int, str, str | None, _Outer | None]
# UnitSpan's first seven fields: kind, name, start_line, end_line, start_byte, end_byte, parent
_Raw = tuple[str, str, int, int, int, int, int]


@dataclass(frozen=True, slots=True)
class CompiledRules:
    """A language's `LanguageRules` resolved to the grammar's integer kind ids."""

    rules: LanguageRules
    actions: bytes  # indexed by kind id (ERROR is 0xFFFF): a table beats a dict lookup
    hints: tuple[bytes, ...]  # see LanguageRules.unit_hints
    hint_regex: re.Pattern[bytes] | None
    prunes: bool  # whether there is any hint to prune containers by
    wrapper_ids: frozenset[int]
    single_wrapper_ids: frozenset[int]
    value_kinds: dict[int, str]


def parse(data: bytes, language: str) -> Tree | None:
    """The tree-sitter tree of `data`, or None for a language without a grammar or blank data.

    Parse once, then hand the tree to `extract_units` and to clone normalisation.
    """
    if language not in PARSED_LANGUAGES or not data.strip():
        return None
    return get_parser(language).parse(data)


def extract_units(data: bytes, language: str, *, window_lines: int = DEFAULT_WINDOW_LINES,
                  tree: Tree | None = None) -> ParseResult:
    """The units of one file, in document order (a class before its methods).

    For a language in `PARSED_LANGUAGES`: one unit per function, method, constructor and
    class, named inside the file with "." between levels (`Outer.Inner.method`, C++
    `ns::A::f` -> `ns.A.f`, Go `func (s *S) Run` -> `S.Run`), `parent` the index of the
    enclosing unit or -1. If any code lies outside every top-level unit, a unit of kind
    "module" named "<module>" comes FIRST (index 0, so parents of the others are shifted by
    one): its `segments` are the non-blank byte ranges between and around the top-level
    units, its bytes run from the first segment's start to the last one's end, and its lines
    from the first to the last non-whitespace byte of those segments. A file with no units
    is all module. `error_nodes` counts ERROR and MISSING nodes; units that parsed are kept.

    For any other language: windows of `window_lines` lines named "lines A-B"; windows that
    are only whitespace are left out. Blank data gives no units.
    """
    if language not in PARSED_LANGUAGES:
        return ParseResult(units=window_units(data, window_lines))
    if not data.strip():
        return ParseResult(units=())
    if tree is None:
        tree = get_parser(language).parse(data)
    root = tree.root_node
    raw = _walk(root, data, compile_rules(language))
    return ParseResult(units=_with_module(data, raw), error_nodes=count_error_nodes(root))


# --- Compiling the tables ---------------------------------------------------------------------


def _kind_ids(lang: Language) -> dict[str, set[int]]:
    # Several ids can share a name (aliases), and a keyword can share a named node's name:
    # only named, visible kinds are ever reached through `named_children`.
    ids: dict[str, set[int]] = {}
    for kind_id in range(lang.node_kind_count):
        name = lang.node_kind_for_id(kind_id)
        if name and lang.node_kind_is_named(kind_id) and lang.node_kind_is_visible(kind_id):
            ids.setdefault(name, set()).add(kind_id)
    return ids


@cache
def compile_rules(language: str) -> CompiledRules:
    """Resolve `RULES[language]` against its grammar; ValueError names unknown node types."""
    rules = RULES[language]
    ids = _kind_ids(get_language(language))
    unknown = sorted(name for name in _all_type_names(rules) if name not in ids)
    if unknown:
        raise ValueError(f"{language}: grammar has no node types {unknown}")

    def lookup(names: Iterable[str]) -> frozenset[int]:
        return frozenset(kind_id for name in names for kind_id in ids[name])

    default = _SKIP if rules.skip is None else _DESCEND
    actions = bytearray([default]) * (_ERROR_KIND_ID + 1)
    # Later tables win: a unit type listed to descend through is still a unit.
    for names, action in (
        (rules.skip or frozenset(), _SKIP),
        (rules.prefixes, _PREFIX),
        (rules.descend, _DESCEND),
        (rules.wrappers, _WRAPPER),
        (rules.scopes, _SCOPE),
        (rules.named_values, _NAMED_VALUE),
        (rules.classes, _CLASS),
        (rules.functions, _FUNCTION),
    ):
        for kind_id in lookup(names):
            actions[kind_id] = action
    actions[_ERROR_KIND_ID] = _DESCEND
    single = frozenset(name for name, only_one in rules.wrappers.items() if only_one)
    return CompiledRules(
        rules=rules,
        actions=bytes(actions),
        hints=rules.unit_hints,
        hint_regex=None if rules.unit_hint_regex is None else re.compile(rules.unit_hint_regex),
        prunes=bool(rules.unit_hints) or rules.unit_hint_regex is not None,
        wrapper_ids=lookup(rules.wrappers),
        single_wrapper_ids=lookup(single),
        value_kinds={
            kind_id: kind for name, kind in rules.value_kinds.items() for kind_id in ids[name]
        },
    )


def _all_type_names(rules: LanguageRules) -> set[str]:
    names: set[str] = set()
    for table in (
        rules.functions, rules.classes, rules.descend, rules.skip or frozenset(), rules.scopes,
        rules.wrappers, rules.named_values, rules.value_kinds, rules.prefixes,
        rules.method_types, rules.constructor_types, rules.needs_body, rules.semicolon_ends,
        rules.names, rules.scope_names,
    ):
        names.update(table)
    return names


# --- The walk ---------------------------------------------------------------------------------


def _walk(root: Node, data: bytes, compiled: CompiledRules) -> list[_Raw]:
    units: list[_Raw] = []
    stack: list[_Frame] = []
    _push_children(stack, data, root, -1, "", None, compiled)
    while stack:
        node, action, parent, prefix, owner, outer = stack.pop()
        if action == _DESCEND:
            _push_children(stack, data, node, parent, prefix, owner, compiled)
        elif action in (_FUNCTION, _CLASS):
            _visit_unit(stack, units, data, compiled, action == _CLASS, node, parent, prefix,
                        owner, outer)
        elif action == _NAMED_VALUE:
            _visit_named_value(stack, units, data, compiled, node, parent, prefix, owner, outer)
        elif action == _SCOPE:
            _visit_scope(stack, data, compiled, node, parent, prefix, owner)
        else:
            _visit_wrapper(stack, data, compiled, node, parent, prefix, owner, outer)
    return units


def _push_children(stack: list[_Frame], data: bytes, node: Node, parent: int, prefix: str,
                   owner: str | None, compiled: CompiledRules) -> None:
    actions = compiled.actions
    prune = compiled.prunes
    follower = -1  # stack index of the frame for the next sibling, if it was pushed
    # Reversed so the first child is popped first: units come out in document order.
    for child in reversed(node.named_children):
        action = actions[child.kind_id]
        if action == _PREFIX:
            # Decorators/attributes before a definition start its range; going backwards,
            # the first of a run is seen last and wins.
            if follower >= 0:
                following = stack[follower][0]
                stack[follower] = (following, stack[follower][1], parent, prefix, owner,
                                   (child, following))
            continue
        if action and (action < _PREFIX or not prune or _may_hold_unit(data, child, compiled)):
            stack.append((child, action, parent, prefix, owner, None))
            follower = len(stack) - 1
        else:
            follower = -1


def _may_hold_unit(data: bytes, node: Node, compiled: CompiledRules) -> bool:
    start = node.start_byte
    end = node.end_byte
    for hint in compiled.hints:
        if data.find(hint, start, end) >= 0:
            return True
    regex = compiled.hint_regex
    return regex is not None and regex.search(data, start, end) is not None


def _emit(units: list[_Raw], kind: str, name: str, node: Node, parent: int,
          outer: _Outer | None, extra_end: int = 0) -> int:
    first, last = outer if outer is not None else (node, node)
    start_row = first.start_point.row
    end = last.end_point
    # A node ending at column 0 ends with the previous line's newline.
    end_row = end.row - 1 if end.column == 0 and end.row > start_row else end.row
    units.append((kind, name, start_row + 1, end_row + 1, first.start_byte,
                  last.end_byte + extra_end, parent))
    return len(units) - 1


def _function_kind(rules: LanguageRules, node_type: str, name: str, qualifier: str,
                   owner: str | None) -> str:
    if node_type in rules.constructor_types:
        return "constructor"
    if owner is None and not qualifier and node_type not in rules.method_types:
        return "function"
    if name in rules.constructor_names:
        return "constructor"
    if rules.constructor_is_class_name:
        class_name = qualifier.rpartition(".")[2] if qualifier else owner
        if name == class_name:
            return "constructor"
    return "method"


def _visit_unit(stack: list[_Frame], units: list[_Raw], data: bytes, compiled: CompiledRules,
                is_class: bool, node: Node, parent: int, prefix: str, owner: str | None,
                outer: _Outer | None) -> None:
    rules = compiled.rules
    node_type = node.type
    if node_type in rules.needs_body and node.child_by_field_name("body") is None:
        return  # a declaration: nothing inside can be a unit
    resolved = rules.names.get(node_type, field_name)(node, data)
    # None: anonymous or not a unit in this language; "": a MISSING name in broken code.
    if resolved is None or not resolved[1]:
        _push_children(stack, data, node, parent, prefix, owner, compiled)
        return
    qualifier, name = resolved
    full = f"{prefix}{qualifier}.{name}" if qualifier else prefix + name
    if is_class:
        kind, inner_owner = "class", name
    else:
        kind, inner_owner = _function_kind(rules, node_type, name, qualifier, owner), None
    end = node.end_byte
    semicolon = (outer is None and node_type in rules.semicolon_ends
                 and data[end : end + 1] == b";")
    index = _emit(units, kind, full, node, parent, outer, 1 if semicolon else 0)
    _push_children(stack, data, node, index, full + ".", inner_owner, compiled)


def _binding_name(data: bytes, node: Node) -> str:
    name = text(data, node)
    if node.type == "string" and len(name) >= 2:  # `{'key': function () {}}`
        return name[1:-1]
    return name


def _visit_named_value(stack: list[_Frame], units: list[_Raw], data: bytes,
                       compiled: CompiledRules, node: Node, parent: int, prefix: str,
                       owner: str | None, outer: _Outer | None) -> None:
    name_field, value_field = compiled.rules.named_values[node.type]
    value = node.child_by_field_name(value_field)
    value_kind = None if value is None else compiled.value_kinds.get(value.kind_id)
    name_node = None if name_field is None else node.child_by_field_name(name_field)
    if value is None or value_kind is None or (
        name_field is not None and (name_node is None or name_node.end_byte == name_node.start_byte)
    ):
        if node.kind_id in compiled.wrapper_ids:  # `export function f` wraps, not binds
            _visit_wrapper(stack, data, compiled, node, parent, prefix, owner, outer)
        else:
            _push_children(stack, data, node, parent, prefix, owner, compiled)
        return
    name = "default" if name_node is None else _binding_name(data, name_node)
    if value_kind == "scope":
        _push_children(stack, data, value, parent, f"{prefix}{name}.", name, compiled)
        return
    if value_kind == "class":
        kind, inner_owner = "class", name
    else:
        kind, inner_owner = _function_kind(compiled.rules, node.type, name, "", owner), None
    index = _emit(units, kind, prefix + name, node, parent, outer)
    _push_children(stack, data, value, index, f"{prefix}{name}.", inner_owner, compiled)


def _visit_scope(stack: list[_Frame], data: bytes, compiled: CompiledRules, node: Node,
                 parent: int, prefix: str, owner: str | None) -> None:
    rules = compiled.rules
    node_type = node.type
    qualifier = rules.scope_names.get(node_type, scope_field_name)(node, data)
    if qualifier:
        prefix = f"{prefix}{qualifier}."
    methods_inside = rules.scopes[node_type]
    owner = (qualifier.rpartition(".")[2] if qualifier else "") if methods_inside else None
    _push_children(stack, data, node, parent, prefix, owner, compiled)


def _visit_wrapper(stack: list[_Frame], data: bytes, compiled: CompiledRules, node: Node,
                   parent: int, prefix: str, owner: str | None, outer: _Outer | None) -> None:
    children = node.named_children
    if not children or (node.kind_id in compiled.single_wrapper_ids and len(children) != 1):
        _push_children(stack, data, node, parent, prefix, owner, compiled)
        return
    core = children[-1]
    action = compiled.actions[core.kind_id]
    # The core is the last child, so it goes on the stack first and comes off last.
    if action:
        stack.append((core, action, parent, prefix, owner, outer or (node, node)))
    for child in reversed(children[:-1]):
        child_action = compiled.actions[child.kind_id]
        if child_action:
            stack.append((child, child_action, parent, prefix, owner, None))


# --- The module unit --------------------------------------------------------------------------


def _with_module(data: bytes, raw: list[_Raw]) -> tuple[UnitSpan, ...]:
    module = module_unit(data, [(r[4], r[5]) for r in raw if r[6] == -1])
    # Positional: `_Raw` is laid out as UnitSpan's leading fields, and keywords cost
    # measurably at tens of thousands of units per second.
    if module is None:
        return tuple([UnitSpan(*r) for r in raw])
    spans = [module]
    spans += [
        UnitSpan(kind, name, start_line, end_line, start_byte, end_byte,
                 parent + 1 if parent >= 0 else -1)
        for kind, name, start_line, end_line, start_byte, end_byte, parent in raw
    ]
    return tuple(spans)


def module_unit(data: bytes, top_level: list[tuple[int, int]]) -> UnitSpan | None:
    """The code outside the `top_level` byte ranges (in document order), or None if blank."""
    gaps: list[tuple[int, int]] = []
    pos = 0
    for start, end in top_level:
        if start > pos:
            gaps.append((pos, start))
        pos = max(pos, end)
    if pos < len(data):
        gaps.append((pos, len(data)))
    kept = [(a, b) for a, b in gaps if data[a:b].strip()]
    if not kept:
        return None
    first, last = kept[0], kept[-1]
    head = data[first[0] : first[1]]
    tail = data[last[0] : last[1]]
    first_code = first[0] + len(head) - len(head.lstrip())
    last_code = last[1] - (len(tail) - len(tail.rstrip())) - 1
    return UnitSpan(
        kind="module",
        name=MODULE_NAME,
        start_line=data.count(b"\n", 0, first_code) + 1,
        end_line=data.count(b"\n", 0, last_code) + 1,
        start_byte=first[0],
        end_byte=last[1],
        segments=tuple(kept),
    )


# --- Errors and windows -----------------------------------------------------------------------


def count_error_nodes(root: Node) -> int:
    """ERROR and MISSING nodes; only subtrees that contain one are entered."""
    if not root.has_error:
        return 0
    count = 0
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            count += 1
        stack.extend(child for child in node.children if child.has_error)
    return count


def window_units(data: bytes, window_lines: int = DEFAULT_WINDOW_LINES) -> tuple[UnitSpan, ...]:
    """`data` cut into runs of `window_lines` lines; all-whitespace runs are left out."""
    if window_lines < 1:
        raise ValueError(f"window_lines must be at least 1, not {window_lines}")
    units: list[UnitSpan] = []
    size = len(data)
    pos = 0
    line = 1
    while pos < size:
        end = pos
        count = 0
        while count < window_lines and end < size:
            newline = data.find(b"\n", end)
            end = size if newline < 0 else newline + 1
            count += 1
        if data[pos:end].strip():
            last = line + count - 1
            units.append(UnitSpan(kind="window", name=f"lines {line}-{last}", start_line=line,
                                  end_line=last, start_byte=pos, end_byte=end))
        pos = end
        line += count
    return tuple(units)
