"""Which language a file is written in, from its name and first line.

Labels are stable identifiers used in reports (`by_language`) and by `ctxlens.syntax`
to pick a grammar. Only the labels in `PARSED_LANGUAGES` have a grammar; every other
text file is still indexed, as line-window units.
"""

from __future__ import annotations

import re

PARSED_LANGUAGES: frozenset[str] = frozenset(
    {
        "python", "javascript", "typescript", "tsx", "java", "c", "cpp", "csharp",
        "go", "rust", "php", "ruby", "bash",
    }
)

_BY_EXTENSION: dict[str, str] = {
    ".py": "python", ".pyi": "python", ".pyw": "python",
    ".js": "javascript", ".mjs": "javascript", ".cjs": "javascript", ".jsx": "javascript",
    ".ts": "typescript", ".mts": "typescript", ".cts": "typescript",
    ".tsx": "tsx",
    ".java": "java",
    ".c": "c", ".h": "c",
    ".cc": "cpp", ".cpp": "cpp", ".cxx": "cpp", ".c++": "cpp", ".hpp": "cpp", ".hh": "cpp",
    ".hxx": "cpp", ".h++": "cpp", ".ipp": "cpp", ".tpp": "cpp", ".inl": "cpp",
    ".cs": "csharp",
    ".go": "go",
    ".rs": "rust",
    ".php": "php", ".phtml": "php", ".php5": "php", ".php7": "php",
    ".rb": "ruby", ".rake": "ruby", ".gemspec": "ruby",
    ".sh": "bash", ".bash": "bash", ".zsh": "bash", ".ksh": "bash",
    # Not parsed (line windows), but named so reports say what they are.
    ".md": "markdown", ".rst": "rst", ".txt": "text",
    ".json": "json", ".yaml": "yaml", ".yml": "yaml", ".toml": "toml", ".ini": "ini",
    ".cfg": "ini", ".xml": "xml", ".html": "html", ".htm": "html", ".css": "css",
    ".scss": "scss", ".less": "less", ".sql": "sql", ".kt": "kotlin", ".kts": "kotlin",
    ".scala": "scala", ".swift": "swift", ".m": "objective-c", ".mm": "objective-cpp",
    ".pl": "perl", ".pm": "perl", ".lua": "lua", ".r": "r", ".dart": "dart",
    ".vue": "vue", ".svelte": "svelte", ".gradle": "groovy", ".groovy": "groovy",
    ".cmake": "cmake", ".mk": "make", ".bat": "batch", ".ps1": "powershell",
    ".proto": "protobuf", ".graphql": "graphql", ".tf": "terraform",
}

_BY_NAME: dict[str, str] = {
    "makefile": "make", "gnumakefile": "make", "dockerfile": "dockerfile",
    "cmakelists.txt": "cmake", "rakefile": "ruby", "gemfile": "ruby",
    ".bashrc": "bash", ".profile": "bash", ".bash_profile": "bash", ".zshrc": "bash",
}

_SHEBANG = re.compile(rb"^#!\s*(?:\S*/)?(?:env\s+(?:-\S+\s+)*)?([A-Za-z]+)")
_SHEBANG_LANG: dict[bytes, str] = {
    b"python": "python", b"bash": "bash", b"sh": "bash", b"zsh": "bash", b"ksh": "bash",
    b"dash": "bash", b"node": "javascript", b"ruby": "ruby", b"php": "php",
}


def language_for_path(path: str, head: bytes = b"") -> str:
    """Language label for `path` (a `/`-separated path); `head` is the file's first bytes.

    An extensionless script is recognised by its shebang line. Unknown files are "text".
    """
    name = path.rsplit("/", 1)[-1].lower()
    if name in _BY_NAME:
        return _BY_NAME[name]
    dot = name.rfind(".")
    if dot > 0:
        label = _BY_EXTENSION.get(name[dot:])
        if label is not None:
            return label
    if head.startswith(b"#!"):
        m = _SHEBANG.match(head)
        if m:
            interpreter = m.group(1).rstrip(b"0123456789.").lower()
            for prefix, label in _SHEBANG_LANG.items():
                if interpreter == prefix:
                    return label
    return "text"
