"""Rewrites: pairs of articles in one language that retell one report in other words.

The score of a pair is the larger of two measures, both in 0..1:

* **vocabulary overlap** — Jaccard similarity of the two articles' sets of content words:
  words of three letters or more, stop words (English, German) removed, numbers kept with
  their separators dropped, each word cut to its first six letters as a language-neutral
  stemmer ("finalized" and "finalize", "Soldaten" and "Soldat" agree). A rewrite of an
  agency report keeps its facts, names, numbers and much of its vocabulary while changing
  word order and phrasing, which defeats measures on word sequences.
* **copied passages** — containment of the shorter article's word 4-grams (stop words
  kept) in the longer one: catches an article that copies part of a longer one verbatim,
  which vocabulary Jaccard under-rates because the longer text brings many words of its
  own. Only counted when the shorter article has at least 25 word 4-grams.

Measured on the Kursk dossier's four English articles (the German one has no same-language
partner). Plain word-shingle Jaccard gives the two rewrites of the RIA Novosti interview
0.07 (3-grams) against at most 0.01 for the other pairs: a clear ratio, but values too small
and too length-dependent to threshold reliably. TF-IDF cosine separates less well on so few
articles and cannot work at all for a language with two articles (every shared word has the
same document frequency). Vocabulary overlap separates by a wide margin:

    pair                                              vocabulary  4-gram containment
    sculptor-controversy / sculptor-sketches             0.364        0.097
    memorial-park-en     / sculptor-sketches             0.134        0.010
    memorial-park-en     / sculptor-controversy          0.129        0.003
    ambassador-street-names / memorial-park-en           0.118        0.000
    ambassador-street-names / sculptor-controversy       0.082        0.010
    ambassador-street-names / sculptor-sketches          0.075        0.007

`REWRITE_THRESHOLD` = 0.25 sits half-way: 0.12 above the highest unrelated pair and 0.11
below the rewrites. Unrelated articles on one topic share its vocabulary ("North Korean",
"Kursk", "memorial"), which is why they score above zero; rewrites share in addition the
report's particular names, numbers and wording. The measure needs no statistics over the
dossier, so a pair's score does not change when other articles are added.

Scale: articles are compared only within one language. Up to `ALL_PAIRS_LIMIT` articles per
language every pair is scored, and `similarities` lists them all. Above that, only candidate
pairs are scored (and listed): pairs that share several *rare* features — the stems and
4-grams that few other articles have — found through an inverted index
(`rare_feature_candidates`), in time linear in the number of articles. Rewrites and copies
share many such features (the report's names, numbers, phrases); a pair that shares only the
topic's common vocabulary is never a rewrite. This is a heuristic, not an exact join: exact
set-similarity joins (prefix filtering) and MinHash LSH both degrade to nearly all pairs at
a threshold as low as 0.25 when every article shares the topic's vocabulary (measured on a
synthetic same-topic corpus of 2,000 articles: prefix filtering kept all 2.1 million pairs).
"""

from __future__ import annotations

import array
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from itertools import combinations
from typing import Any

import regex

from .parallel import map_forked

REWRITE_THRESHOLD = 0.25
ALL_PAIRS_LIMIT = 200
STEM_LENGTH = 6
SHINGLE = 4
MIN_SHINGLES = 25
SIGNATURE = 32  # rare features each article probes with
MIN_HITS = 4  # probe hits that make a pair a candidate (a feature in both articles' probes counts twice)
RARE = 50  # a feature in more articles than this says nothing about a pair


def _word_list(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_WORDS = {
    "en": _word_list(
        """about above after again against all also and any are because been before being below between both
        but can could did does doing down during each few for from further had has have having her here hers
        herself him himself his how however into its itself just more most much must nor not now off once only
        other our ours out over own same she should some such than that the their theirs them themselves then
        there these they this those through too under until very was were what when where which while who whom
        whose why will with would you your yours yet said says say"""
    ),
    "de": _word_list(
        """aber alle allem allen aller alles als also auch auf aus bei beim bin bis bist das dass dem den der des
        dessen die dies diese diesem diesen dieser dieses doch dort durch ein eine einem einen einer eines für
        gegen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr ihre ihrem ihren ihrer ihres
        im in ist jede jedem jeden jeder jedes jetzt kann kein keine man mit muss nach nicht noch nur oder ohne
        sehr sein seine seinem seinen seiner seines seit sich sie sind soll sollte sondern über um und uns unser
        unter vom von vor war waren was weil wenn werde werden wie wieder will wird wurde wurden zu zum zur
        zwischen sagte sagt"""
    ),
}

_TOKEN = regex.compile(r"\p{N}+(?:[.,]\p{N}+)*|[\p{L}\p{M}]+(?:['’][\p{L}\p{M}]+)*")
_POSSESSIVE = regex.compile(r"['’]s$")


class Features:
    """What an article is compared by: its vocabulary (stems and numbers), its shingles (word 4-grams, each
    as its CRC-32: compact, the same in every run) and its numbers alone (separators dropped).

    Pickled (from forked workers, into the store) packed, as one string and one array, and unpacked into
    sets on first use: the articles of a large dossier have millions of words between them, which as sets
    cost hundreds of MB held and seconds to pickle, and a build that reuses the rewrite scores (store.py)
    never compares them. Not to be changed once made.
    """

    __slots__ = ("_packed", "_sets", "numbers")

    def __init__(
        self, vocabulary: frozenset[str], shingles: frozenset[int], numbers: frozenset[str] = frozenset()
    ) -> None:
        self._sets: tuple[frozenset[str], frozenset[int]] | None = (vocabulary, shingles)
        self._packed: tuple[str, bytes] | None = None
        self.numbers = numbers

    @classmethod
    def unpacking(cls, vocabulary: str, shingles: bytes, numbers: str) -> Features:
        """Features from their packed form, unpacked when first compared."""
        made = cls.__new__(cls)
        made._sets, made._packed = None, (vocabulary, shingles)
        made.numbers = frozenset(numbers.split("\n")) - {""}
        return made

    @property
    def vocabulary(self) -> frozenset[str]:
        return self._unpacked()[0]

    @property
    def shingles(self) -> frozenset[int]:
        return self._unpacked()[1]

    def _unpacked(self) -> tuple[frozenset[str], frozenset[int]]:
        if self._sets is None:
            assert self._packed is not None
            vocabulary, shingles = self._packed
            grams = array.array("I")
            grams.frombytes(shingles)
            self._sets = (frozenset(vocabulary.split("\n")) - {""}, frozenset(grams))
        return self._sets

    def _pack(self) -> tuple[str, bytes]:
        if self._packed is None:
            assert self._sets is not None
            vocabulary, shingles = self._sets
            self._packed = ("\n".join(sorted(vocabulary)), array.array("I", sorted(shingles)).tobytes())
        return self._packed

    def release(self) -> None:
        """Hold the packed form alone from now on (the sets are made again if compared)."""
        self._pack()
        self._sets = None

    def __reduce__(self) -> tuple[Any, ...]:
        return Features.unpacking, (*self._pack(), "\n".join(sorted(self.numbers)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Features):
            return NotImplemented
        return (self.vocabulary, self.shingles, self.numbers) == (other.vocabulary, other.shingles, other.numbers)

    def __hash__(self) -> int:
        return hash((self.vocabulary, self.shingles, self.numbers))

    def __repr__(self) -> str:
        return f"Features({len(self.vocabulary)} words, {len(self.shingles)} shingles, numbers={sorted(self.numbers)})"


def tokens(text: str) -> list[str]:
    """Casefolded words and numbers (separators dropped), possessive "’s" removed."""
    out = _TOKEN.findall(text.casefold())
    for i, word in enumerate(out):
        if "." in word or "," in word:
            out[i] = word.replace(".", "").replace(",", "")
        elif "'" in word or "’" in word:
            out[i] = _POSSESSIVE.sub("", word)
    return out


def features(text: str, language: str) -> Features:
    words = tokens(text)
    stop = STOP_WORDS.get(language.split("-")[0].lower(), frozenset())
    vocabulary = frozenset(
        w if w.isdigit() else w[:STEM_LENGTH] for w in words if w.isdigit() or (len(w) >= 3 and w not in stop)
    )
    # not hash(): it is salted per process, and which pairs are candidates must not depend on the run.
    # CRC-32 may let two distinct 4-grams collide, which moves a containment score by one 4-gram at most.
    grams = map(" ".join, zip(*(words[k:] for k in range(SHINGLE)), strict=False))
    shingles = frozenset(zlib.crc32(g.encode("utf-8", "surrogatepass")) for g in grams)
    return Features(vocabulary, shingles, frozenset(w for w in vocabulary if w.isdigit()))


def jaccard(a: frozenset, b: frozenset) -> float:
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 0.0


def containment(a: frozenset, b: frozenset) -> float:
    """Share of the smaller set found in the larger; 0 when the smaller is too short to judge."""
    small = min(len(a), len(b))
    return len(a & b) / small if small >= MIN_SHINGLES else 0.0


def score(a: Features, b: Features) -> float:
    return max(jaccard(a.vocabulary, b.vocabulary), containment(a.shingles, b.shingles))


PARTNERS = 8  # candidate partners kept per article, strongest first


def rare_feature_candidates(
    sets: Sequence[frozenset], size: int = SIGNATURE, min_hits: int = MIN_HITS, rare: int = RARE
) -> set[tuple[int, int]]:
    """Pairs (i < j) that share several of the rarest features each has in common with any other set.

    Each set probes its `size` rarest features among those that 2 to `rare` sets have (a feature no
    other set has pairs it with nothing; one that many have is the topic, not a shared source); a
    pair is a candidate when the probes hit `min_hits` times. Work: at most len(sets) × size × rare.
    """
    df: Counter = Counter()
    for items in sets:
        df.update(items)
    # Most word 4-grams are in one article alone: each set's features worth probing are taken by a set
    # intersection, in C, rather than looked up one by one (a third of the time for copied passages).
    window = {f for f, n in df.items() if 1 < n <= rare}
    postings: dict = {}
    probes: list[list] = []
    for i, items in enumerate(sets):
        shared = sorted((df[f], f) for f in items & window)
        for _, feature in shared:
            postings.setdefault(feature, []).append(i)
        probes.append([f for _, f in shared[:size]])
    hits: Counter[tuple[int, int]] = Counter()
    for i, features_ in enumerate(probes):  # counted by Counter.update, in C: half the time of `+= 1`
        hits.update((j, i) if j < i else (i, j) for feature in features_ for j in postings[feature] if j != i)
    # A rewrite shares the most rare features with its original: each set keeps only its strongest
    # partners, so scoring stays linear in the number of sets however much vocabulary they share.
    partners: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for pair, count in hits.items():
        if count >= min_hits:
            for end in pair:
                partners.setdefault(end, []).append((-count, pair))
    return {pair for ranked in partners.values() for _, pair in sorted(ranked)[:PARTNERS]}


class CandidateIndex:
    """`rare_feature_candidates` over sets that change one at a time, kept up to date (for `dossier serve`).

    An edit changes the document frequency of the features it adds or removes by one, which can only
    reorder the probes of the articles holding those features (at most `rare` + 1 each): their hits are
    taken back and counted again, and the articles whose hits moved choose their partners again.
    `candidates()` is always what `rare_feature_candidates` gives for the current sets.
    """

    def __init__(self, sets: Sequence[frozenset], size: int = SIGNATURE, min_hits: int = MIN_HITS,
                 rare: int = RARE) -> None:
        self.sets = list(sets)
        self.size, self.min_hits, self.rare = size, min_hits, rare
        counts: Counter = Counter()
        for items in self.sets:
            counts.update(items)
        # Features in one set only are most of them (word 4-grams): not kept, found by a scan when needed.
        self.df = {f: n for f, n in counts.items() if n > 1}
        self.postings: dict = {}  # feature -> the sets holding it, for features that 2 to rare + 1 sets have
        for k, items in enumerate(self.sets):
            for f in items:
                if 1 < self.df.get(f, 1) <= rare + 1:
                    self.postings.setdefault(f, set()).add(k)
        self.probes = [self._probe(k) for k in range(len(self.sets))]
        self.hits: dict[tuple[int, int], int] = {}
        # The sets each shares at least min_hits probe hits with: all a set chooses its partners from.
        self.partners: list[set[int]] = [set() for _ in self.sets]
        for k in range(len(self.sets)):
            self._count(k, 1)
        self.chosen: list[tuple[tuple[int, int], ...]] = [() for _ in self.sets]
        self.picks: Counter[tuple[int, int]] = Counter()
        self.moved: set[tuple[int, int]] = set()  # pairs that joined or left the candidates; the caller empties it
        for k in range(len(self.sets)):
            self._choose(k)
        self.moved.clear()

    def candidates(self) -> set[tuple[int, int]]:
        return set(self.picks)

    def _probe(self, k: int) -> list:
        shared = sorted((self.df[f], f) for f in self.sets[k] if 1 < self.df.get(f, 1) <= self.rare)
        return [f for _, f in shared[: self.size]]

    def _count(self, k: int, step: int) -> set[int]:
        """Add (step 1) or take back (-1) the hits of set k's probes; the sets they hit."""
        hit: set[int] = set()
        for f in self.probes[k]:
            for j in self.postings[f]:
                if j == k:
                    continue
                pair = (k, j) if k < j else (j, k)
                n = self.hits.get(pair, 0) + step
                if n:
                    self.hits[pair] = n
                else:
                    del self.hits[pair]
                if n >= self.min_hits:
                    self.partners[k].add(j)
                    self.partners[j].add(k)
                else:
                    self.partners[k].discard(j)
                    self.partners[j].discard(k)
                hit.add(j)
        return hit

    def _choose(self, k: int) -> None:
        for pair in self.chosen[k]:
            self.picks[pair] -= 1
            if not self.picks[pair]:
                del self.picks[pair]
                self.moved.add(pair)
        pairs = ((k, j) if k < j else (j, k) for j in self.partners[k])
        self.chosen[k] = tuple(pair for _, pair in sorted((-self.hits[pair], pair) for pair in pairs)[:PARTNERS])
        for pair in self.chosen[k]:
            if pair not in self.picks:
                self.moved.add(pair)
            self.picks[pair] += 1

    def candidates_of(self, k: int) -> set[tuple[int, int]]:
        """The candidate pairs set k is in."""
        return {pair for j in self.partners[k] if (pair := (k, j) if k < j else (j, k)) in self.picks}

    def update(self, k: int, items: frozenset) -> None:
        """Set k is now `items`."""
        old = self.sets[k]
        added, removed = items - old, old - items
        window = range(2, self.rare + 1)
        holders: dict = {}  # changed feature -> the other sets holding it (before and after)
        before: dict = {}
        for f in added | removed:
            if f in self.df:
                n = self.df[f]
                others = self.postings[f] - {k} if f in self.postings else None
            elif f in added:  # in no set or in exactly one other: look
                others = {j for j, s in enumerate(self.sets) if f in s}
                n = len(others)
            else:
                n, others = 1, set()
            before[f] = n
            holders[f] = others
        after = {f: n + 1 if f in added else n - 1 for f, n in before.items()}
        affected = {k}
        for f, n in before.items():
            if n in window or after[f] in window:
                affected |= holders[f]  # known: a feature in the window has postings
        hit: set[int] = set()
        for j in affected:
            hit |= self._count(j, -1)
        self.sets[k] = items
        for f, n in after.items():
            if n > 1:
                self.df[f] = n
            else:
                self.df.pop(f, None)
            if 1 < n <= self.rare + 1:
                others = holders[f]
                if others is None:  # came down from rare + 2: not kept until now
                    others = {j for j, s in enumerate(self.sets) if f in s and j != k}
                self.postings[f] = others | {k} if f in added else set(others)
            else:
                self.postings.pop(f, None)
        for j in affected:
            self.probes[j] = self._probe(j)
            hit |= self._count(j, 1)
        for j in affected | hit:
            if j in affected or self._may_rank_otherwise(j, affected):
                self._choose(j)

    def _may_rank_otherwise(self, k: int, changed: set[int]) -> bool:
        """Whether set k's strongest partners may have changed when only its hits with the sets `changed` did.

        An edit moves the hits of a few sets with hundreds of others; each of those keeps its choice unless
        a moved pair was chosen, or now ranks above the weakest chosen.
        """
        chosen = self.chosen[k]
        pairs = [((k, j) if k < j else (j, k), j) for j in changed if j != k]
        if any(pair in chosen for pair, _ in pairs):
            return True
        joining = [pair for pair, j in pairs if j in self.partners[k]]
        if not joining:
            return False
        if len(chosen) < PARTNERS:  # room for every partner: one joining is chosen
            return True
        weakest = (-self.hits[chosen[-1]], chosen[-1])
        return any((-self.hits[pair], pair) < weakest for pair in joining)


def scored_pairs(
    articles: Sequence[tuple[str, str, str]], feats: Sequence[Features] | None = None, memo: dict | None = None
) -> list[tuple[str, str, float]]:
    """(a, b, score) for (id, language, text) articles, same language only, a before b in the given order.

    `feats`, when given, are the articles' `features`, computed beforehand. `memo`, the same dict at every
    build of a preview session, keeps each language's CandidateIndex and the scores, so that an edit costs
    the pairs it touches.
    """
    by_language = _by_language(articles)
    if feats is None:
        feats = [features(text, language) for _, language, text in articles]
    # Each language's candidates by vocabulary and by copied passages: a few large tasks, shared out when large.
    tasks = [(members, kind) for members in by_language.values() for kind in ("vocabulary", "shingles")]
    if memo is None:
        # The longest first, so that no worker is left alone with one at the end: vocabulary (several times
        # the work of copied passages, as measured), each kind by size.
        tasks.sort(key=lambda task: (task[1] != "vocabulary", -len(task[0])))
        worth_sharing = sum(len(members) > ALL_PAIRS_LIMIT for members, _ in tasks) >= 2
        # Each task scores its own candidates: on its core, and with the features it has unpacked at hand.
        found = map_forked(
            lambda task: [((i, j), round(score(feats[i], feats[j]), 4)) for i, j in _candidates(*task, feats)],
            tasks,
            min_tasks=2 if worth_sharing else 0,
        )
        scores = dict(scored for part in found for scored in part)
        return [(articles[i][0], articles[j][0], scores[i, j]) for i, j in sorted(scores)]
    ids = [ident for ident, _, _ in articles]
    languages = memo["languages"] = {language: [ids[m] for m in members] for language, members in by_language.items()}
    found = [
        _kept_candidates(memo.setdefault((language, kind), {}), languages[language], members, kind, feats)
        for language, members in by_language.items()
        for kind in ("vocabulary", "shingles")
    ]
    scores = memo.setdefault("scores", {})
    out = [(ids[i], ids[j], _kept_score(scores, ids[i], ids[j], feats[i], feats[j])) for i, j in _union(found)]
    if len(scores) > 4 * len(out) + 1000:  # forget pairs no longer compared
        shown = {(a, b) for a, b, _ in out}
        memo["scores"] = {key: value for key, value in scores.items() if key in shown}
    return out


def _language_key(language: str) -> str:
    return language.split("-")[0].lower()


def _by_language(articles: Sequence[tuple[str, str, str]]) -> dict[str, list[int]]:
    """Language (without region) -> the places of its articles."""
    by_language: dict[str, list[int]] = {}
    for index, (_, language, _) in enumerate(articles):
        by_language.setdefault(_language_key(language), []).append(index)
    return by_language


def _kept_score(scores: dict, a: str, b: str, fa: Features, fb: Features) -> float:
    """The score of articles a and b, kept in `scores` while their features are the same objects."""
    kept = scores.get((a, b))
    if kept is None or kept[0] is not fa or kept[1] is not fb:
        kept = scores[(a, b)] = (fa, fb, round(score(fa, fb), 4))
    return kept[2]


# (a, b) -> (score before, score now), None where the pair is no candidate
MovedScores = dict[tuple[str, str], tuple[float | None, float | None]]


def rescored(
    memo: dict,
    edited: Mapping[str, str],
    features_of: Callable[[str], Features],
    before: Callable[[str, str], float | None],
) -> MovedScores | None:
    """The scores the edit of the articles `edited` (id -> language) moves since scored_pairs last scored
    with `memo`: (a, b) -> (`before`'s score, the score now), None where the pair is no candidate, for each
    pair whose score this edit changed. `features_of` gives each article's features as they are now.
    `memo` is brought up to date; None when it holds no candidate index to update.

    An edit moves the scores of the edited articles' pairs, and the candidacy of the pairs whose probes
    its features reorder (CandidateIndex.update): those alone are looked at, not every article's.
    """
    languages: dict[str, list[str]] = memo.get("languages", {})  # each language's articles, in content order
    scores = memo.setdefault("scores", {})
    out: MovedScores = {}
    by_language: dict[str, list[str]] = {}
    for ident, language in edited.items():
        by_language.setdefault(_language_key(language), []).append(ident)
    for language, idents in by_language.items():
        ids = languages.get(language, [])
        if not set(idents) <= set(ids):
            return None
        touched = [ids.index(ident) for ident in idents]
        if len(ids) <= ALL_PAIRS_LIMIT:  # every pair is a candidate (see _candidates)
            looked = {(min(p, q), max(p, q)) for p in touched for q in range(len(ids)) if q != p}
            indexes = []
        else:
            looked, indexes = set(), []
            for kind in ("vocabulary", "shingles"):
                kept = memo.get((language, kind), {})
                index = kept.get("index")
                if index is None or kept.get("ids") is not ids:
                    return None
                index.moved.clear()
                for p in touched:
                    items = getattr(features_of(ids[p]), kind)
                    if items is not index.sets[p]:
                        index.update(p, items)
                looked |= index.moved
                index.moved.clear()
                for p in touched:
                    looked |= index.candidates_of(p)
                indexes.append(index)
        for p, q in looked:
            a, b = ids[p], ids[q]
            candidate = not indexes or any((p, q) in index.picks for index in indexes)
            now = _kept_score(scores, a, b, features_of(a), features_of(b)) if candidate else None
            if (was := before(a, b)) != now:
                out[(a, b)] = (was, now)
    return out


def _union(found: Iterable[Iterable[tuple[int, int]]]) -> list[tuple[int, int]]:
    return sorted({pair for pairs in found for pair in pairs})


def _kept_candidates(
    kept: dict, ids: list[str], members: list[int], kind: str, feats: Sequence[Features]
) -> list[tuple[int, int]]:
    """`_candidates`, from a CandidateIndex `kept` between builds and brought up to date while the members stay."""
    if len(members) <= ALL_PAIRS_LIMIT:
        return _candidates(members, kind, feats)
    sets = [getattr(feats[m], kind) for m in members]
    index = kept.get("index") if kept.get("ids") == ids else None
    changed = [] if index is None else [k for k, items in enumerate(sets) if items is not index.sets[k]]
    if index is None or len(changed) > len(sets) // 10:  # many changes: counting afresh is cheaper
        index = CandidateIndex(sets)
    else:
        for k in changed:
            index.update(k, sets[k])
        index.moved.clear()  # rescored's
    kept.update(ids=ids, index=index)
    return [(members[i], members[j]) for i, j in index.candidates()]


def _candidates(members: list[int], kind: str, feats: Sequence[Features]) -> list[tuple[int, int]]:
    """Candidate pairs among `members` by one kind of feature; every pair when there are few members."""
    if len(members) <= ALL_PAIRS_LIMIT:
        return list(combinations(members, 2)) if kind == "vocabulary" else []
    sets = [getattr(feats[m], kind) for m in members]
    return [(members[i], members[j]) for i, j in sorted(rare_feature_candidates(sets))]
