"""Web conventions for publishing: sitemap.xml, feed.xml, robots.txt and each page's head metadata.

The site links to itself only with relative URLs, so the same files work at a domain root
and under any sub-path. The web needs absolute URLs in a few places — canonical and
hreflang links, Open Graph tags, JSON-LD, the sitemap, the feed and robots.txt — and those
are built here, and only here, from `base_url` in dossier.yaml, which must therefore be
the address the site is really published at.

Everything is a pure function of the content and the pages, and every date comes from the
content (never the clock), so two builds of the same content are byte-identical:
- a sitemap `<lastmod>` is the dossier's `updated` date, given only when it names a day;
- a feed entry's `<updated>` is the article's `captured` date (the first day a partial date can
  mean, at midnight UTC: Atom requires a full date-time); `<published>`, `article:published_time`
  and JSON-LD `datePublished` appear only when the content states that date without doubt.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from markupsafe import Markup

from .dates import DatePoint, PartialDate
from .model import Article, Claim, Content, keep_latest
from .text import reader_text
from .views import Page

SITEMAP = "sitemap.xml"
FEED = "feed.xml"
ROBOTS = "robots.txt"
NOT_FOUND = "404.html"
# Pages left out of the sitemap: the 404 page is served for every miss, the search page has no
# content of its own, and the print page repeats every other page on one.
UNLISTED = frozenset({NOT_FOUND, "search/index.html", "print/index.html"})
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
XHTML_NS = "http://www.w3.org/1999/xhtml"
ATOM_NS = "http://www.w3.org/2005/Atom"
DESCRIPTION_LENGTH = 200
SECTION_DESCRIPTIONS = {
    "claims/index.html": "Every claim in the dossier, compared across the articles that make it.",
    "sources/index.html": "The outlets the articles come from and the sources they cite, with how each was identified.",
    "entities/index.html": "The people, organisations and places named in the articles, and how each name is spelled.",
    "timeline/index.html": "The dated claims of the dossier in order, each at the precision its sources give.",
    "about/index.html": "How this dossier is made: statuses, stances and how independent sources are counted.",
    "search/index.html": "Search the stories, claims, sources and names of this dossier.",
    NOT_FOUND: "There is no page at this address.",
}
# XML 1.0 forbids most control characters even as references; content should never hold them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]?(?=\s|$)")


# -- URLs and dates ------------------------------------------------------------


def site_url(base_url: str) -> str:
    """`base_url` with exactly one trailing slash, so page URLs can be appended."""
    return base_url.rstrip("/") + "/"


def absolute(base_url: str, url: str) -> str:
    """A URL relative to the site root ("claims/x/", "" for the overview) made absolute."""
    return site_url(base_url) + url


def page_url(page: Page) -> str:
    return page.path.removesuffix("index.html")


def _last_point(date: PartialDate) -> DatePoint:
    return date.end or date.start


def w3c_date(date: PartialDate) -> str | None:
    """A sitemap date (xsd:date): the day a date names, or None when it names no single day."""
    point = _last_point(date)
    if point.day is None or point.uncertain or point.approximate:
        return None
    return point.iso()


def certain_iso(date: PartialDate | None) -> str | None:
    """ISO 8601 at the date's own precision ("2025-07"), or None for intervals and uncertain or approximate dates,
    which machine-readable formats cannot mark as such."""
    if date is None or date.end is not None or date.start.uncertain or date.start.approximate:
        return None
    return date.start.iso()


def exact_day(date: PartialDate | None) -> str | None:
    """"2025-04-26" when a date names one certain day, else None."""
    iso = certain_iso(date)
    return iso if iso and date and date.start.day else None


def rfc3339(point: DatePoint) -> str:
    """An Atom date-time: the first day `point` can mean, at midnight UTC (content dates have no time)."""
    year, month, day = point.first_day()
    return f"{year:04d}-{month:02d}-{day:02d}T00:00:00Z"


def xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def xml_attr(text: str) -> str:
    return escape(_NOT_XML.sub("", text), {'"': "&quot;"})


# -- lookups over the content ----------------------------------------------------------


@dataclass(frozen=True)
class Lookups:
    """What head() and the feed ask of every story, computed once per content instead of once per page."""

    versions: Mapping[str, tuple[Article, ...]]  # story id -> one article per language, original first
    translations: Mapping[str, tuple[Article, ...]]  # article id -> the articles that translate it
    topics: Mapping[str, tuple[str, ...]]  # article id -> topics of the claims it asserts, sorted

    def with_texts(self, edited: Mapping[str, Article]) -> Lookups:
        """These lookups for content that differs from theirs in the texts of the articles `edited` (by id)."""

        def swap(articles: tuple[Article, ...]) -> tuple[Article, ...]:
            return tuple(edited.get(a.id, a) for a in articles)

        stories = {a.story for a in edited.values()} & self.versions.keys()
        originals = {a.translation_of for a in edited.values()} & self.translations.keys()
        return replace(
            self,
            versions={**self.versions, **{story: swap(self.versions[story]) for story in stories}},
            translations={**self.translations, **{o: swap(self.translations[o]) for o in originals}},
        )

    @classmethod
    def of(cls, content: Content) -> Lookups:
        by_story: dict[str, list[Article]] = defaultdict(list)
        translations: dict[str, list[Article]] = defaultdict(list)
        topics: dict[str, set[str]] = defaultdict(set)
        for article in content.articles:
            by_story[article.story].append(article)
            if article.translation_of:
                translations[article.translation_of].append(article)
        for claim in content.claims:
            for assertion in claim.assertions:
                topics[assertion.article].add(claim.topic)
        return cls(
            {story: _one_per_language(articles) for story, articles in by_story.items()},
            {k: tuple(v) for k, v in translations.items()},
            {k: tuple(sorted(v)) for k, v in topics.items()},
        )


def _one_per_language(articles: list[Article]) -> tuple[Article, ...]:
    """hreflang allows one URL per language: the original, or else the first in file order, stands for it."""
    ordered = sorted(articles, key=lambda a: a.translation_of is not None)  # stable: file order otherwise
    chosen: dict[str, Article] = {}
    for article in ordered:
        chosen.setdefault(article.language, article)
    return tuple(chosen.values())


@keep_latest
def lookups(content: Content) -> Lookups:
    return Lookups.of(content)


# -- language versions -----------------------------------------------------------


def story_versions(content: Content, article: Article) -> tuple[Article, ...]:
    """The language versions of `article`'s story, one per language, original first."""
    return lookups(content).versions.get(article.story, ())


def hreflang_alternates(content: Content, article: Article) -> list[tuple[str, str]]:
    """(hreflang, absolute URL) for every language version of a story, itself included, then x-default.

    Empty when the story has one language, or when this article does not stand for its language.
    """
    versions = story_versions(content, article)
    if len(versions) < 2 or article not in versions:
        return []
    base = content.dossier.base_url
    links = [(v.language, absolute(base, f"stories/{v.id}/")) for v in versions]
    return [*links, ("x-default", links[0][1])]


# -- descriptions ----------------------------------------------------------------


def shorten(text: str, limit: int = DESCRIPTION_LENGTH) -> str:
    """The first paragraph of plain text in at most `limit` characters: whole sentences where they fit,
    else cut at a word boundary with an ellipsis."""
    paragraph = " ".join(text.strip().split("\n\n", 1)[0].split())
    if len(paragraph) <= limit:
        return paragraph
    sentences = _SENTENCE_END.finditer(paragraph[: limit + 1])
    ends = [m.end() for m in sentences if limit // 2 <= m.end() <= limit]
    if ends:
        return paragraph[: ends[-1]]
    return paragraph[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.—–- ") + "…"


def markdown_text(source: str) -> str:
    return reader_text(source)  # kept: every article's text was read for validation already


def _article_for(content: Content, page: Page) -> Article | None:
    if page.kind != "story":
        return None
    return content.article_by_id.get(page.path.split("/")[1])


def _claim_for(content: Content, page: Page) -> Claim | None:
    if page.kind != "claim":
        return None
    return content.claim_by_id.get(page.path.split("/")[1])


def description(page: Page, content: Content) -> str:
    """One or two sentences for search engines and link previews."""
    d = content.dossier
    if page.path == "index.html":
        return shorten(markdown_text(d.summary))
    if article := _article_for(content, page):
        return shorten(article.summary or markdown_text(article.body))
    if claim := _claim_for(content, page):
        return shorten(f"{claim.statement} Status: {claim.status}; how each source reports it.")
    if page.kind == "source":
        source = content.source_by_id.get(page.path.split("/")[1])
        if source and source.notes:
            return shorten(markdown_text(source.notes))
        return shorten(f"What {page.title} asserts in the dossier “{d.title}”.")
    if page.kind == "entity":
        entity = content.entity_by_id.get(page.path.split("/")[1])
        role = f", {entity.role}," if entity and entity.role else ""
        return shorten(f"{page.title}{role} in the dossier “{d.title}”: every mention and spelling.")
    return SECTION_DESCRIPTIONS.get(page.path) or shorten(markdown_text(d.summary))


# -- JSON-LD ----------------------------------------------------------------------


def json_ld(data: Mapping[str, Any]) -> Markup:
    """JSON for a `<script type="application/ld+json">` block that no content can break out of.

    `<`, `>` and `&` become JSON escapes, so neither `</script>` nor `<!--` can occur in it.
    """
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _article_ref(content: Content, article: Article) -> dict[str, Any]:
    """A schema.org NewsArticle for one article of the dossier, as a value inside other data."""
    data: dict[str, Any] = {
        "@type": "NewsArticle",
        "@id": absolute(content.dossier.base_url, f"stories/{article.id}/"),
        "url": absolute(content.dossier.base_url, f"stories/{article.id}/"),
        "headline": article.title,
        "inLanguage": article.language,
    }
    if article.url:
        data["isBasedOn"] = article.url
    return data


def news_article(content: Content, article: Article) -> dict[str, Any]:
    """schema.org NewsArticle for a story page; `isBasedOn` is the original's URL where known."""
    d = content.dossier
    data: dict[str, Any] = {"@context": "https://schema.org", **_article_ref(content, article)}
    if article.summary:
        data["description"] = article.summary
    if published := certain_iso(article.published):
        data["datePublished"] = published
    if article.authors:
        data["author"] = [{"@type": "Person", "name": name} for name in article.authors]
    source = content.source_by_id.get(article.source)
    if source and source.kind != "unknown":  # an unidentified outlet is no publisher to name
        publisher: dict[str, Any] = {"@type": "Organization", "name": source.name}
        if source.url:
            publisher["url"] = source.url
        data["publisher"] = publisher
    if article.translation_of and article.translation_of in content.article_by_id:
        data["translationOfWork"] = {"@id": absolute(d.base_url, f"stories/{article.translation_of}/")}
    translations = lookups(content).translations.get(article.id, ())
    if translations:
        data["workTranslation"] = [{"@id": absolute(d.base_url, f"stories/{a.id}/")} for a in translations]
    data["isPartOf"] = {"@type": "WebSite", "name": d.title, "url": site_url(d.base_url)}
    return data


def claim_data(content: Content, claim: Claim) -> dict[str, Any]:
    """schema.org Claim with one `appearance` per article that asserts it (in claims.yaml order)."""
    d = content.dossier
    article_ids = dict.fromkeys(a.article for a in claim.assertions)
    return {
        "@context": "https://schema.org",
        "@type": "Claim",
        "@id": absolute(d.base_url, f"claims/{claim.id}/"),
        "url": absolute(d.base_url, f"claims/{claim.id}/"),
        "text": claim.statement,
        "inLanguage": d.default_language,
        "appearance": [
            _article_ref(content, content.article_by_id[a]) for a in article_ids if a in content.article_by_id
        ],
        "isPartOf": {"@type": "WebSite", "name": d.title, "url": site_url(d.base_url)},
    }


def website_data(content: Content) -> dict[str, Any]:
    d = content.dossier
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "@id": site_url(d.base_url),
        "url": site_url(d.base_url),
        "name": d.title,
        "description": shorten(markdown_text(d.summary)),
        "inLanguage": d.default_language,
    }
    if w3c_date(d.updated):
        data["dateModified"] = w3c_date(d.updated)
    return data


def structured_data(page: Page, content: Content) -> dict[str, Any] | None:
    if page.path == "index.html":
        return website_data(content)
    if article := _article_for(content, page):
        return news_article(content, article)
    if claim := _claim_for(content, page):
        return claim_data(content, claim)
    return None


# -- head metadata --------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    """What templates/meta.html puts into a page's <head>."""

    description: str
    canonical: str | None = None  # absolute
    alternates: tuple[tuple[str, str], ...] = ()  # (hreflang, absolute URL)
    properties: tuple[tuple[str, str], ...] = ()  # Open Graph <meta property>
    names: tuple[tuple[str, str], ...] = ()  # Twitter card and robots <meta name>
    json_ld: Markup | None = None


def head(page: Page, content: Content) -> Head:
    """The head metadata of one page."""
    text = description(page, content)
    if page.path == NOT_FOUND:  # served at every missing address: it is nobody's canonical page
        return Head(text, names=(("robots", "noindex"),))
    d = content.dossier
    canonical = absolute(d.base_url, page_url(page))
    title = d.title if page.path == "index.html" else page.title
    article = _article_for(content, page)
    properties = [
        ("og:site_name", d.title),
        ("og:type", "article" if article else "website"),
        ("og:title", title),
        ("og:description", text),
        ("og:url", canonical),
    ]
    if article and (published := exact_day(article.published)):
        properties.append(("article:published_time", published))
    names = [("twitter:card", "summary"), ("twitter:title", title), ("twitter:description", text)]
    data = structured_data(page, content)
    return Head(
        description=text,
        canonical=canonical,
        alternates=tuple(hreflang_alternates(content, article)) if article else (),
        properties=tuple(properties),
        names=tuple(names),
        json_ld=json_ld(data) if data else None,
    )


# -- sitemap.xml, feed.xml, robots.txt --------------------------------------------------


def sitemap(content: Content, pages: Iterable[Page]) -> bytes:
    """sitemap.xml (sitemaps.org 0.9) of every listed page, with hreflang alternates for stories."""
    d = content.dossier
    lastmod = w3c_date(d.updated)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<urlset xmlns="{SITEMAP_NS}" xmlns:xhtml="{XHTML_NS}">',
    ]
    for page in pages:
        if page.path in UNLISTED:
            continue
        lines.append("  <url>")
        lines.append(f"    <loc>{xml_text(absolute(d.base_url, page_url(page)))}</loc>")
        if lastmod:
            lines.append(f"    <lastmod>{lastmod}</lastmod>")
        article = _article_for(content, page)
        for lang, href in hreflang_alternates(content, article) if article else []:
            lines.append(f'    <xhtml:link rel="alternate" hreflang="{xml_attr(lang)}" href="{xml_attr(href)}"/>')
        lines.append("  </url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _story_order(articles: Sequence[Article]) -> list[Article]:
    """Newest capture first, then newest publication; file order breaks ties (the sort is stable)."""

    def key(article: Article) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        published = article.published.start.first_day() if article.published else (0, 0, 0)
        return (article.captured.start.first_day(), published)

    return sorted(articles, key=key, reverse=True)


def _entry(content: Content, article: Article) -> tuple[str, ...]:
    source = content.source_by_id.get(article.source)
    topics = tuple(lookups(content).topics.get(article.id, ()))
    return _entry_lines(content.dossier.base_url, article, source.name if source else article.source, topics)


@lru_cache(maxsize=1 << 15)  # the preview server writes the feed again after every edit, every entry in it
def _entry_lines(base_url: str, article: Article, source_name: str, topics: tuple[str, ...]) -> tuple[str, ...]:
    url = absolute(base_url, f"stories/{article.id}/")
    authors = list(article.authors) or [source_name]
    summary = article.summary or shorten(markdown_text(article.body))
    lines = [
        f'  <entry xml:lang="{xml_attr(article.language)}">',
        f"    <id>{xml_text(url)}</id>",
        f"    <title>{xml_text(article.title)}</title>",
        f"    <updated>{rfc3339(article.captured.start)}</updated>",
    ]
    if published := exact_day(article.published):  # optional in Atom: given only when the day is known
        lines.append(f"    <published>{published}T00:00:00Z</published>")
    lines.append(f'    <link rel="alternate" type="text/html" hreflang="{xml_attr(article.language)}" '
                 f'href="{xml_attr(url)}"/>')
    if article.url:
        lines.append(f'    <link rel="via" href="{xml_attr(article.url)}"/>')
    lines += [f"    <author><name>{xml_text(name)}</name></author>" for name in authors]
    lines += [f'    <category term="{xml_attr(topic)}"/>' for topic in topics]
    lines.append(f'    <summary type="text">{xml_text(summary)}</summary>')
    lines.append("  </entry>")
    return tuple(lines)


def feed(content: Content) -> bytes:
    """feed.xml: an Atom 1.0 feed (RFC 4287) with one entry per story page, newest first."""
    d = content.dossier
    home = site_url(d.base_url)
    articles = _story_order(content.articles)
    # The feed changed last when the dossier or its newest story did.
    updated = max(rfc3339(point) for point in [_last_point(d.updated), *(a.captured.start for a in articles)])
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="{xml_attr(d.default_language)}">',
        f"  <id>{xml_text(home)}</id>",
        f"  <title>{xml_text(d.title)}</title>",
        f"  <subtitle>{xml_text(shorten(markdown_text(d.summary)))}</subtitle>",
        f"  <updated>{updated}</updated>",
        f'  <link rel="self" type="application/atom+xml" href="{xml_attr(absolute(d.base_url, FEED))}"/>',
        f'  <link rel="alternate" type="text/html" href="{xml_attr(home)}"/>',
        f"  <author><name>{xml_text(d.curator)}</name></author>",
        "  <generator>Dossier</generator>",
    ]
    for article in articles:
        lines += _entry(content, article)
    lines.append("</feed>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def feed_with_texts(written: bytes, content: Content, edited: Iterable[tuple[Article, Article]]) -> bytes | None:
    """The feed of `content`, `written`, once the articles of `edited` (as they were, as they are) changed in
    their texts alone: their entries made again, the rest as it is; None if an entry is not found once."""
    for was, now in edited:
        old, new = (("\n" + "\n".join(_entry(content, a)) + "\n").encode() for a in (was, now))
        if written.count(old) != 1:
            return None
        written = written.replace(old, new)
    return written


def robots(content: Content) -> bytes:
    """robots.txt: everything may be crawled; the sitemap's absolute address.

    Crawlers read robots.txt only at the root of a host, so on a project site
    (`https://user.github.io/repo/`) this file is informative only.
    """
    return f"User-agent: *\nDisallow:\n\nSitemap: {absolute(content.dossier.base_url, SITEMAP)}\n".encode()
