"""Work spread over the machine's cores by forked workers, for the stages that do the same thing many times.

Forking shares everything the parent computed (content, compiled patterns, templates) without
pickling it; only each task's result travels back. Forking copies the locks of other threads in
whatever state they are, so a process that runs threads (the preview server) stays single-process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_TASKS = 400  # below this, starting workers costs more than it saves
MAX_JOBS = 2

_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None  # what forked workers read; set just before forking


def jobs(tasks: int, min_tasks: int = MIN_TASKS) -> int:
    """How many processes to share `tasks` among: 1 below `min_tasks` (0: always 1)."""
    if not min_tasks or tasks < max(2, min_tasks) or threading.active_count() > 1:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(MAX_JOBS, cores))


def _run(index: int) -> Any:
    assert _TASK is not None
    function, items = _TASK
    return function(items[index])


def map_forked(
    function: Callable[[T], R],
    items: Sequence[T],
    first: Sequence[int] = (),
    min_tasks: int = MIN_TASKS,
    meanwhile: Callable[[], object] = lambda: None,
) -> list[R]:
    """`[function(item) for item in items]`, on every core when there are at least `min_tasks` items.

    Workers take the next item when free; the items at the indices in `first` (the largest) go
    first, so no worker is left alone with one of them at the end. `meanwhile()` runs in this process
    while the workers work (before the work when there are none): work of one core that would otherwise
    leave the other idle before or after the pool.
    """
    count = jobs(len(items), min_tasks)
    if count == 1:
        meanwhile()
        return [function(item) for item in items]
    global _TASK
    head = [i for i in dict.fromkeys(first) if 0 <= i < len(items)]
    rest = set(head)
    order = head + [i for i in range(len(items)) if i not in rest]
    _TASK = (function, items)
    # A collection in a worker would write to every object of the parent it inherits, copying the memory it
    # shares with the parent page by page; frozen, they are left out (the gc module's advice before a fork).
    gc.freeze()
    try:
        with multiprocessing.get_context("fork").Pool(count) as pool:
            pending = pool.map_async(_run, order, chunksize=max(1, min(16, len(items) // (count * 16))))
            meanwhile()
            results = pending.get()
    finally:
        gc.unfreeze()
        _TASK = None
    merged: list[Any] = [None] * len(items)
    for index, result in zip(order, results, strict=True):
        merged[index] = result
    return merged
