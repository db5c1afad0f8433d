"""What the last build of a content folder made of its parts, kept on disk for the next `dossier build`.

A build in a new process (a CI run, `dossier build` after editing one article) would otherwise redo
everything the last one did: parse every article's Markdown, find every name in it, render every page
with Jinja. So what each of those yields is kept, keyed by exactly what it is made from:

- `bodies`, `readers`: an article's highlighted HTML, by (Markdown, quotes); its reader text, by Markdown;
- `analysis`: what analyse keeps of each article, by (id, language, text) and the entities' forms;
- `pages`: each page's HTML (compressed) with the key of everything it was rendered from (incremental.PageCache).

Reusing an entry therefore gives the bytes computing it again would. Dossier's code is not in those
keys, so the store as a whole is valid only for the code that wrote it. A store holds what one build
used (a build writes it whole), in one file per content folder in the user's cache folder, next to the
no-op record (cache.py) and never in the output. A store that cannot be read is an empty one.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from .cache import cache_dir, code_digest, folder_key

FORMAT = 1


def _path(content: Path) -> Path:
    return cache_dir() / f"store-{folder_key(content)}.pickle"


def recall(content: Path) -> dict[str, Any]:
    """What the last build of `content` kept (see the module's docstring); {} when there is none that fits."""
    try:
        with open(_path(content), "rb") as file:
            kept = pickle.load(file)  # the user's own cache folder, written by this code: trusted like it
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return {}
    if not isinstance(kept, dict) or kept.get("format") != (FORMAT, code_digest()):
        return {}
    return kept


def keep(content: Path, kept: dict[str, Any]) -> None:
    """Replace the store of `content`; one that cannot be written only makes the next build slower."""
    path = _path(content)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as file:
            pickle.dump({**kept, "format": (FORMAT, code_digest())}, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)


def forget(content: Path) -> None:
    """Remove the store of `content` (the next build computes everything)."""
    _path(content).unlink(missing_ok=True)
