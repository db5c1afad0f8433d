"""Stage 2, validate: check the model as a whole — ids, references, languages, quotes."""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

from .errors import Problem
from .load import FileReader, Loaded
from .model import Article, Content, Loc
from .text import closest_sentence, has_quote

SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


def _problem(loc: Loc, message: str) -> Problem:
    return Problem(loc.path, loc.line, message)


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    hint = difflib.get_close_matches(value, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{hint[0]}'?)" if hint else ""


@lru_cache(maxsize=1 << 15)
def _in_captures(capture: str) -> bool:
    parts = Path(capture).parts
    return not Path(capture).is_absolute() and ".." not in parts and len(parts) >= 2 and parts[0] == "captures"


def _is_web_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc)


class _Checker:
    def __init__(self, loaded: Loaded, root: Path) -> None:
        self.content: Content = loaded.content
        self.known = loaded.known_ids
        self.broken = loaded.broken
        self.reader = FileReader(root, self.content.root)
        self.problems: list[Problem] = []

    def add(self, loc: Loc, message: str) -> None:
        self.problems.append(_problem(loc, message))

    def ref(self, kind: str, value: str, loc: Loc, label: str) -> bool:
        """Check that `value` names an existing `kind`; report it otherwise."""
        if kind in self.broken or value in self.known.get(kind, ()):
            return True
        self.add(loc, f"{label}{kind} '{value}' does not exist{_did_you_mean(value, self.known.get(kind, ()))}")
        return False

    def language(self, code: str, loc: Loc, label: str) -> None:
        declared = self.content.dossier.language_names
        if "dossier" not in self.broken and code not in declared:
            listed = ", ".join(declared) or "none"
            self.add(loc, f"{label}language '{code}' is not declared in dossier.yaml (declared: {listed})")

    def slug(self, ident: str, loc: Loc, what: str) -> None:
        if not SLUG.fullmatch(ident):
            self.add(loc, f"{what} id '{ident}' is not a lowercase URL-safe slug (letters a-z, digits, single hyphens)")

    def unique(self, records: Iterable[tuple[str, Loc]], what: str) -> None:
        first: dict[str, Loc] = {}
        for ident, loc in records:
            if ident in first:
                self.add(loc, f"duplicate {what} id '{ident}' (first defined at {first[ident]})")
            else:
                first[ident] = loc

    def url(self, url: str | None, loc: Loc, label: str) -> None:
        if url is not None and not _is_web_url(url):
            self.add(loc, f"{label}url '{url}' is not an absolute http(s) URL")

    # -- per file ---------------------------------------------------------------

    def dossier(self) -> None:
        if "dossier" in self.broken:
            return
        d = self.content.dossier
        for code, _name in d.languages:
            if not LANGUAGE_TAG.fullmatch(code):
                self.add(d.at("languages"), f"'{code}' is not a BCP 47 language code (e.g. en, de, pt-BR)")
        if not d.languages:
            self.add(d.at("languages"), "'languages' must declare at least one language")
        self.language(d.default_language, d.at("default_language"), "default_language: ")
        if not _is_web_url(d.base_url):
            self.add(d.at("base_url"), f"base_url '{d.base_url}' must be an absolute http(s) URL")

    def sources(self) -> None:
        for s in self.content.sources:
            self.slug(s.id, s.at("id"), "source")
            label = f"source '{s.id}': "
            if s.language:
                self.language(s.language, s.at("language"), label)
            self.url(s.url, s.at("url"), label)
        self.unique(((s.id, s.at("id")) for s in self.content.sources), "source")

    def articles(self) -> None:
        by_id = self.content.article_by_id
        for a in self.content.articles:
            label = f"article '{a.id}': "
            self.slug(a.id, a.loc, "article")
            self.ref("source", a.source, a.at("source"), label)
            self.language(a.language, a.at("language"), label)
            self.url(a.url, a.at("url"), label)
            if not SLUG.fullmatch(a.story):
                self.add(a.at("story"), f"{label}story '{a.story}' is not a lowercase URL-safe slug")
            if a.translation_of is not None:
                self.translation(a, by_id)
            self.capture(a.capture, a.at("capture"), label)
            if a.published and a.published.start.first_day() > (a.captured.end or a.captured.start).last_day():
                self.add(a.at("published"), f"{label}published {a.published} is after captured {a.captured}")

    def translation(self, a: Article, by_id: Mapping[str, Article]) -> None:
        label = f"article '{a.id}': translation_of: "
        loc = a.at("translation_of")
        if a.translation_of == a.id:
            self.add(loc, f"{label}an article cannot be a translation of itself")
        elif self.ref("article", a.translation_of, loc, label) and a.translation_of in by_id:
            original = by_id[a.translation_of]
            if original.story != a.story:
                self.add(
                    loc,
                    f"{label}'{original.id}' is in story '{original.story}', this article in '{a.story}'; "
                    "language versions share one story id",
                )
            if original.language == a.language:
                self.add(loc, f"{label}'{original.id}' is in the same language ({a.language})")

    def capture(self, capture: str, loc: Loc, label: str) -> None:
        if not _in_captures(capture):
            self.add(
                loc, f"{label}capture '{capture}' must be a path inside captures/, e.g. captures/{Path(capture).name}"
            )
        elif not self.reader.inside(capture):
            self.add(loc, f"{label}capture '{capture}' leads outside the content folder")
        elif not os.path.isfile(os.path.join(self.reader.folder, capture)):
            self.add(loc, f"{label}capture file '{capture}' does not exist")

    def claims(self) -> None:
        articles = self.content.article_by_id
        for c in self.content.claims:
            label = f"claim '{c.id}': "
            self.slug(c.id, c.at("id"), "claim")
            for entity in c.entities:
                self.ref("entity", entity, c.at("entities"), f"{label}entities: ")
            for index, a in enumerate(c.assertions, 1):
                sub = f"{label}assertion {index}: "
                if a.attributed_to is not None:
                    self.ref("source", a.attributed_to, a.at("attributed_to"), f"{sub}attributed_to: ")
                if not self.ref("article", a.article, a.at("article"), sub) or a.article not in articles:
                    continue
                body = articles[a.article].body
                if not has_quote(body, a.quote):
                    hint = closest_sentence(body, a.quote)
                    tail = f'; closest sentence: "{hint}"' if hint else ""
                    self.add(a.at("quote"), f"{sub}quote not found in article '{a.article}'{tail}")
        self.unique(((c.id, c.at("id")) for c in self.content.claims), "claim")

    def entities(self) -> None:
        for e in self.content.entities:
            self.slug(e.id, e.at("id"), "entity")
            seen: dict[str, str] = {}
            for group, names in (("variants", e.variants), ("misspellings", e.misspellings)):
                for name in names:
                    if name.casefold() in seen and seen[name.casefold()] != group:
                        self.add(
                            e.at(group), f"entity '{e.id}': '{name}' is listed both as a variant and a misspelling"
                        )
                    seen[name.casefold()] = group
        self.unique(((e.id, e.at("id")) for e in self.content.entities), "entity")


def validate(loaded: Loaded, root: Path) -> list[Problem]:
    """Every problem of the whole content, the loader's included."""
    checker = _Checker(loaded, root)
    checker.dossier()
    checker.sources()
    checker.articles()
    checker.claims()
    checker.entities()
    return sorted(set(loaded.problems) | set(checker.problems))
