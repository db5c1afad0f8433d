"""The record of the last successful build of an output folder, to skip builds that would change nothing.

A build's output is a pure function of its inputs: the content folder, the templates and
Dossier's own code. Their fingerprint, with the list of files the build produced and
their sizes, is kept in the user's cache folder (never in the output, whose bytes must
not depend on it). When the fingerprint matches and every recorded file is still in
place at its size, the build has nothing to do.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

CODE = Path(__file__).resolve().parent


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "dossier"


def _files(folder: Path) -> Iterable[tuple[str, str]]:
    """Every file under `folder` in a fixed order: its relative POSIX path and its full path (strings, not
    Path objects, which took twice as long)."""
    root = os.fspath(folder)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        relative = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in sorted(filenames):
            yield name if relative == "." else f"{relative}/{name}", os.path.join(dirpath, name)


def _read(path: str) -> bytes:
    with open(path, "rb") as file:
        return file.read()


def _sizes(folder: Path) -> dict[str, int]:
    """Every file under `folder` (relative POSIX path) and its size. Tens of thousands at 10,000 articles: strings
    and directory entries, not Path objects, which took twice as long."""
    sizes: dict[str, int] = {}
    todo = [""]
    while todo:
        relative = todo.pop()
        with os.scandir(os.path.join(folder, relative)) as entries:
            for entry in entries:
                name = f"{relative}/{entry.name}" if relative else entry.name
                if entry.is_dir(follow_symlinks=False):
                    todo.append(name)
                else:
                    sizes[name] = entry.stat().st_size
    return sizes


def parts_digest(parts: Iterable[bytes]) -> bytes:
    """A digest of a sequence of byte strings, each length-prefixed so that no two sequences share one."""
    digest = hashlib.blake2b(digest_size=20)
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.digest()


@lru_cache(maxsize=1)
def code_digest() -> str:
    """A digest of Dossier's own code (its package folder): what any kept result was computed by."""
    digest = hashlib.sha256()
    for relative, path in _files(CODE):
        if "__pycache__" not in relative.split("/"):
            digest.update(b"\0" + os.fsencode(relative) + b"\0" + _read(path))
    return digest.hexdigest()


def fingerprint(*folders: Path, options: str = "") -> str:
    """A digest of every file's path and bytes under the folders, and of Dossier's code."""
    digest = hashlib.sha256(options.encode())
    for root in folders:
        digest.update(b"\0root\0" + os.fsencode(root.name))
        for relative, path in _files(root):
            digest.update(b"\0" + os.fsencode(relative) + b"\0")
            try:
                digest.update(_read(path))
            except OSError:
                digest.update(b"\0unreadable")
    digest.update(b"\0code\0" + code_digest().encode())
    return digest.hexdigest()


def folder_key(folder: Path) -> str:
    """A short name for a folder, for the files about it kept in the cache folder."""
    return hashlib.sha256(os.fsencode(folder.resolve())).hexdigest()[:24]


def _record_path(out: Path) -> Path:
    return cache_dir() / f"build-{folder_key(out)}.json"


def unchanged(out: Path, print_: str) -> int | None:
    """The number of files in `out` when it holds what a build with this fingerprint produced, untouched."""
    try:
        record = json.loads(_record_path(out).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if record.get("fingerprint") != print_:
        return None
    try:
        base = os.fspath(out)
        intact = all(os.stat(os.path.join(base, name)).st_size == size for name, size in record["files"].items())
    except (OSError, KeyError, AttributeError):
        return None
    return len(record["files"]) if intact else None


def remember(out: Path, print_: str) -> None:
    """Record the build now in `out`; a cache that cannot be written is only a slower next build."""
    files = _sizes(out)
    path = _record_path(out)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"fingerprint": print_, "out": str(out.resolve()), "files": files}), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass
