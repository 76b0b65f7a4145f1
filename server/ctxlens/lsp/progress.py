"""Engine progress as LSP work-done progress (`$/progress` begin / report / end).

Runs on the message loop. A server-initiated progress needs the client to accept a token
(`window/workDoneProgress/create`) before `begin`, so each run of work gets a task that
creates its token, then sends the events queued for it in order.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass

from lsprotocol import types
from pygls.lsp.server import LanguageServer

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Progress:
    """One engine progress event, independent of LSP."""

    kind: str  # "begin" | "report" | "end"
    message: str
    percentage: int | None = None


class ProgressRelay:
    def __init__(self, ls: LanguageServer, title: str) -> None:
        self._ls = ls
        self._title = title
        self._ids = itertools.count(1)
        self._queue: asyncio.Queue[Progress] | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def supported(self) -> bool:
        window = self._ls.client_capabilities.window
        return bool(window and window.work_done_progress)

    def event(self, p: Progress) -> None:
        """Called on the message loop for every engine progress event."""
        if not self.supported():
            return
        if p.kind == "begin":
            if self._queue is not None:  # a run that never ended: close it first
                self._queue.put_nowait(Progress("end", "Restarted"))
            self._queue = asyncio.Queue()
            task = asyncio.ensure_future(self._run(f"ctxlens-{next(self._ids)}", self._queue))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
        if self._queue is None:
            return
        self._queue.put_nowait(p)
        if p.kind == "end":
            self._queue = None

    async def _run(self, token: str, queue: asyncio.Queue[Progress]) -> None:
        progress = self._ls.work_done_progress
        try:
            await progress.create_async(token)
        except Exception as err:  # the client said no: no progress for this run
            log.warning("work-done progress refused: %s", err)
            return
        while True:
            p = await queue.get()
            if p.kind == "begin":
                progress.begin(token, types.WorkDoneProgressBegin(
                    title=self._title, message=p.message, percentage=p.percentage,
                    cancellable=False))
            elif p.kind == "report":
                progress.report(token, types.WorkDoneProgressReport(
                    message=p.message, percentage=p.percentage))
            else:
                progress.end(token, types.WorkDoneProgressEnd(message=p.message))
                return
