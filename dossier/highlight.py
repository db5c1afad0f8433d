"""An article body as HTML, every quoted passage wrapped in `<mark>` and linked to its claim.

Quotes are located in the plain text (see `text.py`) and the marks are inserted into
markdown-it's token stream by splitting text tokens, so they can never break the HTML
structure: a quote that runs across emphasis or a link is marked piece by piece, and
overlapping quotes are cut into elementary segments. The `<mark>` carrying a quote's id
wraps the first segment of that quote; a small reference link to the claim follows the
quote's last segment (after the enclosing link, if the quote ends inside one).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markdown_it.token import Token
from markupsafe import escape

from . import markdown
from .parallel import map_forked
from .text import TextSpan, find_quote, plain_text_of, remember_reader_text


@dataclass(frozen=True)
class Quote:
    """A passage to highlight: where it links and how it is labelled."""

    anchor: str  # id of the <mark>; stable: q-<claim id>-<assertion number>
    text: str  # the curator's quote
    href: str  # link to the claim
    label: str  # short reference text, e.g. "C4"
    title: str  # the claim statement, shown as a tooltip


@dataclass(frozen=True)
class _Located:
    start: int
    end: int
    quote: Quote


def _token(kind: str, content: str) -> Token:
    token = Token(kind, "", 0)
    token.content = content
    return token


def _ref(quote: Quote) -> Token:
    # data-pagefind-ignore: the label must not glue onto the quoted word in the search index
    return _token(
        "html_inline",
        f'<a class="claim-ref" data-pagefind-ignore href="{escape(quote.href)}" '
        f'title="{escape(quote.title)}">{escape(quote.label)}</a>',
    )


Highlighted = tuple[str, tuple[str, ...]]  # HTML with marks, the anchors of the quotes that were found
Bodies = dict[tuple[str, tuple[Quote, ...]], Highlighted]  # by (Markdown, quotes)


def read_and_highlight(
    items: Iterable[tuple[str, tuple[Quote, ...]]], bodies: Bodies, meanwhile: Callable[[], object] = lambda: None
) -> None:
    """For each (Markdown, quotes): the reader text, kept for `text.reader_text`, and the highlighted HTML,
    into `bodies` — from one parse of each body, on every core (parsing is most of the cost of both).
    `meanwhile`: see parallel.map_forked."""
    todo = [item for item in dict.fromkeys(items) if item not in bodies]

    def one(item: tuple[str, tuple[Quote, ...]]) -> tuple[str, Highlighted]:
        body, quotes = item
        tokens = markdown.parse(body)
        text = remember_reader_text(body, plain_text_of(tokens).text)  # find_quote reads it
        return text, _render(tokens, body, quotes)

    for (body, quotes), (text, highlighted) in zip(todo, map_forked(one, todo, meanwhile=meanwhile), strict=True):
        remember_reader_text(body, text)
        bodies[body, quotes] = highlighted


def render_with_quotes(body: str, quotes: Sequence[Quote]) -> Highlighted:
    """HTML of the body with marks, and the anchors of the quotes that were found."""
    return _render(markdown.parse(body), body, quotes)


def _render(tokens: list[Token], body: str, quotes: Sequence[Quote]) -> Highlighted:
    located = []
    for quote in quotes:
        found = find_quote(body, quote.text)
        if found is not None:
            located.append(_Located(found[0], found[1], quote))
    if located:
        _mark(tokens, plain_text_of(tokens).spans, located)
    md = markdown.parser()
    return md.renderer.render(tokens, md.options, {}), tuple(loc.quote.anchor for loc in located)


def _pieces(child: Token, span: TextSpan, located: list[_Located]) -> list[Token] | None:
    """The replacement tokens for one text token, or None when no quote touches it."""
    touching = [loc for loc in located if loc.start < span.end and loc.end > span.start]
    if not touching:
        return None
    cuts = sorted({span.start, span.end} | {b for loc in touching for b in (loc.start, loc.end)
                                            if span.start < b < span.end})
    out: list[Token] = []
    for left, right in itertools.pairwise(cuts):
        text = _token("text", child.content[left - span.start : right - span.start])
        covering = [loc for loc in touching if loc.start < right and loc.end > left]
        if not covering:
            out.append(text)
            continue
        classes = "q q-multi" if len(covering) > 1 else "q"
        data = escape(" ".join(loc.quote.anchor for loc in covering))
        starting = [loc for loc in covering if loc.start == left]
        if starting:
            opening = "".join(f'<mark id="{escape(loc.quote.anchor)}" class="{classes}" data-q="{data}">'
                              for loc in starting)
            closing = "</mark>" * len(starting)
        else:
            opening, closing = f'<mark class="{classes}" data-q="{data}">', "</mark>"
        out += [_token("html_inline", opening), text, _token("html_inline", closing)]
        out += [_ref(loc.quote) for loc in covering if loc.end == right]
    return out


def _mark(tokens: list[Token], spans: Sequence[TextSpan], located: list[_Located]) -> None:
    replacements: dict[int, dict[int, list[Token]]] = {}
    for span in spans:
        child = tokens[span.block].children[span.child]  # type: ignore[index]
        pieces = _pieces(child, span, located)
        if pieces is not None:
            replacements.setdefault(span.block, {})[span.child] = pieces
    for block, by_child in replacements.items():
        rebuilt: list[Token] = []
        deferred: list[Token] = []  # refs met inside a link: an <a> may not nest in an <a>
        depth = 0
        for index, child in enumerate(tokens[block].children or []):
            depth += child.type == "link_open"
            for token in by_child.get(index, [child]):
                is_ref = token.type == "html_inline" and token.content.startswith('<a class="claim-ref"')
                (deferred if is_ref and depth else rebuilt).append(token)
            if child.type == "link_close":
                depth -= 1
                if not depth:
                    rebuilt += deferred
                    deferred = []
        tokens[block].children = rebuilt + deferred
