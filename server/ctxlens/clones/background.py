"""Detection work that can overlap other detection work, on another core when that is safe.

Clone detection after indexing is mostly single-threaded Python, and two of its stages need
nothing from each other until the end (fragment search and near-miss verification). A
forked child inherits every stream without a copy or a pickle, so the one stage runs there
while the parent does the other. Forking is only safe in a process with one thread — a fork
copies other threads' locks, not the threads that would release them — so a process with
more (the language server) does the work itself when the result is asked for. Either way
the result is the same value; a child that dies or fails is replaced by doing the work in
place, so a failure costs time, never a result.
"""

from __future__ import annotations

import multiprocessing
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Generic, TypeVar

T = TypeVar("T")


class Deferred(Generic[T]):
    """A value being computed: `result()` waits for it (or computes it), once."""

    def __init__(self, work: Callable[[], T]) -> None:
        self._work = work
        self._process: multiprocessing.process.BaseProcess | None = None
        self._receive: Connection | None = None
        self._done: tuple[T] | None = None
        self.forked = False  # whether a child took the work
        if fork_is_safe():
            context = multiprocessing.get_context("fork")
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_run, args=(work, send), daemon=True)
            try:
                process.start()
            except OSError:  # no memory or process slots: do it in place later
                receive.close()
            else:
                self._process, self._receive, self.forked = process, receive, True
            send.close()

    def result(self) -> T:
        if self._done is None:
            self._done = (self._wait(),)
        return self._done[0]

    def _wait(self) -> T:
        if self._process is None or self._receive is None:
            return self._work()
        try:
            ok, value = self._receive.recv()
        except (EOFError, OSError):
            ok, value = False, None
        finally:
            self._receive.close()
            self._process.join()
            self._process = self._receive = None
        return value if ok else self._work()


def fork_is_safe() -> bool:
    return sys.platform == "linux" and threading.active_count() == 1


def _run(work: Callable[[], object], send: Connection) -> None:
    try:
        reply = (True, work())
    except BaseException:  # the parent redoes the work and meets the error itself
        reply = (False, None)
    try:
        send.send(reply)
    except (OSError, ValueError, TypeError, AttributeError):
        pass  # an unpicklable value or a closed pipe: the parent sees EOF and redoes it
    finally:
        send.close()
