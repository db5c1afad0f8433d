"""Small made-up Content objects for the analyse tests: only what a test cares about is given."""

from __future__ import annotations

from collections.abc import Sequence

from dossier.dates import parse_date
from dossier.model import Article, Assertion, Claim, Content, Dossier, Entity, Loc

LOC = Loc("x.yaml", 1)


def article(
    ident: str,
    body: str,
    language: str = "en",
    translation_of: str | None = None,
    published: str | None = None,
    source: str = "src",
) -> Article:
    return Article(
        LOC,
        id=ident,
        title=ident,
        source=source,
        language=language,
        story=ident,
        translation_of=translation_of,
        published=parse_date(published) if published else None,
        captured=parse_date("2025-01-01"),
        capture=f"captures/{ident}.txt",
        body=body,
        body_line=1,
    )


def entity(ident: str, name: str, variants: Sequence[str] = (), misspellings: Sequence[str] = ()) -> Entity:
    return Entity(LOC, id=ident, name=name, kind="person", variants=tuple(variants), misspellings=tuple(misspellings))


def assertion(article_id: str, stance: str = "supports", value: object = None, quote: str = "q") -> Assertion:
    return Assertion(LOC, article=article_id, stance=stance, quote=quote, value=value)  # type: ignore[arg-type]


def claim(
    ident: str,
    kind: str,
    assertions: Sequence[Assertion],
    unit: str | None = None,
    date: str | None = None,
    value: object = None,
) -> Claim:
    return Claim(
        LOC,
        id=ident,
        statement=ident,
        topic="t",
        kind=kind,  # type: ignore[arg-type]
        status="reported",
        assertions=tuple(assertions),
        unit=unit,
        date=parse_date(date) if date else None,
        value=value,  # type: ignore[arg-type]
    )


def content(articles: Sequence[Article] = (), claims: Sequence[Claim] = (), entities: Sequence[Entity] = ()) -> Content:
    dossier = Dossier(
        LOC,
        title="T",
        summary="S",
        default_language="en",
        languages=(("en", "English"), ("de", "Deutsch"), ("ru", "Русский")),
        base_url="https://example.org/",
        curator="C",
        updated=parse_date("2025-01-01"),
    )
    return Content("content", dossier, (), tuple(articles), tuple(claims), tuple(entities))
