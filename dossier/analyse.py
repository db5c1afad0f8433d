"""Stage 3, analyse: derive what no curator should have to write by hand.

`analyse(content)` is pure and deterministic: the same content gives an equal `Analysis`.
Each detector lives in its own module and works on plain data:

* `discrepancies` — figure, stance and naming disagreements per claim;
* `names` — every variant and misspelling of every entity in every article;
* `scripts` — words mixing scripts (Unicode TS #39), mapped to entities where they fold to one;
* `similarity` — same-language rewrites; translations come from `translation_of`.

Independence: rewrite and translation pairs are joined (union-find) into groups; each
group is one report, whatever the number of articles in it. Groups are numbered from 1
in order of their first article in content order; every article has a group.

Everything is computed on the text a reader sees (`text.reader_text(body)`), not the
Markdown source, so markup never splits a name or a word.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import Any

from .cache import parts_digest
from .discrepancies import discrepancies
from .findings import Analysis, ArticlePair, MixedScriptWord, NameUse
from .model import Article, Content
from .names import EntityForms, entity_forms, matcher_for, name_uses
from .parallel import map_forked
from .scripts import NameIndex, mixed_script_words, name_key
from .similarity import REWRITE_THRESHOLD, Features, features, jaccard, scored_pairs
from .text import reader_text

ArticleFindings = tuple[tuple[NameUse, ...], tuple[MixedScriptWord, ...], Features, frozenset[str]]


def analyse(content: Content, memo: dict[Any, Any] | None = None) -> Analysis:
    """With `memo` (the same dict at every build of a preview session), what each article yields on
    its own is kept between builds, and the index of rare features that finds rewrites, memo["similarity"]
    when that is a dict, is updated rather than built again, so an edit costs the edited article and the
    pairs it touches; without it (a one-off build with what store.py kept), the rewrite scores of the very
    same texts are reused."""
    order = {a.id: i for i, a in enumerate(content.articles)}
    texts = [reading(a) for a in content.articles]
    forms = entity_forms(content.entities)
    every_form = NameIndex.build((e.id, (e.name, *e.variants, *e.misspellings)) for e in content.entities)
    # What each article yields on its own; the rest compares articles. Keyed by the article's
    # (id, language, text); valid while the entity forms are those it was computed with.
    kept = memo.get("articles", {}) if memo is not None and memo.get("forms") == (forms, every_form) else {}
    todo = [article for article in texts if article not in kept]
    for language in {language for _, language, _ in todo}:
        matcher_for(forms, language)  # compiled once, before the work is shared out
    found = dict(zip(todo, map_forked(partial(article_findings, (forms, every_form)), todo), strict=True))
    per_article = [found[article] if article in found else kept[article] for article in texts]
    if memo is not None:
        memo["forms"] = (forms, every_form)
        memo["articles"] = dict(zip(texts, per_article, strict=True))
    names = tuple(use for uses, _, _, _ in per_article for use in uses)
    mixed = tuple(word for _, words, _, _ in per_article for word in words)
    originals = translations(content.articles)
    similar = None if memo is None else memo.get("similarity")
    feats = [f for _, _, f, _ in per_article]
    if memo is not None and similar is None:
        # Without an index kept for updates, the scores are kept whole, valid for the very same texts.
        same = parts_digest(part.encode() for text in texts for part in text)
        if memo.get("pairs", (None,))[0] != same:
            memo["pairs"] = (same, tuple(scored_pairs(texts, feats)))
        similarities = memo["pairs"][1]
        for f in feats:  # a one-off build's findings go to the store, not compared again
            f.release()
    else:
        similarities = tuple(scored_pairs(texts, feats, similar))
    numbers = {ident: f.numbers for (ident, _, _), (_, _, f, _) in zip(texts, per_article, strict=True)}
    named = {ident: entities for (ident, _, _), (_, _, _, entities) in zip(texts, per_article, strict=True)}
    pairs = article_pairs(content.articles, similarities, originals, named, numbers)
    return Analysis(
        discrepancies=discrepancies(content.claims, order, accepted_names(content), originals),
        names=names,
        mixed_script=mixed,
        pairs=pairs,
        similarities=similarities,
        groups=groups([a.id for a in content.articles], pairs),
        timeline=timeline(content),
    )


def reading(article: Article) -> tuple[str, str, str]:
    """(id, language, reader text): what an article is analysed from, and what its findings are kept by."""
    return article.id, article.language, reader_text(article.body)


def article_findings(forms: tuple[EntityForms, NameIndex], article: tuple[str, str, str]) -> ArticleFindings:
    """What one (id, language, reader text) article yields on its own, by (entity_forms, NameIndex) `forms`."""
    ident, language, text = article
    uses = name_uses(forms[0], [article])
    named = frozenset(use.entity for use in uses)
    return uses, mixed_script_words(ident, text, forms[1]), features(text, language), named


def accepted_names(content: Content) -> Mapping[str, str]:
    """name_key of every accepted form (canonical name and variants) -> entity id; misspellings excluded."""
    out: dict[str, str] = {}
    for entity in content.entities:
        for form in (entity.name, *entity.variants):
            out.setdefault(name_key(form), entity.id)
    return out


def translations(articles: Sequence[Article]) -> Mapping[str, str]:
    """Translation id -> original id, for originals that exist."""
    known = {a.id for a in articles}
    return {a.id: a.translation_of for a in articles if a.translation_of in known and a.translation_of != a.id}


def translation_score(
    a: str, b: str, entities: Mapping[str, frozenset[str]], numbers: Mapping[str, frozenset[str]]
) -> float:
    """Jaccard of what survives translation: the entities named and the numbers ("14,000" = "14.000")."""

    def neutral(article: str) -> frozenset[str]:
        return frozenset({"entity:" + e for e in entities.get(article, ())} | numbers.get(article, frozenset()))

    return round(jaccard(neutral(a), neutral(b)), 4)


def _rewrite_verdict(a: Article, b: Article) -> str:
    if a.published and b.published and a.published.sort_key() != b.published.sort_key():
        first, second = (a, b) if a.published.sort_key() < b.published.sort_key() else (b, a)
        return f"`{second.id}` reads as a rewrite of `{first.id}`; they are not independent."
    return f"`{a.id}` and `{b.id}` read as rewrites of one report; they are not independent."


def article_pairs(
    articles: Sequence[Article],
    similarities: Iterable[tuple[str, str, float]],
    originals: Mapping[str, str],
    entities: Mapping[str, frozenset[str]],
    numbers: Mapping[str, frozenset[str]],
) -> tuple[ArticlePair, ...]:
    """Translations (original first) and rewrites (score at or above the threshold), in content order.
    `entities`: the entities each article names."""
    by_id = {a.id: a for a in articles}
    order = {a.id: i for i, a in enumerate(articles)}
    out: dict[frozenset[str], ArticlePair] = {}
    for translation, original in originals.items():
        verdict = f"`{translation}` is a translation of `{original}`; they are one report."
        score = translation_score(original, translation, entities, numbers)
        out.setdefault(
            frozenset((original, translation)), ArticlePair(original, translation, "translation", score, verdict)
        )
    for a, b, score in similarities:
        if score >= REWRITE_THRESHOLD and frozenset((a, b)) not in out:
            out[frozenset((a, b))] = ArticlePair(a, b, "rewrite", score, _rewrite_verdict(by_id[a], by_id[b]))
    return tuple(sorted(out.values(), key=lambda p: sorted((order[p.a], order[p.b]))))


def groups(articles: Sequence[str], pairs: Iterable[ArticlePair]) -> Mapping[str, int]:
    """Article id -> independence group (1, 2, …, numbered by first article in content order)."""
    parent = {a: a for a in articles}

    def root(a: str) -> str:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for pair in pairs:
        if pair.a in parent and pair.b in parent:
            ra, rb = root(pair.a), root(pair.b)
            if ra != rb:
                parent[rb] = ra
    numbers: dict[str, int] = {}
    out: dict[str, int] = {}
    for article in articles:
        out[article] = numbers.setdefault(root(article), len(numbers) + 1)
    return out


def timeline(content: Content) -> tuple[str, ...]:
    """Ids of the claims that have a date, chronologically (ties in content order)."""
    dated = [(c.date.sort_key(), i, c.id) for i, c in enumerate(content.claims) if c.date is not None]
    return tuple(ident for _, _, ident in sorted(dated))
