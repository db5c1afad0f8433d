"""The watcher: which events count, and one rebuild per burst with nothing lost."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from watchdog.events import (
    DirModifiedEvent,
    FileClosedNoWriteEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileOpenedEvent,
)

from dossier.watch import Debouncer, Watcher, event_paths, ignored_name, relevant


def wait_until(condition: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


@pytest.mark.parametrize(
    "name",
    [".bridge-en.md.swp", "claims.yaml.swx", ".claims.yaml.swo", "bridge-en.md~", ".#bridge-en.md", "4913",
     "#bridge-en.md#", "bridge-en.md.tmp", "claims.yaml___jb_tmp___", "claims.yaml___jb_old___", ".DS_Store"],
)  # fmt: skip
def test_editor_noise_is_ignored(name: str) -> None:
    assert ignored_name(name)


@pytest.mark.parametrize("name", ["bridge-en.md", "claims.yaml", "bridge-en.txt", ".hidden-capture.txt", "style.css"])
def test_content_names_are_not_ignored(name: str) -> None:
    # Dotfiles are not ignored wholesale: a capture may be named so, and the loader reads it.
    assert not ignored_name(name)


def test_relevant_paths(tmp_path: Path) -> None:
    content, templates = tmp_path / "content", tmp_path / "templates"
    out = content / "_site"  # an output folder inside a watched one is still never watched
    roots, excluded = [content, templates], [out]
    staging = [str(tmp_path / "._site.dossier-staging-")]
    assert relevant(content / "articles" / "a.md", roots, excluded, staging)
    assert relevant(templates / "story.html", roots, excluded, staging)
    assert relevant(content / "articles", roots, excluded, staging)  # a folder deleted or renamed
    assert not relevant(out / "index.html", roots, excluded, staging)
    assert not relevant(out, roots, excluded, staging)
    assert not relevant(tmp_path / "._site.dossier-staging-x1y2" / "index.html", roots, excluded, staging)
    assert not relevant(content / ".git" / "index", roots, excluded, staging)
    assert not relevant(content / "articles" / ".a.md.swp", roots, excluded, staging)
    assert not relevant(tmp_path / "elsewhere.md", roots, excluded, staging)


def test_event_paths() -> None:
    assert event_paths(FileModifiedEvent("/c/a.md")) == ["/c/a.md"]
    assert event_paths(FileMovedEvent("/c/a.md.tmp", "/c/a.md")) == ["/c/a.md.tmp", "/c/a.md"]
    assert event_paths(FileOpenedEvent("/c/a.md")) == []
    assert event_paths(FileClosedNoWriteEvent("/c/a.md")) == []
    assert event_paths(DirModifiedEvent("/c/articles")) == []


class Recorder:
    """An action that records its batches; the first call can be made slow."""

    def __init__(self, first_call_seconds: float = 0.0) -> None:
        self.batches: list[frozenset[str]] = []
        self.first_call_seconds = first_call_seconds
        self.started = threading.Event()
        self.lock = threading.Lock()

    def __call__(self, batch: frozenset[str]) -> None:
        self.started.set()
        if not self.batches and self.first_call_seconds:
            time.sleep(self.first_call_seconds)
        with self.lock:
            self.batches.append(batch)


@pytest.fixture
def debounced() -> Iterator[Callable[..., tuple[Debouncer, Recorder]]]:
    made: list[Debouncer] = []

    def make(quiet: float = 0.1, max_delay: float = 2.0, slow: float = 0.0) -> tuple[Debouncer, Recorder]:
        recorder = Recorder(slow)
        debouncer = Debouncer(recorder, quiet=quiet, max_delay=max_delay)
        debouncer.start()
        made.append(debouncer)
        return debouncer, recorder

    yield make
    for debouncer in made:
        debouncer.stop(timeout=5)


def test_one_burst_is_one_rebuild(debounced: Callable[..., tuple[Debouncer, Recorder]]) -> None:
    debouncer, recorder = debounced(quiet=0.3)
    for n in range(30):
        debouncer.notify(f"/c/file-{n % 3}")
        time.sleep(0.002)
    assert wait_until(lambda: len(recorder.batches) == 1)
    time.sleep(0.4)
    assert recorder.batches == [frozenset({"/c/file-0", "/c/file-1", "/c/file-2"})]
    assert debouncer.idle


def test_changes_during_a_rebuild_are_queued_not_lost(debounced: Callable[..., tuple[Debouncer, Recorder]]) -> None:
    debouncer, recorder = debounced(quiet=0.05, slow=0.5)
    debouncer.notify("/c/first")
    assert recorder.started.wait(5)
    assert not debouncer.idle
    debouncer.notify("/c/during-1")
    debouncer.notify("/c/during-2")
    assert wait_until(lambda: len(recorder.batches) == 2)
    assert recorder.batches == [frozenset({"/c/first"}), frozenset({"/c/during-1", "/c/during-2"})]
    assert wait_until(lambda: debouncer.idle)


def test_a_folder_that_never_goes_quiet_is_still_rebuilt(
    debounced: Callable[..., tuple[Debouncer, Recorder]],
) -> None:
    debouncer, recorder = debounced(quiet=0.2, max_delay=0.4)
    deadline = time.monotonic() + 1.5
    while time.monotonic() < deadline:  # an event every 50 ms: never quiet for 200 ms
        debouncer.notify("/c/busy")
        time.sleep(0.05)
    assert len(recorder.batches) >= 2


def test_stop_returns_promptly(debounced: Callable[..., tuple[Debouncer, Recorder]]) -> None:
    debouncer, _ = debounced()
    started = time.monotonic()
    debouncer.stop(timeout=5)
    assert time.monotonic() - started < 1


def test_watcher_reports_real_changes_once_per_burst(tmp_path: Path) -> None:
    content = tmp_path / "content"
    (content / "articles").mkdir(parents=True)
    out = content / "_site"
    out.mkdir()
    article = content / "articles" / "a.md"
    article.write_text("one\n")
    recorder = Recorder()
    debouncer = Debouncer(recorder, quiet=0.3)
    watcher = Watcher([content], debouncer.notify, excluded=[out])
    watcher.start()
    debouncer.start()
    try:
        time.sleep(0.2)  # let the observer settle
        # Noise alone: editor files and the output folder.
        (content / "articles" / ".a.md.swp").write_text("swap")
        (content / "articles" / "4913").write_text("")
        (content / "articles" / "4913").unlink()
        (out / "index.html").write_text("<p>built</p>")
        time.sleep(0.6)
        assert recorder.batches == []
        # A save as editors do it: write a temporary file, rename it over the article, drop a backup.
        temporary = content / "articles" / "a.md.tmp"
        temporary.write_text("two\n")
        os.replace(temporary, article)
        (content / "articles" / "a.md~").write_text("one\n")
        assert wait_until(lambda: len(recorder.batches) == 1)
        time.sleep(0.5)
        assert len(recorder.batches) == 1
        assert str(article.resolve()) in recorder.batches[0]
        assert all(not ignored_name(Path(p).name) for p in recorder.batches[0])
    finally:
        watcher.stop()
        debouncer.stop()


def test_a_dead_observer_is_revived(tmp_path: Path) -> None:
    content = tmp_path / "content"
    content.mkdir()
    seen: list[str] = []
    watcher = Watcher([content], seen.append)
    watcher.start()
    try:
        assert watcher.alive() and not watcher.revive()
        watcher.observer.stop()
        watcher.observer.join(5)
        assert not watcher.alive()
        assert watcher.revive()
        assert seen == [str(content.resolve())]  # events may have been lost meanwhile: rebuild
        time.sleep(0.2)
        (content / "claims.yaml").write_text("[]\n")
        assert wait_until(lambda: str((content / "claims.yaml").resolve()) in seen)
    finally:
        watcher.stop()
