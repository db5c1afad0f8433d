"""Article similarity: rewrites of one report score high, unrelated articles on one topic low."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier import similarity
from dossier.similarity import (
    REWRITE_THRESHOLD,
    CandidateIndex,
    containment,
    features,
    jaccard,
    rare_feature_candidates,
    scored_pairs,
    tokens,
)

# One agency report about a made-up harbour bridge, told twice in different words, and a
# third article on the same topic that reports something else.
REPORT_A = """Mayor Anna Berg told the Portville Courier agency that the harbour bridge will cost
12 million euros and open in May. Engineers from Nordbau finished the final inspection of the steel
arches on Tuesday, she said, and the ferry service will be suspended during the last weeks of work.
Residents of the old quarter had protested against the toll, which Berg defended as temporary."""

REPORT_B = """Speaking to the Portville Courier, mayor Anna Berg said the new harbour bridge is expected
to open in May at a cost of 12 million euros. According to Berg, Nordbau engineers completed their final
inspection of the steel arches this Tuesday; ferries will stop running in the final weeks of construction.
She described the planned toll, criticised by residents of the old quarter, as a temporary measure."""

OTHER = """The harbour of Portville handled more cargo than ever last year, the port authority reported.
Container traffic grew by a fifth, while the number of cruise ships calling at the city fell. Dock workers'
unions are negotiating new contracts, and the authority plans to dredge the eastern basin next spring. The new
bridge, a project of the city council, was not mentioned in the annual report."""


def test_tokens_drop_possessives_and_separators() -> None:
    assert tokens("Berg’s 12,000 EUR, 2.7 Mio") == ["berg", "12000", "eur", "27", "mio"]


def test_features_stem_and_drop_stop_words() -> None:
    vocabulary = features("The engineers finalized it; the engineer finalizes", "en").vocabulary
    assert vocabulary == {"engine", "finali"}


def test_rewrite_scores_above_threshold_and_unrelated_below() -> None:
    a, b, other = (features(t, "en") for t in (REPORT_A, REPORT_B, OTHER))
    assert similarity.score(a, b) >= REWRITE_THRESHOLD
    assert similarity.score(a, other) < REWRITE_THRESHOLD
    assert similarity.score(b, other) < REWRITE_THRESHOLD


def test_copied_excerpt_is_caught_by_containment() -> None:
    long = REPORT_A + "\n" + OTHER + "\nMore text about " + " ".join(f"topic{i}" for i in range(80))
    excerpt = " ".join(REPORT_A.split()[:45])
    a, b = features(long, "en"), features(excerpt, "en")
    assert jaccard(a.vocabulary, b.vocabulary) < REWRITE_THRESHOLD
    assert containment(a.shingles, b.shingles) >= REWRITE_THRESHOLD


def test_short_texts_do_not_count_as_copies() -> None:
    a, b = features("the bridge opens in May", "en"), features("the bridge opens in May, Berg said", "en")
    assert containment(a.shingles, b.shingles) == 0.0


def test_only_same_language_pairs_are_scored_in_given_order() -> None:
    articles = [("a", "en", REPORT_A), ("d", "de", REPORT_A), ("b", "en-GB", REPORT_B), ("c", "en", OTHER)]
    pairs = scored_pairs(articles)
    assert [(x, y) for x, y, _ in pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert all(0.0 <= s <= 1.0 for _, _, s in pairs)


def groups(edges: set[tuple[str, str]]) -> set[frozenset[str]]:
    """Connected components of an edge set."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in edges:
        parent[find(a)] = find(b)
    members: dict[str, set[str]] = {}
    for x in list(parent):
        members.setdefault(find(x), set()).add(x)
    return {frozenset(m) for m in members.values()}


def test_large_buckets_find_the_same_rewrites(monkeypatch: pytest.MonkeyPatch) -> None:
    filler = [(f"n{i}", "en", f"Unrelated note {i} about item{i} and thing{i * 7} in place{i % 3}.") for i in range(12)]
    articles = [("a", "en", REPORT_A), *filler, ("b", "en", REPORT_B), ("c", "en", OTHER)]
    full = {(x, y) for x, y, s in scored_pairs(articles) if s >= REWRITE_THRESHOLD}
    monkeypatch.setattr(similarity, "ALL_PAIRS_LIMIT", 2)
    filtered = scored_pairs(articles)
    found = {(x, y) for x, y, s in filtered if s >= REWRITE_THRESHOLD}
    # A large clique of look-alikes keeps each article's strongest partners, not every edge:
    # the groups of articles that are not independent are what must not change.
    assert found <= full and groups(found) == groups(full)
    assert ("a", "b") in full and ("a", "b") in found
    assert len(filtered) < len(list(itertools.combinations(articles, 2)))


def test_rare_feature_candidates() -> None:
    common = frozenset(range(100, 140))  # the topic: every set has it
    sets = [common | {i} for i in range(10)]  # each with one feature of its own
    sets += [common | {1, 50, 51, 52}, common | {50, 51, 52, 60}]  # two sharing three rare features
    assert rare_feature_candidates(sets, size=8, min_hits=4, rare=5) == {(10, 11)}
    assert (1, 10) in rare_feature_candidates(sets, size=8, min_hits=2, rare=5)
    everything = rare_feature_candidates(sets, size=8, min_hits=4, rare=20)  # the topic pairs every set...
    assert (10, 11) in everything and len(everything) <= len(sets) * similarity.PARTNERS  # ...but few partners each


@given(st.lists(st.frozensets(st.integers(0, 40), max_size=30), max_size=10))
def test_rare_feature_candidates_are_ordered_pairs_of_sets_that_share(sets: list[frozenset[int]]) -> None:
    for i, j in rare_feature_candidates(sets, size=5, min_hits=1, rare=4):
        assert i < j and sets[i] & sets[j]


_CHANGING_SETS = (
    st.lists(st.frozensets(st.integers(0, 30), max_size=14), min_size=2, max_size=12),
    st.lists(st.tuples(st.integers(0, 11), st.frozensets(st.integers(0, 30), max_size=14)), max_size=8),
    st.integers(1, 6),
    st.integers(1, 4),
    st.integers(1, 3),
)


def _updated_as_counted_afresh(
    sets: list[frozenset[int]], changes: list[tuple[int, frozenset[int]]], size: int, min_hits: int, rare: int
) -> None:
    index = CandidateIndex(sets, size=size, min_hits=min_hits, rare=rare)
    assert index.candidates() == rare_feature_candidates(sets, size=size, min_hits=min_hits, rare=rare)
    for k, items in changes:
        k %= len(sets)
        sets[k] = items
        before = index.candidates()
        index.update(k, items)
        assert index.candidates() == rare_feature_candidates(sets, size=size, min_hits=min_hits, rare=rare)
        assert index.moved >= before ^ index.candidates()  # every pair that joined or left is told
        index.moved.clear()
        assert index.candidates_of(k) == {pair for pair in index.candidates() if k in pair}


@given(*_CHANGING_SETS)
def test_a_kept_candidate_index_gives_what_counting_afresh_gives_after_every_change(
    sets: list[frozenset[int]], changes: list[tuple[int, frozenset[int]]], size: int, min_hits: int, rare: int
) -> None:
    # Small sets, a small `rare`: features keep crossing its edges (a feature in one set only, in `rare`
    # sets, in one more), which is where an update can go wrong.
    _updated_as_counted_afresh(sets, changes, size, min_hits, rare)


@given(*_CHANGING_SETS)
def test_a_kept_candidate_index_keeps_each_sets_strongest_partners_as_counting_afresh_does(
    sets: list[frozenset[int]], changes: list[tuple[int, frozenset[int]]], size: int, min_hits: int, rare: int
) -> None:
    # With two partners kept per set, most sets have more partners than they keep: an edit elsewhere can push
    # a pair in or out of a set's choice, which the update must see without choosing again for every set.
    kept = similarity.PARTNERS
    similarity.PARTNERS = 2
    try:
        _updated_as_counted_afresh(sets, changes, size, min_hits, rare)
    finally:
        similarity.PARTNERS = kept


def test_kept_scores_equal_scores_counted_afresh_after_edits() -> None:
    # More articles than ALL_PAIRS_LIMIT in one language, so candidates come from a CandidateIndex.
    words = [f"word{n:03d}" for n in range(400)]
    rng = random.Random(7)

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(60))

    articles = [(f"a{n:03d}", "en", text()) for n in range(similarity.ALL_PAIRS_LIMIT + 40)]
    memo: dict = {}
    kept = {}
    for round_ in range(4):
        feats = [kept.get(t) or features(t, "en") for _, _, t in articles]
        kept = {t: f for (_, _, t), f in zip(articles, feats, strict=True)}
        assert scored_pairs(articles, feats, memo) == scored_pairs(articles, feats)
        for n in rng.sample(range(len(articles)), 3):  # three articles rewritten, one copied from another
            ident, language, _ = articles[n]
            articles[n] = (ident, language, articles[n - 1][2] if round_ % 2 else text())


@pytest.mark.parametrize("count", [similarity.ALL_PAIRS_LIMIT // 2, similarity.ALL_PAIRS_LIMIT + 40])
def test_rescored_tells_every_score_an_edit_moves(count: int) -> None:
    """What `rescored` says an edit moved, applied to the scores before it, gives the scores counted afresh;
    with a CandidateIndex (more articles than ALL_PAIRS_LIMIT) and without."""
    words = [f"word{n:03d}" for n in range(400)]
    rng = random.Random(11)

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(60))

    articles = [(f"a{n:03d}", "en", text()) for n in range(count)]
    feats = {ident: features(t, "en") for ident, _, t in articles}
    memo: dict = {}
    scores = {(a, b): score for a, b, score in scored_pairs(articles, list(feats.values()), memo)}
    for round_ in range(5):
        n = rng.randrange(len(articles))
        ident, language, old = articles[n]
        # rewritten, copied from another (a new rewrite pair), or half of it dropped
        new = [text(), articles[n - 1][2], old[: len(old) // 2]][round_ % 3]
        articles[n] = (ident, language, new)
        feats[ident] = features(new, language)
        moved = similarity.rescored(memo, {ident: language}, feats.__getitem__, lambda a, b, s=scores: s.get((a, b)))
        assert moved is not None
        afresh = {(a, b): score for a, b, score in scored_pairs(articles, list(feats.values()))}
        assert moved == {
            pair: (scores.get(pair), afresh.get(pair))
            for pair in scores.keys() | afresh.keys()
            if scores.get(pair) != afresh.get(pair)
        }
        scores = afresh


def test_an_edit_elsewhere_can_push_a_pair_into_a_sets_choice() -> None:
    # Found by a search: set 2's edit changes set 4's probes, after which set 4 shares more hits with set 3
    # than set 7, the weaker of set 3's two chosen partners, does; set 3 itself is not among those re-probed.
    sets = [frozenset(s) for s in ({1, 2, 3, 7, 10}, {3, 11, 6, 7}, {2, 4}, {3, 5, 6}, {4, 6, 8, 9, 10},
                                   {0, 3, 7, 9, 11}, {8}, {5})]
    kept = similarity.PARTNERS
    similarity.PARTNERS = 2
    try:
        _updated_as_counted_afresh(sets, [(2, frozenset({8}))], size=3, min_hits=2, rare=3)
    finally:
        similarity.PARTNERS = kept
