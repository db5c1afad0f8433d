"""Which stage a build is in and how long each took; shown on a terminal once a build takes a while.

The line is redrawn from a SIGALRM timer rather than a thread: the render and analysis stages
fork workers, and forking is only safe in a process that runs no other thread. It is written
with `os.write`, which a signal handler may call at any moment, unlike a buffered stream.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from types import FrameType
from typing import IO, Any


class Progress:
    """Call with each stage's name as it starts; `timings` holds the seconds of the stages that ended.

    As a context manager over a terminal, it shows "stage … 2.4 s" from `after` seconds on,
    and erases the line at the end; on anything else (a pipe, a file, CI) it prints nothing.
    """

    def __init__(self, stream: IO[str] | None = None, after: float = 1.5, every: float = 0.25) -> None:
        self.timings: dict[str, float] = {}
        self._stream = stream
        self._after, self._every = after, every
        self._stage = ""
        self._stage_started = self._started = time.perf_counter()
        self._shown = False
        self._previous: Any = None

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        if self._stage:
            self.timings[self._stage] = self.timings.get(self._stage, 0.0) + now - self._stage_started
        self._stage, self._stage_started = stage, now

    def _live(self) -> bool:
        return (
            self._stream is not None
            and self._stream.isatty()
            and threading.current_thread() is threading.main_thread()
            and hasattr(signal, "setitimer")
        )

    def __enter__(self) -> Progress:
        if self._live():
            self._previous = signal.signal(signal.SIGALRM, self._tick)
            signal.setitimer(signal.ITIMER_REAL, self._after, self._every)
        return self

    def __exit__(self, *exc: object) -> None:
        self("")
        if self._previous is not None:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            if self._shown:
                self._write("\r\x1b[K")

    def _tick(self, _signum: int, _frame: FrameType | None) -> None:
        self._shown = True
        self._write(f"\r\x1b[K{self._stage or 'building'} … {time.perf_counter() - self._started:.1f} s")

    def _write(self, text: str) -> None:
        assert self._stream is not None
        with contextlib.suppress(OSError):
            os.write(self._stream.fileno(), text.encode("utf-8", "replace"))
