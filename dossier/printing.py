"""The print page: the whole dossier on one HTML page, in reading order, for paper and PDF.

Every section reuses the site's own page views (`views.*`). The views link to other pages
of the site ("claims/x/"); built here with PrintLinks, each such link points to the matching
section of this page instead ("#claim-x"), so the page, and the PDF made from it, is
self-contained: a claim reference in a story jumps to the claim, a quote in a claim's table
jumps to the highlighted passage in the story.

Ids on this page: `claim-<id>`, `story-<id>`, `source-<id>`, `entity-<id>`, `topic-<n>`, the
section ids in SECTIONS, and `story-<article>--q-<claim>-<n>` for a highlighted quote (the
double hyphen cannot occur in an id, so these never collide with each other).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from markupsafe import Markup

from .highlight import Quote, render_with_quotes
from .model import Article, Content
from .views import (
    Index,
    Links,
    Page,
    about_page,
    article_facts,
    claim_page,
    claims_page,
    date_view,
    entity_facts,
    entity_forms,
    entity_page,
    overview_page,
    quote_anchor,
    source_page,
    sources_page,
    story_page,
    timeline_page,
)

PATH = "print/index.html"
# Above this many articles the edition lists the stories in a catalogue instead of printing their texts:
# thousands of pages help no reader, and neither a browser nor a PDF engine copes with a page that size.
FULL_TEXTS_UP_TO = 100
RUNNING_HEAD = "print/running-head.css"
# (id, heading) of each top-level section after the cover and the contents, in reading order.
SECTIONS = (
    ("disagreements", "Where the sources disagree"),
    ("claims", "Claims compared"),
    ("every-claim", "Every claim, source by source"),
    ("stories", "The stories"),
    ("sources", "Sources"),
    ("entities", "People, organisations and places"),
    ("timeline", "Timeline"),
    ("method", "How this dossier works"),
)
_HEADING = re.compile(r"<(/?)h([1-6])>")


def css_string(text: str) -> Markup:
    """Text as a CSS string literal (no character of it can end the string or the stylesheet)."""
    return Markup('"' + "".join(c if c.isprintable() and c not in '"\\<>&' else f"\\{ord(c):x} " for c in text) + '"')


def running_head_css(content: Content) -> bytes:
    """The stylesheet that prints the dossier's title at the head of every page but the first, and
    its curator and date at the foot, so that a single sheet still says what it belongs to.

    It is data, and the site's Content-Security-Policy allows no inline style, so it is a file of its own.
    """
    d = content.dossier
    title = css_string(d.title)
    foot = css_string(f"{d.curator} · updated {d.updated.display()}")
    return (
        "/* Written by dossier build from dossier.yaml. */\n"
        f"@page {{ @top-left {{ content: {title}; }} @bottom-left {{ content: {foot}; }} }}\n"
        "@page :first { @top-left { content: none; } @bottom-left { content: none; } }\n"
    ).encode()


def quote_id(article_id: str, anchor: str) -> str:
    """The id of a highlighted quote on the print page."""
    return f"story-{article_id}--{anchor}"


class PrintLinks(Links):
    """Links within this page: "#claim-x" for a claim, "#story-a--q-x-1" for a quote in a printed story.

    Without `passages` (an edition without the stories' texts) a quote's link goes to its story's entry.
    """

    def __init__(self, passages: bool = True) -> None:
        self.passages = passages

    def story(self, article_id: str) -> str:
        return f"#story-{article_id}"

    def quote(self, article_id: str, claim_id: str, number: int) -> str:
        if not self.passages:
            return self.story(article_id)
        return "#" + quote_id(article_id, quote_anchor(claim_id, number))

    def claim(self, claim_id: str) -> str:
        return f"#claim-{claim_id}"

    def source(self, source_id: str) -> str:
        return f"#source-{source_id}"

    def entity(self, entity_id: str) -> str:
        return f"#entity-{entity_id}"


def _story(ix: Index, article: Article) -> dict[str, Any]:
    """The story page's data, its body highlighted with this page's anchors and links."""
    view = dict(story_page(ix, article).context)
    quotes = [
        Quote(
            anchor=quote_id(article.id, quote_anchor(claim.id, number)),
            text=assertion.quote,
            href=f"#claim-{claim.id}",
            label=f"C{ix.claim_number[claim.id]}",
            title=claim.statement,
        )
        for claim, number, assertion in ix.assertions_by_article.get(article.id, [])
    ]
    body, _found = render_with_quotes(article.body, quotes)
    # The story is a third-level section here: its own headings move down two levels.
    view["body_html"] = Markup(_HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + 2, 6)}>", body))
    return view


def _catalogue_entry(ix: Index, article: Article) -> dict[str, Any]:
    """One line of the story catalogue that stands for the stories in the edition of a large dossier."""
    source = ix.sources.get(article.source)
    claims = {claim.id: claim for claim, _, _ in ix.assertions_by_article.get(article.id, [])}
    return {
        "article": article_facts(ix, article),
        "source": {"name": source.name if source else article.source, "url": ix.links.source(article.source)},
        "claims": [
            {"label": f"C{ix.claim_number[c.id]}", "url": ix.links.claim(c.id), "statement": c.statement}
            for c in claims.values()
        ],
    }


def _forms_written(per_article: Iterable[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """An entity's per-article spellings (entity_forms) summed up: each form as found, in how many articles,
    how often."""
    forms: dict[tuple[str, bool, bool], dict[str, Any]] = {}
    for found in per_article:
        for f in found:
            key = (f["found"], bool(f["misspelling"]), bool(f.get("mixed_script")))
            entry = forms.setdefault(key, {"found": key[0], "misspelling": key[1], "mixed_script": key[2],
                                           "articles": 0, "count": 0})
            entry["articles"] += 1
            entry["count"] += f["count"]
    return sorted(forms.values(), key=lambda f: (-f["articles"], f["found"]))


def _reading_order(ix: Index) -> list[Article]:
    """Articles story by story (as on the overview), each original before its translations."""
    return [
        a
        for articles in ix.articles_by_story.values()
        for a in sorted(articles, key=lambda a: a.translation_of is not None)
    ]


def _entry(
    ident: str,
    label: str | None = None,
    children: Iterable[dict[str, Any]] = (),
    number: str | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    """One line of the table of contents; a section's label defaults to its heading."""
    return {
        "href": f"#{ident}",
        "label": label or dict(SECTIONS)[ident],
        "children": list(children),
        "number": number,
        "lang": lang,
    }


def prints_texts(content: Content) -> bool:
    """Whether the edition prints the stories' texts (or, for a large dossier, a catalogue of them)."""
    return len(content.articles) <= FULL_TEXTS_UP_TO


def print_page(ix: Index) -> Page:
    content = ix.content
    d = content.dossier
    full_texts = prints_texts(content)
    ix = ix.linking(PrintLinks(passages=full_texts))
    overview = overview_page(ix).context
    matrix = claims_page(ix).context
    claims = [claim_page(ix, c).context for c in content.claims]
    if full_texts:
        stories = [_story(ix, a) for a in _reading_order(ix)]
    else:
        stories = [_catalogue_entry(ix, a) for a in _reading_order(ix)]
    sources = sources_page(ix).context
    source_views = [source_page(ix, s).context for s in content.sources]
    if full_texts:
        entities = [{**entity_page(ix, e).context, "id": e.id, "forms": []} for e in content.entities]
    else:  # each entity's spellings summed up, not listed article by article
        entities = [
            {**entity_facts(ix, e), "rows": [], "id": e.id, "forms": _forms_written(entity_forms(ix, e).values())}
            for e in content.entities
        ]
    timeline = timeline_page(ix).context
    method = about_page(ix).context

    contents = [
        _entry("claims", children=[_entry(f"topic-{n}", t["topic"]) for n, t in enumerate(matrix["tables"], 1)]),
        _entry(
            "every-claim",
            children=[
                _entry(f"claim-{c['claim']['id']}", c["claim"]["statement"], number=c["claim"]["label"]) for c in claims
            ],
        ),
        _entry(
            "stories",
            children=[
                _entry(f"story-{s['article']['id']}", s["article"]["title"], lang=s["article"]["lang"]) for s in stories
            ]
            if full_texts
            else [],
        ),
        *(_entry(ident) for ident, _ in SECTIONS[4:]),
    ]
    if overview["discrepancies"]:
        contents.insert(0, _entry("disagreements"))

    return Page(
        PATH,
        "print.html",
        d.title,
        d.default_language,
        {
            "sections": dict(SECTIONS),
            "full_texts": full_texts,
            "site_url": d.base_url,
            "contents": contents,
            "cover": {
                "summary_html": overview["summary_html"],
                "curator": d.curator,
                "updated": date_view(d.updated),
                "counts": overview["counts"],
            },
            "discrepancies": overview["discrepancies"],
            "flags": overview["flags"],
            "matrix": matrix,
            "claims": claims,
            "stories": stories,
            "sources": sources,
            "source_views": source_views,
            "entities": entities,
            "timeline": timeline["entries"],
            "stances": method["stances"],
            "statuses": method["statuses"],
            # PDF metadata: WeasyPrint reads these from <meta>; a fixed date keeps the bytes reproducible.
            "meta": {"author": d.curator, "date": (d.updated.end or d.updated.start).iso()},
        },
    )
