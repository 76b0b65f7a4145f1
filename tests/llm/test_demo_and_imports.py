"""The demo server as a program, and what importing the bridge costs."""

from __future__ import annotations

import json
import subprocess
import sys

import openai

from ctxlens.llm import prompts
from llm.helpers import TEST_KEY

PART = "## app/a.py\n\n```python\nimport b\n\n\ndef run():\n    return b.go()\n```\n"


def test_demo_server_runs_as_a_program() -> None:
    proc = subprocess.Popen([sys.executable, "-m", "ctxlens.llm.local_server", "--port", "0",
                             "--quiet"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("serving an OpenAI-compatible API on http://127.0.0.1:")
        url = line.split(" on ", 1)[1].split(" ", 1)[0]
        client = openai.OpenAI(base_url=url, api_key=TEST_KEY, max_retries=0, timeout=10)
        messages = prompts.map_messages(PART, 1, 1, "What runs?")
        done = client.chat.completions.create(model="gpt-4.1", messages=messages)  # type: ignore[arg-type]
        summary = json.loads(done.choices[0].message.content or "")
        (module,) = summary["modules"]
        assert (module["path"], module["public_interfaces"], module["dependencies"]) == (
            "app/a.py", ["run"], ["b"])
        assert [m.id for m in client.models.list()] == ["gpt-4.1"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_importing_the_bridge_loads_neither_openai_nor_torch() -> None:
    code = ("import sys; from ctxlens.cli import _build_parser; _build_parser(); "
            "import ctxlens.llm.ask, ctxlens.llm.preflight, ctxlens.llm.cli_llm; "
            "print('openai' in sys.modules, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, timeout=120).stdout
    assert out.split() == ["False", "False"]
