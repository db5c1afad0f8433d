"""The one Markdown dialect of Dossier: CommonMark, no raw HTML, only safe link schemes."""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_SAFE_URL = re.compile(r"(?:https?:|mailto:|#|/|\./|\.\./|[^:/?#]*(?:[/?#]|$))", re.IGNORECASE)


def is_safe_url(url: str) -> bool:
    """http(s), mailto, fragment and relative URLs; nothing that can run script or embed data."""
    cleaned = "".join(ch for ch in url if ch > " " and ch != "\x7f")
    return bool(_SAFE_URL.match(cleaned))


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable("table")
    md.enable("strikethrough")
    md.validateLink = is_safe_url  # type: ignore[method-assign]
    return md


def parse(source: str) -> list[Token]:
    return parser().parse(source)


def render(source: str) -> str:
    """Markdown to HTML; raw HTML in the source is shown as text."""
    return parser().render(source)


def render_inline(source: str) -> str:
    """Markdown for one line (no surrounding <p>)."""
    return parser().renderInline(source)
