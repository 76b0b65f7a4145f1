"""Small real source trees for tests, written into tmp_path."""

from __future__ import annotations

from pathlib import Path

MIXED_TREE: dict[str, str] = {
    "app/main.py": (
        "import os\n\n\nclass Greeter:\n    def __init__(self, name):\n        self.name = name\n\n"
        "    def greet(self):\n        return f'hello {self.name}'\n\n\n"
        "def main():\n    print(Greeter(os.getcwd()).greet())\n"
    ),
    "app/util.js": (
        "export function add(a, b) {\n  return a + b;\n}\n\n"
        "const twice = (x) => add(x, x);\n\nclass Box {\n  constructor(v) { this.v = v; }\n"
        "  get() { return this.v; }\n}\n"
    ),
    "lib/Calc.java": (
        "package lib;\n\npublic class Calc {\n    public Calc() {}\n\n"
        "    public int mul(int a, int b) {\n        return a * b;\n    }\n}\n"
    ),
    "lib/sum.c": "#include <stdio.h>\n\nint sum(int a, int b) {\n    return a + b;\n}\n",
    "docs/notes.md": "# Notes\n\nSome prose about the project.\n",
}


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, "utf-8")
    return root
