"""Watching `content/` and `templates/`: which file events matter, and one rebuild per burst.

Editors save in bursts — a swap file, a temporary file renamed over the original, a backup
removed — so events are not acted on one by one. The Debouncer waits until the folders have
been quiet for a moment and then runs one rebuild for the whole burst, on its own single
thread; events that arrive while a rebuild runs are collected for the next one, never dropped.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path, PurePath
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

QUIET_SECONDS = 0.2  # a save burst is over when nothing happened for this long
MAX_DELAY_SECONDS = 2.0  # ...but a folder that never goes quiet is still rebuilt this often

# Files editors write beside the real ones. None of them is ever content: articles are `*.md`,
# captures `*.txt`, the rest fixed YAML names, and assets keep their own names. Dotfiles in
# general are *not* ignored: a capture may be called `.something.txt`, and the loader reads it.
IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})  # 4913: vim's can-I-write probe
IGNORED_PREFIXES = (".#",)  # emacs lock files
IGNORED_SUFFIXES = (
    ".swp", ".swo", ".swn", ".swx",  # vim swap files
    "~",  # vim, emacs, gedit backups
    ".tmp", ".bak", ".orig",
    "___jb_tmp___", "___jb_old___",  # JetBrains "safe write"
)  # fmt: skip
IGNORED_FOLDERS = frozenset({".git", ".hg", ".svn", "__pycache__", ".idea", ".vscode"})
# Event kinds that never mean a change (watchdog reports opening and read-only closing too).
# A folder's "modified" only says an entry in it changed, which comes as an event of its own.
NOT_CHANGES = frozenset({"opened", "closed_no_write"})


def ignored_name(name: str) -> bool:
    """True for editor swap, backup and temporary files."""
    if name in IGNORED_NAMES or name.startswith(IGNORED_PREFIXES) or name.endswith(IGNORED_SUFFIXES):
        return True
    return name.startswith("#") and name.endswith("#")  # emacs auto-save


def relevant(
    path: str | PurePath, roots: Sequence[Path], excluded: Sequence[Path], excluded_prefixes: Sequence[str] = ()
) -> bool:
    """Whether a change at `path` can change the site.

    `roots` are the watched folders; `excluded` folders and paths starting with `excluded_prefixes`
    are never reacted to (the output folder and the staging folders beside it, even when they lie
    inside a watched folder). All paths are absolute.
    """
    path = PurePath(path)
    if any(path == folder or path.is_relative_to(folder) for folder in excluded):
        return False
    if str(path).startswith(tuple(excluded_prefixes)):
        return False
    root = next((r for r in roots if path == r or path.is_relative_to(r)), None)
    if root is None:
        return False
    parts = path.relative_to(root).parts
    if any(part in IGNORED_FOLDERS for part in parts[:-1]):
        return False
    return not parts or not ignored_name(parts[-1])


def event_paths(event: FileSystemEvent) -> list[str]:
    """The paths an event is about (both ends of a move), empty if it is not a change."""
    if event.event_type in NOT_CHANGES or (event.is_directory and event.event_type == "modified"):
        return []
    paths = [event.src_path, getattr(event, "dest_path", "") or ""]
    return [p if isinstance(p, str) else p.decode() for p in paths if p]


class Debouncer:
    """Runs `action(changed paths)` once per burst of `notify` calls, on one thread of its own."""

    def __init__(
        self,
        action: Callable[[frozenset[str]], None],
        quiet: float = QUIET_SECONDS,
        max_delay: float = MAX_DELAY_SECONDS,
    ) -> None:
        self.action = action
        self.quiet = quiet
        self.max_delay = max_delay
        self._cond = threading.Condition()
        self._pending: set[str] = set()
        self._first = 0.0  # monotonic time of the first event of the pending burst
        self._last = 0.0  # ...and of its latest
        self._busy = False
        self._stopped = False
        self._thread = threading.Thread(target=self._run, name="dossier-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def notify(self, path: str) -> None:
        now = time.monotonic()
        with self._cond:
            if not self._pending:
                self._first = now
            self._pending.add(path)
            self._last = now
            self._cond.notify_all()

    def pending(self) -> bool:
        """Changes are waiting for the next action."""
        with self._cond:
            return bool(self._pending)

    @property
    def idle(self) -> bool:
        """Nothing pending and no action running."""
        with self._cond:
            return not self._pending and not self._busy

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the running action, if any; pending changes are dropped."""
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)

    def _next_batch(self) -> frozenset[str] | None:
        with self._cond:
            while not self._stopped:
                if not self._pending:
                    self._cond.wait()
                    continue
                now = time.monotonic()
                due = min(self._last + self.quiet, self._first + self.max_delay)
                if now < due:
                    self._cond.wait(due - now)
                    continue
                batch = frozenset(self._pending)
                self._pending.clear()
                self._busy = True
                return batch
            return None

    def _run(self) -> None:
        while (batch := self._next_batch()) is not None:
            try:
                self.action(batch)
            except Exception:  # the action reports its own errors; this thread must survive anything
                traceback.print_exc()
            finally:
                with self._cond:
                    self._busy = False


class _Forward(FileSystemEventHandler):
    def __init__(self, notify: Callable[[str], None], *rules: Sequence[Any]) -> None:
        self.notify = notify
        self.rules = rules

    def on_any_event(self, event: FileSystemEvent) -> None:
        try:
            for path in event_paths(event):
                if relevant(path, *self.rules):
                    self.notify(path)
        except Exception:  # an exception here would end watchdog's thread, and with it all watching
            traceback.print_exc()


class Watcher:
    """A watchdog observer over `folders` (recursive) that feeds relevant changes to `notify`."""

    def __init__(
        self,
        folders: Iterable[Path],
        notify: Callable[[str], None],
        excluded: Iterable[Path] = (),
        excluded_prefixes: Iterable[str] = (),
    ) -> None:
        # Events carry paths under the folder as scheduled: schedule and compare real paths.
        self.folders = [f.resolve() for f in folders if f.is_dir()]
        self.notify = notify
        self.handler = _Forward(notify, self.folders, [e.resolve() for e in excluded], list(excluded_prefixes))
        self.observer = self._observer()

    def _observer(self) -> BaseObserver:
        observer = Observer()
        for folder in _outermost(self.folders):
            observer.schedule(self.handler, str(folder), recursive=True)
        return observer

    def start(self) -> None:
        self.observer.start()

    def alive(self) -> bool:
        return self.observer.is_alive() and all(emitter.is_alive() for emitter in self.observer.emitters)

    def revive(self) -> bool:
        """Start a new observer if the running one died (then events may be lost: report a change)."""
        if self.alive():
            return False
        self.stop(timeout=1)
        self.observer = self._observer()
        self.observer.start()
        for folder in self.folders:
            self.notify(str(folder))
        return True

    def stop(self, timeout: float = 5.0) -> None:
        self.observer.stop()
        if self.observer.is_alive():
            self.observer.join(timeout)


def _outermost(folders: Sequence[Path]) -> list[Path]:
    """The folders that are not inside another one of them: each is watched once, recursively."""
    unique = sorted(set(folders))
    return [f for f in unique if not any(f != o and f.is_relative_to(o) for o in unique)]
