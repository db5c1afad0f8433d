"""Discrepancies: differing figures, opposed stances, different names."""

from __future__ import annotations

import pytest

from dossier.discrepancies import discrepancies, format_number, naming_key, parse_number
from dossier.scripts import name_key

from .analysis_factory import assertion, claim

ORDER = {"en": 0, "de": 1, "ru": 2, "x": 3, "y": 4}
VARIANTS = {
    name_key(form): ident
    for ident, forms in {
        "belousov": ["Andrei Belousov", "Belousov", "Андрей Белоусов"],
        "moscow": ["Moscow", "Москва"],
    }.items()
    for form in forms
}


def find(*claims, originals=None):  # type: ignore[no-untyped-def]
    return discrepancies(claims, ORDER, VARIANTS, originals or {})


@pytest.mark.parametrize(
    ("text", "number"),
    [
        (14000, 14000),
        (2.5, 2.5),
        ("14,000", 14000),
        ("rund 14.000", 14000),
        ("about 14 000", 14000),
        ("2,7 Millionen", 2_700_000),
        ("2.7 million", 2_700_000),
        ("$500,000", 500000),
        ("1,234.5", 1234.5),
        ("1.234,5", 1234.5),
        ("12 billion euros", 12e9),
        ("600", 600),
    ],
)
def test_parse_number(text: object, number: float) -> None:
    assert parse_number(text) == pytest.approx(number)


@pytest.mark.parametrize("text", ["a city park", "", None, True, float("nan")])
def test_parse_number_gives_up(text: object) -> None:
    assert parse_number(text) is None


def test_format_number() -> None:
    assert (format_number(14000.0), format_number(2.5), format_number(0.125)) == ("14,000", "2.5", "0.125")


def test_differing_figures() -> None:
    cost = claim(
        "cost",
        "figure",
        [assertion("de", value="15 Millionen"), assertion("en", value=12_000_000), assertion("x", "mentions", 9)],
        unit="EUR",
    )
    (found,) = find(cost)
    assert found.kind == "figure" and found.claim == "cost"
    assert [(p.label, p.articles) for p in found.positions] == [
        ("15,000,000 EUR", ("de",)),
        ("12,000,000 EUR", ("en",)),
    ]
    assert found.summary == "de says 15,000,000 EUR; en says 12,000,000 EUR."
    assert found.articles == ("de", "en")


def test_same_figure_in_different_notations_is_no_discrepancy() -> None:
    troops = claim(
        "troops",
        "figure",
        [assertion("en", value=14000), assertion("de", value="rund 14.000"), assertion("x", "qualifies", "14,000")],
    )
    assert [d.kind for d in find(troops)] == ["stance"]  # "qualifies" is a stance, the figure agrees


def test_contradicting_assertions_do_not_state_the_figure() -> None:
    dead = claim("dead", "figure", [assertion("en", value=600), assertion("x", "contradicts", value=6000)])
    assert [d.kind for d in find(dead)] == ["stance"]


def test_unparsed_figures_compare_as_text() -> None:
    share = claim(
        "share", "figure", [assertion("en", value="most"), assertion("de", value="Most"), assertion("x", value=5)]
    )
    (found,) = find(share)
    assert [(p.label, p.articles) for p in found.positions] == [("most / Most", ("en", "de")), ("5", ("x",))]


def test_stances() -> None:
    plan = claim(
        "plan",
        "event",
        [
            assertion("x", "qualifies"),
            assertion("en", "supports"),
            assertion("ru", "contradicts"),
            assertion("de", "supports"),
            assertion("y", "mentions"),
        ],
    )
    (found,) = find(plan)
    assert found.kind == "stance"
    assert [(p.label, p.articles) for p in found.positions] == [
        ("supports", ("en", "de")),
        ("contradicts", ("ru",)),
        ("qualifies", ("x",)),
    ]
    assert found.summary == "en and de support it; ru contradicts it; x qualifies it."


@pytest.mark.parametrize("stances", [["supports", "supports"], ["contradicts", "qualifies"], ["supports", "mentions"]])
def test_no_stance_discrepancy(stances: list[str]) -> None:
    assert find(claim("c", "event", [assertion(a, s) for a, s in zip(["en", "de"], stances, strict=True)])) == ()


def test_different_places() -> None:
    site = claim(
        "site",
        "location",
        [assertion("en", value="a city park"), assertion("x", value="Moscow"), assertion("y", value="Москва")],
    )
    (found,) = find(site)
    assert found.kind == "naming"
    assert [(p.label, p.articles) for p in found.positions] == [
        ("a city park", ("en",)),
        ("Moscow / Москва", ("x", "y")),
    ]
    assert found.summary == "en says “a city park”; x and y say “Moscow”."


def test_mixed_script_name_is_the_same_name_but_a_misspelling_is_not() -> None:
    same = claim(
        "minister",
        "identity",
        [
            assertion("en", value="Andrei Beloусов"),
            assertion("x", value="andrei  belousov"),
            assertion("y", value="Belousov"),
        ],
    )
    assert find(same) == ()
    wrong = claim(
        "minister", "identity", [assertion("en", value="Andrei Beloусов"), assertion("x", value="Andrei Belyushikov")]
    )
    (found,) = find(wrong)
    assert [p.label for p in found.positions] == ["Andrei Beloусов", "Andrei Belyushikov"]


def test_a_translation_names_what_its_original_names() -> None:
    site = claim(
        "site",
        "location",
        [
            assertion("de", value="eines Stadtparks"),
            assertion("en", value="a city park"),
            assertion("x", value="not yet chosen"),
        ],
    )
    (found,) = find(site, originals={"de": "en"})
    assert [(p.label, p.articles) for p in found.positions] == [
        ("a city park / eines Stadtparks", ("en", "de")),
        ("not yet chosen", ("x",)),
    ]
    assert found.summary == "en and de say “a city park”; x says “not yet chosen”."


def test_naming_only_for_locations_and_identities() -> None:
    event = claim("e", "event", [assertion("en", value="a"), assertion("de", value="b")])
    assert find(event) == ()


def test_value_discrepancy_before_stance_and_claims_in_order() -> None:
    first = claim("first", "event", [assertion("en"), assertion("de", "contradicts")])
    second = claim("second", "location", [assertion("en", value="here"), assertion("de", "qualifies", value="there")])
    assert [(d.claim, d.kind) for d in find(first, second)] == [
        ("first", "stance"),
        ("second", "naming"),
        ("second", "stance"),
    ]


def test_unknown_articles_sort_last() -> None:
    site = claim(
        "site", "location", [assertion("zz", value="a"), assertion("en", value="a"), assertion("de", value="b")]
    )
    (found,) = find(site)
    assert found.positions[0].articles == ("en", "zz")


def test_naming_key() -> None:
    assert naming_key("“Andrei Beloусов”", VARIANTS) == naming_key("Андрей Белоусов", VARIANTS) == "entity:belousov"
    assert naming_key("A  City Park.", VARIANTS) == naming_key("a city park", VARIANTS)
