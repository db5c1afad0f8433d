"""Stage 6, index: Pagefind search bundles over the written site, one per language.

Pagefind stems each language with its own rules, but a page searches only the index of
its own `<html lang>`. To search every language from one box while German is still
stemmed as German, each language gets its own bundle (`pagefind/<lang>/`), built by the
real Pagefind binary from a temporary tree of hard links to that language's pages; the
search page loads its own language's bundle and merges the others (`mergeIndex`).

A language's new bundle replaces its old one only once Pagefind has succeeded for it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import cbor
from .errors import ContentError, Problem
from .write import INDEX_DIR, link_or_copy


@dataclass(frozen=True)
class IndexReport:
    languages: tuple[str, ...]
    pages: int
    files: int
    bytes: int


def _run_pagefind(site: Path, output: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pagefind_bin", "--site", str(site), "--output-path", str(output), "--silent"],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise ContentError([Problem(str(site), 0, f"Pagefind failed: {detail[0]}")])


_MAGIC = b"pagefind_dcd"


def _read_pf(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(_MAGIC):
        raise ValueError(f"{path.name} is not a Pagefind data file")
    return cbor.decode(data[len(_MAGIC) :])


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


def build_bundles(site: Path, pages: Mapping[str, str]) -> None:
    """Index `pages` (output path -> language) of `site` into `site/pagefind/<lang>/`.

    Only the languages present in `pages` are rebuilt; each replaces its old bundle.
    """
    by_language: dict[str, list[str]] = {}
    for path, language in sorted(pages.items()):
        by_language.setdefault(language, []).append(path)
    scratch = site / ".dossier-index-tmp"  # inside the site: cleaned up with it if a build is killed
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        jobs = []
        for language, paths in by_language.items():
            tree = scratch / "pages" / language
            for path in paths:
                (tree / path).parent.mkdir(parents=True, exist_ok=True)
                link_or_copy(site / path, tree / path)
            jobs.append((tree, scratch / "bundles" / language))
        with ThreadPoolExecutor(max_workers=min(2, len(jobs) or 1)) as pool:
            list(pool.map(lambda job: _run_pagefind(*job), jobs))
        (site / INDEX_DIR).mkdir(exist_ok=True)
        for language, (_, bundle) in zip(by_language, jobs, strict=True):
            normalise_bundle(bundle)
            target = site / INDEX_DIR / language
            if target.exists():
                os.replace(target, scratch / f"retired-{language}")
            os.replace(bundle, target)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def report(out: Path, pages: Mapping[str, str]) -> IndexReport:
    files = [p for p in (out / INDEX_DIR).rglob("*") if p.is_file()]
    return IndexReport(tuple(sorted(set(pages.values()))), len(pages), len(files), sum(p.stat().st_size for p in files))
