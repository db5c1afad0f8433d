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
are positions in the original). Where a word of the text begins that some form begins
with (a dictionary lookup per word), the forms beginning with that word are compared with
the text there, longest first, and what follows the longest one found is checked (one small
expression for the possessive endings and the boundary). One expression of all forms,
shaped as a trie, cost more to try at each such word the more forms the dossier has, and
seconds to compile at a thousand entities. Forms that may begin inside a word (unspaced
scripts) or that begin with punctuation are few; one expression of them is searched for.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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


_WORD = regex.compile(f"{_LETTER}+")
_SPACES = regex.compile(" +")


def _spaced_end(folded: str, start: int, key: str) -> int:
    """Where `key` ends in `folded` from `start`, a run of spaces standing for each of its spaces (-1: not there).

    Folded text has no white space but spaces, and a key's words no spaces at either end: taking every space of a
    run is the one way a key's next word can follow it."""
    at = start
    for number, word in enumerate(key.split(" ")):
        if number:
            spaces = _SPACES.match(folded, at)
            if spaces is None:
                return -1
            at = spaces.end()
        if not folded.startswith(word, at):
            return -1
        at += len(word)
    return at


@dataclass(frozen=True)
class NameMatcher:
    """All forms of all entities, compiled for one language.

    The forms bounded on both sides that begin with a letter are looked up by their first word (`first`) where a
    word of the text begins, and the longest of them found there is taken; `rest`, the other forms, is searched
    for. Where both match at one place, the first kind wins, as one expression of both would have it.
    """

    first: Mapping[str, tuple[str, ...]]  # first word -> the keys of the forms beginning with it, longest first
    ending: regex.Pattern[str]  # what must follow such a form: a possessive, if any, then no letter
    rest: regex.Pattern[str] | None
    forms: Mapping[str, tuple[Form, ...]]  # form_key -> every (entity, form) it stands for
    genitive: bool = False  # a name may carry an -s that is part of the word (German)

    def find(self, text: str) -> Iterable[tuple[str, str]]:
        """(form key, text as found) for every name in `text`, left to right, longest first."""
        folded = fold(text)
        for start, name_end, end in self._matches(folded):
            yield " ".join(folded[start:name_end].split()), " ".join(text[start:end].split())

    def _matches(self, folded: str) -> Iterator[tuple[int, int, int]]:
        """(start, end of the name, end with its ending) of every match of both kinds, leftmost first, none
        overlapping an earlier one."""
        rest = self.rest
        other = rest.search(folded) if rest is not None else None
        done = 0  # where the last match ended
        for start, keys in self._starts(folded):
            if start < done:
                continue
            found = self._at(folded, start, keys)
            if found is None:
                continue
            while other is not None and other.start() < start:
                yield other.start(), other.end("name"), other.end()
                done = other.end()
                other = rest.search(folded, done)  # type: ignore[union-attr]
            if start < done:
                continue
            yield found
            done = found[2]
            if other is not None and other.start() < done:
                other = rest.search(folded, done)  # type: ignore[union-attr]
        while other is not None:
            yield other.start(), other.end("name"), other.end()
            other = rest.search(folded, other.end())  # type: ignore[union-attr]

    def _at(self, folded: str, start: int, keys: tuple[str, ...]) -> tuple[int, int, int] | None:
        """The longest of `keys` (longest first) at `start` that is followed by an ending, as a match."""
        # Where the text has no run of spaces, a form is there as it is or not at all.
        spaced = folded.find("  ", start, start + len(keys[0]) + 1) >= 0
        for key in keys:
            if folded.startswith(key, start):
                end = start + len(key)
            elif spaced:
                end = _spaced_end(folded, start, key)
            else:
                continue
            if end >= 0 and (after := self.ending.match(folded, end)) is not None:
                return start, end, after.end()
        return None

    def _starts(self, folded: str) -> Iterator[tuple[int, tuple[str, ...]]]:
        """Where a word begins that forms of `first` begin with, and those forms, longest first, in order."""
        first = self.first
        for match in _WORD.finditer(folded):
            word = match.group()
            keys = first.get(word, ())
            if self.genitive and word[-1] == "s" and word[:-1] in first:  # "Putins": the forms of "Putin" too
                keys = tuple(sorted((*keys, *first[word[:-1]]), key=len, reverse=True))
            if keys:
                yield match.start(), keys


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
    looked_up: list[str] = []
    for key in forms:
        if _bounded(key) == (True, True) and _WORD.match(key):
            looked_up.append(key)
        else:
            groups.setdefault(_bounded(key), []).append(key)
    first: dict[str, list[str]] = {}
    for key in sorted(looked_up, key=len, reverse=True):
        first.setdefault(_WORD.match(key).group(), []).append(key)  # type: ignore[union-attr]
    alternatives = []
    for (before, after), keys in sorted(groups.items(), reverse=True):
        start = rf"(?<!{_LETTER})" if before else ""
        end = _suffix(language) + (rf"(?!{_LETTER})" if after else "")
        alternatives.append(f"{start}(?P<name>{_trie_pattern(keys)}){end}")
    ending = regex.compile(f"{_suffix(language)}(?!{_LETTER})")
    genitive = language.split("-")[0].lower() == "de"
    return NameMatcher({word: tuple(keys) for word, keys in first.items()}, ending, _compiled(alternatives),
                       {k: tuple(v) for k, v in forms.items()}, genitive)


def _compiled(alternatives: list[str]) -> regex.Pattern[str] | None:
    return regex.compile("|".join(alternatives)) if alternatives else None


class EntityForms(tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...]):
    """(id, canonical name and variants, misspellings) of each entity: what the compiled matchers are
    cached by. Its hash is computed once: a tuple's is not, and at a thousand entities hashing it again
    for every article cost more than finding the names in it."""

    def __hash__(self) -> int:
        try:
            return self.__dict__["hash"]
        except KeyError:
            self.__dict__["hash"] = value = tuple.__hash__(self)
            return value

    def __reduce__(self) -> tuple[Any, ...]:  # not the hash: strings hash differently in every process
        return EntityForms, (tuple(self),)


def entity_forms(entities: Iterable) -> EntityForms:
    """(id, canonical name and variants, misspellings) of each entity, in content order."""
    return EntityForms((e.id, (e.name, *e.variants), tuple(e.misspellings)) for e in entities)


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
