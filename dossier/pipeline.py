"""The stages in order: load → validate → analyse → render → write → index."""

from __future__ import annotations

import contextlib
import ctypes
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from . import cache, store
from .errors import ContentError
from .findings import Analysis
from .highlight import Bodies, read_and_highlight
from .index import MANIFEST, LiveIndex, assign, indexer, manifest, parts_folder, put_parts, remove_orphan_parts
from .load import Parsed, load
from .model import Content
from .pagecache import PageCache
from .render import TEMPLATES, PageRenderer, Rendered, render, render_stories, templates_digest, texts_changed
from .text import read_all, reader_text, remember_reader_text
from .validate import validate
from .views import Index, story_quotes
from .write import WriteReport, check_output_folder, publish, remove_leftovers, update, with_marker


@dataclass(frozen=True)
class Checked:
    """Content that loaded, validated without a single problem, and was analysed."""

    content: Content
    analysis: Analysis
    parsed: Parsed = field(default_factory=dict, compare=False)  # see Loaded.parsed


@dataclass(frozen=True)
class Built:
    checked: Checked | None  # None when the build found nothing to do
    report: WriteReport
    pages: int = 0  # pages in the site built
    reused: int = 0  # of them, pages not rendered again: as an earlier process rendered them (store.py)


def check(
    content_dir: Path,
    display: str | None = None,
    memo: dict[Any, Any] | None = None,
    bodies: Bodies | None = None,
    parsed: Parsed | None = None,
    meanwhile: Callable[[], object] = lambda: None,
) -> Checked:
    """Load and validate; raise ContentError carrying every problem at once. `memo`: see build.

    With `bodies`, every article's highlighted body goes there, from the parse that reads its text;
    `meanwhile()` runs while the texts are parsed (see parallel.map_forked).
    `parsed`: what an earlier process made of each file (see load).
    """
    loaded = load(content_dir, display, parsed)
    articles = loaded.content.articles
    if bodies is None:
        read_all(a.body for a in articles)
        meanwhile()
    else:
        quotes = story_quotes(loaded.content)
        read_and_highlight(((a.body, quotes.get(a.id, ())) for a in articles), bodies, meanwhile)
    problems = validate(loaded, content_dir)
    if problems:
        raise ContentError(problems)
    from .analyse import analyse

    analysis = analyse(loaded.content, None if memo is None else memo.setdefault("analysis", {}))
    return Checked(loaded.content, analysis, loaded.parsed)


@dataclass(frozen=True)
class LastRendered:
    """A preview session's latest rendering, kept for the next (see _render)."""

    templates: bytes  # render.templates_digest of the templates it was rendered with
    checked: Checked
    rendered: Rendered
    index: Index  # the lookup tables it was rendered with


def _render(
    checked: Checked,
    content_dir: Path,
    templates: Path,
    draw: PageRenderer | None,
    bodies: Bodies,
    memo: dict[Any, Any] | None,
    kept: PageCache | None,
    parts: Path | None = None,
) -> Rendered:
    """render; in a preview session (`memo`), after an edit of article texts alone, their stories alone;
    otherwise drawing through `kept`, which reuses the pages of an earlier process whose inputs are unchanged."""
    if memo is None:
        return render(checked.content, checked.analysis, content_dir, templates, draw, bodies, kept, parts=parts)
    looks = templates_digest(templates)
    earlier: LastRendered | None = memo.pop("site", None)  # put back once rendering has succeeded
    rendered = None
    index = Index(checked.content, checked.analysis, bodies)
    if earlier is not None and draw is not None and earlier.templates == looks:
        before = (earlier.checked.content, earlier.checked.analysis)
        changed = texts_changed(before, (checked.content, checked.analysis))
        if changed is not None:
            rendered = render_stories(
                earlier.rendered, checked.content, checked.analysis, content_dir, templates, draw, bodies, changed,
                index,
            )
    if rendered is None:
        rendered = render(checked.content, checked.analysis, content_dir, templates, draw, bodies, index=index)
    memo["site"] = LastRendered(looks, checked, rendered, index)
    return rendered


def _return_freed_memory() -> None:
    """Hand back to the system the memory analysis freed (the sets of words it compared, hundreds of MB at
    thousands of articles): glibc keeps freed pages amid the heap, and the pages rendered next come on top."""
    with contextlib.suppress(OSError, AttributeError):  # not glibc: nothing to ask
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _keep(content_dir: Path, checked: Checked, work: dict[str, Any], rendered: Rendered, kept: dict[str, Any]) -> None:
    """Store what this build made of each part of the content for the next process (store.py);
    `kept`: what the store held."""
    analysis = {part: work["analysis"][part] for part in ("forms", "articles", "pairs") if part in work["analysis"]}
    content = checked.content
    quotes = story_quotes(content)
    used = ((a.body, quotes.get(a.id, ())) for a in content.articles)
    bodies = {key: work["bodies"][key] for key in used if key in work["bodies"]}
    readers = {a.body: reader_text(a.body) for a in content.articles}
    pages = rendered.stored
    new = {"load": checked.parsed, "analysis": analysis, "bodies": bodies, "readers": readers, "pages": pages}
    store.keep(content_dir, new, kept)


# A build allocates millions of objects that live until it ends, few of them in reference cycles. At Python's
# thresholds (700, 10, 10) the collector scans the young ones every 700 allocations and all of them ever more
# often: 10–15 % of a cold build's time at 1,000 and 10,000 articles, in the forked workers too (they inherit it).
_BUILD_GC_THRESHOLD = (100_000, 50, 1_000)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage rarely for the length of a build, then as before (a preview server lives on)."""
    before = gc.get_threshold()
    gc.set_threshold(*_BUILD_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


@_fewer_collections()
def build(
    content_dir: Path,
    out: Path,
    display: str | None = None,
    templates: Path = TEMPLATES,
    search: bool = True,
    draw: PageRenderer | None = None,
    reuse: bool = True,
    stage: Callable[[str], None] = lambda _name: None,
    memo: dict[Any, Any] | None = None,
    edited: str | None = None,
) -> Built:
    """Every stage, all or nothing: the output changes only once the whole new site, index included, is ready
    (except in a preview session, see `memo`).

    With `reuse`, a build whose inputs are byte for byte those of the build already in `out`
    (and whose output is intact) does nothing at all; `checked` is then None.
    `stage` is told the name of each stage as it starts (see progress.Progress).

    `memo`, the same dict at every build of a preview session, keeps what each article yields between
    builds (see analyse, views.Index), the site rendered last (see _render) and what was written: after the
    session's first build, only changed files are written, each on its own, `edited` (an output path) first,
    then the changed pages are made searchable (see write.update, index.LiveIndex).
    """
    check_output_folder(out, {"content": content_dir, "templates": templates})
    remove_leftovers(out)
    remove_orphan_parts()
    inputs = cache.fingerprint(content_dir, templates, options=f"search={search}") if reuse and not draw else None
    if inputs is not None and (files := cache.unchanged(out, inputs)) is not None:
        return Built(None, WriteReport((), files, ()))
    stage("checking")
    # What an earlier process made of this content (store.py): a preview's builder recalls it for its first build.
    kept = store.recall(content_dir) if memo is None else memo.pop("kept", {})
    work = memo if memo is not None else {}
    # A preview keeps the index that finds rewrites between its builds (see analyse); a one-off build has no use for it.
    work.setdefault("analysis", {**kept.get("analysis", {}), **({"similarity": {}} if memo is not None else {})})
    work.setdefault("bodies", kept.get("bodies", {}))
    for body, text in kept.get("readers", {}).items():
        remember_reader_text(body, text)
    bodies: Bodies = work["bodies"]
    # A one-off build draws its pages through a PageCache, for the store; its templates are compiled while the
    # articles are parsed on the other cores (compiling them takes a core for 0.1-0.2 s).
    pages = PageCache(templates, kept.get("pages", {})) if memo is None and draw is None else None
    if pages is not None:
        pages.begin()
    checked = check(content_dir, display, work, bodies, kept.get("load"), pages.warm if pages else lambda: None)
    if memo is None:
        _return_freed_memory()
    # What Pagefind reads: a one-off build writes each page's searchable part as it is drawn (see render).
    with parts_folder() as scratch:
        parts = Path(scratch)
        stage("rendering")
        with_parts = memo is None and search
        rendered = _render(checked, content_dir, templates, draw, bodies, memo, pages, parts if with_parts else None)
        searchable = rendered.searchable if search else {}
        bundles = assign(searchable)
        files = {**rendered.files, MANIFEST: manifest(bundles)} if search else rendered.files

        def indexing() -> None:
            stage("indexing")  # while the files are written
            if not with_parts:  # a preview renders some pages alone (render_stories): its parts are made here
                put_parts(parts, searchable, files.__getitem__)

        stage("writing")
        live: LiveIndex | None = memo.get("search") if memo is not None else None
        # A builder whose search was switched on after its last publish has no live index yet: it publishes whole.
        if memo is not None and memo.get("written") and out.is_dir() and (live is not None or not search):
            before = partial(live.before_write, bundles) if live is not None else (lambda _touched: None)
            written = update(out, rendered.files, memo["written"], first=edited, before=before)
            if live is not None:
                stage("indexing")
                live.refresh(bundles, (*written.written, *written.removed))
        else:

            def keep() -> None:
                # While the index builds: the site is written, its bytes need not be held (peak memory).
                files.clear()
                rendered.files.clear()
                _keep(content_dir, checked, work, rendered, kept)

            after = keep if memo is None else lambda: None
            written = publish(out, files, bundles, indexer(parts, indexing), after)
            if memo is not None:
                memo["written"] = with_marker(rendered.files)  # shards.json is the live index's from now on
                memo["search"] = LiveIndex(out, bundles) if search else None
    if inputs is not None:
        cache.remember(out, inputs)
    stored = kept.get("pages", {})
    reused = sum(1 for path, (key, _) in rendered.stored.items() if stored.get(path, (None,))[0] == key)
    return Built(checked, written, len(rendered.pages), reused)
