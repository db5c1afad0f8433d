"""`dossier pdf`: the built print page (`print/index.html`) as `dossier.pdf`, with WeasyPrint.

The PDF takes its table of contents, running header, page numbers and bookmark outline from
`templates/assets/print.css`; its metadata (title, author = curator, language, dates) from the
dossier. Its bytes depend only on the site: the creation and modification dates are the
dossier's `updated` date and the file identifier is a hash of the content, so two builds of
the same content give the same file.

The overview links to the PDF only once it exists (`link_overview`, run after `write_pdf`):
a plain `dossier build` removes a stale `dossier.pdf` together with that link.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .errors import ContentError, Problem
from .model import Content
from .printing import PATH
from .render import TEMPLATES
from .write import atomic_write

if TYPE_CHECKING:
    from weasyprint import Document
    from weasyprint.urls import URLFetcher

    from .pipeline import Checked
    from .views import Page

PDF_NAME = "dossier.pdf"
OVERVIEW = "index.html"


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence WeasyPrint's warnings about the screen CSS it ignores (media queries, sticky, ...)."""
    logger = logging.getLogger("weasyprint")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _fetcher(site_dir: Path) -> URLFetcher:
    """WeasyPrint's URL fetcher limited to the files of the built site: no network, nothing outside."""
    from weasyprint.urls import URLFetcher

    root = site_dir.resolve()

    class SiteFetcher(URLFetcher):
        def fetch(self, url: str, headers: object = None) -> object:
            path = Path(unquote(urlsplit(url).path)).resolve() if url.startswith("file:") else None
            if path is None or not (path == root or root in path.parents):
                raise ValueError(f"not a file of the built site: {url}")
            return super().fetch(url, headers)

    return SiteFetcher(allowed_protocols={"file"})


def pdf_document(site_dir: Path, content: Content) -> Document:
    """Lay out the print page of the site in `site_dir` (WeasyPrint's first, slower half)."""
    page = site_dir / PATH
    if not page.is_file():
        raise ContentError([Problem(str(page), 0, "the print page is missing; build the site first")])
    from weasyprint import HTML

    with _quiet():
        document = HTML(filename=page, url_fetcher=_fetcher(site_dir)).render()
    d = content.dossier
    date = (d.updated.end or d.updated.start).iso()
    metadata = document.metadata
    metadata.title = d.title
    metadata.authors = [d.curator]
    metadata.lang = d.default_language
    metadata.created = metadata.modified = date
    metadata.generator = "Dossier"
    return document


def _show_outline(document: Document, pdf: Any) -> None:
    pdf.catalog["PageMode"] = "/UseOutlines"


def write_pdf(site_dir: Path, content: Content, document: Document | None = None) -> Path:
    """Render `<site_dir>/print/index.html` to `<site_dir>/dossier.pdf`; return its path."""
    if document is None:
        document = pdf_document(site_dir, content)
    # The identifier is a hash of the file's content; readers open with the bookmarks shown.
    with _quiet():
        data = document.write_pdf(pdf_identifier=True, finisher=_show_outline)
    target = site_dir / PDF_NAME
    atomic_write(target, data)
    return target


def link_overview(site_dir: Path, checked: Checked, content_dir: Path) -> None:
    """Render the overview again, now linking to the PDF that exists beside it.

    The site's own `render` draws it (so its head and everything else stay as the build made them);
    only the `pdf` flag differs, and no other page is drawn.
    """
    from .render import environment, render, render_page

    def draw(page: Page, site: Mapping[str, Any], head_meta: Any) -> bytes:
        if page.path != OVERVIEW:
            return b""
        return render_page(environment(TEMPLATES), page, {**site, "pdf": True}, head_meta)

    rendered = render(checked.content, checked.analysis, content_dir, TEMPLATES, draw)
    atomic_write(site_dir / OVERVIEW, rendered.files[OVERVIEW])
