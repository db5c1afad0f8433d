"""Names: variants and misspellings of entities found in article text."""

from __future__ import annotations

import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.findings import NameUse
from dossier.names import _LETTER, EntityForms, _bounded, _suffix, _trie_pattern, build_matcher, fold, name_uses

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


_PIECES = ["Putin", "Vladimir Putin", "Putins", "Lawrow", "Kim Jong Un", "Kim", "Kim Jong-un", "김정은", "김정은은",
           "O'Brien", "o’brien", "U.S.", "'Ndrangheta", "Jean-Luc", "PJONGJANG", "Лаврову", "Lavrovs'", "Kurs",
           "Kursks", "Matsegora’", "7th Fleet", "金正恩", "金正恩は", "Kim金", "Kim 金", "Shoigu's", "M. Ragofi",
           "s", "ß"]
_GLUE = [" ", "  \n", ", ", "-", "'", "a", "é", "", "s", "’s"]


def _found_one_by_one(forms: EntityForms, text: str, language: str) -> list[tuple[str, str]]:
    """What `find` must give, the slow way: every form's own expression tried at every position, in the
    order of the one expression (both boundaries first), the longest form of a kind winning."""
    matcher = build_matcher(forms, language)
    kinds = sorted({_bounded(key) for key in matcher.forms}, reverse=True)
    folded, found, at = fold(text), [], 0
    while at < len(folded):
        best = None
        for kind in kinds:
            for key in sorted((k for k in matcher.forms if _bounded(k) == kind), key=len, reverse=True):
                start = rf"(?<!{_LETTER})" if kind[0] else ""
                end = _suffix(language) + (rf"(?!{_LETTER})" if kind[1] else "")
                best = regex.compile(f"{start}(?P<name>{_trie_pattern([key])}){end}").match(folded, at)
                if best:
                    break
            if best:
                break
        if best is None:
            at += 1
            continue
        found.append((" ".join(best.group("name").split()), " ".join(text[best.start() : best.end()].split())))
        at = best.end()
    return found


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=3),
                       st.lists(st.sampled_from(_PIECES), max_size=2)), min_size=1, max_size=6),
    st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_GLUE)), max_size=20),
    st.sampled_from(["en", "de", "ru", "ko"]),
)
def test_finds_what_every_form_tried_everywhere_finds(
    entities: list[tuple[list[str], list[str]]], pieces: list[tuple[str, str]], language: str
) -> None:
    forms = EntityForms((f"e{i}", tuple(v), tuple(m)) for i, (v, m) in enumerate(entities))
    text = "".join(piece + glue for piece, glue in pieces)
    assert list(build_matcher(forms, language).find(text)) == _found_one_by_one(forms, text, language)
