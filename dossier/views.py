"""What each page shows, computed from the model and the analysis (templates only lay it out).

Every URL here comes from `Index.links` and is relative to the site root ("claims/x/");
templates prefix the page's `root` ("../../"), so the site works at a domain root and under
any sub-path. The print page builds the same views with links into itself ("#claim-x").
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache, partial
from typing import Any

from markupsafe import Markup

from . import markdown
from .dates import PartialDate
from .findings import Analysis, ArticlePair, Discrepancy, MixedScriptWord, NameUse
from .highlight import Bodies, Quote, render_with_quotes
from .model import Article, Assertion, Claim, Content, Entity, Source, keep_latest

STANCES = {
    "supports": ("✔", "supports", "The article asserts the claim."),
    "contradicts": ("✖", "contradicts", "The article states the opposite, or a different value."),
    "qualifies": ("◐", "qualifies", "The article asserts the claim with a caveat or a different detail."),
    "mentions": ("○", "mentions", "The article refers to the claim without asserting it."),
}
STATUSES = {
    "corroborated": "Independent sources confirm it.",
    "reported": "Reported by this dossier's sources; confirmed only in part.",
    "single-source": "Only one independent report says so; rewrites and translations of it count once.",
    "contested": "The sources in this dossier disagree.",
    "misreported": "At least one source gets this wrong; the note explains what is right.",
    "unverified": "Stated, but nothing in this dossier or outside it confirms it.",
}
MATRIX_COLUMNS = 12  # articles in one topic beyond which the claims table lists instead of gridding
SIMILARITY_ROWS = 20  # unflagged pairs shown beside the flagged ones, highest scores first
DISCREPANCY_KINDS = {
    "figure": "Different figures",
    "stance": "Sources take opposite positions",
    "naming": "Different names or places",
}
KIND_NAMES = {
    "outlet": "news outlet", "agency": "news agency", "state-media": "state media", "newspaper": "newspaper",
    "official": "official", "aggregator": "aggregator", "unknown": "unidentified",
    "person": "person", "organisation": "organisation", "place": "place",
}  # fmt: skip


def md(source: str) -> Markup:
    """Markdown from content as trusted HTML: markdown-it escapes raw HTML and drops unsafe links."""
    return Markup(markdown.render(source))


def md_inline(source: str) -> Markup:
    return Markup(markdown.render_inline(source))


def story_url(article_id: str) -> str:
    return f"stories/{article_id}/"


def claim_url(claim_id: str) -> str:
    return f"claims/{claim_id}/"


def source_url(source_id: str) -> str:
    return f"sources/{source_id}/"


def entity_url(entity_id: str) -> str:
    return f"entities/{entity_id}/"


def quote_anchor(claim_id: str, number: int) -> str:
    return f"q-{claim_id}-{number}"


class Links:
    """Where views point: the site's pages. The print page points into itself instead (printing.PrintLinks)."""

    def story(self, article_id: str) -> str:
        return story_url(article_id)

    def quote(self, article_id: str, claim_id: str, number: int) -> str:
        """The passage of a story that a claim's assertion quotes."""
        return f"{story_url(article_id)}#{quote_anchor(claim_id, number)}"

    def claim(self, claim_id: str) -> str:
        return claim_url(claim_id)

    def source(self, source_id: str) -> str:
        return source_url(source_id)

    def entity(self, entity_id: str) -> str:
        return entity_url(entity_id)


def format_figure(value: Any, unit: str | None = None) -> str:
    """14000 → "14,000"; with a unit "14,000 soldiers"; text stays as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.0f}" if value.is_integer() else f"{value:,}"
    else:
        text = str(value)
    return f"{text} {unit}" if unit and isinstance(value, (int, float)) else text


def date_view(date: PartialDate | None) -> dict[str, Any] | None:
    """How pages show a date; one dict per date, shared by every page: never change it."""
    return None if date is None else _date_view(date)


@lru_cache(maxsize=1 << 14)
def _date_view(date: PartialDate) -> dict[str, Any]:
    precision = "interval" if date.is_interval else date.start.precision
    parts = [{"iso": iso, "text": text} for iso, text in date.display_parts()]
    return {"text": date.display(), "parts": parts, "precision": precision, "edtf": date.edtf()}


@dataclass(frozen=True)
class Page:
    """One output page: where it goes, which template, and what it shows."""

    path: str  # output file, relative to the site root: "claims/x/index.html"
    template: str
    title: str
    lang: str
    context: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "page"  # story, claim, source, entity, search or page
    search: Mapping[str, Any] | None = None  # Pagefind meta and filters; None: not indexed

    @property
    def root(self) -> str:
        return "../" * self.path.count("/")

    @property
    def url(self) -> str:
        """The page's URL relative to the site root ("claims/x/"; "" for the overview)."""
        return self.path.removesuffix("index.html")


class Index:
    """Lookup tables over the content and analysis, built once per build."""

    def __init__(self, content: Content, analysis: Analysis, bodies: Bodies | None = None) -> None:
        """`bodies`: highlighted article bodies from earlier builds, by (Markdown, quotes); refreshed here."""
        self.content = content
        self.analysis = analysis
        self.articles = content.article_by_id
        self.sources = content.source_by_id
        self.claims = content.claim_by_id
        self.entities = content.entity_by_id
        self.claim_number = {c.id: n for n, c in enumerate(content.claims, 1)}
        self.order = {a.id: n for n, a in enumerate(content.articles)}  # content order of articles
        self._earlier: Bodies = bodies if bodies is not None else {}
        self._bodies: Bodies = {}
        self._refs: dict[str, dict[str, Any]] = {}
        self.links = Links()

    def linking(self, links: Links) -> Index:
        """This index, its lookup tables shared, with views pointing where `links` say."""
        other = copy.copy(self)
        other.links, other._refs = links, {}
        return other

    def with_texts(self, content: Content, bodies: Bodies) -> Index:
        """This index for `content`, which differs from its own in article texts alone, with an analysis
        that shows the same: its tables that hold no article are shared, the others made again."""
        other = copy.copy(self)
        other.content, other.articles = content, content.article_by_id
        other._earlier, other._bodies, other._refs = bodies, {}, {}
        for name in ("articles_by_source", "articles_by_story"):
            other.__dict__.pop(name, None)
        return other

    def warm(self) -> Index:
        """Compute every lookup table now, so that forked workers share them instead of each building its own."""
        for name, value in type(self).__dict__.items():
            if isinstance(value, cached_property):
                getattr(self, name)
        return self

    @cached_property
    def assertions_by_article(self) -> Mapping[str, list[tuple[Claim, int, Assertion]]]:
        out: dict[str, list[tuple[Claim, int, Assertion]]] = defaultdict(list)
        for claim in self.content.claims:
            for number, assertion in enumerate(claim.assertions, 1):
                out[assertion.article].append((claim, number, assertion))
        return out

    @cached_property
    def articles_by_source(self) -> Mapping[str, list[Article]]:
        out: dict[str, list[Article]] = defaultdict(list)
        for article in self.content.articles:
            out[article.source].append(article)
        return out

    @cached_property
    def articles_by_story(self) -> Mapping[str, list[Article]]:
        out: dict[str, list[Article]] = defaultdict(list)
        for article in self.content.articles:
            out[article.story].append(article)
        return out

    @cached_property
    def story_quotes(self) -> Mapping[str, tuple[Quote, ...]]:
        return story_quotes(self.content)

    @cached_property
    def discrepancies_by_claim(self) -> Mapping[str, list[Discrepancy]]:
        out: dict[str, list[Discrepancy]] = defaultdict(list)
        for finding in self.analysis.discrepancies:
            out[finding.claim].append(finding)
        return out

    @cached_property
    def cited(self) -> Mapping[str, list[tuple[Claim, int, Assertion]]]:
        """Per source id: the assertions whose articles credit it."""
        out: dict[str, list[tuple[Claim, int, Assertion]]] = defaultdict(list)
        for claim in self.content.claims:
            for number, assertion in enumerate(claim.assertions, 1):
                if assertion.attributed_to:
                    out[assertion.attributed_to].append((claim, number, assertion))
        return out

    def body(self, article: Article, quotes: tuple[Quote, ...]) -> tuple[str, tuple[str, ...]]:
        """An article's highlighted HTML; the story and the print page both need it, parse it once."""
        key = (article.body, quotes)
        if key not in self._bodies:
            earlier = self._earlier.get(key)
            self._bodies[key] = earlier if earlier is not None else render_with_quotes(article.body, quotes)
        return self._bodies[key]

    def keep_bodies(self) -> None:
        """Leave in `bodies` exactly the bodies this build used, for the next one."""
        self._earlier.clear()
        self._earlier.update(self._bodies)

    @cached_property
    def discrepancies_by_article(self) -> Mapping[str, list[int]]:
        """Article id -> the places in analysis.discrepancies of the discrepancies it takes part in."""
        out: dict[str, list[int]] = defaultdict(list)
        for n, finding in enumerate(self.analysis.discrepancies):
            for article in dict.fromkeys(finding.articles):
                out[article].append(n)
        return out

    @cached_property
    def names_by_article(self) -> Mapping[str, list[NameUse]]:
        out: dict[str, list[NameUse]] = defaultdict(list)
        for use in self.analysis.names:
            out[use.article].append(use)
        return out

    @cached_property
    def names_by_entity(self) -> Mapping[str, list[NameUse]]:
        out: dict[str, list[NameUse]] = defaultdict(list)
        for use in self.analysis.names:
            out[use.entity].append(use)
        return out

    @cached_property
    def mixed_by_article(self) -> Mapping[str, list[MixedScriptWord]]:
        out: dict[str, list[MixedScriptWord]] = defaultdict(list)
        for word in self.analysis.mixed_script:
            out[word.article].append(word)
        return out

    @cached_property
    def mixed_by_entity(self) -> Mapping[str, list[MixedScriptWord]]:
        out: dict[str, list[MixedScriptWord]] = defaultdict(list)
        for word in self.analysis.mixed_script:
            if word.entity:
                out[word.entity].append(word)
        return out

    @cached_property
    def pairs_by_article(self) -> Mapping[str, list[ArticlePair]]:
        out: dict[str, list[ArticlePair]] = defaultdict(list)
        for pair in self.analysis.pairs:
            out[pair.a].append(pair)
            out[pair.b].append(pair)
        return out

    @cached_property
    def claims_by_entity(self) -> Mapping[str, list[Claim]]:
        out: dict[str, list[Claim]] = defaultdict(list)
        for claim in self.content.claims:
            for entity in claim.entities:
                out[entity].append(claim)
        return out

    def language_name(self, code: str) -> str:
        return self.content.dossier.language_names.get(code, code)

    # -- small views shared by several pages ----------------------------------

    def article_ref(self, article_id: str) -> dict[str, Any]:
        """How pages point at an article; one dict per article and build, shared by every page: never change it."""
        ref = self._refs.get(article_id)
        if ref is None:
            ref = self._refs[article_id] = self._article_ref(article_id)
        return ref

    def _article_ref(self, article_id: str) -> dict[str, Any]:
        article = self.articles[article_id]
        source = self.sources.get(article.source)
        return {
            "id": article.id,
            "title": article.title,
            "url": self.links.story(article.id),
            "lang": article.language,
            "language": self.language_name(article.language),
            "source": source.name if source else article.source,
            "source_url": self.links.source(article.source),
        }

    def claim_ref(self, claim: Claim) -> dict[str, Any]:
        return {
            "id": claim.id,
            "number": self.claim_number[claim.id],
            "label": f"C{self.claim_number[claim.id]}",
            "statement": claim.statement,
            "url": self.links.claim(claim.id),
            "status": claim.status,
            "topic": claim.topic,
            "disputed": claim.id in self.discrepancies_by_claim,
        }

    def stance(self, assertion: Assertion) -> dict[str, str]:
        symbol, word, meaning = STANCES[assertion.stance]
        return {"key": assertion.stance, "symbol": symbol, "word": word, "meaning": meaning}

    def discrepancy_groups(self, findings: Iterable[Discrepancy]) -> list[dict[str, Any]]:
        """Findings grouped by claim, in claim order: one card per disputed claim."""
        by_claim: dict[str, list[Discrepancy]] = defaultdict(list)
        for finding in findings:
            by_claim[finding.claim].append(finding)
        return [
            {
                "claim": self.claim_ref(self.claims[claim_id]),
                "findings": [
                    {
                        "kind": f.kind,
                        "label": DISCREPANCY_KINDS[f.kind],
                        "summary": f.summary,
                        "positions": [
                            {"label": p.label, "articles": [self.article_ref(a) for a in p.articles]}
                            for p in f.positions
                        ],
                    }
                    for f in by_claim[claim_id]
                ],
            }
            for claim_id in sorted(by_claim, key=self.claim_number.__getitem__)
        ]

    def independent(self, article_ids: Iterable[str]) -> int:
        return self.analysis.independent_count(list(dict.fromkeys(article_ids)))


# ---------------------------------------------------------------------------
# Pages


def overview_page(ix: Index) -> Page:
    d = ix.content.dossier
    stories = []
    for story, articles in ix.articles_by_story.items():
        first = articles[0]
        original = next((a for a in articles if a.translation_of is None), first)
        stories.append({
            "id": story,
            "url": ix.links.story(original.id),
            "title": original.title,
            "lang": original.language,
            "source": ix.article_ref(original.id)["source"],
            "published": date_view(original.published),
            "summary": original.summary,
            "claims": len(ix.assertions_by_article.get(original.id, [])),
            "versions": [ix.article_ref(a.id) for a in articles],
        })
    counts = {
        "articles": len(ix.content.articles),
        "stories": len(ix.articles_by_story),
        "independent": ix.independent(a.id for a in ix.content.articles),
        "sources": len(ix.content.sources),
        "outlets": len(ix.articles_by_source),
        "claims": len(ix.content.claims),
        "entities": len(ix.content.entities),
        "discrepancies": len({f.claim for f in ix.analysis.discrepancies}),
    }
    return Page(
        "index.html", "index.html", d.title, d.default_language,
        {
            "summary_html": md(d.summary),
            "stories": stories,
            "discrepancies": ix.discrepancy_groups(ix.analysis.discrepancies),
            "counts": counts,
            "updated": date_view(d.updated),
            "curator": d.curator,
            "flags": _quality_flags(ix, [a.id for a in ix.content.articles]),
        },
    )


def _quality_flags(ix: Index, article_ids: list[str]) -> list[dict[str, Any]]:
    """Misspelled names and mixed-script words in these articles, in words."""
    flags: list[dict[str, Any]] = []
    for article_id in article_ids:
        for use in ix.names_by_article.get(article_id, []):
            if use.misspelling:
                entity = ix.entities[use.entity]
                flags.append({
                    "kind": "misspelling",
                    "article": ix.article_ref(use.article),
                    "found": use.found,
                    "entity": {"name": entity.name, "url": ix.links.entity(entity.id)},
                    "count": use.count,
                })
    for article_id in article_ids:
        for word in ix.mixed_by_article.get(article_id, []):
            entity = ix.entities.get(word.entity) if word.entity else None
            flags.append({
                "kind": "mixed-script",
                "article": ix.article_ref(word.article),
                "found": word.word,
                "runs": [{"script": r.script, "text": r.text, "codepoints": r.codepoints} for r in word.runs],
                "folded": word.folded,
                "entity": {"name": entity.name, "url": ix.links.entity(entity.id)} if entity else None,
                "count": word.count,
            })
    return flags


def article_facts(ix: Index, article: Article) -> dict[str, Any]:
    """What every view of an article starts with: who it is, in which language, and when it was published."""
    return {
        "id": article.id,
        "title": article.title,
        "lang": article.language,
        "language": ix.language_name(article.language),
        "published": date_view(article.published),
    }


@keep_latest  # asked for when reading the texts, then again when rendering
def story_quotes(content: Content) -> dict[str, tuple[Quote, ...]]:
    """Per article id, the passages its story page highlights, in claim order."""
    out: dict[str, list[Quote]] = defaultdict(list)
    for label, claim in enumerate(content.claims, 1):
        for number, assertion in enumerate(claim.assertions, 1):
            out[assertion.article].append(Quote(
                anchor=quote_anchor(claim.id, number),
                text=assertion.quote,
                href=f"../../{claim_url(claim.id)}",
                label=f"C{label}",
                title=claim.statement,
            ))
    return {article: tuple(quotes) for article, quotes in out.items()}


def story_page(ix: Index, article: Article) -> Page:
    source = ix.sources.get(article.source)
    assertions = ix.assertions_by_article.get(article.id, [])
    body_html, found = ix.body(article, ix.story_quotes.get(article.id, ()))
    claims = [
        {
            "claim": ix.claim_ref(claim),
            "stance": ix.stance(assertion),
            "anchor": quote_anchor(claim.id, number) if quote_anchor(claim.id, number) in found else None,
            "value": format_figure(assertion.value, claim.unit if claim.kind == "figure" else None),
        }
        for claim, number, assertion in assertions
    ]
    versions = [ix.article_ref(a.id) for a in ix.articles_by_story[article.story] if a.id != article.id]
    relations = [
        {
            "relation": pair.relation,
            "verdict": pair.verdict,
            "other": ix.article_ref(pair.b if pair.a == article.id else pair.a),
            "similarity": pair.similarity,
        }
        for pair in ix.pairs_by_article.get(article.id, [])
    ]
    return Page(
        f"stories/{article.id}/index.html", "story.html", article.title, article.language,
        {
            "article": {
                **article_facts(ix, article),
                "captured": date_view(article.captured),
                "url": article.url,
                "authors": article.authors,
                "summary": article.summary,
                "translation_of": ix.article_ref(article.translation_of) if article.translation_of else None,
                "capture_url": f"stories/{article.id}/capture.txt",
            },
            "source": _source_box(ix, source, article.source),
            "body_html": Markup(body_html),
            "claims": claims,
            "versions": versions,
            "relations": relations,
            "flags": _quality_flags(ix, [article.id]),
            "names": _names_in(ix, article.id),
        },
        kind="story",
        search={
            "type": "Story",
            "language": ix.language_name(article.language),
            "context": f"{source.name if source else article.source} · {ix.language_name(article.language)}",
            "sources": [source.name if source else article.source],
            "topics": sorted({claim.topic for claim, _, _ in assertions}),
            "date": article.published.iso() if article.published else None,
        },
    )


def _source_box(ix: Index, source: Source | None, source_id: str) -> dict[str, Any]:
    if source is None:
        return {"id": source_id, "name": source_id, "url": ix.links.source(source_id)}
    return {
        "id": source.id,
        "name": source.name,
        "kind": KIND_NAMES[source.kind],
        "url": ix.links.source(source.id),
        "website": source.url,
        "country": source.country,
        "notes_html": md(source.notes) if source.notes else None,
    }


def _names_in(ix: Index, article_id: str) -> list[dict[str, Any]]:
    by_entity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for use in ix.names_by_article.get(article_id, []):
        by_entity[use.entity].append({"found": use.found, "count": use.count, "misspelling": use.misspelling})
    return [
        {"entity": {"name": ix.entities[e].name, "url": ix.links.entity(e), "kind": ix.entities[e].kind},
         "forms": forms}
        for e, forms in sorted(by_entity.items(), key=lambda item: ix.entities[item[0]].name.casefold())
    ]


def claims_page(ix: Index) -> Page:
    topics: dict[str, list[Claim]] = defaultdict(list)
    for claim in ix.content.claims:
        topics[claim.topic].append(claim)
    tables = []
    for topic, claims in topics.items():
        quoted = {a.article for c in claims for a in c.assertions}
        columns = [ix.article_ref(a) for a in sorted(quoted & ix.order.keys(), key=ix.order.__getitem__)]
        column_of = {column["id"]: n for n, column in enumerate(columns)}
        # Past a dozen articles a grid is mostly empty cells: list each claim's assertions instead.
        compact = len(columns) > MATRIX_COLUMNS
        rows = []
        for claim in claims:
            filled: dict[int, list[dict[str, Any]]] = defaultdict(list)  # column -> its cell's assertions
            for n, a in enumerate(claim.assertions, 1):
                filled[column_of[a.article]].append({
                    "stance": ix.stance(a),
                    "value": format_figure(a.value),
                    "href": ix.links.quote(a.article, claim.id, n),
                })
            rows.append({
                "claim": ix.claim_ref(claim),
                "cells": [] if compact else [filled.get(n, []) for n in range(len(columns))],
                "listed": [
                    {**a, "source": columns[n]["source"], "lang": columns[n]["lang"]}
                    for n in sorted(filled)
                    for a in filled[n]
                ],
                "independent": ix.independent(a.article for a in claim.assertions if a.stance == "supports"),
            })
        tables.append({"topic": topic, "columns": columns, "rows": rows, "compact": compact})
    return Page("claims/index.html", "claims.html", "Claims compared", ix.content.dossier.default_language,
                {"tables": tables, "stances": STANCES})


def claim_page(ix: Index, claim: Claim) -> Page:
    rows = []
    for number, assertion in enumerate(claim.assertions, 1):
        article = ix.articles.get(assertion.article)
        attributed = ix.sources.get(assertion.attributed_to) if assertion.attributed_to else None
        rows.append({
            "article": ix.article_ref(assertion.article) if article else {"id": assertion.article},
            "stance": ix.stance(assertion),
            "value": format_figure(assertion.value),
            "attributed_to": {"name": attributed.name, "url": ix.links.source(attributed.id)} if attributed else None,
            "quote": assertion.quote,
            "href": ix.links.quote(assertion.article, claim.id, number),
        })
    supporting = [a.article for a in claim.assertions if a.stance == "supports"]
    return Page(
        f"claims/{claim.id}/index.html", "claim.html", claim.statement, ix.content.dossier.default_language,
        {
            "claim": ix.claim_ref(claim),
            "kind": claim.kind,
            "value": format_figure(claim.value, claim.unit),
            "date": date_view(claim.date),
            "status_meaning": STATUSES[claim.status],
            "note_html": md(claim.note) if claim.note else None,
            "rows": rows,
            "discrepancies": ix.discrepancy_groups(ix.discrepancies_by_claim.get(claim.id, [])),
            "entities": [{"name": ix.entities[e].name, "url": ix.links.entity(e)} for e in claim.entities],
            "support": {"articles": len(set(supporting)), "independent": ix.independent(supporting)},
        },
        kind="claim",
        search={
            "type": "Claim",
            "language": ix.language_name(ix.content.dossier.default_language),
            "context": f"{claim.topic} · {claim.status}",
            "sources": sorted({r["article"]["source"] for r in rows if "source" in r["article"]}),
            "topics": [claim.topic],
            "date": claim.date.start.iso() if claim.date else None,
        },
    )


@keep_latest  # the preview compares the analysis with the one before
def shown_similarities(analysis: Analysis) -> tuple[tuple[str, str, float], ...]:
    """The scored pairs the sources page lists: every flagged one, then the nearest misses."""
    # Every same-language pair is scored; a reader needs the flagged ones and the nearest misses.
    flagged = {frozenset((p.a, p.b)) for p in analysis.pairs}
    ranked = sorted(analysis.similarities, key=lambda item: (-item[2], item[0], item[1]))
    shown = [item for item in ranked if frozenset(item[:2]) in flagged]
    return (*shown, *[item for item in ranked if frozenset(item[:2]) not in flagged][:SIMILARITY_ROWS])


def sources_page(ix: Index) -> Page:
    outlets, cited = [], []
    for source in ix.content.sources:
        row = {
            "name": source.name,
            "url": ix.links.source(source.id),
            "kind": KIND_NAMES[source.kind],
            "articles": len(ix.articles_by_source.get(source.id, [])),
            "cited": len(ix.cited.get(source.id, [])),
        }
        (outlets if row["articles"] else cited).append(row)
    pairs = [
        {
            "a": ix.article_ref(p.a), "b": ix.article_ref(p.b), "relation": p.relation,
            "similarity": f"{p.similarity:.2f}", "verdict_html": md_inline(p.verdict),
        }
        for p in ix.analysis.pairs
    ]
    flagged = {frozenset((p.a, p.b)) for p in ix.analysis.pairs}
    similarities = [
        {"a": ix.article_ref(a), "b": ix.article_ref(b), "score": f"{score:.2f}",
         "flagged": frozenset((a, b)) in flagged}
        for a, b, score in shown_similarities(ix.analysis)
    ]
    return Page("sources/index.html", "sources.html", "Sources", ix.content.dossier.default_language,
                {"outlets": outlets, "cited": cited, "pairs": pairs, "similarities": similarities})


def source_page(ix: Index, source: Source) -> Page:
    article_ids = [a.id for a in ix.articles_by_source.get(source.id, [])]
    mine = set(article_ids)
    own_by_claim: dict[str, list[tuple[int, Assertion]]] = defaultdict(list)
    for article in article_ids:
        for claim, number, assertion in ix.assertions_by_article.get(article, []):
            own_by_claim[claim.id].append((number, assertion))
    asserts, only = [], []
    for claim_id in sorted(own_by_claim, key=ix.claim_number.__getitem__):
        claim = ix.claims[claim_id]
        entry = {"claim": ix.claim_ref(claim), "stances": [ix.stance(a) for _, a in sorted(own_by_claim[claim_id])]}
        asserts.append(entry)
        if all(a.article in mine for a in claim.assertions):
            only.append(entry)
    touching = sorted({n for article in article_ids for n in ix.discrepancies_by_article.get(article, ())})
    disagreements = ix.discrepancy_groups(ix.analysis.discrepancies[n] for n in touching)
    cited = [
        {"claim": ix.claim_ref(claim), "article": ix.article_ref(a.article), "quote": a.quote,
         "lang": ix.articles[a.article].language if a.article in ix.articles else None,
         "href": ix.links.quote(a.article, claim.id, n)}
        for claim, n, a in ix.cited.get(source.id, [])
    ]
    return Page(
        f"sources/{source.id}/index.html", "source.html", source.name, ix.content.dossier.default_language,
        {
            "source": _source_box(ix, source, source.id),
            "articles": [ix.article_ref(a) for a in article_ids],
            "asserts": asserts,
            "only": only,
            "disagreements": disagreements,
            "cited": cited,
            "flags": _quality_flags(ix, article_ids),
        },
        kind="source",
        search={
            "type": "Source",
            "language": ix.language_name(ix.content.dossier.default_language),
            "context": KIND_NAMES[source.kind],
            "sources": [source.name],
            "topics": sorted({e["claim"]["topic"] for e in asserts}),
            "date": None,
        },
    )


def entities_page(ix: Index) -> Page:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    mentions: dict[str, int] = defaultdict(int)
    wrong: dict[str, int] = defaultdict(int)
    for use in ix.analysis.names:
        mentions[use.entity] += use.count
        wrong[use.entity] += use.count if use.misspelling else 0
    for entity in sorted(ix.content.entities, key=lambda e: e.name.casefold()):
        groups[entity.kind].append({
            "name": entity.name, "url": ix.links.entity(entity.id), "role": entity.role,
            "mentions": mentions[entity.id], "misspelled": wrong[entity.id],
        })
    ordered = [{"kind": KIND_NAMES[k], "entities": groups[k]} for k in ("person", "organisation", "place") if groups[k]]
    return Page("entities/index.html", "entities.html", "People, organisations and places",
                ix.content.dossier.default_language, {"groups": ordered})


def entity_forms(ix: Index, entity: Entity) -> dict[str, list[dict[str, Any]]]:
    """Article id -> the forms of the entity's name found in it, the articles in dossier order."""
    per_article: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for use in ix.names_by_entity.get(entity.id, []):
        per_article[use.article].append({"found": use.found, "form": use.form, "count": use.count,
                                         "misspelling": use.misspelling, "mixed_script": False})
    for word in ix.mixed_by_entity.get(entity.id, []):
        per_article[word.article].append({"found": word.word, "form": word.folded, "count": word.count,
                                          "misspelling": False, "mixed_script": True})
    return {a: per_article[a] for a in sorted(per_article, key=ix.order.get)}


def entity_facts(ix: Index, entity: Entity) -> dict[str, Any]:
    """What every view of an entity starts with: who or what it is, and the claims that name it."""
    return {
        "entity": {"name": entity.name, "kind": KIND_NAMES[entity.kind], "role": entity.role,
                   "variants": entity.variants, "misspellings": entity.misspellings},
        "claims": [ix.claim_ref(c) for c in ix.claims_by_entity.get(entity.id, [])],
    }


def entity_page(ix: Index, entity: Entity) -> Page:
    rows = [{"article": ix.article_ref(a), "forms": forms} for a, forms in entity_forms(ix, entity).items()]
    return Page(
        f"entities/{entity.id}/index.html", "entity.html", entity.name, ix.content.dossier.default_language,
        {**entity_facts(ix, entity), "rows": rows},
        kind="entity",
        search={
            "type": {"person": "Person", "organisation": "Organisation", "place": "Place"}[entity.kind],
            "language": ix.language_name(ix.content.dossier.default_language),
            "context": entity.role or KIND_NAMES[entity.kind],
            "sources": sorted({r["article"]["source"] for r in rows}),
            "topics": sorted({c.topic for c in ix.claims_by_entity.get(entity.id, [])}),
            "date": None,
        },
    )


def timeline_page(ix: Index) -> Page:
    entries = []
    for claim_id in ix.analysis.timeline:
        claim = ix.claims[claim_id]
        entries.append({"date": date_view(claim.date), "claim": ix.claim_ref(claim),
                        "articles": [ix.article_ref(a) for a in dict.fromkeys(x.article for x in claim.assertions)]})
    return Page("timeline/index.html", "timeline.html", "Timeline", ix.content.dossier.default_language,
                {"entries": entries})


def about_page(ix: Index) -> Page:
    return Page("about/index.html", "about.html", "Method", ix.content.dossier.default_language,
                {"stances": STANCES, "statuses": STATUSES})


def search_page(ix: Index) -> Page:
    primary = ix.content.dossier.default_language
    languages = [primary, *sorted({a.language for a in ix.content.articles} - {primary})]
    return Page("search/index.html", "search.html", "Search", primary,
                {"primary": primary, "languages_json": json.dumps(languages)}, kind="search")


def not_found_page(ix: Index) -> Page:
    return Page("404.html", "404.html", "Page not found", ix.content.dossier.default_language)


PageBuilder = Callable[[], Page]


def page_builders(ix: Index) -> list[PageBuilder]:
    """Every page of the site as a deferred computation, in site order (so pages can be built in parallel)."""
    site_pages = (overview_page, claims_page, sources_page, entities_page, timeline_page, about_page, search_page,
                  not_found_page)
    builders: list[PageBuilder] = [partial(make, ix) for make in site_pages]
    builders += [partial(story_page, ix, a) for a in ix.content.articles]
    builders += [partial(claim_page, ix, c) for c in ix.content.claims]
    builders += [partial(source_page, ix, s) for s in ix.content.sources]
    builders += [partial(entity_page, ix, e) for e in ix.content.entities]
    return builders


def all_pages(ix: Index) -> list[Page]:
    return [make() for make in page_builders(ix)]
