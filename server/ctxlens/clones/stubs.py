"""The one-line reference that stands in for a collapsed clone, in its file's comment syntax.

Clone detection counts these to state honest savings; the context pack renders them.
"""

from __future__ import annotations

from ctxlens.clones.model import CloneMember

_HASH = {"python", "ruby", "bash", "yaml", "toml", "perl", "r", "make", "cmake", "dockerfile",
         "ini", "powershell", "terraform", "text"}
_DASH = {"sql", "lua"}
_ANGLE = {"html", "xml", "markdown", "vue", "svelte"}
_BLOCK = {"css", "scss", "less"}


def comment(language: str, text: str) -> str:
    """`text` as a one-line comment of `language` (C-style `//` when unknown)."""
    if language in _HASH:
        return f"# {text}"
    if language in _DASH:
        return f"-- {text}"
    if language in _ANGLE:
        return f"<!-- {text} -->"
    if language in _BLOCK:
        return f"/* {text} */"
    return f"// {text}"


def reference_text(member: CloneMember, canonical: CloneMember) -> str:
    short = canonical.name.rsplit("::", 1)[-1]
    if member.similarity >= 1.0:
        how = "same logic as"
        detail = ""
    else:
        how = "near copy of"
        detail = f" (similarity {member.similarity:.2f}; details differ)"
    return (f"[ctxlens] {how} {canonical.path}:{canonical.start_line} {short}{detail}, "
            f"{member.tokens} tokens omitted")


def stub(language: str, member: CloneMember, canonical: CloneMember) -> str:
    return comment(language, reference_text(member, canonical))
