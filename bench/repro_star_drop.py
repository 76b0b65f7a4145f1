"""Reproduction for the engine team: a verified near-miss pair that no clone class reports.

    .venv/bin/python bench/repro_star_drop.py [DIR]

Writes six small Python functions into DIR (default: a temp dir) and runs `ctxlens scan`.
`hub` has three close variants (n1–n3) and one farther one, `o` (four statements added at the
top). `p` is `o` plus four statements at the bottom: similarity(o, p) ≈ 0.83 ≥ the 0.8
threshold, but similarity(hub, p) ≈ 0.66. The star clustering makes `hub` the centre of
{hub, n1, n2, n3, o}; `p`'s only neighbour `o` is then taken, so `p` joins no near-miss
class (it only shows up in fragment classes over parts of it). In the mutation benchmark
(clone_quality.py) the same happens to real code, with no fragment to catch it, e.g.
a planted Type-3 copy of libxml2's xmlNewGlobalState (ctxlens similarity 0.905 to the
original) is in no class because the original sits in a star centred on xmlschemas.c.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

BASE = [
    "total = 0",
    "count = len(items)",
    "for item in items:",
    "    if item.weight > limit:",
    "        total += item.weight * factor",
    "    else:",
    "        total -= item.cost",
    "ratio = total / max(count, 1)",
    "report = {'total': total, 'ratio': ratio}",
    "cache.store(name, report)",
    "notify(owner, report)",
    "return report",
]
TOP = ["assert isinstance(items, list), 'items must be a list'", "started = clock.now()",
       "with lock:", "    pending.extend(items)", "    seen.update(x.key for x in items)"]
BOTTOM = ["elapsed = clock.now() - started", "metrics.observe('summary.seconds', elapsed)",
          "if elapsed > budget:", "    warn('slow summary', elapsed, len(items))",
          "trace.emit(name, elapsed, len(items), owner.id)"]


def function(name: str, lines: list[str]) -> str:
    return (f"def {name}(items, limit, factor, name, owner):\n"
            + "".join("    " + line + "\n" for line in lines))


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    tree = root / "tree"
    tree.mkdir(parents=True, exist_ok=True)
    o = TOP + BASE
    variants = {
        "hub": BASE,
        "n1": ["total = start", *BASE[1:9], "cache.drop(name, report)", *BASE[10:]],
        "n2": [*BASE[:1], "count = items.size()", *BASE[2:10], "audit(owner, total)",
               *BASE[11:]],
        "n3": [*BASE[:7], "ratio = total // count", *BASE[8:11], "stats.bump(name)",
               *BASE[11:]],
        "o": o,
        "p": o[:-1] + BOTTOM + o[-1:],
    }
    for name, lines in variants.items():
        (tree / f"{name}.py").write_text(function(f"summarise_{name}", lines))
    exe = Path(sys.executable).parent / "ctxlens"
    out = subprocess.run([str(exe), "scan", str(tree), "--json", "--index",
                          str(root / "index.db"), "--no-progress"],
                         capture_output=True, text=True, check=True).stdout
    for c in json.loads(out)["clone_classes"]:
        members = ", ".join(f"{m['path']}:{m['start_line']}-{m['end_line']}"
                            for m in c["members"])
        print(f"{c['kind']:10} {c['similarity']:.3f}  {members}")


if __name__ == "__main__":
    main()
