"""The text a reader sees in an article, and finding a curator's quote in it.

Quotes are matched against the plain text of the rendered Markdown (so backslash escapes
and emphasis markers do not get in the way), tolerating only differences in white space
and in typographic versus straight quotation marks and apostrophes.
"""

from __future__ import annotations

import difflib
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from markdown_it.token import Token

from . import markdown
from .parallel import map_forked

_QUOTE_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"', "\u2039": "'", "\u203a": "'",
})  # fmt: skip
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’»]?\s+|\n\s*\n")


# Bidirectional embedding, override and isolate controls ("Trojan Source", CVE-2021-42574):
# invisible, and able to make text read differently from what it says.
_BIDI_CONTROLS = {code: f"[U+{code:04X}]" for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def reveal_bidi_controls(text: str) -> str:
    """Show bidi controls as `[U+202E]`: in evidence, text must read as it is stored."""
    return text.translate(_BIDI_CONTROLS)


@dataclass(frozen=True)
class TextSpan:
    """Where one inline text token's content lies in the plain text."""

    block: int  # index of the inline token in the token list
    child: int  # index of the text token among its children
    start: int
    end: int


@dataclass(frozen=True)
class PlainText:
    """An article body as a reader sees it, and where each piece came from."""

    text: str
    spans: tuple[TextSpan, ...]


def plain_text_of(tokens: list[Token]) -> PlainText:
    """Concatenate inline text; blocks are separated by a blank line, line breaks by `\\n`."""
    parts: list[str] = []
    spans: list[TextSpan] = []
    length = 0
    for block_index, token in enumerate(tokens):
        if token.type != "inline" or not token.children:
            continue
        if parts:
            parts.append("\n\n")
            length += 2
        for child_index, child in enumerate(token.children):
            if child.type in ("text", "code_inline"):
                spans.append(TextSpan(block_index, child_index, length, length + len(child.content)))
                piece = child.content
            elif child.type in ("softbreak", "hardbreak"):
                piece = "\n"
            else:
                continue
            parts.append(piece)
            length += len(piece)
    return PlainText("".join(parts), tuple(spans))


@lru_cache(maxsize=4096)
def plain_text(body: str) -> PlainText:
    return plain_text_of(markdown.parse(body))


_READER: dict[str, str] = {}  # body -> reader text, for the bodies of the latest builds
_READER_MAX = 1 << 15


def reader_text(body: str) -> str:
    """`plain_text(body).text`, kept: validation and analysis both read it, and parsing is the cost."""
    text = _READER.get(body)
    if text is None:
        text = remember_reader_text(body, plain_text(body).text)
    return text


def remember_reader_text(body: str, text: str) -> str:
    """Keep `text` as the reader text of `body` (see highlight.read_and_highlight)."""
    if len(_READER) >= _READER_MAX:  # a long preview session: start afresh rather than grow without end
        _READER.clear()
    _READER[body] = text
    return text


def read_all(bodies: Iterable[str]) -> None:
    """The reader text of every body, parsed on every core, kept for `reader_text`."""
    todo = [body for body in dict.fromkeys(bodies) if body not in _READER]
    for body, text in zip(todo, map_forked(lambda body: plain_text(body).text, todo), strict=True):
        remember_reader_text(body, text)


_NON_SPACE = re.compile(r"\S+")


@dataclass(frozen=True)
class Folded:
    """Text with quotes straightened and white space collapsed, and the way back to the original.

    The folded text is the original's runs of non-space joined by single spaces, so a place in it
    lies in the run that as many spaces precede, as far into it as into the folded run. The way back
    is worked out for the few places asked for (a quote's two ends), not for every run beforehand.
    """

    text: str
    straight: str  # the original, its quotes straightened (the same length)

    def origin(self, index: int) -> int:
        run = self.text.count(" ", 0, index)
        into = index - (self.text.rfind(" ", 0, index) + 1)
        return next(itertools.islice(_NON_SPACE.finditer(self.straight), run, None)).start() + into


def fold(text: str) -> Folded:
    straight = text.translate(_QUOTE_FOLD)
    return Folded(" ".join(_NON_SPACE.findall(straight)), straight)


@lru_cache(maxsize=256)  # enough for every quote of one article in a row: callers go article by article
def folded_plain_text(body: str) -> Folded:
    return fold(reader_text(body))


def _folded_text(text: str) -> str:
    """`fold(text).text`, without the map back (built at C speed: validation needs only the text)."""
    return " ".join(text.translate(_QUOTE_FOLD).split())


def has_quote(body: str, quote: str) -> bool:
    """Whether `find_quote` finds `quote` in `body`."""
    needle = _folded_text(nfc(quote))
    return bool(needle) and needle in _folded_body(body)


@lru_cache(maxsize=1 << 15)  # claims quote articles in no particular order: every body of a large dossier
def _folded_body(body: str) -> str:
    return _folded_text(reader_text(body))


def find_quote(body: str, quote: str) -> tuple[int, int] | None:
    """The [start, end) of the first occurrence of `quote` in the plain text of `body`."""
    needle = _folded_text(nfc(quote))
    if not needle:
        return None
    hay = folded_plain_text(body)
    at = hay.text.find(needle)
    if at < 0:
        return None
    return hay.origin(at), hay.origin(at + len(needle) - 1) + 1


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def closest_sentence(body: str, quote: str) -> str | None:
    """The sentence of the article most like the quote, to show as a hint."""
    needle = _folded_text(quote)
    best, best_ratio = None, 0.0
    for sentence in sentences(reader_text(body)):
        matcher = difflib.SequenceMatcher(None, needle, _folded_text(sentence), autojunk=False)
        if matcher.real_quick_ratio() <= best_ratio or matcher.quick_ratio() <= best_ratio:
            continue
        ratio = matcher.ratio()
        if ratio > best_ratio:
            best, best_ratio = sentence, ratio
    return best if best_ratio >= 0.3 else None
