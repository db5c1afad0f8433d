"""The preview's short way after the commonest edit: the texts of some articles, changing nothing but pages
that print those texts.

After such an edit every other page is as the last full build made it, and search needs only the new
versions of those pages. At ten thousand articles a rebuild of the whole content takes seconds (load,
validate and analyse are whole-content); this checks, from the edited files alone, that the edit is such an
edit, and writes just what it changes, in tens of milliseconds.

What is checked, for each edited article, against the last build that went through (pipeline.LastRendered):
- the file loads without a problem, and only its text (the Markdown body) differs;
- every quote a claim takes from it is still in it (the one check of validate that reads a text);
- what analysis finds in it on its own is the same: names and their spellings with their counts,
  mixed-script words, and the entities and numbers translations are matched by;
- the rewrite scores the edit moves (its pairs', and those of the pairs it moves in or out of the
  candidates, similarity.rescored) are shown nowhere: no flagged pair's, none among the near misses the
  sources page lists.
Then, as render.texts_changed explains, only the edited stories read the texts — and the print page, for a
dossier small enough that it prints them; those are rendered again (with the last build's lookup tables,
views.Index.with_texts), the feed's entries patched, the files written, the stories first, and search
given their new versions as after any rebuild (index.LiveIndex).

When any of this does not hold, or the edit is anything else, nothing is done here: the ordinary rebuild
runs. After a short way, the builder confirms with a build of the whole content once the preview is idle
(IncrementalBuilder.settle); the articles edited since the last such build are taken again at each edit.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from .analyse import article_findings, reading
from .findings import Analysis
from .highlight import read_and_highlight
from .load import is_article_file, load_article
from .model import Article, keep_latest
from .pipeline import LastRendered
from .printing import print_page, prints_texts
from .publish import FEED, feed_with_texts, lookups
from .render import PageRenderer, draw_one, site_globals, templates_digest
from .similarity import Features, MovedScores, rescored
from .text import has_quote
from .views import SIMILARITY_ROWS, shown_similarities, story_page
from .write import WriteReport, update


def edited_articles(content_dir: Path, changed: Iterable[str]) -> set[str] | None:
    """The names of the article files `changed` lists, when it lists nothing else; None otherwise."""
    folder = (content_dir / "articles").resolve()
    names = set()
    for path in map(Path, changed):
        if not is_article_file(path.name) or path.parent.resolve() != folder:
            return None
        names.add(path.name)
    return names or None


def rebuild_texts(
    memo: dict[Any, Any],
    content_dir: Path,
    out: Path,
    display: str | None,
    templates: Path,
    draw: PageRenderer,
    names: Collection[str],
    stage: Callable[[str], None] = lambda _name: None,
) -> WriteReport | None:
    """After an edit of the article files `names` alone: what it changes written, when it is an edit of their
    texts that changes nothing else (see above); None, with nothing written, otherwise.

    `memo` is pipeline.build's of a preview session; memo["quick"] is left holding the articles edited since
    its last build."""
    site: LastRendered | None = memo.get("site")
    written: dict[str, bytes] | None = memo.get("written")
    if site is None or not written or not out.is_dir() or templates_digest(templates) != site.templates:
        return None
    stage("checking")
    content = site.checked.content
    first = f"stories/{min(names).removesuffix('.md')}/index.html"  # a story edited now, before any other file
    names = {*memo.get("quick", ()), *names}
    edited: list[tuple[Article, Article]] = []
    for name in sorted(names):
        was = content.article_by_id.get(name.removesuffix(".md"))
        now, problems = load_article(content_dir, display, name)
        if was is None or now is None or problems or replace(was, body="") != replace(now, body=""):
            return None
        edited.append((was, now))
    for _, now in edited:
        for _, _, assertion in site.index.assertions_by_article.get(now.id, ()):
            if not has_quote(now.body, assertion.quote):
                return None  # the rebuild reports it
    now_by_id = {now.id: now for _, now in edited}
    if not _shows_the_same(memo["analysis"], site, edited, now_by_id):
        return None
    after = replace(content, articles=tuple(now_by_id.get(a.id, a) for a in content.articles))
    lookups.remember(after, lookups(content).with_texts(now_by_id))

    stage("rendering")
    bodies = memo["bodies"]
    quotes = site.index.story_quotes
    read_and_highlight(((now.body, quotes.get(now.id, ())) for _, now in edited), bodies)
    index = site.index.with_texts(after, bodies)
    looks = site_globals(after)
    builders = [partial(story_page, index, now) for _, now in edited]
    if prints_texts(after):
        builders.append(partial(print_page, index))
    files = {page.path: data for page, data in (draw_one(make, draw, looks, after) for make in builders)}
    feed = feed_with_texts(site.rendered.files[FEED], content, edited)
    if feed is None:
        return None
    files[FEED] = feed

    stage("writing")
    live = memo.get("search")
    before = partial(live.before_write, live.bundles) if live is not None else (lambda _touched: None)
    report = update(out, files, written, first=first, before=before, whole=False)
    memo["quick"] = names
    if live is not None:
        stage("indexing")
        live.refresh(live.bundles, report.written)
    return report


def _shows_the_same(
    memo: dict[Any, Any], site: LastRendered, edited: list[tuple[Article, Article]], now_by_id: Mapping[str, Article]
) -> bool:
    """Whether the analysis of the `site`'s content shows what analysing it after the `edited` would (as they
    are now, by id: `now_by_id`); `memo`: analyse's, of a preview session, given the findings of the edited."""
    analysis = site.checked.analysis
    forms, findings, similar = memo.get("forms"), memo.get("articles"), memo.get("similarity")
    if forms is None or findings is None or not isinstance(similar, dict):
        return False
    translated = {article for pair in analysis.pairs if pair.relation == "translation" for article in (pair.a, pair.b)}
    for was, now in edited:
        before = findings.get(reading(was))
        key = reading(now)
        found = findings[key] = findings.get(key) or article_findings(forms, key)
        if before is None or (*before[:2], before[3]) != (*found[:2], found[3]):
            return False
        # Numbers count only in a translation's score (analyse.translation_score).
        if now.id in translated and before[2].numbers != found[2].numbers:
            return False

    def features_of(ident: str) -> Features:
        return findings[reading(now_by_id.get(ident) or site.checked.content.article_by_id[ident])][2]

    moved = rescored(similar, {now.id: now.language for _, now in edited}, features_of, _score_in(site))
    return moved is not None and _unseen(analysis, moved)


def _score_in(site: LastRendered) -> Callable[[str, str], float | None]:
    """The score of a pair of articles in the `site`'s analysis (None for a pair not scored)."""
    scored, order = site.checked.analysis.similarities, site.index.order  # scored in content order

    def score(a: str, b: str) -> float | None:
        at = bisect_left(scored, (order[a], order[b]), key=lambda item: (order[item[0]], order[item[1]]))
        return scored[at][2] if at < len(scored) and scored[at][:2] == (a, b) else None

    return score


@keep_latest
def _near_misses(analysis: Analysis) -> tuple[frozenset[frozenset[str]], float | None]:
    """The flagged pairs, and the lowest score among the near misses shown (None when all of them are)."""
    flagged = frozenset(frozenset((p.a, p.b)) for p in analysis.pairs)
    misses = [score for a, b, score in shown_similarities(analysis) if frozenset((a, b)) not in flagged]
    return flagged, misses[-1] if len(misses) == SIMILARITY_ROWS else None


def _unseen(analysis: Analysis, moved: MovedScores) -> bool:
    """Whether no page shows the scores `moved`: pairs neither flagged nor among the near misses, before or after."""
    if not moved:
        return True
    flagged, lowest = _near_misses(analysis)
    return lowest is not None and all(
        frozenset(pair) not in flagged and all(score is None or score < lowest for score in scores)
        for pair, scores in moved.items()
    )
