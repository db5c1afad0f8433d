"""Stage 5, write: put the rendered site into the output folder.

A file whose bytes did not change is not touched; files the build no longer produces
are removed. Dossier only ever deletes inside a folder that carries its marker file,
and refuses to write into a non-empty folder it did not create.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError, Problem

MARKER = ".dossier-output"
MARKER_TEXT = b"This folder is written by `dossier build`; its files are replaced on every build.\n"
INDEX_DIR = "pagefind"  # written by the index stage, not by this one


@dataclass(frozen=True)
class WriteReport:
    written: tuple[str, ...]
    unchanged: int
    removed: tuple[str, ...]


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


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(out: Path, files: Mapping[str, bytes]) -> WriteReport:
    """Make `out` hold exactly `files` (plus the marker and the search index)."""
    files = {**files, MARKER: MARKER_TEXT}
    out.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    unchanged = 0
    for relative, data in sorted(files.items()):
        path = out / relative
        try:
            if path.stat().st_size == len(data) and path.read_bytes() == data:
                unchanged += 1
                continue
        except FileNotFoundError:
            pass
        _atomic_write(path, data)
        written.append(relative)
    removed = _remove_stale(out, set(files))
    return WriteReport(tuple(written), unchanged, tuple(removed))


def _remove_stale(out: Path, keep: set[str]) -> list[str]:
    removed: list[str] = []
    for dirpath, _dirnames, filenames in os.walk(out, topdown=False):
        folder = Path(dirpath)
        relative_dir = folder.relative_to(out).as_posix()
        if relative_dir == INDEX_DIR or relative_dir.startswith(INDEX_DIR + "/"):
            continue
        for name in filenames:
            relative = (folder / name).relative_to(out).as_posix()
            if relative not in keep:
                (folder / name).unlink()
                removed.append(relative)
        if folder != out and not any(folder.iterdir()):
            folder.rmdir()
    return sorted(removed)
