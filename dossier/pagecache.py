"""Rendered pages by the key of everything they are rendered from, so that a page whose inputs did not change
is not rendered again.

`render_page` sees nothing but

- the page itself (path, template, title, language, kind, search data and its view context),
- the site globals,
- the Jinja templates its template extends, imports or includes.

So a page's key is a digest of those three, and a page is rendered again only when its key
changes; otherwise the bytes rendered last time are reused. This is correct by construction
(no hand-written dependency table to forget to update), and `tests/test_incremental.py`
checks it against clean builds over random edits.

Templates are read once per build into a snapshot that the Jinja environment loads from, so
the bytes a key was computed from are the bytes that were rendered (Jinja's own auto-reload
compares modification times, which two saves in one clock tick can share).
"""

from __future__ import annotations

import contextlib
import io
import pickle
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from .cache import parts_digest
from .render import TEMPLATES, Stored, environment, render_page
from .views import Page

ASSETS = "assets"  # under the templates folder: copied as files, not Jinja templates


def data_digest(value: Any) -> bytes | None:
    """A digest of plain data (dicts, lists, strings, Markup, numbers, dataclasses); None if not digestable.

    Pickle in "fast" mode has no memo, so the bytes depend on the values alone, not on which
    objects happen to be shared; the class of every object is part of them (Markup is not str,
    and renders differently). For objects that pickle their whole state — all that views make —
    equal digests therefore mean equal data; equal data may still differ in digest (a set's
    order), which costs a needless render, never a stale page.
    """
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True  # deprecated flag, still the only way to switch the memo off
    try:
        pickler.dump(value)
    except Exception:  # unpicklable or self-referential: the caller renders such a page every time
        return None
    return parts_digest([buffer.getvalue()])


def read_templates(templates: Path) -> dict[str, str]:
    """Every Jinja template under `templates/` (assets excluded), by its loader name."""
    sources: dict[str, str] = {}
    for path in sorted(templates.rglob("*")):
        relative = path.relative_to(templates)
        if relative.parts[0] == ASSETS or not path.is_file():
            continue
        try:
            sources[relative.as_posix()] = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # not loadable as a template; a page using it fails to render either way
    return sources


def referenced(env: jinja2.Environment, source: str) -> set[str] | None:
    """Templates one template extends, imports or includes; None when that cannot be known statically."""
    try:
        names = set(jinja2.meta.find_referenced_templates(env.parse(source)))
    except jinja2.TemplateSyntaxError:
        return None
    return None if None in names else {n for n in names if n is not None}


def template_closure(
    env: jinja2.Environment,
    sources: Mapping[str, str],
    name: str,
    uses_of: Callable[[jinja2.Environment, str], set[str] | None] = referenced,
) -> frozenset[str]:
    """`name` and everything it uses, transitively; all templates when anything is dynamic."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        if current not in sources:
            continue  # missing: rendering will say so
        uses = uses_of(env, sources[current])
        if uses is None:
            return frozenset(sources) | {name}
        todo.extend(uses - seen)
    return frozenset(seen)


class PageCache:
    """Rendered pages by output path, each with the key of the inputs it was rendered from.

    Call `begin()` before a build, pass `draw` to the renderer, then `commit()` after a
    successful build (forgets pages that no longer exist). `stored`: pages an earlier process
    rendered (store.py), reused by the first build when their key is the same; a one-off build
    whose pages are stored for the next process calls `drawn` instead of `draw`.

    One Jinja environment lives as long as the cache; it loads from the snapshot taken by
    `begin()`, and a compiled template counts as up to date while its source in the snapshot is
    the one it was compiled from, so a template edit recompiles that template alone.
    """

    def __init__(self, templates: Path = TEMPLATES, stored: Mapping[str, Stored] | None = None) -> None:
        self.templates = templates
        self.stored = stored or {}  # output path -> a page of an earlier process (see store.py)
        self._sources: dict[str, str] | None = None
        self._env: jinja2.Environment | None = None
        self._closures: dict[str, bytes] = {}  # template name -> digest of its closure's sources
        self._uses: dict[str, set[str] | None] = {}  # template source -> the templates it names
        self._pages: dict[str, tuple[bytes, bytes]] = {}  # output path -> (key, html)
        self._site: tuple[object, bytes | None] = (None, None)  # (the site globals, their digest)
        self.seen: set[str] = set()
        self.rendered: list[str] = []  # output paths rendered (not reused) since begin()

    def begin(self) -> None:
        sources = read_templates(self.templates)
        if self._env is None:
            self._env = self._environment()
        if sources != self._sources:
            self._sources = sources
            self._closures = {}
            self._uses = {source: self._uses[source] for source in sources.values() if source in self._uses}
        self._site = (None, None)
        self.seen = set()
        self.rendered = []

    def warm(self) -> None:
        """Work out what every template uses, and compile it, before workers are forked, rather than in each."""
        assert self._env is not None
        for name in self._sources or {}:
            self._closure_digest(name)
            with contextlib.suppress(jinja2.TemplateError):  # a page using it reports the error when drawn
                self._env.get_template(name)

    def commit(self, pages: Iterable[str] = ()) -> None:
        """Forget the pages not seen since begin() and not among `pages` (those of the site, reused whole)."""
        keep = self.seen.union(pages)
        self._pages = {path: entry for path, entry in self._pages.items() if path in keep}
        self.stored = {}  # a session's first build has made its own of them

    def _environment(self) -> jinja2.Environment:
        # The same settings as the build's environment (render.environment), loading from the snapshot.
        env = environment.__wrapped__(self.templates)

        def load(name: str) -> tuple[str, str, Callable[[], bool]] | None:
            sources = self._sources or {}
            if name not in sources:
                return None
            source = sources[name]
            return source, str(self.templates / name), lambda: (self._sources or {}).get(name) == source

        env.loader = jinja2.FunctionLoader(load)
        return env

    def _uses_of(self, env: jinja2.Environment, source: str) -> set[str] | None:
        if source not in self._uses:
            self._uses[source] = referenced(env, source)
        return self._uses[source]

    def _closure_digest(self, name: str) -> bytes:
        if name not in self._closures:
            assert self._env is not None and self._sources is not None
            names = sorted(template_closure(self._env, self._sources, name, self._uses_of))
            parts = [f"{n}\0{self._sources.get(n, '<missing>')}".encode() for n in names]
            self._closures[name] = parts_digest(parts)
        return self._closures[name]

    def _site_digest(self, site: Mapping[str, Any]) -> bytes | None:
        # The renderer passes one site mapping to every page of a build: digest it once.
        if self._site[0] is not site:
            self._site = (site, data_digest(dict(site)))
        return self._site[1]

    def key(self, page: Page, site: Mapping[str, Any], extra: tuple[Any, ...] = ()) -> bytes | None:
        """The digest of everything `render_page` reads for this page; None: cannot tell, render it."""
        page_digest = data_digest((page, extra))
        site_digest = self._site_digest(site)
        if page_digest is None or site_digest is None:
            return None
        return parts_digest([page_digest, site_digest, self._closure_digest(page.template)])

    def draw(self, page: Page, site: Mapping[str, Any], *extra: Any) -> bytes:
        """Render `page`, or return the bytes rendered last time from the same inputs.

        `extra` are render_page's further arguments (its head metadata): part of the key, passed on.
        """
        if self._env is None:
            self.begin()
        assert self._env is not None
        self.seen.add(page.path)
        key = self.key(page, site, extra)
        cached = self._pages.get(page.path)
        if key is not None and cached is not None and cached[0] == key:
            return cached[1]
        stored = self._stored(page.path, key)
        if stored is not None:
            html = stored[1]
        else:
            html = render_page(self._env, page, site, *extra)
            self.rendered.append(page.path)
        if key is not None:
            self._pages[page.path] = (key, html)
        return html

    def drawn(self, page: Page, site: Mapping[str, Any], *extra: Any) -> tuple[bytes, Stored | None]:
        """For a build that keeps its pages for the next process: `draw`, also reusing the stored pages,
        and what to store of this one (None: it has no key)."""
        if self._env is None:
            self.begin()
        assert self._env is not None
        key = self.key(page, site, extra)
        stored = self._stored(page.path, key)
        if stored is not None:
            return stored[1], stored
        html = render_page(self._env, page, site, *extra)
        self.rendered.append(page.path)
        return html, None if key is None else (key, html)

    def _stored(self, path: str, key: bytes | None) -> Stored | None:
        """The stored page at `path` if it was rendered from the inputs `key` stands for."""
        stored = self.stored.get(path)
        return stored if key is not None and stored is not None and stored[0] == key else None
