"""Stage 1, load: read `content/` into the model, keeping the file and line of every value.

The loader checks shape (required and unknown keys, types, dates); cross-references are
the validator's job. A record that cannot be built is left out but its id is remembered,
so that references to it do not produce a second, misleading problem.
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from .dates import PartialDate, parse_date
from .errors import Problem
from .model import (
    CLAIM_KINDS,
    CLAIM_STATUSES,
    ENTITY_KINDS,
    SOURCE_KINDS,
    STANCES,
    Article,
    Assertion,
    Claim,
    Content,
    Dossier,
    Entity,
    Loc,
    Source,
)
from .parallel import map_forked
from .text import nfc, reveal_bidi_controls
from .yamlsource import YNode, parse_yaml

# Content files are parsed whole; past this size a typo (a pasted dump, a binary) would
# cost minutes and gigabytes before failing, so it fails at once instead.
MAX_FILE_BYTES = 8 * 1024 * 1024
_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$")


@dataclass(frozen=True)
class Loaded:
    """The outcome of loading: the content (as far as it could be built) and its problems."""

    content: Content
    problems: tuple[Problem, ...]
    known_ids: Mapping[str, frozenset[str]]  # per kind, every id seen, built or not
    broken: frozenset[str] = frozenset()  # kinds whose file could not be read at all
    parsed: Parsed = field(default_factory=dict)  # what was made of each file read (see load's `earlier`)


# What was made of each file read: "articles" -> (id, file text, path shown) -> (article, problems);
# "files" -> (file name, path shown) -> (file text, FileRecords).
Parsed = dict[str, dict[Any, Any]]
SETTLED_NS = 2_000_000_000
V = TypeVar("V")


class _Kept(Generic[V]):
    """What was made of each file read (its text, its bytes), by path, with the version (device, inode,
    size, times) it was read at: the preview server reads every file of the content folder on every
    change, thousands of them, and needs to read again only those that changed."""

    LIMIT = 1 << 15

    def __init__(self) -> None:
        self._store: dict[str, tuple[tuple[int, ...], V]] = {}

    @staticmethod
    def _version(st: os.stat_result) -> tuple[int, ...]:
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def get(self, path: str, st: os.stat_result) -> V | None:
        kept = self._store.get(path)
        return kept[1] if kept is not None and kept[0] == self._version(st) else None

    def put(self, path: str, st: os.stat_result, value: V) -> None:
        # Kept only once the file had been left alone a while before it was read: a write changes its
        # ctime, but two writes within one tick of the clock may share one (as git's "racy clean" files).
        if time.time_ns() - st.st_ctime_ns > SETTLED_NS:
            if len(self._store) >= self.LIMIT:
                self._store.clear()
            self._store[path] = (self._version(st), value)


_TEXTS: _Kept[str] = _Kept()
_BYTES: _Kept[bytes] = _Kept()


def read_kept(path: str) -> bytes:
    """A file's bytes, read again only when it changed (captures, copied on every build of the preview)."""
    st = os.stat(path)
    data = _BYTES.get(path, st)
    if data is None:
        with open(path, "rb") as file:
            data = file.read()
        _BYTES.put(path, st, data)
    return data


class FileReader:
    """Reads files strictly inside the content folder, as normalised UTF-8 text."""

    def __init__(self, root: Path, display_root: str) -> None:
        self.root = root
        self.folder = os.fspath(root)  # joined with thousands of names per build: a str, not a Path
        self.real_root = root.resolve()
        self.display_root = display_root
        self._folders: dict[str, bool] = {}  # folder -> inside, for this reader's life (one load)

    def display(self, relative: str) -> str:
        return f"{self.display_root.rstrip('/')}/{relative}" if self.display_root else relative

    def inside(self, relative: str) -> bool:
        """True when the path, symlinks followed, stays inside the content folder."""
        path = os.path.join(self.folder, relative)
        folder, name = os.path.split(path)
        # The usual case, a file that is no symlink, is inside when its folder is: one lstat, not a
        # resolve of every part of the path for each of thousands of articles and captures.
        if name not in ("", ".", ".."):
            try:
                if not stat.S_ISLNK(os.lstat(path).st_mode):
                    if folder not in self._folders:
                        self._folders[folder] = self._resolves_inside(folder)
                    return self._folders[folder]
            except OSError:
                pass
        return self._resolves_inside(path)

    def _resolves_inside(self, path: str) -> bool:
        try:
            Path(path).resolve().relative_to(self.real_root)
        except (ValueError, OSError, RuntimeError):
            return False
        return True

    def read(self, relative: str, problems: list[Problem]) -> str | None:
        shown = self.display(relative)
        if not self.inside(relative):
            problems.append(Problem(shown, 1, "refusing to read a file outside the content folder"))
            return None
        path = os.path.join(self.folder, relative)
        try:
            st = os.stat(path)
            if st.st_size > MAX_FILE_BYTES:
                problems.append(Problem(shown, 1, f"file too large ({st.st_size // 1_048_576} MB; the limit is 8 MB)"))
                return None
            kept = _TEXTS.get(path, st)
            if kept is not None:
                return kept
            with open(path, "rb") as file:
                data = file.read()
        except OSError as err:
            problems.append(Problem(shown, 1, f"cannot read file: {err.strerror or err}"))
            return None
        text = self._text(shown, data, problems)
        if text is not None:
            _TEXTS.put(path, st, text)
        return text

    @staticmethod
    def _text(shown: str, data: bytes, problems: list[Problem]) -> str | None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as err:
            line = data[: err.start].count(b"\n") + 1
            problems.append(
                Problem(shown, line, f"not valid UTF-8 (byte 0x{data[err.start]:02x}); save the file as UTF-8")
            )
            return None
        if "\x00" in text:
            problems.append(Problem(shown, text[: text.index("\x00")].count("\n") + 1, "file contains a NUL byte"))
            return None
        return reveal_bidi_controls(nfc(text.replace("\r\n", "\n").replace("\r", "\n")))


# ---------------------------------------------------------------------------
# Typed access to one YAML mapping


@dataclass
class Record:
    """One YAML mapping being turned into a model record; collects its own problems."""

    node: YNode
    path: str
    label: str  # e.g. "claim 'troops-14000'", prefixed to every message
    problems: list[Problem]
    allowed: tuple[str, ...]
    used: set[str] = field(default_factory=set)

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.path, line, f"{self.label}: {message}" if self.label else message))

    @property
    def fields(self) -> dict[str, YNode]:
        return self.node.value if isinstance(self.node.value, dict) else {}

    def line_of(self, key: str) -> int:
        return self.node.key_lines.get(key, self.node.line)

    def lines(self) -> Mapping[str, int]:
        return MappingProxyType(dict(self.node.key_lines))

    def loc(self) -> Loc:
        return Loc(self.path, self.node.line)

    def check_keys(self) -> None:
        for key in self.fields:
            if key not in self.allowed:
                hint = difflib.get_close_matches(key, self.allowed, n=1, cutoff=0.6)
                suggestion = f" (did you mean '{hint[0]}'?)" if hint else f"; allowed: {', '.join(self.allowed)}"
                self.problem(self.line_of(key), f"unknown key '{key}'{suggestion}")

    def _get(self, key: str, required: bool) -> YNode | None:
        node = self.fields.get(key)
        if node is None or node.value is None or (isinstance(node.value, str) and not node.value.strip()):
            if required:
                if node is None:
                    self.problem(self.node.line, f"missing required key '{key}'")
                else:
                    self.problem(node.line, f"'{key}' must not be empty")
            return None
        return node

    def text(self, key: str, required: bool = False) -> str | None:
        node = self._get(key, required)
        if node is None:
            return None
        if node.kind in ("mapping", "list"):
            self.problem(node.line, f"'{key}' must be text, not a {node.kind}")
            return None
        return (node.raw if node.raw is not None else str(node.value)).strip()

    def texts(self, key: str) -> tuple[str, ...]:
        node = self._get(key, False)
        if node is None:
            return ()
        if not isinstance(node.value, list):
            self.problem(node.line, f"'{key}' must be a list of text")
            return ()
        out: list[str] = []
        for index, item in enumerate(node.value, 1):
            if item.kind in ("mapping", "list", "null"):
                self.problem(item.line, f"'{key}' item {index} must be text, not a {item.kind}")
            else:
                out.append((item.raw if item.raw is not None else str(item.value)).strip())
        return tuple(out)

    def choice(self, key: str, options: tuple[str, ...], required: bool = True) -> str | None:
        value = self.text(key, required)
        if value is not None and value not in options:
            hint = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
            suggestion = f"; did you mean '{hint[0]}'?" if hint else ""
            self.problem(self.line_of(key), f"'{key}' is '{value}', expected one of: {', '.join(options)}{suggestion}")
            return None
        return value

    def date(self, key: str, required: bool = False) -> PartialDate | None:
        value = self.text(key, required)
        if value is None:
            return None
        try:
            return parse_date(value)
        except ValueError as err:
            self.problem(self.line_of(key), f"'{key}': {err}")
            return None

    def figure(self, key: str) -> int | float | str | None:
        node = self._get(key, False)
        if node is None:
            return None
        if isinstance(node.value, bool) or node.kind in ("mapping", "list"):
            self.problem(node.line, f"'{key}' must be a number or text, not a {node.kind}")
            return None
        if isinstance(node.value, (int, float)):
            return node.value
        return str(node.value).strip()


def _each_record(root: YNode | None, path: str, what: str, problems: list[Problem]) -> Iterator[tuple[int, YNode]]:
    """The items of a top-level YAML list, complaining about anything that is not a mapping."""
    if root is None:
        return
    if root.value is None:
        return
    if not isinstance(root.value, list):
        problems.append(Problem(path, root.line, f"expected a list of {what}s, found a {root.kind}"))
        return
    for index, item in enumerate(root.value, 1):
        if not isinstance(item.value, dict):
            problems.append(
                Problem(path, item.line, f"{what} {index}: expected a mapping of keys, found a {item.kind}")
            )
            continue
        yield index, item


def _label(what: str, item: YNode, index: int) -> str:
    ident = item.value.get("id") if isinstance(item.value, dict) else None
    if ident is not None and ident.raw:
        return f"{what} '{ident.raw}'"
    return f"{what} {index}"


# ---------------------------------------------------------------------------
# The files


DOSSIER_KEYS = ("title", "summary", "default_language", "languages", "base_url", "curator", "updated", "boilerplate")
SOURCE_KEYS = ("id", "name", "kind", "url", "country", "language", "notes")
ARTICLE_KEYS = (
    "title", "source", "language", "story", "translation_of", "published", "captured", "capture",
    "url", "authors", "summary",
)  # fmt: skip
CLAIM_KEYS = ("id", "statement", "topic", "kind", "value", "unit", "date", "status", "note", "entities", "assertions")
ASSERTION_KEYS = ("article", "stance", "quote", "attributed_to", "value")
ENTITY_KEYS = ("id", "name", "kind", "role", "variants", "misspellings")

_EMPTY_DOSSIER_DATE = PartialDate(parse_date("1970").start)


def _load_dossier(root: YNode | None, path: str, problems: list[Problem]) -> Dossier | None:
    if root is None:
        return None
    if not isinstance(root.value, dict):
        problems.append(Problem(path, root.line, f"expected a mapping of keys, found a {root.kind}"))
        return None
    rec = Record(root, path, "", problems, DOSSIER_KEYS)
    rec.check_keys()
    languages: list[tuple[str, str]] = []
    lang_node = rec.fields.get("languages")
    if lang_node is None or lang_node.value is None:
        rec.problem(root.line, "missing required key 'languages'")
    elif not isinstance(lang_node.value, dict):
        rec.problem(lang_node.line, "'languages' must be a mapping of language code to name, e.g. en: English")
    else:
        for code, name in lang_node.value.items():
            if name.kind in ("mapping", "list", "null"):
                rec.problem(name.line, f"'languages': the name of '{code}' must be text")
            else:
                languages.append((code, (name.raw or str(name.value)).strip()))
    before = len(problems)
    values = {
        "title": rec.text("title", True),
        "summary": rec.text("summary", True),
        "default_language": rec.text("default_language", True),
        "base_url": rec.text("base_url", True),
        "curator": rec.text("curator", True),
        "updated": rec.date("updated", True),
    }
    boilerplate = rec.texts("boilerplate")
    if len(problems) > before or any(v is None for v in values.values()):
        return None
    return Dossier(rec.loc(), languages=tuple(languages), boilerplate=boilerplate, lines=rec.lines(), **values)


def _records(
    root: YNode | None, path: str, what: str, keys: tuple[str, ...], problems: list[Problem], ids: set[str]
) -> Iterator[tuple[Record, str | None, int]]:
    """Each record of a list file, its keys checked and its id registered (even if the record fails later)."""
    for index, item in _each_record(root, path, what, problems):
        rec = Record(item, path, _label(what, item, index), problems, keys)
        rec.check_keys()
        before = len(problems)
        ident = rec.text("id", True)
        if ident:
            ids.add(ident)
        yield rec, ident, before  # `before`: problems counted so far, to tell whether this record added any


def _load_sources(root: YNode | None, path: str, problems: list[Problem], ids: set[str]) -> list[Source]:
    out: list[Source] = []
    for rec, ident, before in _records(root, path, "source", SOURCE_KEYS, problems, ids):
        name = rec.text("name", True)
        kind = rec.choice("kind", SOURCE_KINDS)
        extra = {k: rec.text(k) for k in ("url", "country", "language", "notes")}
        if len(problems) == before and ident and name and kind:
            out.append(Source(rec.loc(), id=ident, name=name, kind=kind, lines=rec.lines(), **extra))  # type: ignore[arg-type]
    return out


def _load_assertions(rec: Record, problems: list[Problem]) -> tuple[Assertion, ...] | None:
    node = rec.fields.get("assertions")
    if node is None or node.value is None:
        rec.problem(rec.node.line, "missing required key 'assertions'")
        return None
    if not isinstance(node.value, list):
        rec.problem(node.line, f"'assertions' must be a list, found a {node.kind}")
        return None
    if not node.value:
        rec.problem(node.line, "has no assertions: list at least one article that makes the claim")
        return None
    out: list[Assertion] = []
    ok = True
    for index, item in enumerate(node.value, 1):
        label = f"{rec.label}: assertion {index}"
        if not isinstance(item.value, dict):
            problems.append(Problem(rec.path, item.line, f"{label}: expected a mapping of keys, found a {item.kind}"))
            ok = False
            continue
        sub = Record(item, rec.path, label, problems, ASSERTION_KEYS)
        sub.check_keys()
        before = len(problems)
        article = sub.text("article", True)
        stance = sub.choice("stance", STANCES)
        quote = sub.text("quote", True)
        attributed_to = sub.text("attributed_to")
        value = sub.figure("value")
        if len(problems) > before or not (article and stance and quote):
            ok = False
            continue
        out.append(
            Assertion(
                sub.loc(),
                article=article,
                stance=stance,
                quote=quote,  # type: ignore[arg-type]
                attributed_to=attributed_to,
                value=value,
                lines=sub.lines(),
            )
        )
    return tuple(out) if ok else None


def _load_claims(root: YNode | None, path: str, problems: list[Problem], ids: set[str]) -> list[Claim]:
    out: list[Claim] = []
    for rec, ident, before in _records(root, path, "claim", CLAIM_KEYS, problems, ids):
        values: dict[str, Any] = {
            "statement": rec.text("statement", True),
            "topic": rec.text("topic", True),
            "kind": rec.choice("kind", CLAIM_KINDS),
            "status": rec.choice("status", CLAIM_STATUSES),
            "value": rec.figure("value"),
            "unit": rec.text("unit"),
            "date": rec.date("date"),
            "note": rec.text("note"),
            "entities": rec.texts("entities"),
        }
        assertions = _load_assertions(rec, problems)
        required = ("statement", "topic", "kind", "status")
        if len(problems) == before and ident and assertions and all(values[k] for k in required):
            out.append(Claim(rec.loc(), id=ident, assertions=assertions, lines=rec.lines(), **values))
    return out


def _load_entities(root: YNode | None, path: str, problems: list[Problem], ids: set[str]) -> list[Entity]:
    out: list[Entity] = []
    for rec, ident, before in _records(root, path, "entity", ENTITY_KEYS, problems, ids):
        name = rec.text("name", True)
        kind = rec.choice("kind", ENTITY_KINDS)
        role = rec.text("role")
        variants, misspellings = rec.texts("variants"), rec.texts("misspellings")
        if len(problems) == before and ident and name and kind:
            out.append(
                Entity(
                    rec.loc(),
                    id=ident,
                    name=name,
                    kind=kind,
                    role=role,  # type: ignore[arg-type]
                    variants=variants,
                    misspellings=misspellings,
                    lines=rec.lines(),
                )
            )
    return out


def split_front_matter(text: str, path: str, problems: list[Problem]) -> tuple[str, str, int] | None:
    """(front matter YAML, body, body's first line) of an article file."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.append(Problem(path, 1, "missing front matter: an article starts with a '---' line, then YAML"))
        return None
    for index in range(1, len(lines)):
        if _FRONT_MATTER_END.match(lines[index]):
            return "\n".join(lines[1:index]), "\n".join(lines[index + 1 :]), index + 2
    problems.append(Problem(path, 1, "front matter not closed: add a '---' line after the YAML"))
    return None


def _load_article(article_id: str, text: str, path: str, problems: list[Problem]) -> Article | None:
    parts = split_front_matter(text, path, problems)
    if parts is None:
        return None
    yaml_text, body, body_line = parts
    root, yaml_problems = parse_yaml(yaml_text, path, line_offset=1)
    problems.extend(yaml_problems)
    if root is None:
        return None
    if not isinstance(root.value, dict):
        problems.append(Problem(path, root.line, f"front matter must be a mapping of keys, found a {root.kind}"))
        return None
    rec = Record(root, path, "", problems, ARTICLE_KEYS)
    rec.check_keys()
    before = len(problems)
    values: dict[str, Any] = {
        "title": rec.text("title", True),
        "source": rec.text("source", True),
        "language": rec.text("language", True),
        "story": rec.text("story") or article_id,
        "translation_of": rec.text("translation_of"),
        "published": rec.date("published"),
        "captured": rec.date("captured", True),
        "capture": rec.text("capture", True),
        "url": rec.text("url"),
        "authors": rec.texts("authors"),
        "summary": rec.text("summary"),
    }
    if len(problems) > before:
        return None
    return Article(Loc(path, 1), id=article_id, body=body, body_line=body_line, lines=rec.lines(), **values)


_ARTICLES: dict[tuple[str, str, str], tuple[Article | None, tuple[Problem, ...]]] = {}
_ARTICLES_MAX = 1 << 15


def _article(
    article_id: str, text: str, path: str, earlier: Parsed, used: Parsed
) -> tuple[Article | None, tuple[Problem, ...]]:
    """`_load_article`, kept by file text: the preview server reloads every article on every change."""
    key = (article_id, text, path)
    if key not in _ARTICLES:
        _keep_article(key, earlier.get("articles", {}).get(key) or _parsed_article(key))
    used.setdefault("articles", {})[key] = _ARTICLES[key]
    return _ARTICLES[key]


def _parsed_article(key: tuple[str, str, str]) -> tuple[Article | None, tuple[Problem, ...]]:
    problems: list[Problem] = []
    return _load_article(*key, problems), tuple(problems)


def _keep_article(key: tuple[str, str, str], entry: tuple[Article | None, tuple[Problem, ...]]) -> None:
    if len(_ARTICLES) >= _ARTICLES_MAX:
        _ARTICLES.clear()
    _ARTICLES[key] = entry


def load_article(root: Path, display_root: str | None, name: str) -> tuple[Article | None, tuple[Problem, ...]]:
    """The article in file `articles/<name>`, read as `load` reads it, with its problems."""
    reader = FileReader(root, display_root if display_root is not None else os.fspath(root))
    relative = f"articles/{name}"
    problems: list[Problem] = []
    text = reader.read(relative, problems)
    if text is None:
        return None, tuple(problems)
    article, found = _article(name[: -len(".md")], text, reader.display(relative), {}, {})
    return article, (*problems, *found)


def is_article_file(name: str) -> bool:
    # editors' swap and backup files are not content
    return name.endswith(".md") and not name.startswith((".", "#", "~"))


def _yaml_text(reader: FileReader, name: str, problems: list[Problem], required: bool) -> tuple[str | None, bool]:
    """(text, readable) of one of the top-level YAML files; a missing file that is not required is readable."""
    path = reader.root / name
    if not path.exists() and not path.is_symlink():
        if required:
            problems.append(Problem(reader.display(name), 0, "file missing"))
        return None, not required
    text = reader.read(name, problems)
    return text, text is not None


def _parse(reader: FileReader, name: str, text: str, problems: list[Problem]) -> tuple[YNode | None, bool]:
    root, yaml_problems = parse_yaml(text, reader.display(name))
    problems.extend(yaml_problems)
    return root, root is not None


def _read_yaml(reader: FileReader, name: str, problems: list[Problem], required: bool) -> tuple[YNode | None, bool]:
    """(root node, readable) for one of the top-level YAML files."""
    text, ok = _yaml_text(reader, name, problems, required)
    return (None, ok) if text is None else _parse(reader, name, text, problems)


FileRecords = tuple[list[Any], tuple[Problem, ...], frozenset[str], bool]  # records, problems, ids seen, readable
Loader = Callable[[YNode | None, str, list[Problem], set[str]], list[Any]]
_FILES: dict[tuple[str, str], tuple[str, FileRecords]] = {}  # (file, as shown) -> (its latest text, what it gave)


def _file_records(
    reader: FileReader, name: str, loader: Loader, node: YNode | None, problems: list[Problem], ok: bool
) -> FileRecords:
    ids: set[str] = set()
    return loader(node, reader.display(name), problems, ids), tuple(problems), frozenset(ids), ok


def _parse_task(reader: FileReader, loaders: Mapping[str, tuple[str, Loader]], task: tuple[str, Any]) -> Any:
    """What one file yields: an article ("article", (id, text, path)), or a YAML file of records (kind, text)."""
    kind, arg = task
    if kind == "article":
        return _parsed_article(arg)
    name, loader = loaders[kind]
    problems: list[Problem] = []
    node, ok = _parse(reader, name, arg, problems)
    return _file_records(reader, name, loader, node, problems, ok)


def load(root: Path, display_root: str | None = None, earlier: Parsed | None = None) -> Loaded:
    """Read the content folder. Never raises for bad content: problems are returned.

    `earlier`: what an earlier process made of each file (its `Loaded.parsed`, see store.py), reused for the
    files whose text is the same.
    """
    earlier = earlier or {}
    used: Parsed = {}
    shown = display_root if display_root is not None else os.fspath(root)
    reader = FileReader(root, shown)
    problems: list[Problem] = []
    known: dict[str, set[str]] = {"source": set(), "article": set(), "claim": set(), "entity": set()}
    broken: set[str] = set()
    if not root.is_dir():
        problems.append(Problem(shown, 0, "content folder not found"))
        empty = Dossier(Loc(shown, 0), "", "", "", (), "", "", _EMPTY_DOSSIER_DATE)
        return Loaded(Content(shown, empty, (), (), (), ()), tuple(problems), {}, frozenset(known) | {"dossier"})

    loaders: dict[str, tuple[str, Loader]] = {
        "source": ("sources.yaml", _load_sources),
        "claim": ("claims.yaml", _load_claims),
        "entity": ("entities.yaml", _load_entities),
    }
    dossier_node, ok = _read_yaml(reader, "dossier.yaml", problems, required=True)
    dossier = _load_dossier(dossier_node, reader.display("dossier.yaml"), problems) if ok else None
    if dossier is None:
        broken.add("dossier")
        dossier = Dossier(Loc(reader.display("dossier.yaml"), 1), "", "", "", (), "", "", _EMPTY_DOSSIER_DATE)
    # Every file is read here, then those read for the first time are parsed on every core, the YAML files
    # (the largest) first; the preview server (one process) keeps what each text gave (_FILES, _ARTICLES).
    files: dict[str, FileRecords] = {}
    file_keys: dict[str, tuple[str, str]] = {}  # kind -> its key in _FILES, for the files parsed below
    tasks: list[tuple[str, Any]] = []
    for kind, (name, loader) in loaders.items():
        read_problems: list[Problem] = []
        text, ok = _yaml_text(reader, name, read_problems, kind != "entity")
        if text is None:
            files[kind] = _file_records(reader, name, loader, None, read_problems, ok)
            continue
        key = (name, reader.display(name))
        kept = next((k for k in (_FILES.get(key), earlier.get("files", {}).get(key)) if k and k[0] == text), None)
        if kept is None:
            file_keys[kind] = key
            tasks.append((kind, text))
        else:
            _FILES[key] = used.setdefault("files", {})[key] = kept
            files[kind] = kept[1]
    articles_dir = root / "articles"
    names = sorted(n for n in os.listdir(articles_dir) if is_article_file(n)) if articles_dir.is_dir() else []
    read: list[tuple[tuple[str, str, str] | None, list[Problem]]] = []  # per article: (id, text, path), problems
    stored = earlier.get("articles", {})
    for name in names:
        article_id = name[: -len(".md")]
        known["article"].add(article_id)
        relative = f"articles/{name}"
        read_problems = []
        text = reader.read(relative, read_problems)
        key = None if text is None else (article_id, text, reader.display(relative))
        if key is not None and key not in _ARTICLES and key not in stored:
            tasks.append(("article", key))
        read.append((key, read_problems))
    for (kind, arg), result in zip(tasks, map_forked(partial(_parse_task, reader, loaders), tasks), strict=True):
        if kind == "article":
            _keep_article(arg, result)
        else:
            key = file_keys[kind]
            _FILES[key] = used.setdefault("files", {})[key] = (arg, result)
            files[kind] = result

    records: dict[str, list[Any]] = {}
    for kind in loaders:
        records[kind], found, ids, ok = files[kind]
        problems.extend(found)
        known[kind].update(ids)
        if not ok:
            broken.add(kind)
    articles: list[Article] = []
    for key, read_problems in read:
        problems.extend(read_problems)
        if key is None:
            continue
        article, found = _article(*key, earlier, used)
        problems.extend(found)
        if article is not None:
            articles.append(article)

    content = Content(
        shown, dossier, tuple(records["source"]), tuple(articles), tuple(records["claim"]), tuple(records["entity"])
    )
    return Loaded(content, tuple(problems), {k: frozenset(v) for k, v in known.items()}, frozenset(broken), used)
