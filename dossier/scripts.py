"""Mixed-script words: words whose letters come from more than one writing system.

Follows Unicode TS #39 (Security Mechanisms), section 5.1, "mixed-script detection":

* A character's scripts are its Script_Extensions (scx), not just its Script (sc), so that
  e.g. the prolonged sound mark "ー" (sc=Common, scx={Hiragana, Katakana}) counts as Japanese.
* Characters whose scx is Common or Inherited (digits, punctuation, most combining marks)
  do not count: they are compatible with every script.
* Han, Hiragana, Katakana, Hangul and Bopomofo are *augmented* with the writing systems
  that combine them: Han belongs to Japanese, Korean and Chinese (Hanb); Hiragana and
  Katakana to Japanese; Hangul to Korean; Bopomofo to Chinese. So "東京タワー" (Han +
  Katakana) and "한국語" (Hangul + Han) are single-script, as they should be.
* A word is mixed when the intersection of its characters' augmented script sets is empty.

Python's `unicodedata` has no Script property, and deriving scripts from character names
("CYRILLIC SMALL LETTER U") is wrong for many characters (KELVIN SIGN is Latin, OHM SIGN
Greek, MICRO SIGN Common). So this module uses the `regex` package, which carries the
Unicode Character Database's Script and Script_Extensions and follows new Unicode versions.
`regex` has no public "script of this character" call, so each character is tested against
`\\p{sc=…}` / `\\p{scx=…}` for the script names below (cached per character; names the
installed `regex` does not know are skipped).

A *word* is a maximal run of letters and combining marks, joined across internal
apostrophes ("O’Brien", Ukrainian "м’ясо") but not across hyphens: Russian writes
"IT-компания" and "SMS-сообщение", legitimate compounds that must not be flagged. A
trailing possessive "’s"/"'s" is cut off, so "Beloусов’s" yields "Beloусов".

Folding a mixed word to one script (`fold_word`): the target is the script with the most
letters (ties: the script of the first letter). Each run of letters in another script is
replaced by its visual confusables when every letter of the run has one (the TS #39
"prototype" idea: Cyrillic "Р" in "Рutin" is a look-alike of Latin "P"), otherwise it is
transliterated (Cyrillic "усов" in "Beloусов" is the Russian spelling, u-s-o-v). The
tables are small on purpose: Cyrillic and Greek against Latin, which is where
mixed-script spellings of names occur in practice; other scripts are left as they are.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import regex

from .findings import MixedScriptWord, ScriptRun

# Unicode Script property values (long names, PropertyValueAliases.txt), most frequent first
# so that the per-character lookup usually stops early.
SCRIPT_NAMES = (
    "Latin", "Common", "Inherited", "Cyrillic", "Greek", "Han", "Hiragana", "Katakana", "Hangul", "Arabic",
    "Hebrew", "Devanagari", "Thai", "Armenian", "Georgian", "Bopomofo",
    "Adlam", "Ahom", "Anatolian_Hieroglyphs", "Avestan", "Balinese", "Bamum", "Bassa_Vah", "Batak", "Bengali",
    "Beria_Erfe", "Bhaiksuki", "Brahmi", "Braille", "Buginese", "Buhid", "Canadian_Aboriginal", "Carian",
    "Caucasian_Albanian", "Chakma", "Cham", "Cherokee", "Chorasmian", "Coptic", "Cuneiform", "Cypriot",
    "Cypro_Minoan", "Deseret", "Dives_Akuru", "Dogra", "Duployan", "Egyptian_Hieroglyphs", "Elbasan", "Elymaic",
    "Ethiopic", "Garay", "Glagolitic", "Gothic", "Grantha", "Gujarati", "Gunjala_Gondi", "Gurmukhi",
    "Gurung_Khema", "Hanifi_Rohingya", "Hanunoo", "Hatran", "Imperial_Aramaic", "Inscriptional_Pahlavi",
    "Inscriptional_Parthian", "Javanese", "Jurchen", "Kaithi", "Kannada", "Kawi", "Kayah_Li", "Kharoshthi",
    "Khitan_Small_Script", "Khmer", "Khojki", "Khudawadi", "Kirat_Rai", "Lao", "Lepcha", "Limbu", "Linear_A",
    "Linear_B", "Lisu", "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen",
    "Masaram_Gondi", "Medefaidrin", "Meetei_Mayek", "Mende_Kikakui", "Meroitic_Cursive", "Meroitic_Hieroglyphs",
    "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean", "Nag_Mundari", "Nandinagari",
    "New_Tai_Lue", "Newa", "Nko", "Nushu", "Nyiakeng_Puachue_Hmong", "Ogham", "Ol_Chiki", "Ol_Onal",
    "Old_Hungarian", "Old_Italic", "Old_North_Arabian", "Old_Permic", "Old_Persian", "Old_Sogdian",
    "Old_South_Arabian", "Old_Turkic", "Old_Uyghur", "Oriya", "Osage", "Osmanya", "Pahawh_Hmong", "Palmyrene",
    "Pau_Cin_Hau", "Phags_Pa", "Phoenician", "Proto_Cuneiform", "Psalter_Pahlavi", "Rejang", "Runic", "Samaritan",
    "Saurashtra", "Seal", "Sharada", "Shavian", "Siddham", "Sidetic", "SignWriting", "Sinhala", "Sogdian",
    "Sora_Sompeng", "Soyombo", "Sundanese", "Sunuwar", "Syloti_Nagri", "Syriac", "Tagalog", "Tagbanwa", "Tai_Le",
    "Tai_Tham", "Tai_Viet", "Tai_Yo", "Takri", "Tamil", "Tangsa", "Tangut", "Telugu", "Thaana", "Tibetan",
    "Tifinagh", "Tirhuta", "Todhri", "Tolong_Siki", "Toto", "Tulu_Tigalari", "Ugaritic", "Vai", "Vithkuqi",
    "Wancho", "Warang_Citi", "Yezidi", "Yi", "Zanabazar_Square",
)  # fmt: skip

NEUTRAL = frozenset({"Common", "Inherited"})

# TS #39 augmented script sets: the writing systems that combine several scripts.
_AUGMENT: Mapping[str, frozenset[str]] = {
    "Han": frozenset({"Japanese", "Korean", "Han_with_Bopomofo"}),
    "Hiragana": frozenset({"Japanese"}),
    "Katakana": frozenset({"Japanese"}),
    "Hangul": frozenset({"Korean"}),
    "Bopomofo": frozenset({"Han_with_Bopomofo"}),
}


def _compile(template: str) -> tuple[tuple[str, regex.Pattern[str]], ...]:
    out = []
    for name in SCRIPT_NAMES:
        try:
            out.append((name, regex.compile(template.format(name))))
        except regex.error:  # a script newer than the installed regex's Unicode data
            continue
    return tuple(out)


_SC = _compile(r"\p{{sc={}}}")
_SCX = _compile(r"\p{{scx={}}}")


@lru_cache(maxsize=65536)
def script_of(char: str) -> str:
    """The Unicode Script property value of one character, e.g. "Cyrillic" ("Unknown" if unassigned)."""
    for name, pattern in _SC:
        if pattern.match(char):
            return name
    return "Unknown"


@lru_cache(maxsize=65536)
def script_extensions(char: str) -> frozenset[str]:
    """Script_Extensions of one character; {"Common"} or {"Inherited"} for neutral characters."""
    found = frozenset(name for name, pattern in _SCX if pattern.match(char))
    return found or frozenset({script_of(char)})


@lru_cache(maxsize=65536)
def _augmented(char: str) -> frozenset[str] | None:
    """The TS #39 augmented script set of a character; None when it is neutral (Common/Inherited)."""
    scx = script_extensions(char)
    if scx <= NEUTRAL:
        return None
    out = set(scx)
    for name in scx:
        out |= _AUGMENT.get(name, frozenset())
    return frozenset(out)


def resolved_scripts(word: str) -> frozenset[str] | None:
    """TS #39 resolved script set: empty when the word mixes scripts; None when it has no scripted letter."""
    resolved: frozenset[str] | None = None
    for char in word:
        scripts = _augmented(char)
        if scripts is None:
            continue
        resolved = scripts if resolved is None else resolved & scripts
    return resolved


def is_mixed(word: str) -> bool:
    # ASCII words are all Latin (or neutral): the common case, decided without lookups.
    if word.isascii():
        return False
    resolved = resolved_scripts(word)
    return resolved is not None and not resolved


# A word: letters and marks, joined across internal apostrophes, never across hyphens.
WORD = regex.compile(r"[\p{L}\p{M}]+(?:['’ʼ][\p{L}\p{M}]+)*")
_POSSESSIVE = regex.compile(r"['’ʼ][sS]$")
_OTHER_LETTER = regex.compile(r"[^\x00-\x7f](?<=[\p{L}\p{M}])")


def words(text: str) -> Iterable[str]:
    """The words of a text as defined above, possessive "’s" removed."""
    for match in WORD.finditer(text):
        yield _POSSESSIVE.sub("", match.group())


def codepoint(char: str) -> str:
    """A code point as shown to readers: "U+0443 CYRILLIC SMALL LETTER U"."""
    return f"U+{ord(char):04X} {unicodedata.name(char, '<unnamed>')}"


def display_name(script: str) -> str:
    return script.replace("_", " ")


def _runs(word: str) -> list[tuple[str, str]]:
    """(Script value, text) runs; neutral characters join the run they are in (a leading one the first)."""
    pieces: list[tuple[str, str]] = []
    for char in word:
        script = script_of(char)
        if script in NEUTRAL or script == "Unknown":
            if pieces:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + char)
            else:
                pieces.append((script, char))
        elif pieces and pieces[-1][0] in (script, "Common", "Inherited", "Unknown"):
            pieces[-1] = (script, pieces[-1][1] + char)
        else:
            pieces.append((script, char))
    return pieces


def runs(word: str) -> tuple[ScriptRun, ...]:
    """The word as runs of one script each, every code point named."""
    return tuple(ScriptRun(display_name(s), t, tuple(codepoint(c) for c in t)) for s, t in _runs(word))


# ---------------------------------------------------------------------------
# Folding: confusables (look-alikes) and transliteration, Cyrillic and Greek to Latin

# Visual confusables to Latin (a subset of TS #39 confusables.txt: the letters that are
# indistinguishable in common fonts).
CONFUSABLE_TO_LATIN: Mapping[str, str] = {
    # Cyrillic
    "а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j",
    "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y",
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O", "Р": "P", "С": "C", "Т": "T",
    "Х": "X", "У": "Y", "Ѕ": "S", "І": "I", "Ј": "J", "Һ": "H", "Ԛ": "Q", "Ԝ": "W", "Ӏ": "I", "Ү": "Y",
    # Greek
    "α": "a", "ο": "o", "ρ": "p", "ν": "v", "ι": "i", "κ": "k", "υ": "u", "χ": "x", "γ": "y",
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X",
}  # fmt: skip

# Latin look-alikes in Cyrillic and Greek, for words whose majority script is one of those.
LATIN_TO_CONFUSABLE: Mapping[str, Mapping[str, str]] = {
    "Cyrillic": {
        "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "y": "у", "x": "х",
        "A": "А", "B": "В", "E": "Е", "K": "К", "M": "М", "H": "Н", "O": "О", "P": "Р", "C": "С", "T": "Т", "X": "Х",
    },
    "Greek": {
        "o": "ο", "v": "ν", "A": "Α", "B": "Β", "E": "Ε", "Z": "Ζ", "H": "Η", "I": "Ι", "K": "Κ", "M": "Μ",
        "N": "Ν", "O": "Ο", "P": "Ρ", "T": "Τ", "Y": "Υ", "X": "Χ",
    },
}  # fmt: skip

# Transliteration to Latin (lower case; BGN/PCGN-like for Russian and Ukrainian, modern Greek).
TRANSLITERATION: Mapping[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z", "и": "i",
    "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t",
    "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "",
    "э": "e", "ю": "yu", "я": "ya", "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
    "α": "a", "β": "v", "γ": "g", "δ": "d", "ε": "e", "ζ": "z", "η": "i", "θ": "th", "ι": "i", "κ": "k",
    "λ": "l", "μ": "m", "ν": "n", "ξ": "x", "ο": "o", "π": "p", "ρ": "r", "σ": "s", "ς": "s", "τ": "t",
    "υ": "y", "φ": "f", "χ": "ch", "ψ": "ps", "ω": "o",
}  # fmt: skip


def _transliterate_char(char: str) -> str:
    lower = char.lower()
    base = TRANSLITERATION.get(lower)
    if base is None:
        # Greek and Cyrillic letters with accents (ά, ё): look the base letter up
        stripped = unicodedata.normalize("NFD", lower)[:1]
        base = TRANSLITERATION.get(stripped)
        if base is None:
            return char
    return base.capitalize() if char != lower else base


def transliterate(text: str) -> str:
    """Cyrillic and Greek letters to Latin, case kept; everything else unchanged."""
    return "".join(_transliterate_char(c) for c in text)


def skeleton(text: str) -> str:
    """Cyrillic and Greek look-alikes to Latin letters, the rest transliterated."""
    return "".join(CONFUSABLE_TO_LATIN.get(c) or _transliterate_char(c) for c in text)


def _fold_run(text: str, source: str, target: str) -> str:
    if target == "Latin":
        if all(c in CONFUSABLE_TO_LATIN for c in text):
            return "".join(CONFUSABLE_TO_LATIN[c] for c in text)
        return transliterate(text) if source in ("Cyrillic", "Greek") else text
    table = LATIN_TO_CONFUSABLE.get(target, {})
    if source == "Latin" and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return text


def fold_word(word: str) -> str:
    """The word in one script: its majority script (ties: that of its first letter)."""
    pieces = _runs(word)
    if not pieces:
        return word
    weights: Counter[str] = Counter()
    for script, text in pieces:
        weights[script] += sum(1 for c in text if script_of(c) == script)
    first = pieces[0][0]
    target = max(weights, key=lambda s: (weights[s], s == first))
    return "".join(text if script == target else _fold_run(text, script, target) for script, text in pieces)


@lru_cache(maxsize=1 << 16)  # asked of every entity form at every build, thousands of them
def name_key(text: str) -> str:
    """A comparison key for names in any script: transliterated to Latin, case and diacritics dropped."""
    decomposed = unicodedata.normalize("NFKD", transliterate(unicodedata.normalize("NFC", text)))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(bare.casefold().replace("’", "'").split())


def word_keys(word: str) -> tuple[str, ...]:
    """The keys under which a mixed word may match a name: folded, transliterated, look-alikes."""
    keys = dict.fromkeys(name_key(w) for w in (fold_word(word), word, skeleton(word)))
    return tuple(keys)


# ---------------------------------------------------------------------------
# The detector


@dataclass(frozen=True)
class NameIndex:
    """Entity forms by comparison key, for mapping a folded word to an entity."""

    by_key: Mapping[str, str]  # name_key(form) -> entity id (first entity in content order wins)

    @staticmethod
    def build(entities: Iterable[tuple[str, Iterable[str]]]) -> NameIndex:
        by_key: dict[str, str] = {}
        for ident, forms in entities:
            for form in forms:
                by_key.setdefault(name_key(form), ident)
        return NameIndex(by_key)

    def entity_for(self, word: str) -> str | None:
        for key in word_keys(word):
            if key in self.by_key:
                return self.by_key[key]
        return None


def mixed_script_words(article: str, text: str, names: NameIndex | None = None) -> tuple[MixedScriptWord, ...]:
    """Every mixed-script word of one article's text, in order of first occurrence, with its count."""
    if _OTHER_LETTER.search(text) is None:  # letters of no script but Latin's ASCII ones: no word can mix scripts
        return ()
    counts: Counter[str] = Counter()
    for match in WORD.finditer(text):
        if match.group().isascii():  # all Latin: most words, skipped before any further work
            continue
        word = _POSSESSIVE.sub("", match.group())
        if is_mixed(word):
            counts[word] += 1
    out = []
    for word, count in counts.items():  # Counter keeps first-occurrence order
        entity = names.entity_for(word) if names else None
        out.append(MixedScriptWord(article, word, runs(word), fold_word(word), entity, count))
    return tuple(out)
