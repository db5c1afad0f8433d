"""Stage 6, index: Pagefind search bundles over the site's pages, per language, in shards.

Pagefind stems each language with its own rules, but a page searches only the index of
its own `<html lang>`. To search every language from one box while German is still
stemmed as German, each language gets its own bundles, built by the real Pagefind binary
over that language's pages alone; the search page loads one bundle and merges the others
(`mergeIndex`).

Pagefind reads each page's searchable part alone (`searchable_part`), from a folder in memory:
it parses nothing it would skip, and a build can index its pages before they are written.

Pagefind cannot update an index in place, and indexing takes time in proportion to the
pages. So a language with many pages is split into shards of about SHARD_PAGES pages
(`pagefind/<lang>/<n>/`, a page's shard fixed by a hash of its path): an edited page costs
the re-indexing of its shard alone. Each shard a reader's search loads costs a few small
requests (the bundle's entry, metadata and WebAssembly), so shards are kept large.
`pagefind/shards.json` tells the search page how many shards each language has.

A bundle replaces its old version only once Pagefind has succeeded for it.

In a preview session even one shard takes seconds to re-index at thousands of pages, so an edit is
made searchable first by a small bundle of its own (see LiveIndex), and its shard rebuilt afterwards.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pagefind_bin

from . import cbor
from .errors import ContentError, Problem
from .write import INDEX_DIR, Indexer, atomic_write

SHARD_PAGES = 2000  # pages per shard, at most (about): Pagefind indexes that many in about two seconds here
MANIFEST = f"{INDEX_DIR}/shards.json"
_PAGES_FILE = ".dossier-pages"  # in each bundle: a digest of the pages it was built over


PAGEFIND_PEAK_RSS_KB = [0]  # the largest Pagefind process of this process's builds so far (for `dossier bench`)


def _peak_rss_kb(pid: int) -> int:
    """A running process's peak resident memory so far (0 where /proc cannot tell).

    Not its rusage: Linux carries a parent's peak into a forked child's ru_maxrss, across exec too.
    """
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii", errors="replace")
    except OSError:
        return 0
    return next((int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")), 0)


class Cancelled(Exception):
    """Indexing was stopped because its result was no longer wanted (the preview has a newer edit)."""


def _never() -> bool:
    return False


def wait_watching_memory(process: subprocess.Popen[bytes], cancelled: Callable[[], bool] = _never) -> int:
    """Wait for `process` to end; its peak resident memory in KB. Kills it and raises Cancelled once `cancelled()`."""
    peak = 0
    while process.poll() is None:
        if cancelled():
            process.kill()
            process.wait()
            raise Cancelled
        peak = max(peak, _peak_rss_kb(process.pid))
        time.sleep(0.05)
    return peak


def pagefind_command(site: Path, output: Path) -> list[str]:
    """The Pagefind CLI indexing `site` into `output`."""
    return [pagefind_bin.get_executable(), "--site", str(site), "--output-path", str(output), "--silent"]


_TAG = re.compile(rb"<(/?)([a-z][a-z0-9]*)((?:\s+[a-z][a-z0-9:-]*(?:=\"[^\"]*\")?)*)\s*/?>")
_VOID = frozenset(b"area base br col embed hr img input link meta source track wbr".split())
_VALUE = re.compile(rb'="[^"]*"')
_HTML = re.compile(rb"<html[^>]*>")
_META = re.compile(rb"<meta\s[^>]*>")  # escaped content holds no ">"
_TITLE = re.compile(rb"<title>[^<]*</title>")


def _tags_with(html: bytes, attribute: bytes, start: int, end: int) -> Iterator[re.Match[bytes]]:
    """The start tags between `start` and `end` that carry `attribute` (not text or a value that mentions it)."""
    at = html.find(attribute, start, end)
    while at >= 0:
        tag = _TAG.match(html, html.rfind(b"<", start, at))
        if tag and tag.end() > at and not tag.group(1):
            names = _VALUE.sub(b" ", tag.group(3)).split()
            if attribute in names:
                yield tag
        at = html.find(attribute, at + len(attribute), end)


def _element_end(html: bytes, start: re.Match[bytes]) -> int:
    """Where the element opened by the tag `start` ends (-1 if it is never closed)."""
    name = start.group(2)
    if name in _VOID:
        return start.end()
    opening, closing = (b"<" + name + b" ", b"<" + name + b">"), b"</" + name + b">"
    at, depth = start.end(), 1
    while depth:
        end = html.find(closing, at)
        if end < 0:
            return -1
        depth += sum(html.count(tag, at, end) for tag in opening) - 1
        at = end + len(closing)
    return at


_READ_IN_IGNORED = (b"data-pagefind-filter", b"data-pagefind-meta", b"data-pagefind-sort")


def searchable_part(html: bytes) -> bytes:
    """What Pagefind reads of a page Dossier made: its language, title, the `data-pagefind-meta`, `-filter` and
    `-sort` tags of its head, and its `data-pagefind-body` element without the elements marked
    `data-pagefind-ignore`. Pagefind indexes this exactly as it indexes the whole page (tests/test_index.py),
    for less work. A page of another shape is returned whole: one whose body is not a single element, or
    with Pagefind's attributes elsewhere than on the head's meta tags and in that element.
    """
    head_end = html.find(b"</head>")
    body = next(_tags_with(html, b"data-pagefind-body", max(head_end, 0), len(html)), None)
    language = _HTML.search(html)
    if head_end < 0 or body is None or language is None or (body_end := _element_end(html, body)) < 0:
        return html
    # A value that mentions such an attribute only adds a tag Pagefind reads nothing from.
    metas = [tag for tag in _META.findall(html, 0, head_end) if b" data-pagefind-" in tag]
    elsewhere = html.count(b"data-pagefind-", 0, body.start()) - sum(tag.count(b"data-pagefind-") for tag in metas)
    if elsewhere or html.find(b"data-pagefind-", body_end) >= 0:
        return html
    title = _TITLE.search(html, 0, head_end)
    kept = [b"<!DOCTYPE html>\n", language.group(0), b'<head><meta charset="utf-8">', title.group(0) if title else b""]
    kept += [*metas, b"</head><body>"]
    at = body.start()
    for tag in _tags_with(html, b"data-pagefind-ignore", body.end(), body_end):
        if tag.start() < at:
            continue  # inside an element already left out
        end = _element_end(html, tag)
        if end < 0:
            return html
        if any(html.find(attribute, tag.end(), end) >= 0 for attribute in _READ_IN_IGNORED):
            continue  # Pagefind still reads filters, metadata and sort keys there (unless "all"): kept whole
        kept.append(html[at : tag.start()])
        at = end
    kept += [html[at:body_end], b"</body></html>\n"]
    return b"".join(kept)


# Where the searchable parts are written for Pagefind to read: in memory (tmpfs) where the machine has it.
PARTS_ROOT = Path("/dev/shm" if os.access("/dev/shm", os.W_OK) else tempfile.gettempdir())
PARTS_PREFIX = "dossier-parts-"  # then the process id


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's
    return True


def parts_folder() -> tempfile.TemporaryDirectory[str]:
    """A new folder for searchable parts, removed when its `with` ends (see remove_orphan_parts)."""
    return tempfile.TemporaryDirectory(dir=PARTS_ROOT, prefix=f"{PARTS_PREFIX}{os.getpid()}-")


def remove_orphan_parts() -> None:
    """Remove the folders of searchable parts that killed processes left behind, in memory: each is named
    after its process, and only those of processes that no longer run are removed."""
    for folder in PARTS_ROOT.glob(f"{PARTS_PREFIX}*-*"):
        pid = folder.name.removeprefix(PARTS_PREFIX).split("-")[0]
        if pid.isdigit() and not _alive(int(pid)) and folder.is_dir() and not folder.is_symlink():
            shutil.rmtree(folder, ignore_errors=True)


def _flat(path: str) -> str:
    return path.replace("%", "%25").replace("/", "%2F")


def put_part(parts: Path, path: str, part: bytes) -> None:
    """Write a page's searchable part into the folder `parts`, named after its output path (see _laid_out)."""
    (parts / _flat(path)).write_bytes(part)


def put_parts(parts: Path, paths: Iterable[str], html: Callable[[str], bytes]) -> None:
    """The searchable parts of the pages at `paths`, each page's HTML given by `html`."""
    for path in paths:
        put_part(parts, path, searchable_part(html(path)))


def _laid_out(parts: Path, bundle: str, paths: Iterable[str]) -> Path:
    """The parts of a bundle's pages, moved from `parts` into a folder of their own laid out as the site.

    Pagefind numbers pages in the order it finds them in their folders, and a folder in memory lists its files
    in the order they were made: laid out in path order, the same pages give the same bundle whichever order
    they were drawn in.
    """
    site = os.path.join(parts, f"bundle-{bundle.replace('/', '-')}")
    made = set()  # strings and os calls: thousands of pages, a few microseconds each
    for path in sorted(paths):
        target = os.path.join(site, path)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        os.rename(os.path.join(parts, _flat(path)), target)
    return Path(site)


def _run_pagefind(site: Path, output: Path, cancelled: Callable[[], bool] = _never) -> None:
    """Pagefind over the pages in `site`, into `output`."""
    with tempfile.TemporaryFile() as log:
        # In the folder above: Pagefind reads a configuration file in its working folder, and none is there.
        command = pagefind_command(site.resolve(), output.resolve())
        with subprocess.Popen(command, cwd=site.parent, stdout=log, stderr=subprocess.STDOUT) as process:
            peak = wait_watching_memory(process, cancelled)
        log.seek(0)
        output_text = log.read().decode("utf-8", "replace")
    PAGEFIND_PEAK_RSS_KB[0] = max(PAGEFIND_PEAK_RSS_KB[0], peak)
    if process.returncode != 0:
        detail = output_text.strip().splitlines()[-1:] or ["no output"]
        raise ContentError([Problem(str(output), 0, f"Pagefind failed: {detail[0]}")])


_MAGIC = b"pagefind_dcd"


def _payload(path: Path) -> bytes:
    """A Pagefind data file's content: gzip, the magic, then CBOR (metadata, filters) or JSON (fragments)."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise ValueError(f"{path.name} is not a Pagefind data file")
    return data[len(_MAGIC) :]


def _read_pf(path: Path) -> Any:
    return cbor.decode(_payload(path))


def _write_pf(folder: Path, prefix: str, digits: int, suffix: str, value: Any) -> str:
    """Write a Pagefind data file named by a hash of its content; return that name's hash part."""
    data = _MAGIC + cbor.encode(value)
    name = f"{prefix}{hashlib.sha256(data).hexdigest()[:digits]}"
    (folder / f"{name}{suffix}").write_bytes(gzip.compress(data, mtime=0))
    return name


def normalise_bundle(bundle: Path) -> None:
    """Make a Pagefind bundle byte-for-byte reproducible.

    Pagefind 1.5 writes filter values and the list of filters in hash-map order, which
    changes from run to run. Sort both, re-encode, and rename the files after a hash of
    their new content (names are how the browser finds them; nothing checks the hash).
    """
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = _read_pf(meta_path)
        version, pages, chunks, filters, sorts, *rest = meta
        renamed = []
        for name, file_hash in sorted(filters):
            path = bundle / "filter" / f"{file_hash}.pf_filter"
            key, values = _read_pf(path)
            path.unlink()
            renamed.append([name, _write_pf(path.parent, f"{language}_", 7, ".pf_filter", [key, sorted(values)])])
        meta = [version, pages, chunks, renamed, sorted(sorts), *rest]
        meta_path.unlink()
        info["hash"] = _write_pf(bundle, f"pagefind.{language}_", 10, ".pf_meta", meta).removeprefix("pagefind.")
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def assign(searchable: Mapping[str, str]) -> dict[str, str]:
    """Page path -> its bundle ("en/2"), for pages given as path -> language."""
    count: dict[str, int] = {}
    for language in searchable.values():
        count[language] = count.get(language, 0) + 1
    shards = {language: -(-n // SHARD_PAGES) for language, n in count.items()}
    return {
        path: f"{language}/{zlib.crc32(path.encode()) % shards[language] + 1}" for path, language in searchable.items()
    }


def manifest(bundles: Mapping[str, str], fresh: Iterable[str] = (), stale: Iterable[str] = ()) -> bytes:
    """shards.json: the number of shards of each language; in a preview, the languages with a fresh
    bundle and the result ids of outdated pages that the search page must drop (see LiveIndex)."""
    shards: dict[str, int] = {}
    for bundle in set(bundles.values()):
        language, number = bundle.rsplit("/", 1)
        shards[language] = max(shards.get(language, 0), int(number))
    data: dict[str, Any] = {"shards": dict(sorted(shards.items()))}
    if fresh:
        data.update(fresh=sorted(fresh), stale=sorted(stale))
    return json.dumps(data, separators=(",", ":")).encode()


def _pages_digest(paths: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(paths)).encode()).hexdigest()


def is_current(bundle: Path, paths: list[str]) -> bool:
    try:
        return (bundle / _PAGES_FILE).read_text(encoding="ascii") == _pages_digest(paths)
    except OSError:
        return False


def _largest_first(pages_of: Mapping[str, list[str]]) -> list[str]:
    """The order bundles are indexed in: no indexing thread is left alone with the largest at the end."""
    return sorted(pages_of, key=lambda bundle: (-len(pages_of[bundle]), bundle))


def build_bundles(
    site: Path, pages: Mapping[str, str], parts: Path | None = None, cancelled: Callable[[], bool] = _never
) -> None:
    """Index `pages` (output path -> bundle) into `site/pagefind/<bundle>/`, from the folder `parts` holding
    their searchable parts (see put_part) or, without it, from the pages in `site`.

    Only the bundles named in `pages` are built; each replaces its old version, all of them only once
    every one has been built (none if `cancelled()` comes true first: Cancelled is raised).
    """
    by_bundle = _by_bundle(pages)
    scratch = site / ".dossier-index-tmp"  # inside the site: cleaned up with it if a build is killed
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        with parts_folder() if parts is None else contextlib.nullcontext(str(parts)) as folder:
            if parts is None:
                put_parts(Path(folder), pages, lambda path: (site / path).read_bytes())

            def build(bundle: str) -> None:
                built, pages_in = scratch / bundle, _laid_out(Path(folder), bundle, by_bundle[bundle])
                _run_pagefind(pages_in, built, cancelled)
                # Here, while the other thread's Pagefind still runs, rather than after every bundle is built
                # (thousands of files: 0.4 s of one core at 10,000 articles).
                shutil.rmtree(pages_in)
                normalise_bundle(built)
                (built / _PAGES_FILE).write_text(_pages_digest(by_bundle[bundle]), encoding="ascii")

            with ThreadPoolExecutor(max_workers=min(2, len(by_bundle) or 1)) as pool:
                list(pool.map(build, _largest_first(by_bundle)))
        for bundle in by_bundle:
            built = scratch / bundle
            target = site / INDEX_DIR / bundle
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                os.replace(target, scratch / f"retired-{bundle.replace('/', '-')}")
            os.replace(built, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def indexer(parts: Path, before: Callable[[], None] = lambda: None) -> Indexer:
    """The index stage for write.publish, over the searchable parts in `parts` (see put_part): publish indexes
    while it writes, so the indexer must not read the pages it writes. `before()` runs as indexing starts."""

    def build(site: Path, pages: Mapping[str, str], cancelled: Callable[[], bool]) -> None:
        before()
        build_bundles(site, pages, parts, cancelled)

    return Indexer(build, is_current)


FRESH = "fresh"  # pagefind/<language>/fresh/: a preview's bundle of the pages edited since their shard was built
OVERLAY_PAGES = SHARD_PAGES // 4  # beyond this, a fresh bundle costs about what rebuilding the shards does


def page_url(path: str) -> str:
    """The URL Pagefind gives a page at output path `path`."""
    return "/" + path.removesuffix("index.html")


def result_ids(bundle: Path) -> dict[str, str]:
    """Page URL -> the id Pagefind's search results give that page, for one bundle on disk."""
    ids = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        ids[json.loads(_payload(fragment))["url"]] = fragment.name.removesuffix(".pf_fragment")
    return ids


def _by_bundle(pages: Mapping[str, str]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for path, bundle in sorted(pages.items()):
        grouped.setdefault(bundle, []).append(path)
    return grouped


class LiveIndex:
    """The search index of a preview session: an edit searchable within a moment, its shard rebuilt later.

    Re-indexing a shard takes seconds at thousands of pages. So after an edit, the pages edited since their
    shard was built are indexed alone, into one small bundle per language (`pagefind/<lang>/fresh/`) that
    the search page merges like a shard, and shards.json lists the result ids of those pages' outdated
    versions, which the search page drops. `settle()` then rebuilds the outdated shards and retires the
    fresh bundles; the preview server calls it when no edit is waiting, and a new edit cancels it.

    A shard's stamp (the digest of its pages) is removed before any of its pages is replaced
    (`before_write`), so whatever builds into the folder next — this session, or a `dossier build` after
    the preview was stopped before settling — sees the shard as outdated and rebuilds it.
    """

    def __init__(self, site: Path, bundles: Mapping[str, str]) -> None:
        self.site = site
        self.bundles = dict(bundles)  # page path -> shard, as last written
        self.outdated: dict[str, str] = {}  # page edited, added or removed -> the shard indexing its old version ("")
        self._ids: dict[str, dict[str, str]] = {}  # shard -> result_ids of it as built

    def before_write(self, bundles: Mapping[str, str], touched: Iterable[str]) -> None:
        """Mark outdated the shards indexing pages about to be replaced or removed, before they are."""
        for path in touched:
            for shard in {self.bundles.get(path), bundles.get(path)} - {None}:
                (self.site / INDEX_DIR / str(shard) / _PAGES_FILE).unlink(missing_ok=True)

    def refresh(self, bundles: Mapping[str, str], touched: Iterable[str]) -> None:
        """Once the touched pages are written: make search answer with their new versions."""
        moved = any(self.bundles.get(path, shard) != shard for path, shard in bundles.items())
        for path in touched:
            if path in bundles or path in self.bundles:
                self.outdated.setdefault(path, self.bundles.get(path, ""))
        self.bundles = dict(bundles)
        missing = any(not (self.site / INDEX_DIR / shard / "pagefind.js").is_file() for shard in set(bundles.values()))
        if moved or missing or len(self.outdated) > OVERLAY_PAGES:
            self.settle()  # the shards changed shape or a language is new, or a fresh bundle would cost as much
            return
        fresh = {path: f"{bundles[path].split('/')[0]}/{FRESH}" for path in self.outdated if path in bundles}
        for folder in self._fresh_folders():
            if f"{folder.parent.name}/{FRESH}" not in fresh.values():
                shutil.rmtree(folder)
        if fresh:
            build_bundles(self.site, fresh)
        fresh_ids = {i for bundle in set(fresh.values()) for i in result_ids(self.site / INDEX_DIR / bundle).values()}
        stale = set()
        for path, shard in self.outdated.items():
            old = self._shard_ids(shard).get(page_url(path)) if shard else None
            if old and old not in fresh_ids:  # an unchanged fragment keeps its id: it is the new version too
                stale.add(old)
        languages = {bundle.split("/")[0] for bundle in fresh.values()}
        atomic_write(self.site / MANIFEST, manifest(bundles, languages, stale))

    def settle(self, cancelled: Callable[[], bool] = _never) -> bool:
        """Rebuild every outdated shard and retire the fresh bundles; False when cancelled (nothing changed)."""
        pages_of = _by_bundle(self.bundles)
        stale = {shard for shard, paths in pages_of.items() if not is_current(self.site / INDEX_DIR / shard, paths)}
        if not stale and not self.outdated:
            return True  # as settled as it gets (a build that changed no searchable page)
        if stale:
            try:
                build_bundles(self.site, {p: s for p, s in self.bundles.items() if s in stale}, cancelled=cancelled)
            except Cancelled:
                return False
        for shard in stale:  # read now, while idle, for the next edit's overlay
            self._ids[shard] = result_ids(self.site / INDEX_DIR / shard)
        atomic_write(self.site / MANIFEST, manifest(self.bundles))
        for entry in self.site.glob(f"{INDEX_DIR}/*/*/pagefind.js"):  # fresh bundles, and shards no longer used
            if entry.parent.relative_to(self.site / INDEX_DIR).as_posix() not in pages_of:
                shutil.rmtree(entry.parent, ignore_errors=True)
        self.outdated = {}
        return True

    def _fresh_folders(self) -> list[Path]:
        return [p for p in self.site.glob(f"{INDEX_DIR}/*/{FRESH}") if p.is_dir()]

    def _shard_ids(self, shard: str) -> dict[str, str]:
        if shard not in self._ids:
            self._ids[shard] = result_ids(self.site / INDEX_DIR / shard)
        return self._ids[shard]
