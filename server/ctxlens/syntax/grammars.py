"""Language label -> tree-sitter grammar and parser, loaded on first use.

Each grammar wheel is imported only when a file of its language turns up, so a scan of a
Python-only tree never loads the C++ grammar. Languages and parsers are cached for the life
of the process: workers are separate processes (spawn), each with its own cache. A `Parser`
is not safe to share between threads; callers that use threads need one process per worker.
"""

from __future__ import annotations

import importlib
from functools import cache

from tree_sitter import Language, Parser

# label -> (module, function returning the grammar's language pointer)
GRAMMAR_MODULES: dict[str, tuple[str, str]] = {
    "python": ("tree_sitter_python", "language"),
    "javascript": ("tree_sitter_javascript", "language"),
    "typescript": ("tree_sitter_typescript", "language_typescript"),
    "tsx": ("tree_sitter_typescript", "language_tsx"),
    "java": ("tree_sitter_java", "language"),
    "c": ("tree_sitter_c", "language"),
    "cpp": ("tree_sitter_cpp", "language"),
    "csharp": ("tree_sitter_c_sharp", "language"),
    "go": ("tree_sitter_go", "language"),
    "rust": ("tree_sitter_rust", "language"),
    "php": ("tree_sitter_php", "language_php"),
    "ruby": ("tree_sitter_ruby", "language"),
    "bash": ("tree_sitter_bash", "language"),
}


@cache
def get_language(label: str) -> Language:
    """The tree-sitter `Language` for a label of `PARSED_LANGUAGES`; KeyError otherwise."""
    module_name, function_name = GRAMMAR_MODULES[label]
    module = importlib.import_module(module_name)
    return Language(getattr(module, function_name)())


@cache
def get_parser(label: str) -> Parser:
    """The process's one `Parser` for `label` (parsers keep no state between parses)."""
    return Parser(get_language(label))
