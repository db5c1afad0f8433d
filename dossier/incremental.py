"""Rebuilds that re-render only the pages whose inputs changed, for `dossier serve`.

The session's first build starts from what the last build of the content kept (store.py). Then
load, validate and analyse always run over the whole content (they are cross-file by nature:
one edited quote can change a discrepancy shown on many pages), but what each article yields on
its own — its analysis, its highlighted body — is kept between builds by content, so an edit
costs the edited article and the cross-article steps. What is skipped is the template rendering
of pages whose inputs are unchanged: the page cache (pagecache.py) renders again only the pages whose
key, a digest of everything the page is rendered from, changed.

Building every page's view to compute its key still costs seconds at thousands of articles, so
one kind of edit, the most common, takes a shorter way: when only the texts of some articles
changed and the analysis shows the same (no name, pair or group moved), every page but their
stories is as before, and only those are built (render.texts_changed says why that holds). And when the
watcher says only article files changed, a shorter way (quickedit.py) checks that from those files alone,
without loading the whole content, writes what the edit changes, and leaves a whole build to `settle`.

Everything else — captures, assets, the write and the search index — goes through the ordinary
pipeline; after the session's first build it writes only the files that changed (the edited
story first) and then indexes the changed pages alone into a small bundle the search page merges
(write.update, index.LiveIndex); `settle()` rebuilds their shards when the preview is idle.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import store
from .pagecache import PageCache
from .pipeline import Built, build
from .quickedit import edited_articles, rebuild_texts
from .render import TEMPLATES


@dataclass(frozen=True)
class Step:
    """What one rebuild did."""

    built: Built
    pages: int  # pages in the site
    rendered: tuple[str, ...]  # output paths of the pages rendered again
    elapsed_ms: float
    texts_only: bool = False  # whether it took the short way after an edit of article texts (quickedit.py)

    def summary(self, verb: str = "rebuilt") -> str:
        report = self.built.report
        way = " (article texts alone)" if self.texts_only else ""
        return (
            f"{verb} in {self.elapsed_ms:.0f} ms{way}: {len(self.rendered)} of {self.pages} pages rendered, "
            f"{len(report.written)} files written, {report.unchanged} unchanged, {len(report.removed)} removed"
        )


def _story_of(changed: Iterable[str]) -> str | None:
    """The story page of the one article file among `changed` (its file name is its id by convention)."""
    articles = [p for p in map(Path, changed) if p.suffix == ".md" and p.parent.name == "articles"]
    stories = {f"stories/{p.stem}/index.html" for p in articles}
    return stories.pop() if len(stories) == 1 else None


class _Cancelled(Exception):
    """A confirming build stopped for an edit that came meanwhile."""


class IncrementalBuilder:
    """`pipeline.build`, again and again, reusing the pages whose inputs did not change.

    Not thread-safe: one build at a time (the preview server has a single build thread).
    """

    def __init__(
        self,
        content_dir: Path,
        out: Path,
        display: str | None = None,
        templates: Path = TEMPLATES,
        search: bool = True,
    ) -> None:
        self.content_dir = content_dir
        self.out = out
        self.display = display
        self.templates = templates
        self.search = search
        self.cache = PageCache(templates)
        self.memo: dict[Any, Any] = {}  # what each article yields (analysis, highlighted body), kept between builds
        self.clean = False  # whether the last build went through

    def build(self, stage: Callable[[str], None] = lambda _name: None, changed: Iterable[str] = ()) -> Step:
        """One rebuild; raises ContentError (nothing written) like `pipeline.build`.

        After the first, each rebuild writes only the files that changed, pages first (the story of an
        edited article in `changed`, the files that changed, before any other), then rebuilds the search
        bundles of changed pages. When `changed` lists article files alone and only their texts changed, it
        may take a short way (quickedit.py) that `settle` confirms.
        """
        started = time.perf_counter()
        if not self.memo:  # the session's first build starts from what the last build of the content kept
            self.memo["kept"] = store.recall(self.content_dir)
            self.cache.stored = self.memo["kept"].get("pages", {})
        self.cache.begin()
        # The short way (quickedit.py) starts from the last build: only when that one went through, with search
        # as it is now.
        short = self.clean and changed and (self.memo.get("search") is not None) == self.search
        self.clean = False
        try:
            names = edited_articles(self.content_dir, changed) if short else None
            report = None
            if names:
                report = rebuild_texts(
                    self.memo, self.content_dir, self.out, self.display, self.templates, self.cache.draw, names, stage
                )
            if report is not None:
                built = Built(None, report)
            else:
                built = build(
                    self.content_dir,
                    self.out,
                    self.display,
                    self.templates,
                    self.search,
                    draw=self.cache.draw,
                    memo=self.memo,
                    stage=stage,
                    edited=_story_of(changed),
                )
                self.memo.pop("quick", None)
            self.clean = True
        finally:
            # What the session keeps (millions of objects at thousands of articles) would otherwise be walked
            # by every full garbage collection during the next rebuild, a second each; tidy() collects it when idle.
            gc.freeze()
        # Only a build that got through rendering may forget pages; a failed one keeps them all.
        site = self.memo.get("site")  # pipeline.LastRendered
        pages = {page.path for page in site.rendered.pages} if site else self.cache.seen
        self.cache.commit(pages)
        elapsed = (time.perf_counter() - started) * 1000
        return Step(built, len(pages), tuple(self.cache.rendered), elapsed, report is not None)

    def confirm(self, cancelled: Callable[[], bool] = lambda: False) -> Step | None:
        """After builds that took the short way (quickedit.py), a build of the whole content; None if none did,
        or if `cancelled` says so before it renders (it has written nothing then, and is done again later)."""
        if not self.memo.get("quick") or cancelled():
            return None

        def stage(name: str) -> None:
            if name == "rendering" and cancelled():
                raise _Cancelled

        try:
            return self.build(stage)
        except _Cancelled:
            self.clean = True  # as the last build left it: nothing was rendered or written
            return None

    def settle(self, cancelled: Callable[[], bool] = lambda: False) -> bool:
        """What waits for the preview to be idle: `confirm`, then rebuilding the search shards the last builds
        left outdated (index.LiveIndex.settle); False if cancelled."""
        if self.confirm(cancelled) is None and self.memo.get("quick"):
            return False
        live = self.memo.get("search")
        return live.settle(cancelled) if live is not None else True

    @staticmethod
    def tidy() -> None:
        """Collect the garbage of earlier rebuilds, which build() leaves frozen, out of the collector's way."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()
