"""Stage 6, index: Pagefind search bundles over the written site, per language, in shards.

Pagefind stems each language with its own rules, but a page searches only the index of
its own `<html lang>`. To search every language from one box while German is still
stemmed as German, each language gets its own bundles, built by the real Pagefind binary
over that language's pages alone (a glob naming them, in a configuration file: a command
line could not hold thousands of paths); the search page loads one bundle and merges the
others (`mergeIndex`).

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
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pagefind_bin

from . import cbor
from .errors import ContentError, Problem
from .write import INDEX_DIR, Indexer, atomic_write, largest_first

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


def _run_pagefind(site: Path, output: Path, pages: list[str], cancelled: Callable[[], bool] = _never) -> None:
    """Pagefind over the `pages` of `site` alone, into `output`."""
    with tempfile.TemporaryDirectory() as config, tempfile.TemporaryFile() as log:
        # Pagefind reads pagefind.json from its working folder; its options on the command line win.
        (Path(config) / "pagefind.json").write_text(json.dumps({"glob": page_glob(pages)}), encoding="utf-8")
        command = pagefind_command(site.resolve(), output.resolve())
        with subprocess.Popen(command, cwd=config, stdout=log, stderr=subprocess.STDOUT) as process:
            peak = wait_watching_memory(process, cancelled)
        log.seek(0)
        output_text = log.read().decode("utf-8", "replace")
    PAGEFIND_PEAK_RSS_KB[0] = max(PAGEFIND_PEAK_RSS_KB[0], peak)
    if process.returncode != 0:
        detail = output_text.strip().splitlines()[-1:] or ["no output"]
        raise ContentError([Problem(str(site), 0, f"Pagefind failed: {detail[0]}")])


_PLAIN_PATH = re.compile(r"[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*")


def page_glob(pages: list[str]) -> str:
    """A Pagefind glob matching exactly these page paths (made of slugs: nothing in them to escape)."""
    for path in pages:
        if not _PLAIN_PATH.fullmatch(path):
            raise ValueError(f"a page path a glob cannot name as it is: {path!r}")
    return "{" + ",".join(pages) + "}"


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


def _always(_bundle: str) -> bool:
    return True


def build_bundles(
    site: Path, pages: Mapping[str, str], ready: Callable[[str], bool] = _always, cancelled: Callable[[], bool] = _never
) -> None:
    """Index `pages` (output path -> bundle) of `site` into `site/pagefind/<bundle>/`, each bundle once
    `ready(bundle)` has returned True (see write.Indexer).

    Only the bundles named in `pages` are built; each replaces its old version, all of them only once
    every one has been built (none if `cancelled()` comes true, or `ready` returns False, first: Cancelled is raised).
    """
    by_bundle = _by_bundle(pages)
    scratch = site / ".dossier-index-tmp"  # inside the site: cleaned up with it if a build is killed
    shutil.rmtree(scratch, ignore_errors=True)

    def build(bundle: str) -> None:
        if not ready(bundle):
            raise Cancelled
        built = scratch / bundle
        _run_pagefind(site, built, by_bundle[bundle], cancelled)
        # Here, while the other thread's Pagefind still runs, rather than after every bundle is built.
        normalise_bundle(built)
        (built / _PAGES_FILE).write_text(_pages_digest(by_bundle[bundle]), encoding="ascii")

    try:
        with ThreadPoolExecutor(max_workers=min(2, len(by_bundle) or 1)) as pool:
            list(pool.map(build, largest_first(by_bundle)))
        for bundle in by_bundle:
            built = scratch / bundle
            target = site / INDEX_DIR / bundle
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                os.replace(target, scratch / f"retired-{bundle.replace('/', '-')}")
            os.replace(built, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


PAGEFIND = Indexer(build_bundles, is_current)

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
