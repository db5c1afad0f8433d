"""Stage 5, write: put the rendered site into the output folder.

`publish` assembles the new site in a sibling staging folder (unchanged files hard-linked
from the current output) and swaps it in with one atomic rename, so a build that fails or
is killed at any moment leaves the previous output exactly as it was. Files the build no
longer produces disappear with the old folder. Dossier only ever replaces a folder that
carries its marker file, and refuses to write into a non-empty folder it did not create.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem

MARKER = ".dossier-output"
MARKER_TEXT = b"This folder is written by `dossier build`; its files are replaced on every build.\n"
INDEX_DIR = "pagefind"  # the search bundles, `<language>/<shard>/` (written by the index stage)


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


def with_marker(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The files of a site as written: the marker file that says Dossier wrote the folder among them."""
    return {**files, MARKER: MARKER_TEXT}


def check_output_folder(out: Path, protected: Mapping[str, Path]) -> None:
    """Refuse output folders that would put a user's files at risk."""
    real = out.resolve()
    for name, folder in protected.items():
        folder = folder.resolve()
        if real == folder or folder in real.parents or real in folder.parents:
            raise ContentError([Problem(str(out), 0, f"the output folder may not be, contain or lie inside the "
                                        f"{name} folder ({folder})")])
    if out.exists() and not out.is_dir():
        raise ContentError([Problem(str(out), 0, "the output path exists and is not a folder")])
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise ContentError([Problem(str(out), 0, "refusing to write into a folder that is not empty and was not "
                                    "created by dossier; choose an empty or new folder with --out")])


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------------------
# All-or-nothing publishing


STAGING_INFIX = ".dossier-staging-"
_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two folders (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def link_or_copy(source: Path, target: Path) -> None:
    """A hard link where the file system allows it (no bytes copied), a copy elsewhere."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False


def remove_leftovers(out: Path) -> None:
    """Staging folders of builds that were killed: ours by name, beside the output."""
    if not out.parent.is_dir():
        return
    for sibling in out.parent.iterdir():
        if sibling.name.startswith(f".{out.name}{STAGING_INFIX}") and sibling.is_dir() and not sibling.is_symlink():
            shutil.rmtree(sibling, ignore_errors=True)


@dataclass(frozen=True)
class Indexer:
    """The index stage as `publish` sees it: bundles named by a relative folder ("en/1")."""

    # (site, page path -> bundle, cancelled): fills site/pagefind/<bundle>/ with the bundles, from the pages as
    # rendered (not as written: it may run while they are); stops (Cancelled) once cancelled() comes true
    build: Callable[[Path, Mapping[str, str], Callable[[], bool]], None]
    current: Callable[[Path, list[str]], bool]  # (a bundle's folder, its pages): was it built over exactly these?


def _stale_bundles(
    out: Path, searchable: Mapping[str, str], indexer: Indexer, changed: Callable[[str], bool]
) -> tuple[dict[str, list[str]], set[str]]:
    """The pages of each bundle, and the bundles to build: those not built over exactly their pages,
    or holding a changed page."""
    pages_of: dict[str, list[str]] = {}
    for path, bundle in sorted(searchable.items()):
        pages_of.setdefault(bundle, []).append(path)
    stale = {
        bundle for bundle, paths in pages_of.items()
        if not indexer.current(out / INDEX_DIR / bundle, paths) or any(map(changed, paths))
    }  # fmt: skip
    return pages_of, stale


def publish(
    out: Path,
    files: Mapping[str, bytes],
    searchable: Mapping[str, str],
    indexer: Indexer,
    meanwhile: Callable[[], None] = lambda: None,
) -> WriteReport:
    """Make `out` hold exactly `files` plus search bundles over `searchable` (page path -> bundle), all at once.

    The bundles are indexed on another thread while the files are written. Once every file is written,
    `meanwhile()` runs, during the indexing; publish holds no file's bytes by then.
    """
    files = with_marker(files)
    remove_leftovers(out)
    there = out.is_dir()  # a first build: nothing to compare, file by file
    same = {path for path, data in files.items() if _same_bytes(out / path, data)} if there else set()
    previous = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} if there else set()
    previous_pages = {p for p in previous if not p.startswith(INDEX_DIR + "/")}
    removed = tuple(sorted(previous_pages - set(files)))
    pages_of, stale = _stale_bundles(out, searchable, indexer, lambda path: path not in same)
    old_bundles = {p.parent.relative_to(out / INDEX_DIR).as_posix() for p in out.glob(f"{INDEX_DIR}/*/*/pagefind.js")}
    if len(same) == len(files) and not removed and not stale and old_bundles == set(pages_of):
        meanwhile()
        return WriteReport((), len(files), ())

    out.parent.mkdir(parents=True, exist_ok=True)  # `--out new/folder/site`: made, as `mkdir -p` would
    stage = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}{STAGING_INFIX}"))
    try:
        to_index = {path: bundle for path, bundle in searchable.items() if bundle in stale}
        failed = threading.Event()
        errors: list[BaseException] = []

        def index() -> None:
            _let_ctrl_c_through()
            try:
                indexer.build(stage, to_index, failed.is_set)
            except BaseException as error:  # raised in the calling thread, below
                errors.append(error)

        indexing = threading.Thread(target=index, name="dossier-index")
        try:  # Ctrl-C can land anywhere: the indexer is stopped, and waited for, before the stage is removed
            if to_index:
                _start_uninterrupted(indexing)
            written = _write_files(stage, out, files, same)
            del files
            for bundle in sorted(set(pages_of) - stale):
                shutil.copytree(out / INDEX_DIR / bundle, stage / INDEX_DIR / bundle, copy_function=link_or_copy)
            meanwhile()
        except BaseException:
            failed.set()
            raise
        finally:
            if indexing.ident is not None:
                indexing.join()
        if errors:
            raise errors[0]
        if out.exists():
            if not _exchange(stage, out):
                # No atomic swap here: two renames, the window between them as short as it gets.
                retired = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}{STAGING_INFIX}"))
                os.rename(out, retired / "old")
                os.rename(stage, out)
                stage = retired
        else:
            os.rename(stage, out)
            stage = None  # type: ignore[assignment]
    finally:
        if stage is not None and stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return WriteReport(tuple(written), len(same), removed)


def _start_uninterrupted(thread: threading.Thread) -> None:
    """Start `thread` with Ctrl-C held back until it runs: a thread interrupted as it starts may run on unseen.
    Once started, `thread.ident` is set, even if Ctrl-C is then raised here. The thread inherits the hold;
    it lets Ctrl-C through again with _let_ctrl_c_through (so that the processes it starts do too)."""
    if not hasattr(signal, "pthread_sigmask"):
        thread.start()
        return
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        thread.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)


def _let_ctrl_c_through() -> None:
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _write_files(stage: Path, out: Path, files: Mapping[str, bytes], same: set[str]) -> list[str]:
    """Put `files` in `stage` (those in `same` hard-linked from `out`); the paths written."""
    written: list[str] = []
    folders: set[Path] = set()  # made already: a story's page and capture share one
    for relative in sorted(files):
        target = stage / relative
        if target.parent not in folders:
            target.parent.mkdir(parents=True, exist_ok=True)
            folders.add(target.parent)
        if relative in same:
            link_or_copy(out / relative, target)
        else:
            target.write_bytes(files[relative])
            written.append(relative)
    return written


def update(
    out: Path,
    files: Mapping[str, bytes],
    written: dict[str, bytes],
    first: str | None = None,
    before: Callable[[set[str]], None] = lambda _touched: None,
    whole: bool = True,
) -> WriteReport:
    """The preview server's write: what changed since its last build, file by file.

    `written` holds the bytes of every file this process put in `out` (a full `publish` first); it is
    kept up to date. Each file is replaced atomically, `first` before the others; `before` is told
    which files will be replaced or removed before any is. The search index is the caller's (index.LiveIndex).
    Unless `whole`, `files` are only some of the site's files, the others as written: none is removed.
    """
    if whole:
        files = with_marker(files)
    folder = os.fspath(out)
    changed = sorted((p for p, data in files.items()
                      if written.get(p) != data or not os.path.isfile(os.path.join(folder, p))),
                     key=lambda p: p != first)  # fmt: skip
    removed = sorted(set(written) - set(files)) if whole else []
    unchanged = (len(files) if whole else len(written) + sum(p not in written for p in files)) - len(changed)
    before(set(changed) | set(removed))
    for path in changed:
        atomic_write(out / path, files[path])
        written[path] = files[path]
    for path in removed:
        (out / path).unlink(missing_ok=True)
        del written[path]
        _remove_empty_parents(out, (out / path).parent)
    return WriteReport(tuple(changed), unchanged, tuple(removed))


def _remove_empty_parents(out: Path, folder: Path) -> None:
    while folder != out and out in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent
