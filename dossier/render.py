"""Stage 4, render: every page of the site as bytes, in memory, keyed by output path."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from .cache import parts_digest
from .findings import Analysis
from .highlight import Bodies
from .index import put_part, searchable_part
from .load import read_kept
from .model import Content
from .parallel import MIN_TASKS, map_forked
from .printing import RUNNING_HEAD, print_page, prints_texts, running_head_css
from .publish import FEED, ROBOTS, SITEMAP, Head, feed, head, robots, sitemap
from .snippets import FILTERS
from .views import Index, Page, PageBuilder, page_builders, shown_similarities, story_page

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NAV = (
    ("", "Overview"),
    ("claims/", "Claims"),
    ("sources/", "Sources"),
    ("entities/", "Entities"),
    ("timeline/", "Timeline"),
    ("about/", "Method"),
)


class _Environment(jinja2.Environment):
    def getattr(self, obj: Any, attribute: str) -> Any:
        """`view.key` looked up as a key first when the view is a dict, as every view of views.py is.

        Jinja tries an attribute first, and a dict's missing attribute raises an AttributeError to be caught:
        a quarter of the time spent drawing a page. No view has a key named as a dict method."""
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=4)
def environment(templates: Path) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(FILTERS)
    return env


def site_globals(content: Content) -> dict[str, Any]:
    d = content.dossier
    return {
        "title": d.title,
        "default_language": d.default_language,
        "curator": d.curator,
        "updated": d.updated.display(),
        "nav": NAV,
        "pdf": False,  # True once dossier.pdf exists beside the pages (see pdf.link_overview)
        # 404.html is served at any depth, so it links from the site's absolute path.
        "base_path": urlsplit(d.base_url).path.rstrip("/") + "/",
    }


def render_page(
    env: jinja2.Environment, page: Page, site: Mapping[str, Any], head_meta: Head | None = None
) -> bytes:
    """One page; `head_meta` is its metadata for <head> (publish.head), left out when None."""
    template = env.get_template(page.template)
    # Interface text is in the default language; mark it when the page's content is not.
    ui_lang = Markup(f' lang="{site["default_language"]}"') if page.lang != site["default_language"] else ""
    root = site["base_path"] if page.path == "404.html" else page.root
    html = template.render(page=page, root=root, site=site, ui_lang=ui_lang, head_meta=head_meta, **page.context)
    return html.encode("utf-8")


def static_files(templates: Path) -> dict[str, bytes]:
    """Everything under templates/assets/, copied as it is."""
    assets = templates / "assets"
    return {
        f"assets/{path.relative_to(assets).as_posix()}": path.read_bytes()
        for path in sorted(assets.rglob("*"))
        if path.is_file()
    }


Stored = tuple[bytes, bytes]  # what is kept of a page for the next process: its key and its HTML


@dataclass(frozen=True)
class Rendered:
    """The whole site in memory."""

    files: dict[str, bytes]  # output path -> bytes
    searchable: dict[str, str]  # output path of each page to index -> its language
    pages: tuple[Page, ...] = ()  # every page, without its context
    stored: dict[str, Stored] = field(default_factory=dict)  # output path -> what to keep of it (see KeptPages)


# Renders one page from render_page's arguments after `env`; `dossier serve` passes one that reuses unchanged pages.
PageRenderer = Callable[..., bytes]


class KeptPages(Protocol):
    """Pages kept by an earlier process (pagecache.PageCache with stored pages, see store.py)."""

    stored: Mapping[str, Stored]  # output path -> the page kept

    def drawn(self, page: Page, site: Mapping[str, Any], *extra: Any) -> tuple[bytes, Stored | None]:
        """A page's HTML, reused when its inputs are those of a kept page, and what to keep of it."""
        ...


def draw_one(
    make: PageBuilder, draw: PageRenderer, site: Mapping[str, Any], content: Content
) -> tuple[Page, bytes]:
    """Build and draw one page; it comes back without its (large) context."""
    page = make()
    return replace(page, context={}), draw(page, site, head(page, content))


def _draw_kept(
    make: PageBuilder, kept: KeptPages, site: Mapping[str, Any], content: Content
) -> tuple[Page, bytes, Stored | None]:
    page = make()
    return replace(page, context={}), *kept.drawn(page, site, head(page, content))


def _drawn(
    one: Callable[[PageBuilder], tuple[Any, ...]], parts: Path | None, kept: KeptPages | None, make: PageBuilder
) -> tuple[Any, ...]:
    """`one(make)`, in the process that draws the page: its searchable part is written into `parts` (see
    index.put_part), and a page reused as `kept` comes back as (page, None, None), the calling process
    holding its bytes already (a copy from a worker would double a kept build's memory)."""
    page, html, *stored = one(make)
    if parts is not None and page.search is not None:
        put_part(parts, page.path, searchable_part(html))
    if kept is not None and stored and stored[0] is not None and stored[0] is kept.stored.get(page.path):
        return page, None, None
    return page, html, *stored


def render(
    content: Content,
    analysis: Analysis,
    root: Path,
    templates: Path = TEMPLATES,
    draw: PageRenderer | None = None,
    bodies: Bodies | None = None,
    kept: KeptPages | None = None,
    index: Index | None = None,
    parts: Path | None = None,
) -> Rendered:
    """Every file of the site. `root` is the content folder (for captures); `bodies`: see views.Index;
    `index`, one made beforehand of this content, analysis and bodies.

    Pages are rendered on every core unless `draw` is given; with `kept`, pages are drawn by it instead.
    With `parts`, the searchable part of each page to index is written there as it is drawn, by the process
    that draws it (see index.put_part): the indexer can start as soon as the last page is drawn.
    """
    parallel = draw is None
    site = site_globals(content)
    index = (index or Index(content, analysis, bodies)).warm()
    builders = [*page_builders(index), partial(print_page, index)]
    one: Callable[[PageBuilder], tuple[Any, ...]]
    if kept is not None:
        one = partial(_draw_kept, kept=kept, site=site, content=content)
    else:
        one = partial(draw_one, draw=draw or partial(render_page, environment(templates)), site=site, content=content)
    unpaged: dict[str, bytes] = {}  # the files that are no page, made while the workers draw the pages
    # The print page (the last builder, by far the largest) goes first.
    drawn = map_forked(
        partial(_drawn, one, parts, kept), builders, first=[len(builders) - 1],
        min_tasks=MIN_TASKS if parallel else 0,
        meanwhile=lambda: unpaged.update(_unpaged_files(content, root, templates)),
    )  # fmt: skip
    if bodies is not None and not parallel:  # forked workers' bodies stay in the workers
        index.keep_bodies()
    files: dict[str, bytes] = {}
    searchable: dict[str, str] = {}
    stored: dict[str, Stored] = {}
    pages = []
    for page, data, *keep in drawn:
        if data is None:  # reused as kept
            assert kept is not None
            keep = [kept.stored[page.path]]
            data = keep[0][1]
        files[page.path] = data
        pages.append(page)
        if page.search is not None:
            searchable[page.path] = page.lang
        if keep and keep[0] is not None:
            stored[page.path] = keep[0]
    files.update(unpaged)
    files[SITEMAP] = sitemap(content, pages)
    return Rendered(files, searchable, tuple(pages), stored)


def render_stories(
    earlier: Rendered,
    content: Content,
    analysis: Analysis,
    root: Path,
    templates: Path,
    draw: PageRenderer,
    bodies: Bodies,
    articles: set[str],
    index: Index | None = None,
) -> Rendered:
    """The site `earlier` was, from this content but for the texts of `articles` (see texts_changed) and
    with the same templates: their stories rendered again, and every file not made from the content read
    again. `bodies`: see views.Index; left holding the bodies of this content. `index`: see render."""
    site = site_globals(content)
    index = index or Index(content, analysis, bodies)
    drawn = [draw_one(partial(story_page, index, a), draw, site, content) for a in content.articles
             if a.id in articles]
    redrawn = {page.path: page for page, _ in drawn}
    pages = [redrawn.get(page.path, page) for page in earlier.pages]
    files = {**earlier.files, **{page.path: data for page, data in drawn}}
    # The files that are no page, read again; the sitemap, which reads no text, is still earlier's.
    files.update(_unpaged_files(content, root, templates))
    current = {(a.body, index.story_quotes.get(a.id, ())) for a in content.articles}
    for key in [key for key in bodies if key not in current]:
        del bodies[key]
    return Rendered(files, earlier.searchable, tuple(pages))


def _unpaged_files(content: Content, root: Path, templates: Path) -> dict[str, bytes]:
    """The files of the site that are no page and need none: captures, assets, publishing files but the sitemap."""
    folder = os.fspath(root)
    files = {f"stories/{a.id}/capture.txt": read_kept(os.path.join(folder, a.capture)) for a in content.articles}
    files.update(static_files(templates))
    files[RUNNING_HEAD] = running_head_css(content)
    files[".nojekyll"] = b""
    files[FEED] = feed(content)
    files[ROBOTS] = robots(content)
    return files


def templates_digest(templates: Path) -> bytes:
    """A digest of every file under `templates`: the same digest, the same templates and assets."""
    files = [path for path in sorted(templates.rglob("*")) if path.is_file()]
    return parts_digest(part for path in files for part in (path.relative_to(templates).as_posix().encode(),
                                                              path.read_bytes()))


def texts_changed(before: tuple[Content, Analysis], after: tuple[Content, Analysis]) -> set[str] | None:
    """The articles whose text alone changed from `before` to `after`, when nothing else that pages show did;
    None otherwise.

    Only a story page reads its article's text (`Index.body`; a page's description, `publish.head`,
    the feed, and the print page, when it prints the texts); every other page reads what the texts
    yield through the analysis. So when the content but the texts and the analysis as pages show it
    are as before, every page but the stories of these articles is as before.
    """
    (old, old_analysis), (new, analysis) = before, after
    if (old.dossier, old.sources, old.claims, old.entities) != (new.dossier, new.sources, new.claims, new.entities):
        return None
    if len(old.articles) != len(new.articles):
        return None
    changed = set()
    for was, now in zip(old.articles, new.articles, strict=True):
        if was is not now:
            if replace(was, body="") != replace(now, body=""):
                return None
            if was.body != now.body:
                changed.add(now.id)
    if changed and prints_texts(new):
        return None
    shown = [replace(old_analysis, similarities=()), replace(analysis, similarities=())]
    if shown[0] != shown[1] or shown_similarities(old_analysis) != shown_similarities(analysis):
        return None
    return changed
