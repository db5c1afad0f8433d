"""The small pieces of HTML that templates repeat most, as Jinja filters: `{{ a|article_short(root) }}`.

A link to a story or a claim, a stance, a status: drawn tens of thousands of times for a large dossier
(35,000 short article links for 1,000 articles, most of them in the tables of entity pages). As Jinja
macros, each call cost about as much as drawing the rest of its table row; as filters they cost a
function call. Each value is escaped as Jinja's autoescape escapes `{{ value }}`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from markupsafe import Markup, escape

View = Mapping[str, Any]  # a view of views.py: an article_ref, a claim_ref, a stance


def article_short(a: View, root: str) -> Markup:
    """An article as its source's name, linking to its story, and its language."""
    return Markup(
        f'<a href="{escape(root)}{escape(a["url"])}">{escape(a["source"])}</a> '
        f'<span class="lang-tag" title="{escape(a["language"])}">{escape(a["lang"])}</span>'
    )


def article_link(a: View, root: str) -> Markup:
    """An article as its title, linking to its story."""
    return Markup(f'<a href="{escape(root)}{escape(a["url"])}" lang="{escape(a["lang"])}">{escape(a["title"])}</a>')


def claim_link(c: View, root: str) -> Markup:
    """A claim as its number and statement, linking to its page."""
    return Markup(
        f'<a href="{escape(root)}{escape(c["url"])}"><span class="claim-no">{escape(c["label"])}</span> '
        f"{escape(c['statement'])}</a>"
    )


def stance(s: View) -> Markup:
    """A source's stance on a claim: its symbol (hidden from screen readers) and its word."""
    return Markup(
        f'<span class="stance stance-{escape(s["key"])}" title="{escape(s["meaning"])}">'
        f'<span aria-hidden="true">{escape(s["symbol"])}</span> {escape(s["word"])}</span>'
    )


def status(key: str) -> Markup:
    """A claim's status."""
    return Markup(f'<span class="status status-{escape(key)}">{escape(key)}</span>')


FILTERS: dict[str, Callable[..., Markup]] = {
    "article_short": article_short,
    "article_link": article_link,
    "claim_link": claim_link,
    "stance": stance,
    "status": status,
}
