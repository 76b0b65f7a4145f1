"""The Mermaid flowchart check: real diagram shapes pass, the usual breakages do not."""

from __future__ import annotations

import pytest

from ctxlens.llm import diagram
from ctxlens.llm.mermaid import check_flowchart

VALID = [
    "flowchart LR\n  A --> B",
    "graph TD\nA-->B;\nB-->C",
    "flowchart TB\n  cli[\"cli.py\"] -->|calls| idx(index)\n  idx --> db[(SQLite)]",
    "flowchart LR\n  a & b --> c --> d\n  c -.-> e\n  d ==> f\n  f --- g\n  g -- uses --> a",
    ("flowchart LR\n  subgraph core [Core engine]\n    direction TB\n    s1[scan] --> s2[index]\n"
     "  end\n  subgraph ui\n    v{{VS Code}}\n  end\n  v --> s1"),
    ("---\ntitle: Arch\n---\nflowchart LR\n  %% a comment\n  x>flag] --> y((circle))\n"
     "  classDef hot fill:#f96\n  class x,y hot\n  style x stroke:#333\n  z[z]:::hot\n"
     "  linkStyle 0 stroke:#f00\n  click x \"https://example.com\""),
    "flowchart LR\n  api[\"API (REST, v2)\"] --> svc[\"Service {core}\"]",
    "flowchart RL\n  my-node[Label] --> other_node",
]

BROKEN = [
    ("", "no `flowchart` header"),
    ("A --> B", "starts with `flowchart LR`"),
    ("flowchart XY\nA-->B", "unknown direction"),
    ("sequenceDiagram\nA->>B: hi", "starts with `flowchart LR`"),
    ("flowchart LR\n  A[foo(bar)] --> B", "inside an unquoted label"),
    ("flowchart LR\n  A[unclosed --> B", "never closed"),
    ("flowchart LR\n  A --> ", "needs a target"),
    ("flowchart LR\n  A -->|label B", "unclosed |label|"),
    ("flowchart LR\n  subgraph s\n  A --> B", "never closed with `end`"),
    ("flowchart LR\n  A --> B\n  end", "`end` without a subgraph"),
    ("flowchart LR\n  end --> B", "nothing may follow `end`"),
    ("flowchart LR\n  A --> end", "`end` cannot be a node id"),
    ("flowchart LR\n  nodes: A, B", "not a node or a link"),
    ("flowchart LR\n  A[\"quote] --> B", "unclosed quote"),
    ("flowchart LR\n  A --> B]", "not a node or a link"),
    ("flowchart LR\n", "no nodes"),
    ("flowchart LR\n  direction up", "direction must be"),
    ("flowchart LR\n  classDef", "needs arguments"),
    ("---\ntitle: x\nflowchart LR\nA-->B", "front matter"),
]


@pytest.mark.parametrize("source", VALID)
def test_valid_flowcharts_pass(source: str) -> None:
    assert check_flowchart(source) == []


@pytest.mark.parametrize("source, words", BROKEN)
def test_broken_flowcharts_are_caught(source: str, words: str) -> None:
    problems = check_flowchart(source)
    assert problems and any(words in p for p in problems), problems


def test_problems_name_the_line() -> None:
    assert check_flowchart("flowchart LR\n  A --> B\n  C[x(y)] --> D")[0].startswith("line 3:")


def test_answer_extraction_and_check() -> None:
    answer = "Here it is:\n```mermaid\nflowchart LR\n  a --> b\n```\nThe core is a."
    found = diagram.extract(answer)
    assert found is not None and found.mermaid == "flowchart LR\n  a --> b"
    assert found.notes == "Here it is:\n\nThe core is a."
    assert diagram.problems(answer) == []
    assert diagram.problems("I cannot draw.") == ["no ```mermaid code block in the reply"]
    assert diagram.problems("```mermaid\nflowchart LR\n  a -->\n```")


def test_markdown_holds_the_checked_block() -> None:
    found = diagram.extract("```mermaid\nflowchart LR\n  a --> b\n```")
    assert found is not None
    text = diagram.to_markdown(found, title="ws", about="Drawn by m.")
    assert text.startswith("# Architecture: ws\n\nDrawn by m.\n")
    again = diagram.extract(text)
    assert again is not None and check_flowchart(again.mermaid) == []
    warned = diagram.to_markdown(found, title="ws", about="x", issues=["line 2: bad"])
    assert "> - line 2: bad" in warned
