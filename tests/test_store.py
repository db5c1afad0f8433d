"""What one build keeps for the next process (store.py): reused only where the inputs are the same."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dossier import load, store
from dossier.cli import main
from dossier.incremental import IncrementalBuilder
from dossier.pipeline import build
from dossier.render import TEMPLATES

from .test_write import snapshot


def _pages(site: Path) -> int:
    return sum(1 for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_a_build_into_an_empty_folder_reuses_every_page_and_is_byte_identical(
    valid_content: Path, tmp_path: Path
) -> None:
    first = build(valid_content, tmp_path / "first")
    assert first.reused == 0  # nothing kept yet
    again = build(valid_content, tmp_path / "again")
    assert again.reused == _pages(tmp_path / "again") > 0
    store.forget(valid_content)
    fresh = build(valid_content, tmp_path / "fresh")
    assert fresh.reused == 0
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "fresh") == snapshot(tmp_path / "first")


def test_after_an_edit_only_pages_it_touches_are_rendered_again(valid_content: Path, tmp_path: Path) -> None:
    build(valid_content, tmp_path / "before")
    article = valid_content / "articles" / "bridge-de.md"
    article.write_text(article.read_text(encoding="utf-8").replace("zufrieden", "sehr zufrieden"), encoding="utf-8")
    edited = build(valid_content, tmp_path / "edited")
    total = _pages(tmp_path / "edited")
    assert 0 < edited.reused < total
    page = (tmp_path / "edited" / "stories" / "bridge-de" / "index.html").read_text(encoding="utf-8")
    assert "sehr zufrieden" in page
    store.forget(valid_content)
    build(valid_content, tmp_path / "fresh")
    assert snapshot(tmp_path / "edited") == snapshot(tmp_path / "fresh")


def test_a_template_edit_renders_again_the_pages_that_use_it(valid_content: Path, tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    build(valid_content, tmp_path / "before", templates=templates)
    claim = templates / "claim.html"
    claim.write_text(claim.read_text(encoding="utf-8").replace("{% block main %}", "{% block main %}<!-- v2 -->", 1))
    edited = build(valid_content, tmp_path / "edited", templates=templates)
    claims = [p for p in (tmp_path / "edited" / "claims").rglob("index.html") if p.parent.name != "claims"]
    assert claims and all("<!-- v2 -->" in p.read_text(encoding="utf-8") for p in claims)
    assert edited.reused == _pages(tmp_path / "edited") - len(claims)


@pytest.mark.parametrize("damage", ["garbage", "other code"])
def test_a_store_that_does_not_fit_is_ignored(
    valid_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: str
) -> None:
    build(valid_content, tmp_path / "first")
    if damage == "garbage":
        store._path(valid_content).write_bytes(b"\x80\x05 not a pickle")
    else:
        monkeypatch.setattr(store, "_header", lambda: (store.FORMAT, "another version of Dossier"))
    again = build(valid_content, tmp_path / "again")
    assert again.reused == 0
    assert snapshot(tmp_path / "again") == snapshot(tmp_path / "first")


def test_the_build_command_says_how_many_pages_it_reused(
    valid_content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "--content", str(valid_content), "--out", str(tmp_path / "a")]) == 0
    assert "reused" not in capsys.readouterr().out
    assert main(["build", "--content", str(valid_content), "--out", str(tmp_path / "b")]) == 0
    pages = _pages(tmp_path / "b")
    assert f"{pages} of {pages} pages reused from the last build" in capsys.readouterr().out


def test_a_new_process_parses_again_only_the_files_that_changed(
    valid_content: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(valid_content, tmp_path / "first")
    article = valid_content / "articles" / "bridge-en.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    # what this process remembers of the first build, as a new process would not
    monkeypatch.setattr(load, "_ARTICLES", {})
    monkeypatch.setattr(load, "_FILES", {})
    parsed: list[str] = []
    real = load._load_article
    monkeypatch.setattr(load, "_load_article", lambda ident, *rest: parsed.append(ident) or real(ident, *rest))
    again = build(valid_content, tmp_path / "again")
    assert parsed == ["bridge-en"]
    assert "One more line." in (tmp_path / "again" / "stories" / "bridge-en" / "index.html").read_text(encoding="utf-8")
    assert 0 < again.reused < again.pages


def test_a_preview_starts_from_what_the_last_build_kept(valid_content: Path, tmp_path: Path) -> None:
    build(valid_content, tmp_path / "built", search=False)
    step = IncrementalBuilder(valid_content, tmp_path / "preview", search=False).build()
    assert step.rendered == () and step.pages == _pages(tmp_path / "built")
    assert snapshot(tmp_path / "preview") == snapshot(tmp_path / "built")


def test_the_store_of_a_content_folder_that_is_gone_is_removed(valid_content: Path, tmp_path: Path) -> None:
    gone = tmp_path / "gone"
    shutil.copytree(valid_content, gone)
    build(gone, tmp_path / "site-of-gone")
    assert store._path(gone).is_file()
    shutil.rmtree(gone)
    build(valid_content, tmp_path / "site")
    assert not store._path(gone).exists() and store._path(valid_content).is_file()
