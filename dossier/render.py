"""Stage 4, render: every page of the site as bytes, in memory, keyed by output path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache, partial
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from .findings import Analysis
from .highlight import Bodies
from .model import Content
from .parallel import map_forked
from .printing import RUNNING_HEAD, print_page, running_head_css
from .publish import Head, head, site_files
from .views import Index, Page, PageBuilder, page_builders

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NAV = (
    ("", "Overview"),
    ("claims/", "Claims"),
    ("sources/", "Sources"),
    ("entities/", "Entities"),
    ("timeline/", "Timeline"),
    ("about/", "Method"),
)


@lru_cache(maxsize=4)
def environment(templates: Path) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


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


@dataclass(frozen=True)
class Rendered:
    """The whole site in memory."""

    files: dict[str, bytes]  # output path -> bytes
    searchable: dict[str, str]  # output path of each page to index -> its language


# Renders one page from render_page's arguments after `env`; `dossier serve` passes one that reuses unchanged pages.
PageRenderer = Callable[..., bytes]


def _draw_one(
    make: PageBuilder, draw: PageRenderer, site: Mapping[str, Any], content: Content
) -> tuple[Page, bytes]:
    """Build and draw one page; it comes back without its (large) context."""
    page = make()
    return replace(page, context={}), draw(page, site, head(page, content))


def render(
    content: Content,
    analysis: Analysis,
    root: Path,
    templates: Path = TEMPLATES,
    draw: PageRenderer | None = None,
    bodies: Bodies | None = None,
) -> Rendered:
    """Every file of the site. `root` is the content folder (for captures); `bodies`: see views.Index."""
    env = environment(templates)
    parallel = draw is None
    draw = draw or partial(render_page, env)
    site = site_globals(content)
    index = Index(content, analysis, bodies).warm()
    builders = [*page_builders(index), partial(print_page, index)]
    one = partial(_draw_one, draw=draw, site=site, content=content)
    # The print page (the last builder, by far the largest) goes first.
    drawn = map_forked(one, builders, first=[len(builders) - 1]) if parallel else [one(make) for make in builders]
    if bodies is not None:
        index.keep_bodies()
    files: dict[str, bytes] = {}
    searchable: dict[str, str] = {}
    pages = []
    for page, data in drawn:
        files[page.path] = data
        pages.append(page)
        if page.search is not None:
            searchable[page.path] = page.lang
    for article in content.articles:
        files[f"stories/{article.id}/capture.txt"] = (root / article.capture).read_bytes()
    files.update(static_files(templates))
    files[RUNNING_HEAD] = running_head_css(content)
    files[".nojekyll"] = b""
    files.update(site_files(content, pages))  # sitemap.xml, feed.xml, robots.txt
    return Rendered(files, searchable)
