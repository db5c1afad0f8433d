"""The index stage: Pagefind bundles over exactly the pages named for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from dossier.index import INDEX_DIR, build_bundles, page_glob, result_ids


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


def test_a_path_a_glob_would_misread_is_refused() -> None:
    assert page_glob(["stories/a/index.html", "about/index.html"]) == "{stories/a/index.html,about/index.html}"
    with pytest.raises(ValueError, match="a, b"):
        page_glob(["stories/a, b/index.html"])
