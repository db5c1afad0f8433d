"""Names: every variant and misspelling of every entity, found in every article.

Matching is case-insensitive and diacritic-insensitive ("PJONGJANG" finds "Pjöngjang"),
treats typographic and straight apostrophes alike and lets any run of white space stand
for a space. It respects Unicode word boundaries: a match may not be preceded or followed
by a letter, mark or digit of any script, so "Putin" is not found in "Putinism" nor
"Лавров" in "Лаврову". Two exceptions:

* possessive and genitive endings are allowed after a name and kept in the text as found:
  "’s", "'s" and a bare apostrophe in every language ("Kim Jung Un’s", "Matsegora’"), and
  in German also the genitive "-s" ("Putins", "Lawrows"). Other inflection (Russian cases)
  is not guessed: list such forms as variants.
* names in scripts written without spaces between words, or with particles attached to
  the name (Han, Kana, Hangul, Thai, Lao, Khmer, Myanmar), need no boundary on that side:
  "김정은은" contains "김정은".

Where matches overlap, the longest wins at the leftmost position, so "Vladimir Putin" is
one use of that form and not also a use of "Putin".

Performance: the text is folded character by character with `str.translate` and a
memoising table (each character to exactly one character, so positions in the folded text
are positions in the original), and all forms of all entities are compiled into one
regular expression shaped as a trie (shared prefixes are matched once), one per language
because the allowed endings differ. An article is then scanned once, whatever the number
of names: O(text length × longest name), not O(names × text).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import regex

from .findings import NameUse
from .scripts import script_of

# Scripts that do not separate words by spaces, or attach particles to names.
UNSPACED = frozenset({"Han", "Hiragana", "Katakana", "Hangul", "Thai", "Lao", "Khmer", "Myanmar"})

_APOSTROPHES = "'’‘ʼ′`´"
_HYPHENS = "-‐‑‒–"
_LETTER = r"[\p{L}\p{M}\p{N}]"


class _FoldTable(dict[int, str]):
    """A `str.translate` table that computes each character's fold on first use."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        if char in _APOSTROPHES:
            folded = "'"
        elif char in _HYPHENS:
            folded = "-"
        elif char.isspace():
            folded = " "
        else:
            base = unicodedata.normalize("NFD", char)
            # keep the character if stripping its marks or lowering it would change the length
            kept = "".join(c for c in base if not unicodedata.combining(c)) or char
            kept = kept if len(kept) == 1 else char
            lower = kept.lower()
            folded = lower if len(lower) == 1 else kept
        self[code] = folded
        return folded


_FOLD = _FoldTable()


def fold(text: str) -> str:
    """Case, diacritics, apostrophes, hyphens and white space folded; same length as `text`."""
    return text.translate(_FOLD)


def form_key(form: str) -> str:
    """How a listed form is looked up: folded, white space collapsed."""
    return " ".join(fold(unicodedata.normalize("NFC", form)).split())


@dataclass(frozen=True)
class Form:
    entity: str
    form: str  # as listed in entities.yaml
    misspelling: bool


def _suffix(language: str) -> str:
    """Possessive endings; a bare apostrophe only after s, x, z (\"Lavrovs'\"), German -s only after others."""
    if language.split("-")[0].lower() == "de":
        return r"(?:'s|(?<=[sxzß])'|(?<![sxzß])s)?"
    return r"(?:'s|(?<=[sxz])')?"


def _trie_pattern(keys: Iterable[str]) -> str:
    """One regular expression matching any of the keys, longest first, shaped as a trie."""
    trie: dict[str, dict] = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        end = "" in node
        branches = [(r"\s+" if c == " " else regex.escape(c)) + emit(node[c]) for c in sorted(node) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if end:  # greedy optional: a longer form is tried before this shorter one
            return ("(?:" + body + ")?") if len(branches) > 1 or len(branches[0]) > 1 else body + "?"
        return body

    return emit(trie)


@dataclass(frozen=True)
class NameMatcher:
    """All forms of all entities, compiled for one language."""

    pattern: regex.Pattern[str] | None
    forms: Mapping[str, tuple[Form, ...]]  # form_key -> every (entity, form) it stands for

    def find(self, text: str) -> Iterable[tuple[str, str]]:
        """(form key, text as found) for every name in `text`, left to right, longest first."""
        if self.pattern is None:
            return
        for match in self.pattern.finditer(fold(text)):
            name = match.group("name")
            yield " ".join(name.split()), " ".join(text[match.start() : match.end()].split())


def _bounded(key: str) -> tuple[bool, bool]:
    """Whether the key needs a word boundary before and after it."""
    return script_of(key[0]) not in UNSPACED, script_of(key[-1]) not in UNSPACED


def build_matcher(entities: Sequence[tuple[str, Sequence[str], Sequence[str]]], language: str) -> NameMatcher:
    """Compile (entity id, variants, misspellings) triples; the entity's canonical name is among the variants."""
    forms: dict[str, list[Form]] = {}
    for ident, variants, misspellings in entities:
        seen: set[str] = set()
        for form, wrong in [(v, False) for v in variants] + [(m, True) for m in misspellings]:
            key = form_key(form)
            if not key or key in seen:  # a form listed twice for one entity: the first listing decides
                continue
            seen.add(key)
            forms.setdefault(key, []).append(Form(ident, form, wrong))
    groups: dict[tuple[bool, bool], list[str]] = {}
    for key in forms:
        groups.setdefault(_bounded(key), []).append(key)
    alternatives = []
    for (before, after), keys in sorted(groups.items(), reverse=True):
        start = rf"(?<!{_LETTER})" if before else ""
        end = _suffix(language) + (rf"(?!{_LETTER})" if after else "")
        alternatives.append(f"{start}(?P<name>{_trie_pattern(keys)}){end}")
    pattern = regex.compile("|".join(alternatives)) if alternatives else None
    return NameMatcher(pattern, {k: tuple(v) for k, v in forms.items()})


EntityForms = tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]


def entity_forms(entities: Iterable) -> EntityForms:
    """(id, canonical name and variants, misspellings) of each entity, in content order."""
    return tuple((e.id, (e.name, *e.variants), tuple(e.misspellings)) for e in entities)


@lru_cache(maxsize=64)
def matcher_for(forms: EntityForms, language: str) -> NameMatcher:
    """One compiled matcher per set of entities and language (primary subtag)."""
    return build_matcher(forms, language.split("-")[0].lower())


@lru_cache(maxsize=4)
def _ranks(forms: EntityForms) -> Mapping[tuple[str, str], tuple[int, int]]:
    """(entity, form) -> (entity's place in the listing, form's place in the entity): the order of NameUses."""
    rank: dict[tuple[str, str], tuple[int, int]] = {}
    for e, (ident, variants, misspellings) in enumerate(forms):
        for f, form in enumerate((*variants, *misspellings)):
            rank.setdefault((ident, form), (e, f))
    return rank


def name_uses(forms: EntityForms, articles: Iterable[tuple[str, str, str]]) -> tuple[NameUse, ...]:
    """NameUses for (article id, language, plain text) triples; ordered by article, entity, listing."""
    rank = _ranks(forms)
    out: list[NameUse] = []
    for article, language, text in articles:
        matcher = matcher_for(forms, language)
        found: dict[tuple[str, str], tuple[bool, str, int]] = {}  # (entity, form) -> (misspelling, first found, n)
        for key, as_found in matcher.find(text):
            for form in matcher.forms.get(key, ()):
                wrong, first, count = found.get((form.entity, form.form), (form.misspelling, as_found, 0))
                found[(form.entity, form.form)] = (wrong, first, count + 1)
        for (entity, form), (wrong, first, count) in sorted(found.items(), key=lambda item: rank[item[0]]):
            out.append(NameUse(entity, article, form, first, count, wrong))
    return tuple(out)
