"""`dossier import`: a raw captured article to an article skeleton (front matter + cleaned Markdown).

Cleaning is pure (`clean_capture`); reading, checking and writing files happen in `import_capture`.
Site-specific chrome is data (`boilerplate.yaml` plus `boilerplate:` in dossier.yaml); the
structural rules — title, repeated lines, headings — are the code below. Cleaning only ever
drops whole lines: it never edits the words of a line it keeps.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import yaml

from .dates import parse_date
from .errors import ContentError, Problem

DEFAULT_PATTERNS_FILE = Path(__file__).with_name("boilerplate.yaml")

ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")

TITLE_MAX_CHARS = 200  # a longer first line is a paragraph, not a headline
HEADING_MAX_WORDS = 6
HEADING_MAX_CHARS = 50
FALLBACK_TITLE_MAX_CHARS = 90
SLUG_MAX_CHARS = 60

_CLOSERS = "\"'”’“‘»«)]"  # may follow the punctuation that ends a sentence
_TERMINAL = tuple(".!?…:;,")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*(?=\s|$)")


@dataclass(frozen=True)
class Cleaned:
    """A capture cleaned of site chrome."""

    title: str | None  # detected headline, else a shortened first sentence; None when no text is left
    body: str  # Markdown: paragraphs and `## ` headings separated by one blank line, no final newline
    removed: tuple[str, ...]  # lines dropped (chrome, repeats), in capture order
    title_guessed: bool = False  # True when no headline was found and the title is the first sentence


@dataclass(frozen=True)
class ImportResult:
    """What `import_capture` wrote."""

    article_path: Path
    capture_path: Path
    article_id: str
    removed: tuple[str, ...]  # lines not carried into the article, for the CLI to report
    title_guessed: bool = False  # the curator should set a better title


@dataclass(frozen=True)
class _Line:
    no: int  # 1-based line in the capture, to report removals in capture order
    text: str  # stripped


Paragraph = tuple[_Line, ...]


# ---------------------------------------------------------------------------
# Patterns


def read_default_patterns() -> tuple[str, ...]:
    """The package's default chrome patterns (boilerplate.yaml)."""
    data = yaml.safe_load(DEFAULT_PATTERNS_FILE.read_text(encoding="utf-8"))
    return tuple(item for item in data if isinstance(item, str))


def _dossier_patterns(content_dir: Path) -> tuple[str, ...]:
    try:
        data = yaml.safe_load((content_dir / "dossier.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ()  # tolerant: validate.py reports a broken dossier.yaml, import still works
    extra = data.get("boilerplate") if isinstance(data, dict) else None
    if not isinstance(extra, list):
        return ()
    return tuple(item for item in extra if isinstance(item, str))


def load_patterns(content_dir: Path) -> tuple[str, ...]:
    """Default chrome patterns plus the `boilerplate:` list of content/dossier.yaml, if any."""
    return read_default_patterns() + _dossier_patterns(content_dir)


def pattern_problems(patterns: Sequence[str], path: str) -> list[Problem]:
    """One problem per pattern that is not a valid regular expression."""
    problems = []
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            problems.append(
                Problem(path, 0, f"boilerplate pattern {pattern!r} is not a valid regular expression ({err})")
            )
    return problems


@lru_cache(maxsize=16)
def _compile(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# ---------------------------------------------------------------------------
# Cleaning (pure)


def _split_blocks(text: str) -> list[list[_Line]]:
    """Runs of non-blank lines; accepts a BOM and CRLF/CR line ends."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    blocks: list[list[_Line]] = [[]]
    for no, raw in enumerate(text.split("\n"), 1):
        line = raw.strip()
        if line:
            blocks[-1].append(_Line(no, line))
        elif blocks[-1]:
            blocks.append([])
    return [b for b in blocks if b]


def _one_paragraph_per_line(blocks: list[list[_Line]]) -> bool:
    """True for the shape where each line is a paragraph (few or no blank lines between them)."""
    adjacent = sum(len(b) - 1 for b in blocks)
    gaps = len(blocks) - 1
    return adjacent > gaps


def _ends_sentence(text: str) -> bool:
    return text.rstrip(_CLOSERS).endswith(_TERMINAL)


def _has_letter(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def is_headline(text: str) -> bool:
    """Could this line be the article's headline?"""
    return len(text) <= TITLE_MAX_CHARS and _has_letter(text) and not _ends_sentence(text)


def is_heading(text: str) -> bool:
    """Could this line be a section heading ("Regional tribute")?"""
    return (
        len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and "," not in text
        and _has_letter(text)
        and not _ends_sentence(text)
    )


def _is_breadcrumb_of(line: str, title: str) -> bool:
    """A line that ends with the title after other words ("Homepage News <title>")."""
    return len(line) > len(title) and line.endswith(title) and not line[-len(title) - 1].isalnum()


def _find_title(lines: list[_Line]) -> tuple[str | None, list[_Line]]:
    """(headline, lines dropped before it). A headline must be followed by more text."""
    if len(lines) >= 3 and _is_breadcrumb_of(lines[0].text, lines[1].text) and is_headline(lines[1].text):
        return lines[1].text, [lines[0]]
    if len(lines) >= 2 and is_headline(lines[0].text):
        return lines[0].text, []
    return None, []


def fallback_title(text: str, limit: int = FALLBACK_TITLE_MAX_CHARS) -> str:
    """The first sentence without its full stop, shortened at a word boundary to `limit` chars with "…"."""
    match = _SENTENCE_END.search(text)
    sentence = text[: match.end()] if match else text
    if sentence.endswith(".") and not sentence.endswith(".."):
        sentence = sentence[:-1]
    if len(sentence) <= limit:
        return sentence
    cut = sentence.rfind(" ", 0, limit)
    head = sentence[:cut] if cut > 0 else sentence[: limit - 1]  # one giant word: cut inside it
    return head.rstrip(" ,;:–—-") + "…"


def _drop_repeats(paragraphs: list[Paragraph], removed: list[_Line]) -> list[Paragraph]:
    """Drop a paragraph that repeats an earlier one word for word (a caption captured twice).

    Short heading-like lines may legitimately repeat, so they are kept.
    """
    seen: set[tuple[str, ...]] = set()
    kept = []
    for para in paragraphs:
        key = tuple(line.text for line in para)
        if key in seen and not (len(para) == 1 and is_heading(para[0].text)):
            removed.extend(para)
            continue
        seen.add(key)
        kept.append(para)
    return kept


def _heading_flags(paragraphs: list[Paragraph]) -> list[bool]:
    """A short single line between two paragraphs, followed by ordinary text, is a heading."""
    flags = []
    for i, para in enumerate(paragraphs):
        following = paragraphs[i + 1] if i + 1 < len(paragraphs) else None
        flags.append(
            i > 0
            and following is not None
            and len(para) == 1
            and is_heading(para[0].text)
            and not (len(following) == 1 and is_heading(following[0].text))
        )
    return flags


_INLINE_SPECIAL = re.compile(r"\\(?=[!-/:-@\[-`{-~]|$)|[*_`<\[|]|~(?=~)|(?<=~)~|&(?=#?[0-9A-Za-z]+;)")
_ORDERED_MARKER = re.compile(r"(\d{1,9})([.)])(?=\s|$)")


def _escape_inline(text: str) -> str:
    return _INLINE_SPECIAL.sub(lambda m: "\\" + m.group(), text)


def escape_markdown_line(line: str) -> str:
    """Backslash-escape what CommonMark (+ tables, strikethrough) would read as structure; same words."""
    out = _escape_inline(line)
    if out.startswith(("#", ">", "-", "+", "=", "~")):
        return "\\" + out
    marker = _ORDERED_MARKER.match(out)
    if marker:
        return f"{marker[1]}\\{out[marker.end(1) :]}"
    return out


def _render(paragraphs: list[Paragraph], headings: list[bool]) -> str:
    parts = []
    for para, heading in zip(paragraphs, headings, strict=True):
        if heading:
            # every `#` escaped: a trailing " #" would otherwise be read as a closing sequence
            parts.append("## " + _escape_inline(para[0].text).replace("#", "\\#"))
        else:
            parts.append("\n".join(escape_markdown_line(line.text) for line in para))
    return "\n\n".join(parts)


def clean_capture(text: str, patterns: Sequence[str]) -> Cleaned:
    """Remove site chrome from a captured article; find its title; return Markdown. No I/O."""
    chrome = _compile(tuple(patterns))
    blocks = _split_blocks(text)
    if _one_paragraph_per_line(blocks):
        blocks = [[line] for block in blocks for line in block]
        allow_headings = False  # in this shape every line is a paragraph; nothing marks a heading
    else:
        allow_headings = True

    removed: list[_Line] = []
    kept_blocks = []
    for block in blocks:
        kept = []
        for line in block:
            (removed if any(p.fullmatch(line.text) for p in chrome) else kept).append(line)
        kept_blocks.append(kept)

    title, dropped = _find_title([line for block in kept_blocks for line in block])
    removed.extend(dropped)
    paragraphs: list[Paragraph] = []
    first_title_line = True
    for block in kept_blocks:
        para = []
        for line in block:
            if line in dropped:
                continue
            if line.text == title:
                if not first_title_line:  # the first one moves to the front matter; repeats are chrome
                    removed.append(line)
                first_title_line = False
                continue
            para.append(line)
        if para:
            paragraphs.append(tuple(para))

    paragraphs = _drop_repeats(paragraphs, removed)
    headings = _heading_flags(paragraphs) if allow_headings else [False] * len(paragraphs)
    guessed = title is None and bool(paragraphs)
    if guessed:
        title = fallback_title(" ".join(line.text for line in paragraphs[0]))
    ordered = tuple(line.text for line in sorted(removed, key=lambda line: line.no))
    return Cleaned(title=title, body=_render(paragraphs, headings), removed=ordered, title_guessed=guessed)


# ---------------------------------------------------------------------------
# Front matter


class _Dumper(yaml.SafeDumper):
    pass


class _Quoted(str):
    """A string always written quoted (dates must stay text, not YAML timestamps)."""


_Dumper.add_representer(_Quoted, lambda dumper, value: dumper.represent_scalar("tag:yaml.org,2002:str", value, "'"))


def render_article(
    *,
    title: str,
    source: str,
    language: str,
    story: str,
    translation_of: str | None,
    captured: str,
    capture: str,
    body: str,
) -> str:
    """The article file: YAML front matter between `---` lines, a blank line, the body, one final newline."""
    meta: dict[str, object] = {"title": title, "source": source, "language": language, "story": story}
    if translation_of:
        meta["translation_of"] = translation_of
    meta.update({"published": None, "captured": _Quoted(captured), "capture": capture})
    front = yaml.dump(meta, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n\n{body}\n" if body else f"---\n{front}---\n"


def slugify(text: str, limit: int = SLUG_MAX_CHARS) -> str:
    """A lowercase ASCII id from a title ("Russia to build …" → "russia-to-build-…"), cut at a hyphen."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[: limit + 1] else slug[:limit]
    return slug


# ---------------------------------------------------------------------------
# Import (I/O at the edge)


def _argument_problems(
    shown: str, source: str, language: str, ids: dict[str, str | None], captured: str, title: str | None
) -> list[Problem]:
    problems = []
    if not ID_RE.fullmatch(source):
        problems.append(Problem(shown, 0, f"source id {source!r} is not a valid id (lowercase a-z, 0-9 and '-')"))
    for what, value in ids.items():
        if value is not None and not ID_RE.fullmatch(value):
            problems.append(Problem(shown, 0, f"{what} {value!r} is not a valid id (lowercase a-z, 0-9 and '-')"))
    if not LANGUAGE_RE.fullmatch(language):
        problems.append(Problem(shown, 0, f"language {language!r} is not a BCP 47 code such as 'en' or 'de'"))
    try:
        parse_date(captured)
    except ValueError as err:
        problems.append(Problem(shown, 0, f"captured: {err}"))
    if title is not None and (not title.strip() or "\n" in title or "\r" in title):
        problems.append(Problem(shown, 0, "title must be one non-empty line"))
    return problems


def read_capture(capture: Path) -> tuple[bytes, str]:
    """The capture's bytes and text; ContentError if it is missing, unreadable, binary or not UTF-8."""
    shown = str(capture)
    try:
        data = capture.read_bytes()
    except FileNotFoundError:
        raise ContentError([Problem(shown, 0, "capture file not found")]) from None
    except IsADirectoryError:
        raise ContentError([Problem(shown, 0, "is a folder, not a capture file")]) from None
    except OSError as err:
        raise ContentError([Problem(shown, 0, f"cannot read capture: {err.strerror or err}")]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ContentError([Problem(shown, line, f"not valid UTF-8 text (byte 0x{data[err.start]:02x})")]) from None
    if "\x00" in text:
        raise ContentError([Problem(shown, text[: text.index("\x00")].count("\n") + 1, "not a text file (NUL byte)")])
    return data, text


def _new_file_mode(path: Path) -> int:
    """Keep an overwritten file's permissions; a new file gets the usual 0666 minus umask."""
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(path: Path, data: bytes) -> None:
    """Write via a temporary file in the same folder and os.replace: readers never see half a file."""
    mode = _new_file_mode(path)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().parent == folder.resolve()


def import_capture(
    capture: Path,
    content_dir: Path,
    *,
    source: str,
    language: str,
    story: str | None = None,
    translation_of: str | None = None,
    article_id: str | None = None,
    title: str | None = None,
    captured: str | None = None,
    force: bool = False,
) -> ImportResult:
    """Copy `capture` verbatim into captures/<id>.txt and write articles/<id>.md from its cleaned text."""
    captured = date.today().isoformat() if captured is None else captured
    shown = str(capture)
    ids = {"story": story, "translation_of": translation_of, "article id": article_id}
    problems = _argument_problems(shown, source, language, ids, captured, title)
    if not content_dir.is_dir():
        problems.append(Problem(str(content_dir), 0, "content folder not found"))
    patterns = load_patterns(content_dir)
    problems += pattern_problems(_dossier_patterns(content_dir), str(content_dir / "dossier.yaml"))
    try:
        data, raw = read_capture(capture)  # data is copied byte for byte, BOM and CRLF included
    except ContentError as err:
        raise ContentError([*problems, *err.problems]) from None
    if problems:
        raise ContentError(problems)
    cleaned = clean_capture(raw, patterns)
    if not cleaned.body or cleaned.title is None:
        raise ContentError([Problem(shown, 0, "no article text left after removing site chrome")])

    final_title = title.strip() if title is not None else cleaned.title
    removed = cleaned.removed
    if title is not None and not cleaned.title_guessed and final_title != cleaned.title:
        removed = (cleaned.title, *removed)  # the capture's own headline is not carried over: say so
    article_id = article_id or slugify(final_title)
    if not article_id:
        raise ContentError([Problem(shown, 0, "cannot make an article id from the title; give one with --id")])
    story = story or article_id.removesuffix(f"-{language.lower()}") or article_id

    articles_dir, captures_dir = content_dir / "articles", content_dir / "captures"
    article_path, capture_path = articles_dir / f"{article_id}.md", captures_dir / f"{article_id}.txt"
    for folder in (articles_dir, captures_dir):
        if folder.exists() and not folder.is_dir():
            problems.append(Problem(str(folder), 0, "exists but is not a folder"))
    if not problems and not _inside(capture_path, captures_dir):
        problems.append(Problem(str(capture_path), 0, "capture path would leave captures/"))
    for target, relative in ((article_path, f"articles/{article_id}.md"), (capture_path, f"captures/{article_id}.txt")):
        if not force and (target.exists() or target.is_symlink()):
            problems.append(Problem(str(target), 0, f"{relative} already exists; use --force to overwrite"))
    if problems:
        raise ContentError(problems)

    text = render_article(
        title=final_title,
        source=source,
        language=language,
        story=story,
        translation_of=translation_of,
        captured=captured,
        capture=f"captures/{article_id}.txt",
        body=cleaned.body,
    )
    try:
        articles_dir.mkdir(exist_ok=True)
        captures_dir.mkdir(exist_ok=True)
        write_atomic(capture_path, data)
        write_atomic(article_path, text.encode("utf-8"))
    except OSError as err:
        where = err.filename or str(content_dir)
        raise ContentError([Problem(str(where), 0, f"cannot write: {err.strerror or err}")]) from None
    return ImportResult(article_path, capture_path, article_id, removed, cleaned.title_guessed and title is None)
