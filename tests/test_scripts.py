"""Mixed-script words (Unicode TS #39): detection, runs with code points, folding, entity mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dossier.scripts import (
    _POSSESSIVE,
    WORD,
    NameIndex,
    fold_word,
    is_mixed,
    mixed_script_words,
    resolved_scripts,
    runs,
    script_of,
    words,
)


def test_beloусов_runs_and_code_points() -> None:
    word = "Beloусов"
    assert is_mixed(word)
    latin, cyrillic = runs(word)
    assert (latin.script, latin.text) == ("Latin", "Belo")
    assert latin.codepoints == (
        "U+0042 LATIN CAPITAL LETTER B",
        "U+0065 LATIN SMALL LETTER E",
        "U+006C LATIN SMALL LETTER L",
        "U+006F LATIN SMALL LETTER O",
    )
    assert (cyrillic.script, cyrillic.text) == ("Cyrillic", "усов")
    assert cyrillic.codepoints == (
        "U+0443 CYRILLIC SMALL LETTER U",
        "U+0441 CYRILLIC SMALL LETTER ES",
        "U+043E CYRILLIC SMALL LETTER O",
        "U+0432 CYRILLIC SMALL LETTER VE",
    )
    assert fold_word(word) == "Belousov"


def test_possessive_is_cut_from_the_word() -> None:
    assert list(words("Beloусов’s comments, Beloусов's too")) == ["Beloусов", "comments", "Beloусов", "too"]


def test_words_join_apostrophes_but_not_hyphens() -> None:
    assert list(words("O’Brien met IT-компания staff in м’ясо")) == [
        "O’Brien",
        "met",
        "IT",
        "компания",
        "staff",
        "in",
        "м’ясо",
    ]


@pytest.mark.parametrize(
    "word",
    [
        "Москва",  # Russian
        "Белоусов",
        "мука́",  # Cyrillic with a combining stress mark (Inherited)
        "Αθήνα",  # Greek with tonos
        "naïve",
        "nai\u0308ve",  # decomposed diaeresis
        "東京タワー",  # Japanese: Han + Katakana (+ ー, Common with scx Hira/Kana)
        "ひらがなカタカナ漢字",  # Japanese: Hiragana + Katakana + Han
        "한국語",  # Korean: Hangul + Han
        "ㄅㄆ中文",  # Chinese: Bopomofo + Han
        "العربية",  # Arabic
        "שלום",  # Hebrew
        "Kelvin\u212a",  # KELVIN SIGN is Latin, though its name says nothing
        "µm",  # MICRO SIGN is Common
    ],
)
def test_single_script_words_are_not_flagged(word: str) -> None:
    assert not is_mixed(word)


@pytest.mark.parametrize(
    ("word", "scripts"),
    [
        ("Beloусов", ["Latin", "Cyrillic"]),
        ("Рutin", ["Cyrillic", "Latin"]),
        ("Αthens", ["Greek", "Latin"]),
        ("Мoсква", ["Cyrillic", "Latin", "Cyrillic"]),
        ("Tokyoとうきょう", ["Latin", "Hiragana"]),
        ("中国China", ["Han", "Latin"]),
        ("abcعربي", ["Latin", "Arabic"]),
        ("Ελλάδаs", ["Greek", "Cyrillic", "Latin"]),
        ("한국ひらがな", ["Hangul", "Hiragana"]),  # Korean and Japanese are different writing systems
    ],
)
def test_mixed_words_are_flagged_with_their_runs(word: str, scripts: list[str]) -> None:
    assert is_mixed(word)
    assert [r.script for r in runs(word)] == scripts
    assert "".join(r.text for r in runs(word)) == word


def test_resolved_scripts_follow_ts39_augmentation() -> None:
    assert resolved_scripts("東京タワー") == {"Japanese"}
    assert resolved_scripts("한국語") == {"Korean"}
    assert resolved_scripts("123") is None  # digits are Common: no script at all


def test_script_property_not_character_names() -> None:
    assert script_of("\u212a") == "Latin"  # KELVIN SIGN
    assert script_of("\u2126") == "Greek"  # OHM SIGN
    assert script_of("\u00b5") == "Common"  # MICRO SIGN
    assert script_of("у") == "Cyrillic"
    assert script_of("ー") == "Common"


def test_fold_to_the_majority_script() -> None:
    assert fold_word("Рutin") == "Putin"  # a look-alike: confusable folding
    assert fold_word("Мoсква") == "Москва"  # Latin "o" inside a Cyrillic word
    assert fold_word("Αthens") == "Athens"


def test_a_legitimately_cyrillic_text_has_no_findings() -> None:
    text = "Министр обороны Андрей Белоусов посетил Курскую область. IT-компания «Яндекс»."
    assert mixed_script_words("ru-article", text) == ()


def test_findings_count_and_map_to_entities() -> None:
    index = NameIndex.build(
        [
            ("andrei-belousov", ["Andrei Belousov", "Belousov", "Андрей Белоусов"]),
            ("vladimir-putin", ["Vladimir Putin", "Putin"]),
            ("moscow", ["Moscow", "Москва"]),
        ]
    )
    text = "Beloусов said; Рutin agreed. Beloусов’s aide went to Мoсква. The Тest failed."
    found = mixed_script_words("a1", text, index)
    assert [(f.word, f.count, f.entity, f.folded) for f in found] == [
        ("Beloусов", 2, "andrei-belousov", "Belousov"),
        ("Рutin", 1, "vladimir-putin", "Putin"),
        ("Мoсква", 1, "moscow", "Москва"),
        ("Тest", 1, None, "Test"),
    ]
    assert all(f.article == "a1" for f in found)


@given(st.text(alphabet=st.characters(categories=["L", "M"]), max_size=12))
def test_runs_partition_the_word(word: str) -> None:
    assert "".join(r.text for r in runs(word)) == word
    for run in runs(word):
        assert len(run.codepoints) == len(run.text)


@given(st.text(alphabet="aZ ’'ʼs.\u201c\u201d\u00e9\u0301\u0430\u041c\u03bf\u4e00-\n", max_size=40))
def test_a_text_is_read_word_by_word_unless_it_has_no_letter_outside_ascii(text: str) -> None:
    """The shortcut for texts of ASCII letters alone (typographic quotes allowed) finds what reading each word does."""
    counts: dict[str, int] = {}
    for match in WORD.finditer(text):
        word = _POSSESSIVE.sub("", match.group())
        if is_mixed(word):
            counts[word] = counts.get(word, 0) + 1
    assert [(m.word, m.count) for m in mixed_script_words("a", text)] == list(counts.items())
