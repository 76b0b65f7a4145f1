"""The architecture-diagram task: ask for a Mermaid flowchart, check it, write Markdown.

The question goes through the same path as `ctxlens ask` (one request, or map → reduce);
the final answer must hold one ```mermaid block that `mermaid.check_flowchart` accepts,
else it is asked once more with the problems listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ctxlens.llm.mermaid import check_flowchart

if TYPE_CHECKING:
    from ctxlens.context.pipeline import Pack
    from ctxlens.llm.ask import Outcome
    from ctxlens.tokens import ModelInfo

DIAGRAM_QUESTION = (
    "Draw the architecture of this codebase as a Mermaid flowchart: its components "
    "(packages, modules, services, stores) as nodes and their dependencies as edges, "
    "`A --> B` meaning A uses B. Group components of one layer or package in a subgraph "
    "where that helps. Give nodes short ids and quoted labels (`idx[\"index/\"]`). Reply "
    "with one ```mermaid code block that starts with `flowchart LR`, then at most five "
    "lines on the main flows."
)
REASK_WHAT = "one ```mermaid block holding a valid flowchart (starting `flowchart LR`)"
_BLOCK = re.compile(r"```\s*mermaid[^\n]*\n(.*?)```", re.DOTALL | re.IGNORECASE)


class DiagramError(Exception):
    """No diagram was written: the answer holds none, or the file cannot be written."""


@dataclass(frozen=True, slots=True)
class Diagram:
    mermaid: str  # the flowchart source, without fences
    notes: str  # the answer's text outside the block


def extract(answer: str) -> Diagram | None:
    """The first ```mermaid block of `answer` (or the whole answer when it is bare Mermaid)."""
    m = _BLOCK.search(answer)
    if m:
        notes = (answer[:m.start()] + answer[m.end():]).strip()
        return Diagram(m.group(1).strip("\n"), notes)
    stripped = answer.strip()
    if stripped.startswith(("flowchart", "graph")):
        return Diagram(stripped, "")
    return None


def problems(answer: str) -> list[str]:
    """What is wrong with `answer` as a diagram reply; empty when it is usable."""
    diagram = extract(answer)
    if diagram is None:
        return ["no ```mermaid code block in the reply"]
    return check_flowchart(diagram.mermaid)


def to_markdown(diagram: Diagram, *, title: str, about: str,
                issues: list[str] | None = None) -> str:
    """The Markdown file: title, provenance, the diagram, the model's notes."""
    out = [f"# Architecture: {title}", "", about, ""]
    if issues:
        out += ["> **Warning:** this diagram failed ctxlens' Mermaid check after one "
                "re-ask; it may not render:", ">"]
        out += [f"> - {p}" for p in issues]
        out.append("")
    out += ["```mermaid", diagram.mermaid.rstrip("\n"), "```", ""]
    if diagram.notes:
        out += [diagram.notes.strip(), ""]
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class WrittenDiagram:
    path: Path
    diagram: Diagram
    problems: tuple[str, ...]  # the flowchart failed its check even after a re-ask

    @property
    def lines(self) -> int:
        return len(self.diagram.mermaid.splitlines())


def write_diagram(outcome: Outcome, model: ModelInfo, pack: Pack,
                  output: Path) -> WrittenDiagram:
    """Write the diagram in `outcome`'s answer to `output` as Markdown, saying which model
    drew it from which pack; raises `DiagramError` when there is none or it cannot be
    written. A diagram that failed its check is still written, under a warning."""
    found = extract(outcome.text)
    if found is None:
        raise DiagramError("the answer holds no Mermaid diagram; nothing written")
    about = (f"Drawn by {model.name} from a ctxlens pack of {pack.root.name} "
             f"({len(pack.files)} files, {pack.tokens:,} tokens in {pack.encoding}"
             + (f", in {len(pack.parts)} parts" if pack.parts else "")
             + "). Checked for Mermaid flowchart syntax by ctxlens.")
    text = to_markdown(found, title=pack.root.name, about=about, issues=list(outcome.problems))
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, "utf-8")
    except OSError as err:
        raise DiagramError(f"cannot write {output}: {err.strerror or err}") from err
    return WrittenDiagram(output, found, outcome.problems)
