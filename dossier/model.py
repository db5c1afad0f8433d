"""The content model: frozen dataclasses, each remembering where in `content/` it came from."""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, update_wrapper
from types import MappingProxyType
from typing import Generic, Literal, TypeVar

from .dates import PartialDate


def _mapping_proxy(proxy: MappingProxyType) -> tuple[Callable[[dict], MappingProxyType], tuple[dict]]:
    return _read_only, (dict(proxy),)


def _read_only(mapping: dict) -> MappingProxyType:
    return MappingProxyType(mapping)


# Records keep their key lines read-only (Located.lines), and pickle refuses such a proxy alone; records
# travel from forked workers (parallel.py) and into the store (store.py).
copyreg.pickle(MappingProxyType, _mapping_proxy)

SOURCE_KINDS = ("outlet", "agency", "state-media", "newspaper", "official", "aggregator", "unknown")
CLAIM_KINDS = ("figure", "event", "location", "attribution", "identity", "quote")
CLAIM_STATUSES = ("corroborated", "reported", "single-source", "contested", "misreported", "unverified")
STANCES = ("supports", "contradicts", "qualifies", "mentions")
ENTITY_KINDS = ("person", "organisation", "place")

Number = int | float
Figure = Number | str


@dataclass(frozen=True)
class Loc:
    """Where a value was written: a path as the user should see it and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


def _lines() -> Mapping[str, int]:
    return MappingProxyType({})


@dataclass(frozen=True)
class Located:
    """Base for records: `loc` is the record's first line, `lines` the line of each key."""

    loc: Loc
    lines: Mapping[str, int] = field(default_factory=_lines, compare=False, hash=False, repr=False, kw_only=True)

    def at(self, key: str) -> Loc:
        """The location of one key of this record (falls back to the record itself)."""
        return Loc(self.loc.path, self.lines.get(key, self.loc.line))


@dataclass(frozen=True)
class Dossier(Located):
    """dossier.yaml: what the whole dossier is."""

    title: str
    summary: str  # Markdown
    default_language: str  # BCP 47 code
    languages: tuple[tuple[str, str], ...]  # (code, display name), in file order
    base_url: str  # absolute URL of the published site; only for canonical links, sitemap, feed
    curator: str
    updated: PartialDate
    boilerplate: tuple[str, ...] = ()  # extra chrome patterns for `dossier import`

    @property
    def language_names(self) -> Mapping[str, str]:
        return dict(self.languages)


@dataclass(frozen=True)
class Source(Located):
    """An outlet, agency, official or other voice that articles come from or cite."""

    id: str
    name: str
    kind: Literal["outlet", "agency", "state-media", "newspaper", "official", "aggregator", "unknown"]
    url: str | None = None
    country: str | None = None
    language: str | None = None
    notes: str | None = None  # Markdown: how it was identified, reliability


@dataclass(frozen=True)
class Article(Located):
    """articles/<id>.md: one captured article, its front matter and cleaned Markdown body."""

    id: str
    title: str
    source: str  # source id
    language: str
    story: str  # shared by all language versions of one story
    translation_of: str | None
    published: PartialDate | None  # None when unknown
    captured: PartialDate
    capture: str  # path of the verbatim capture, relative to the content folder
    body: str  # Markdown, as in the file after the front matter
    body_line: int  # line of the file on which the body starts
    url: str | None = None
    authors: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class Assertion(Located):
    """One article's position on a claim, in its own words."""

    article: str  # article id
    stance: Literal["supports", "contradicts", "qualifies", "mentions"]
    quote: str  # verbatim words of the article
    attributed_to: str | None = None  # source id the article credits
    value: Figure | None = None  # the figure as this article states it


@dataclass(frozen=True)
class Claim(Located):
    """A checkable statement and every article's assertion about it."""

    id: str
    statement: str
    topic: str
    kind: Literal["figure", "event", "location", "attribution", "identity", "quote"]
    status: Literal["corroborated", "reported", "single-source", "contested", "misreported", "unverified"]
    assertions: tuple[Assertion, ...]
    value: Figure | None = None
    unit: str | None = None
    date: PartialDate | None = None
    note: str | None = None  # Markdown
    entities: tuple[str, ...] = ()  # entity ids the claim is about


@dataclass(frozen=True)
class Entity(Located):
    """A person, organisation or place with every accepted and known-wrong spelling."""

    id: str
    name: str
    kind: Literal["person", "organisation", "place"]
    role: str | None = None
    variants: tuple[str, ...] = ()
    misspellings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Content:
    """Everything under `content/`, loaded. Records keep file order; lookups are by id."""

    root: str  # the content folder as the user named it
    dossier: Dossier
    sources: tuple[Source, ...]
    articles: tuple[Article, ...]
    claims: tuple[Claim, ...]
    entities: tuple[Entity, ...]

    @cached_property
    def source_by_id(self) -> Mapping[str, Source]:
        return {s.id: s for s in self.sources}

    @cached_property
    def article_by_id(self) -> Mapping[str, Article]:
        return {a.id: a for a in self.articles}

    @cached_property
    def claim_by_id(self) -> Mapping[str, Claim]:
        return {c.id: c for c in self.claims}

    @cached_property
    def entity_by_id(self) -> Mapping[str, Entity]:
        return {e.id: e for e in self.entities}


T = TypeVar("T")
C = TypeVar("C")


class keep_latest(Generic[C, T]):
    """`compute`, remembered for the two latest arguments by identity: a build asks about one content (or
    analysis), page after page, and the preview's rebuild compares it with the one before."""

    def __init__(self, compute: Callable[[C], T]) -> None:
        self.compute = compute
        self.last: list[tuple[C, T]] = []
        update_wrapper(self, compute)

    def __call__(self, content: C) -> T:
        for seen, value in self.last:
            if seen is content:
                return value
        value = self.compute(content)
        self.remember(content, value)
        return value

    def remember(self, content: C, value: T) -> None:
        """Take `value` as what `compute` gives for `content` (worked out otherwise, and faster)."""
        self.last[:] = [(content, value), *self.last[:1]]
