"""What the analyse stage derives from the model: findings no curator writes by hand.

These dataclasses are the contract between `analyse` (which computes them) and `render`
(which shows them). Every tuple is in a deterministic order.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True)
class Position:
    """One side of a disagreement: what is stated, and which articles state it."""

    label: str  # in words: "15,000,000 EUR", "supports", "a city park"
    articles: tuple[str, ...]  # article ids, in content order


@dataclass(frozen=True)
class Discrepancy:
    """Sources that disagree on one claim."""

    claim: str  # claim id
    kind: Literal["figure", "stance", "naming"]  # differing values, opposed stances, different names/places
    summary: str  # one sentence a reader understands without the table
    positions: tuple[Position, ...]  # two or more

    @property
    def articles(self) -> tuple[str, ...]:
        return tuple(a for p in self.positions for a in p.articles)


@dataclass(frozen=True)
class NameUse:
    """One spelling of an entity found in one article."""

    entity: str  # entity id
    article: str  # article id
    form: str  # the spelling as listed in entities.yaml (variant or misspelling)
    found: str  # the text as it stands in the article, e.g. "Kim Jung Un’s"
    count: int  # occurrences in the article
    misspelling: bool


@dataclass(frozen=True)
class ScriptRun:
    """A run of letters of one script inside a word."""

    script: str  # Unicode script name: "Latin", "Cyrillic", "Greek", ...
    text: str
    codepoints: tuple[str, ...]  # "U+0443 CYRILLIC SMALL LETTER U" per letter


@dataclass(frozen=True)
class MixedScriptWord:
    """A word mixing scripts (Unicode TS #39 mixed-script confusable), e.g. "Beloусов"."""

    article: str
    word: str
    runs: tuple[ScriptRun, ...]
    folded: str  # the word with confusables and transliteration folded to one script: "Belousov"
    entity: str | None  # the entity whose name the folded form matches, if any
    count: int  # occurrences in the article


@dataclass(frozen=True)
class ArticlePair:
    """Two articles that are not independent of each other."""

    a: str  # article id (the earlier in content order, or the original of a translation)
    b: str
    relation: Literal["translation", "rewrite"]
    similarity: float  # 0..1; for translations, the score of the method used (may be 0)
    verdict: str  # in words: "`b` reads as a rewrite of `a`; they are not independent."


@dataclass(frozen=True)
class Analysis:
    """Everything `analyse` derives; pure data, deterministic."""

    discrepancies: tuple[Discrepancy, ...]
    names: tuple[NameUse, ...]
    mixed_script: tuple[MixedScriptWord, ...]
    pairs: tuple[ArticlePair, ...]  # rewrites and translations only
    similarities: tuple[tuple[str, str, float], ...]  # every same-language pair scored: (a, b, score)
    groups: Mapping[str, int] = field(default_factory=dict)  # article id -> independence group number
    timeline: tuple[str, ...] = ()  # ids of dated claims, chronological

    def independent_count(self, articles: tuple[str, ...] | list[str]) -> int:
        """How many independent reports the given articles amount to."""
        return len({self.groups.get(a, -1 - i) for i, a in enumerate(articles)})
