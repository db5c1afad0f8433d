"""A synthetic dossier of any size, deterministic for a seed: the benchmark's corpus.

Articles are ~3 KB of prose with headings, lists, block quotes and links, spread over
several languages and outlets; some are translations of others. Claims quote sentences
that really occur in their articles, so the build verifies every quote as it would for
a curator's dossier; entities appear in the text under their variants and misspellings.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import yaml

LANGUAGES = {
    "en": "English", "de": "Deutsch", "fr": "Français", "es": "Español",
    "it": "Italiano", "nl": "Nederlands", "pt": "Português", "pl": "Polski",
}  # fmt: skip
_SYLLABLES = [
    "ka",
    "lo",
    "mi",
    "ra",
    "te",
    "su",
    "na",
    "vo",
    "re",
    "li",
    "da",
    "po",
    "ne",
    "ta",
    "ri",
    "zu",
    "be",
    "go",
    "ha",
    "fi",
]
_TOPICS = ["Budget", "Schedule", "Officials", "Casualties", "Diplomacy", "Infrastructure", "Courts", "Elections"]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables))


@dataclass(frozen=True)
class SynthReport:
    articles: int
    sources: int
    claims: int
    entities: int
    bytes: int


class _Corpus:
    def __init__(self, articles: int, languages: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.languages = list(LANGUAGES)[: max(1, min(languages, len(LANGUAGES)))]
        # A per-language vocabulary makes each language's text distinct, as real languages are.
        self.vocabulary = {
            lang: [_word(random.Random(f"{seed}-{lang}-{i}"), 2 + i % 3) for i in range(5000)]
            for lang in self.languages
        }
        self.n_articles = articles
        self.n_sources = max(2, articles // 20)
        self.n_entities = max(2, articles // 10)
        self.n_claims = max(1, articles // 4)
        self.entities = [self._entity(i) for i in range(self.n_entities)]

    def _entity(self, index: int) -> dict[str, object]:
        rng = random.Random(f"entity-{index}")
        first, last = _word(rng, 2).capitalize(), _word(rng, 3).capitalize()
        name = f"{first} {last}"
        wrong = last[:-1] + ("a" if last[-1] != "a" else "o")
        return {
            "id": f"entity-{index}",
            "name": name,
            "kind": ("person", "organisation", "place")[index % 3],
            "variants": [name, last, f"{first[0]}. {last}"],
            "misspellings": [f"{first} {wrong}"],
        }

    def sentence(self, lang: str, length: int) -> str:
        words = [self.rng.choice(self.vocabulary[lang]) for _ in range(length)]
        if self.rng.random() < 0.5:
            entity = self.rng.choice(self.entities)
            spelling = self.rng.choice(entity["variants"] + entity["misspellings"])  # type: ignore[operator]
            words.insert(self.rng.randrange(len(words)), str(spelling))
        if self.rng.random() < 0.3:
            words.insert(self.rng.randrange(len(words)), f"{self.rng.randrange(2, 90_000):,}")
        return " ".join(words).capitalize() + "."

    def body(self, lang: str) -> tuple[str, list[str]]:
        """Markdown of ~3 KB and the plain sentences in it (quotable verbatim)."""
        parts: list[str] = []
        quotable: list[str] = []
        for section in range(3):
            if section:
                parts.append(f"## {self.sentence(lang, 3).rstrip('.')}")
            for _ in range(2):
                sentences = [self.sentence(lang, self.rng.randrange(8, 16)) for _ in range(3)]
                quotable += sentences
                parts.append(" ".join(sentences))
            if section == 1:
                parts.append("\n".join(f"- {self.sentence(lang, 6)}" for _ in range(3)))
                parts.append(f"> {self.sentence(lang, 12)}")
                link = f"https://example.org/{self.rng.choice(self.vocabulary[lang])}"
                parts.append(f"See [{self.sentence(lang, 4).rstrip('.')}]({link}) for more.")
        return "\n\n".join(parts) + "\n", quotable


def generate(target: Path, articles: int = 1000, languages: int = 3, seed: int = 1) -> SynthReport:
    """Write a complete, valid content folder of `articles` articles into `target`."""
    corpus = _Corpus(articles, languages, seed)
    rng = corpus.rng
    (target / "articles").mkdir(parents=True, exist_ok=True)
    (target / "captures").mkdir(exist_ok=True)
    langs = corpus.languages
    dossier = {
        "title": f"Synthetic dossier of {articles} articles",
        "summary": "A generated dossier for measuring build speed.",
        "default_language": langs[0],
        "languages": {code: LANGUAGES[code] for code in langs},
        "base_url": "https://example.org/bench/",
        "curator": "Benchmark",
        "updated": "2025-06-30",
    }
    sources = [
        {
            "id": f"source-{i}",
            "name": f"Outlet {_word(random.Random(i), 3).capitalize()}",
            "kind": "outlet",
            "language": langs[i % len(langs)],
        }
        for i in range(corpus.n_sources)
    ]
    quotable: dict[str, list[str]] = {}
    total = 0
    for index in range(articles):
        article_id = f"article-{index:05d}"
        lang = langs[index % len(langs)]
        translation = index % 20 == 19 and len(langs) > 1  # every 20th article translates the one before
        body, sentences = corpus.body(lang)
        quotable[article_id] = sentences
        front = {
            "title": corpus.sentence(lang, 7).rstrip("."),
            "source": f"source-{index % corpus.n_sources}",
            "language": lang,
            "story": f"story-{index - 1 if translation else index:05d}",
            "published": f"20{19 + index % 6}-{1 + index % 12:02d}-{1 + index % 28:02d}",
            "captured": "2025-06-30",
            "capture": f"captures/{article_id}.txt",
        }
        if translation:
            previous_lang = langs[(index - 1) % len(langs)]
            if previous_lang == lang:
                front["language"] = lang = langs[(index + 1) % len(langs)]
            front["translation_of"] = f"article-{index - 1:05d}"
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body
        (target / "articles" / f"{article_id}.md").write_text(text, encoding="utf-8")
        (target / "captures" / f"{article_id}.txt").write_text(front["title"] + "\n\n" + body, encoding="utf-8")
        total += len(text.encode("utf-8"))
    claims = []
    ids = sorted(quotable)
    for index in range(corpus.n_claims):
        chosen = rng.sample(ids, k=min(len(ids), rng.randint(2, 6)))
        kind = ("figure", "event", "location", "attribution")[index % 4]
        assertions = []
        for article_id in chosen:
            assertion: dict[str, object] = {
                "article": article_id,
                "stance": rng.choices(["supports", "contradicts", "qualifies", "mentions"], [6, 1, 2, 1])[0],
                "quote": rng.choice(quotable[article_id]),
            }
            if kind == "figure":
                assertion["value"] = rng.choice([1000, 1000, 1200])
            assertions.append(assertion)
        claim: dict[str, object] = {
            "id": f"claim-{index:05d}",
            "statement": f"Claim number {index} about {corpus.entities[index % len(corpus.entities)]['name']}.",
            "topic": _TOPICS[index % len(_TOPICS)],
            "kind": kind,
            "status": "reported",
            "entities": [corpus.entities[index % len(corpus.entities)]["id"]],
            "assertions": assertions,
        }
        if kind == "figure":
            claim.update(value=1000, unit="people")
        if index % 3 == 0:
            claim["date"] = f"{2020 + index % 6}-{1 + index % 12:02d}"
        claims.append(claim)
    for name, data in (
        ("dossier.yaml", dossier),
        ("sources.yaml", sources),
        ("claims.yaml", claims),
        ("entities.yaml", corpus.entities),
    ):
        (target / name).write_text(
            yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200), encoding="utf-8"
        )
    return SynthReport(articles, len(sources), len(claims), len(corpus.entities), total)
