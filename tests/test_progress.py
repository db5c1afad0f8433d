"""Progress: the running stage on a terminal once a build takes a while; nothing anywhere else."""

from __future__ import annotations

import os
import pty
import time

from dossier.progress import Progress


def _read_all(fd: int) -> bytes:
    os.set_blocking(fd, False)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 4096)
        except (BlockingIOError, OSError):
            return out
        if not chunk:
            return out
        out += chunk


def test_a_terminal_sees_the_running_stage_and_a_clean_line_at_the_end() -> None:
    main, side = pty.openpty()
    with os.fdopen(side, "w") as terminal:
        with Progress(terminal, after=0.02, every=0.02) as progress:
            progress("checking")
            time.sleep(0.15)
            progress("rendering")
            time.sleep(0.15)
        shown = _read_all(main).decode()
    os.close(main)
    assert "checking … " in shown and "rendering … " in shown
    assert shown.endswith("\r\x1b[K")  # the line is erased, so the build's summary prints on a clean line
    assert set(progress.timings) == {"checking", "rendering"} and all(t >= 0.1 for t in progress.timings.values())


def test_a_pipe_sees_nothing_and_stages_are_still_timed() -> None:
    read, write = os.pipe()
    with os.fdopen(write, "w") as pipe, Progress(pipe, after=0.0, every=0.01) as progress:
        progress("checking")
        time.sleep(0.05)
    assert _read_all(read) == b""
    os.close(read)
    assert progress.timings["checking"] >= 0.04


def test_a_quick_build_prints_nothing_even_on_a_terminal() -> None:
    main, side = pty.openpty()
    with os.fdopen(side, "w") as terminal, Progress(terminal, after=5.0) as progress:
        progress("checking")
    assert _read_all(main) == b""
    os.close(main)
