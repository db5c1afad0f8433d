"""The index stage: Pagefind bundles over exactly the pages named for them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from dossier.index import (
    INDEX_DIR,
    PARTS_PREFIX,
    PARTS_ROOT,
    build_bundles,
    normalise_bundle,
    pagefind_command,
    parts_folder,
    remove_orphan_parts,
    result_ids,
    searchable_part,
)


def searchable_page(lang: str, word: str) -> bytes:
    """A page Pagefind indexes, in `lang`, about `word`."""
    return (f'<!DOCTYPE html><html lang="{lang}"><head><title>{word}</title></head>'
            f"<body><main data-pagefind-body><h1>{word}</h1><p>{word} text</p></main></body></html>").encode()


def _page(folder: Path, path: str, lang: str, word: str) -> None:
    (folder / path).parent.mkdir(parents=True, exist_ok=True)
    (folder / path).write_bytes(searchable_page(lang, word))


def test_each_bundle_indexes_exactly_its_pages(tmp_path: Path) -> None:
    for path, lang, word in [("stories/a/index.html", "en", "alpha"), ("stories/b/index.html", "de", "beta"),
                             ("stories/c/index.html", "en", "gamma"), ("about/index.html", "en", "delta")]:
        _page(tmp_path, path, lang, word)
    bundles = {"stories/a/index.html": "en/1", "about/index.html": "en/1", "stories/b/index.html": "de/1"}
    build_bundles(tmp_path, bundles)
    assert set(result_ids(tmp_path / INDEX_DIR / "en" / "1")) == {"/stories/a/", "/about/"}
    assert set(result_ids(tmp_path / INDEX_DIR / "de" / "1")) == {"/stories/b/"}
    assert not (tmp_path / ".dossier-index-tmp").exists()


def _head(lang: str = "en") -> bytes:
    return (f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n<title>T - Site</title>\n'
            '<link rel="stylesheet" href="/s.css">\n'
            '<meta name="dossier:type" data-pagefind-meta="type[content]" content="Story">\n'
            '<meta name="description" content="mentions data-pagefind-meta, not a tag">\n'
            '<meta name="f" data-pagefind-filter="source[content]" content="Outlet">\n</head>\n').encode()


def test_the_searchable_part_keeps_what_pagefind_reads_and_leaves_out_what_it_skips() -> None:
    page = _head("de") + (
        b'<body><header><nav><a href="/">Home</a></nav></header>\n'
        b'<main id="main" data-pagefind-body><h1>Titel</h1>'
        b'<p class="kicker" data-pagefind-ignore>Outlet</p>'
        b"<section data-pagefind-ignore><section>inner</section> after inner</section>"
        b'<p title="x data-pagefind-ignore y">kept text</p><img src="a.png" alt="">'
        b"<aside data-pagefind-ignore>aside</aside>tail</main>\n<footer>Footer</footer></body></html>\n"
    )
    part = searchable_part(page)
    assert part == (
        b'<!DOCTYPE html>\n<html lang="de"><head><meta charset="utf-8"><title>T - Site</title>'
        b'<meta name="dossier:type" data-pagefind-meta="type[content]" content="Story">'
        # kept, harmless: Pagefind reads nothing from a tag whose value only mentions its attributes
        b'<meta name="description" content="mentions data-pagefind-meta, not a tag">'
        b'<meta name="f" data-pagefind-filter="source[content]" content="Outlet"></head><body>'
        b'<main id="main" data-pagefind-body><h1>Titel</h1>'
        b'<p title="x data-pagefind-ignore y">kept text</p><img src="a.png" alt="">'
        b"tail</main></body></html>\n"
    )


@pytest.mark.parametrize("body", [
    b"<body><main><p>no body marked</p></main></body></html>",
    b"<body><main data-pagefind-body><p>never closed</p></body></html>",
    b"<body><main data-pagefind-body><div data-pagefind-ignore>open</main></body></html>",
    b"<body><main data-pagefind-body>one</main><div data-pagefind-body>two</div></body></html>",
    b'<body><nav data-pagefind-meta="x:y"></nav><main data-pagefind-body>t</main></body></html>',
    b'<body><main data-pagefind-body>t</main><footer data-pagefind-filter="a:b"></footer></body></html>',
])
def test_a_page_of_another_shape_is_given_to_pagefind_whole(body: bytes) -> None:
    assert searchable_part(_head() + body) == _head() + body


def test_an_ignored_element_pagefind_still_reads_filters_in_is_kept() -> None:
    body = (b'<body><main data-pagefind-body><p>text</p><aside data-pagefind-ignore>skipped</aside>'
            b'<div data-pagefind-ignore><span data-pagefind-filter="topic">Budget</span> read</div>'
            b"</main></body></html>")
    part = searchable_part(_head() + body)
    assert b"skipped" not in part and b'<div data-pagefind-ignore><span data-pagefind-filter="topic">Budget' in part


def _pagefind_files(site: Path, pages: dict[str, bytes], output: Path) -> dict[str, object]:
    """Pagefind's bundle over `pages` written into `site` (in path order, as a build writes them)."""
    for path in sorted(pages):
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(pages[path])
    subprocess.run(pagefind_command(site, output), check=True, cwd=site)
    normalise_bundle(output)
    files: dict[str, object] = {p.relative_to(output).as_posix(): p.read_bytes() for p in output.rglob("*")
                                if p.is_file()}
    # The languages of one bundle are listed in hash-map order (a build's bundles hold one language each).
    files["pagefind-entry.json"] = json.loads(files["pagefind-entry.json"])  # type: ignore[arg-type]
    return files


def test_pagefind_indexes_the_searchable_parts_exactly_as_the_whole_pages(kursk_site: Path, tmp_path: Path) -> None:
    pages = {p.relative_to(kursk_site).as_posix(): p.read_bytes() for p in kursk_site.rglob("*.html")
             if INDEX_DIR not in p.relative_to(kursk_site).parts and b"data-pagefind-body" in p.read_bytes()}
    assert len(pages) > 20 and any(b"data-pagefind-ignore" in html for html in pages.values())
    parts = {path: searchable_part(html) for path, html in pages.items()}
    assert sum(map(len, parts.values())) < 0.8 * sum(map(len, pages.values()))
    whole = _pagefind_files(tmp_path / "whole", pages, tmp_path / "whole-index")
    assert _pagefind_files(tmp_path / "parts", parts, tmp_path / "parts-index") == whole
    assert len([name for name in whole if name.startswith("fragment/")]) == len(pages)


def test_a_new_parts_folder_removes_only_the_parts_of_processes_that_are_gone() -> None:
    gone = subprocess.Popen(["true"])
    gone.wait()
    mine, theirs, other = (PARTS_ROOT / name for name in (f"{PARTS_PREFIX}{os.getpid()}-test",
                                                         f"{PARTS_PREFIX}{gone.pid}-test", "dossier-parts-of-someone"))
    try:
        for folder in (mine, theirs, other):
            folder.mkdir()
            (folder / "page.html").write_bytes(b"x")
        remove_orphan_parts()
        assert mine.is_dir() and other.is_dir() and not theirs.exists()
        with parts_folder() as made:
            assert Path(made).parent == PARTS_ROOT and Path(made).name.startswith(f"{PARTS_PREFIX}{os.getpid()}-")
        assert not Path(made).exists()
    finally:
        for folder in (mine, theirs, other):
            shutil.rmtree(folder, ignore_errors=True)
