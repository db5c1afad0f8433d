"""What the last build of a content folder made of its parts, kept on disk for the next `dossier build`.

A build in a new process (a CI run, `dossier build` after editing one article) would otherwise redo
everything the last one did: parse every article's Markdown, find every name in it, render every page
with Jinja. So what each of those yields is kept, keyed by exactly what it is made from:

- `load`: each file's records, by its text (load.Parsed);
- `bodies`, `readers`: an article's highlighted HTML, by (Markdown, quotes); its reader text, by Markdown;
- `analysis`: what analyse finds in each article, by (id, language, text) and the entities' forms; the
  rewrite scores, by a digest of every article's (id, language, text);
- `pages`: each page's HTML with the key of everything it was rendered from (pagecache.PageCache); not
  compressed: the very bytes the build writes, held once, and no build spends a core compressing them.

Reusing an entry therefore gives the bytes computing it again would. Dossier's code and the libraries
that shape its output are not in those keys, so the store as a whole is valid only for the versions
of them that wrote it (its header, read before the rest). A store holds what one build
used (a build writes it whole), in one file per content folder in the user's cache folder, next to the
no-op record (cache.py) and never in the output; the stores of folders that are gone are removed. A
store that cannot be read is an empty one.
"""

from __future__ import annotations

import os
import pickle
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from .cache import cache_dir, code_digest, folder_key

FORMAT = 1
# How reading a store written by other code, or cut short, fails.
_UNREADABLE = (
    OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError,
)  # fmt: skip
# What turns content into what is stored besides Dossier's own code: a new version may render differently.
MADE_WITH = ("jinja2", "markdown-it-py", "markupsafe", "pyyaml", "regex")


@lru_cache(maxsize=1)
def _header() -> tuple[Any, ...]:
    return FORMAT, code_digest(), tuple(_version(name) for name in MADE_WITH)


def _header_of(content: Path) -> tuple[Any, ...]:
    """A store's header: what wrote it, and (last, see _prune) the content folder it is of."""
    return *_header(), os.fspath(content.resolve())


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return ""


def _path(content: Path) -> Path:
    return cache_dir() / f"store-{folder_key(content)}.pickle"


def recall(content: Path) -> dict[str, Any]:
    """What the last build of `content` kept (see the module's docstring); {} when there is none that fits."""
    try:
        with open(_path(content), "rb") as file:
            # The user's own cache folder, written by this code: trusted like it. The header first, so that
            # a store of other code is not read whole (it holds hundreds of MB for a large dossier).
            if pickle.load(file) != _header_of(content):
                return {}
            parts = pickle.load(file)
            return {part: pickle.load(file) for part in parts}
    except _UNREADABLE:
        return {}


def keep(content: Path, kept: dict[str, Any], earlier: dict[str, Any]) -> None:
    """Replace the store of `content`, unless it holds what `earlier` (what it held) did; a store that
    cannot be written only makes the next build slower."""
    if earlier and _made_from(earlier) == _made_from(kept):
        return
    path = _path(content)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as file:
            pickle.dump(_header_of(content), file, protocol=pickle.HIGHEST_PROTOCOL)
            # Part by part: pickle remembers every object it wrote until the end of a dump, millions of them
            # at thousands of articles (an object shared by two parts is written twice).
            pickle.dump(list(kept), file, protocol=pickle.HIGHEST_PROTOCOL)
            for value in kept.values():
                pickle.dump(value, file, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass
    finally:
        tmp.unlink(missing_ok=True)
    _prune(path.parent)


def _made_from(kept: dict[str, Any]) -> tuple[Any, ...]:
    """What the entries of a store were made from: their keys (see the module's docstring)."""
    analysis, parsed = kept.get("analysis", {}), kept.get("load", {})
    return (
        analysis.get("forms"), analysis.get("pairs", (None,))[0], analysis.get("articles", {}).keys(),
        kept.get("bodies", {}).keys(), kept.get("readers", {}).keys(), parsed.get("articles", {}).keys(),
        {key: text for key, (text, _) in parsed.get("files", {}).items()},
        {path: key for path, (key, _) in kept.get("pages", {}).items()},
    )  # fmt: skip


def _prune(folder: Path) -> None:
    """Remove the stores of content folders that are gone (a deleted dossier's, a test's), each about the
    size of its site; the folder a store is of is the last item of its header."""
    for path in folder.glob("store-*.pickle"):
        try:
            with open(path, "rb") as file:
                header = pickle.load(file)
        except _UNREADABLE:
            continue
        if isinstance(header, tuple) and header and isinstance(header[-1], str) and not os.path.isdir(header[-1]):
            path.unlink(missing_ok=True)


def forget(content: Path) -> None:
    """Remove the store of `content` (the next build computes everything)."""
    _path(content).unlink(missing_ok=True)
