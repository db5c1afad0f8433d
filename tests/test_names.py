"""Names: variants and misspellings of entities found in article text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from dossier.findings import NameUse
from dossier.names import EntityForms, fold, name_uses

PUTIN = ("putin", ("Vladimir Putin", "Wladimir Putin", "Putin", "Путин"), ())
KIM = ("kim", ("Kim Jong Un", "Kim Jong-un", "김정은"), ("Kim Jung Un",))
PYONGYANG = ("pyongyang", ("Pyongyang", "Pjöngjang"), ())
LAVROV = ("lavrov", ("Sergei Lavrov", "Lavrov", "Lawrow", "Лавров"), ())


def uses(forms: EntityForms, text: str, language: str = "en") -> list[tuple[str, str, str, int, bool]]:
    return [(u.entity, u.form, u.found, u.count, u.misspelling) for u in name_uses(forms, [("a", language, text)])]


def test_variants_counted_with_the_text_as_found() -> None:
    assert uses((PUTIN,), "Putin spoke. Later PUTIN left.") == [("putin", "Putin", "Putin", 2, False)]


def test_longest_match_wins() -> None:
    found = uses((PUTIN,), "Vladimir Putin spoke; Putin left.")
    assert found == [("putin", "Vladimir Putin", "Vladimir Putin", 1, False), ("putin", "Putin", "Putin", 1, False)]


def test_misspelling_flagged_with_english_possessive() -> None:
    found = uses((KIM,), "the alignment with Kim Jung Un’s dictatorship and Kim Jong Un's")
    assert found == [
        ("kim", "Kim Jong Un", "Kim Jong Un's", 1, False),
        ("kim", "Kim Jung Un", "Kim Jung Un’s", 1, True),
    ]


def test_diacritics_are_ignored_both_ways() -> None:
    assert uses((PYONGYANG,), "Pjongjang und PJÖNGJANG", "de") == [("pyongyang", "Pjöngjang", "Pjongjang", 2, False)]
    wonsan = (("wonsan", ("Wŏnsan",), ()),)
    assert uses(wonsan, "in Wonsan") == [("wonsan", "Wŏnsan", "Wonsan", 1, False)]


def test_german_genitive_s_only_in_german() -> None:
    assert uses((LAVROV,), "Lawrows Besuch", "de") == [("lavrov", "Lawrow", "Lawrows", 1, False)]
    assert uses((PUTIN,), "Putins Rede", "de-AT") == [("putin", "Putin", "Putins", 1, False)]
    assert uses((PUTIN,), "Putins speech", "en") == []


def test_unicode_word_boundaries() -> None:
    assert uses((PUTIN,), "Putinism and xPutin and Putin2") == []
    assert uses((LAVROV,), "встреча с Лавровым", "ru") == []  # Russian inflection is not guessed
    assert uses((LAVROV,), "Сергей Лавров сказал", "ru") == [("lavrov", "Лавров", "Лавров", 1, False)]
    assert uses((PUTIN,), "«Путин»: (Putin)") == [
        ("putin", "Putin", "Putin", 1, False),
        ("putin", "Путин", "Путин", 1, False),
    ]


def test_names_across_line_breaks_and_typographic_apostrophes() -> None:
    assert uses((PUTIN,), "Vladimir\nPutin") == [("putin", "Vladimir Putin", "Vladimir Putin", 1, False)]
    kpa = (("kpa", ("Korean People's Army",), ()),)
    assert uses(kpa, "the Korean People’s Army’s role") == [
        ("kpa", "Korean People's Army", "Korean People’s Army’s", 1, False)
    ]


def test_scripts_without_spaces_need_no_boundary() -> None:
    assert uses((KIM,), "김정은은 말했다", "ko") == [("kim", "김정은", "김정은", 1, False)]
    mao = (("mao", ("毛泽东",), ()),)
    assert uses(mao, "毛泽东主席说", "zh") == [("mao", "毛泽东", "毛泽东", 1, False)]


def test_a_form_listed_for_two_entities_counts_for_both() -> None:
    forms = (("kursk-city", ("Kursk",), ()), ("kursk-oblast", ("Kursk", "Kursk region"), ()))
    assert uses(forms, "in Kursk") == [
        ("kursk-city", "Kursk", "Kursk", 1, False),
        ("kursk-oblast", "Kursk", "Kursk", 1, False),
    ]


def test_order_is_article_then_entity_then_listing() -> None:
    found = name_uses((PUTIN, LAVROV), [("b", "en", "Lavrov and Putin, Vladimir Putin"), ("a", "en", "Putin")])
    assert [(u.article, u.entity, u.form) for u in found] == [
        ("b", "putin", "Vladimir Putin"),
        ("b", "putin", "Putin"),
        ("b", "lavrov", "Lavrov"),
        ("a", "putin", "Putin"),
    ]
    assert all(isinstance(u, NameUse) for u in found)


def test_no_entities_no_uses() -> None:
    assert name_uses((), [("a", "en", "Putin")]) == ()


@given(st.text(max_size=50))
def test_fold_keeps_positions(text: str) -> None:
    assert len(fold(text)) == len(text)


@given(st.text(max_size=80), st.sampled_from(["en", "de", "ru", "ko"]))
def test_never_raises_and_counts_are_positive(text: str, language: str) -> None:
    for use in name_uses((PUTIN, KIM, PYONGYANG, LAVROV), [("a", language, text)]):
        assert use.count >= 1
