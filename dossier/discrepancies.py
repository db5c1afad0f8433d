"""Discrepancies: claims on which the articles disagree.

Three kinds, each a `findings.Discrepancy` with two or more positions:

* **figure** — a `figure` claim whose supporting or qualifying assertions state different
  values. Values are compared as numbers; text values are parsed where they can be
  ("14,000", "rund 14.000", "2,7 Millionen", "$500,000"): a single "," or "." followed by
  exactly three digits is a thousands separator in English and German alike, otherwise
  it is the decimal mark. A value that does not parse is compared as normalised text.
* **stance** — a claim that at least one article supports while another contradicts or
  qualifies it. "mentions" takes no side.
* **naming** — a `location` or `identity` claim whose assertions (any stance but
  "mentions") give different names. Names are compared after NFC, case, white space,
  diacritics and Cyrillic/Greek transliteration and look-alike folding, and two names
  that are accepted variants of one entity count as the same ("Andrei Beloусов",
  "Andrei Belousov" and "Андрей Белоусов" are one name; the mixed-script detector still
  flags the first). A known misspelling is a different name: an article that writes
  "Andrei Belyushikov" names someone else. A translation's value joins its original's
  position, since it names the same thing in another language ("a city park" and
  "eines Stadtparks"); its own wording is added to the position's label.

A claim may yield a value discrepancy (figure or naming) and a stance discrepancy; the
value one comes first. Positions are in order of first assertion; their articles in
content order.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Iterable, Mapping, Sequence

import regex

from .findings import Discrepancy, Position
from .model import Assertion, Claim
from .scripts import name_key, word_keys

_NUMBER = regex.compile(r"[-−]?\d+(?:[.,\u00a0\u202f ]\d+)*")
_SCALES = (
    (("billion", "billionen", "milliarde", "milliarden", "mrd", "bn"), 1e9),
    (("million", "millionen", "mio", "mln"), 1e6),
    (("thousand", "tausend", "k"), 1e3),
)
_STANCE_WORDS = {"supports": ("supports", "support"), "contradicts": ("contradicts", "contradict"),
                 "qualifies": ("qualifies", "qualify")}  # fmt: skip


def parse_number(value: object) -> float | None:
    """A figure as a number: ints and floats as they are, text parsed as described above."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value).casefold()
    match = _NUMBER.search(text)
    if not match:
        return None
    digits = regex.sub(r"[\u00a0\u202f ]", "", match.group()).replace("−", "-")
    separators = regex.findall(r"[.,]", digits)
    if not separators:
        number = float(digits)
    elif len(set(separators)) == 2:  # "1,234.5" or "1.234,5": the last one is the decimal mark
        decimal = digits[max(digits.rfind("."), digits.rfind(","))]
        thousands = "," if decimal == "." else "."
        number = float(digits.replace(thousands, "").replace(decimal, "."))
    elif len(separators) > 1 or len(digits) - digits.index(separators[0]) - 1 == 3:
        number = float(digits.replace(separators[0], ""))  # "14,000", "14.000", "1,000,000"
    else:
        number = float(digits.replace(",", "."))  # "2,7", "2.7"
    rest = text[match.end() :].split()
    if rest:
        word = regex.sub(r"\W", "", rest[0])
        for words, factor in _SCALES:
            if word in words:
                number *= factor
                break
    return number if math.isfinite(number) else None


def format_number(number: float) -> str:
    """14000 -> "14,000"; 2.5 -> "2.5"."""
    if number == int(number) and abs(number) < 1e18:
        return f"{int(number):,}"
    return f"{number:,.6f}".rstrip("0").rstrip(".")


def _join(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _say(articles: Sequence[str]) -> str:
    return f"{_join(articles)} {'says' if len(articles) == 1 else 'say'}"


class _Positions:
    """Positions keyed by what they state, in order of first assertion."""

    def __init__(self, order: Mapping[str, int]) -> None:
        self.order = order
        self.labels: dict[object, list[str]] = {}
        self.articles: dict[object, list[str]] = {}

    def add(self, key: object, label: str, article: str) -> None:
        labels = self.labels.setdefault(key, [])
        if label not in labels:
            labels.append(label)
        members = self.articles.setdefault(key, [])
        if article not in members:
            members.append(article)

    def build(self) -> list[tuple[Position, str]]:
        """Each position with its first label (the summary names one wording per position)."""

        def rank(article: str) -> tuple[int, str]:
            return (self.order.get(article, len(self.order)), article)

        return [
            (Position(" / ".join(labels), tuple(sorted(self.articles[k], key=rank))), labels[0])
            for k, labels in self.labels.items()
        ]


def _discrepancy(claim: Claim, kind: str, built: list[tuple[Position, str]], quote: bool) -> Discrepancy | None:
    if len(built) < 2:
        return None
    said = (f"“{first}”" if quote else first for _, first in built)
    summary = "; ".join(f"{_say(p.articles)} {s}" for (p, _), s in zip(built, said, strict=True)) + "."
    return Discrepancy(claim.id, kind, summary, tuple(p for p, _ in built))  # type: ignore[arg-type]


def figure_discrepancy(claim: Claim, order: Mapping[str, int]) -> Discrepancy | None:
    positions = _Positions(order)
    for assertion in claim.assertions:
        if assertion.stance not in ("supports", "qualifies") or assertion.value is None:
            continue
        number = parse_number(assertion.value)
        if number is None:
            label = " ".join(str(assertion.value).split())
            key: object = ("text", label.casefold())
        else:
            key, label = ("number", number), format_number(number)
        positions.add(key, f"{label} {claim.unit}" if claim.unit else label, assertion.article)
    return _discrepancy(claim, "figure", positions.build(), quote=False)


def stance_discrepancy(claim: Claim, order: Mapping[str, int]) -> Discrepancy | None:
    stances = {a.stance for a in claim.assertions}
    if "supports" not in stances or not stances & {"contradicts", "qualifies"}:
        return None
    positions = _Positions(order)
    for stance in ("supports", "contradicts", "qualifies"):
        for assertion in claim.assertions:
            if assertion.stance == stance:
                positions.add(stance, stance, assertion.article)
    built = [p for p, _ in positions.build()]
    parts = []
    for position in built:
        singular, plural = _STANCE_WORDS[position.label]
        parts.append(f"{_join(position.articles)} {singular if len(position.articles) == 1 else plural} it")
    return Discrepancy(claim.id, "stance", "; ".join(parts) + ".", tuple(built))


def naming_key(value: str, variants: Mapping[str, str]) -> str:
    """Names that are the same after folding, or variants of one entity, share a key."""
    keys = word_keys(unicodedata.normalize("NFC", value).strip(" \t\n\"'“”‘’«»„.,;:"))
    for key in keys:
        if key in variants:
            return "entity:" + variants[key]
    return "name:" + (keys[0] if keys else name_key(value))


def naming_discrepancy(
    claim: Claim, order: Mapping[str, int], variants: Mapping[str, str], originals: Mapping[str, str]
) -> Discrepancy | None:
    """`variants`: name_key of each accepted form -> entity id; `originals`: translation -> original article."""
    positions = _Positions(order)
    named = [a for a in claim.assertions if a.stance != "mentions" and a.value is not None]
    first_key: dict[str, str] = {}
    for assertion in named:
        first_key.setdefault(assertion.article, naming_key(str(assertion.value), variants))
    for assertion in _originals_first(named, originals):
        original = originals.get(assertion.article)
        # a translation names what its original names, in another language
        key = first_key[original] if original in first_key else naming_key(str(assertion.value), variants)
        positions.add(key, " ".join(str(assertion.value).split()), assertion.article)
    return _discrepancy(claim, "naming", positions.build(), quote=True)


def _originals_first(assertions: Iterable[Assertion], originals: Mapping[str, str]) -> list[Assertion]:
    """Assertions in claim order, except that a translation comes after its original (so its label follows)."""
    listed = list(assertions)
    present = {a.article for a in listed}
    first = [a for a in listed if originals.get(a.article) not in present]
    return first + [a for a in listed if originals.get(a.article) in present]


def discrepancies(
    claims: Iterable[Claim], order: Mapping[str, int], variants: Mapping[str, str], originals: Mapping[str, str]
) -> tuple[Discrepancy, ...]:
    """Every discrepancy, claims in content order."""
    out: list[Discrepancy] = []
    for claim in claims:
        value = None
        if claim.kind == "figure":
            value = figure_discrepancy(claim, order)
        elif claim.kind in ("location", "identity"):
            value = naming_discrepancy(claim, order, variants, originals)
        stance = stance_discrepancy(claim, order)
        out.extend(d for d in (value, stance) if d is not None)
    return tuple(out)
