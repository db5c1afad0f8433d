"""The preview's short way after an edit of article texts (quickedit.py): taken exactly when the edit changes
nothing but pages that print those texts, and then leaving what a clean build makes."""

from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path

import pytest
import yaml

from dossier import printing
from dossier.errors import ContentError
from dossier.incremental import IncrementalBuilder
from dossier.index import result_ids
from dossier.pipeline import build
from dossier.synth import generate

from .test_incremental import Workspace, tree

LARGE = printing.FULL_TEXTS_UP_TO + 40  # too many articles to print their texts


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synthetic") / "content"
    generate(folder, LARGE, 2, 11)
    return folder


def _append(article: Path, text: str) -> None:
    article.write_text(article.read_text(encoding="utf-8") + f"\n{text}\n", encoding="utf-8")


def test_text_edits_take_the_short_way_and_leave_a_clean_builds_site(tmp_path: Path, synthetic: Path) -> None:
    ws = Workspace(tmp_path, content=synthetic, edit_templates=False)
    assert ws.check() is not None
    first, second = ws.articles()[3], ws.articles()[8]
    _append(first, "The council met again late on Monday.")
    assert ws.check() == (f"stories/{first.stem}/index.html",)
    _append(second, "The ferry was late.")
    # the first edit, not yet confirmed, is taken again with the second
    assert set(ws.check() or ()) <= {f"stories/{a.stem}/index.html" for a in (first, second)}
    assert ws.short_ways == 2
    assert ws.builder.memo["quick"] == {first.name, second.name}
    step = ws.builder.confirm()  # the whole content built once the preview is idle: nothing left to write
    assert step is not None and not step.texts_only and step.built.report.written == ()
    assert ws.builder.confirm() is None and "quick" not in ws.builder.memo
    _append(first, "Nobody came.")
    assert ws.check() is not None and ws.short_ways == 3


def _misspell(ws: Workspace, article: Path) -> None:
    entities = yaml.safe_load((ws.content / "entities.yaml").read_text(encoding="utf-8"))
    _append(article, f"{entities[1]['misspellings'][0]} said so.")


def _retitle(ws: Workspace, article: Path) -> None:
    article.write_text(article.read_text(encoding="utf-8").replace("title: ", "title: Renamed ", 1), encoding="utf-8")


def _copy_other(ws: Workspace, article: Path) -> None:
    """Another article's text appended: the two now read as rewrites, a pair every page of them shows."""
    other = next(a for a in ws.articles() if a != article and _language(a) == _language(article))
    _append(article, other.read_text(encoding="utf-8").split("\n---\n", 1)[1])


def _language(article: Path) -> str:
    return yaml.safe_load(article.read_text(encoding="utf-8").split("---")[1])["language"]


@pytest.mark.parametrize("edit", [_misspell, _retitle, _copy_other])
def test_an_edit_pages_beyond_its_story_show_takes_the_whole_way(tmp_path: Path, synthetic: Path, edit) -> None:
    ws = Workspace(tmp_path, content=synthetic, edit_templates=False)
    assert ws.check() is not None
    article = ws.articles()[5]
    edit(ws, article)
    rendered = ws.check()  # and equal to a clean build
    assert rendered is not None and ws.short_ways == 0
    assert set(rendered) - {f"stories/{article.stem}/index.html"}  # other pages did change


def test_a_quote_edited_away_is_reported_and_nothing_written(tmp_path: Path, synthetic: Path) -> None:
    ws = Workspace(tmp_path, content=synthetic, edit_templates=False)
    assert ws.check() is not None
    claims = yaml.safe_load((ws.content / "claims.yaml").read_text(encoding="utf-8"))
    quote = claims[0]["assertions"][0]
    article = ws.content / "articles" / f"{quote['article']}.md"
    text = article.read_text(encoding="utf-8")
    assert quote["quote"] in text
    article.write_text(text.replace(quote["quote"], "Something else entirely."), encoding="utf-8")
    assert ws.check() is None  # failed like a clean build, with the same problems, the output as it was
    with pytest.raises(ContentError) as failed:
        ws.builder.build(changed=[str(article)])
    assert any("quote not found" in str(problem) for problem in failed.value.problems)


def test_a_dossier_small_enough_to_print_its_texts_prints_the_edit(tmp_path: Path) -> None:
    generate(tmp_path / "small", printing.FULL_TEXTS_UP_TO - 10, 2, 5)
    ws = Workspace(tmp_path / "ws", content=tmp_path / "small", edit_templates=False)
    assert ws.check() is not None
    article = ws.articles()[2]
    _append(article, "The harbour was quiet.")
    assert set(ws.check() or ()) == {f"stories/{article.stem}/index.html", "print/index.html"}
    assert ws.short_ways == 1


def test_a_short_way_edit_is_searchable_at_once_and_settles_into_a_clean_index(
    tmp_path: Path, synthetic: Path
) -> None:
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(synthetic, content)
    builder = IncrementalBuilder(content, out)
    builder.build()
    article = sorted((content / "articles").glob("*.md"))[4]
    _append(article, "Quixotically.")
    stages: list[str] = []
    step = builder.build(stages.append, changed=[str(article)])
    assert step.texts_only and "(article texts alone)" in step.summary()
    story = f"stories/{article.stem}/index.html"
    assert step.built.report.written[0] == story and stages[-1] == "indexing"
    language = _language(article)
    fresh = result_ids(out / "pagefind" / language / "fresh")
    assert list(fresh) == [f"/stories/{article.stem}/"]
    fragment = out / "pagefind" / language / "fresh" / "fragment" / f"{fresh[f'/stories/{article.stem}/']}.pf_fragment"
    assert "Quixotically" in gzip.decompress(fragment.read_bytes()).decode("utf-8")
    assert builder.settle()  # confirmed by a whole build, then the shard rebuilt
    assert "quick" not in builder.memo and not (out / "pagefind" / language / "fresh").exists()
    clean = tmp_path / "clean"
    build(content, clean)
    assert tree(out, with_index=True) == tree(clean, with_index=True)


def test_random_text_edits_match_clean_builds(tmp_path: Path, synthetic: Path) -> None:
    """Text edits, now and then confirmed, amid edits of other kinds: always what a clean build makes."""
    ws = Workspace(tmp_path, content=synthetic, edit_templates=False)
    entities = yaml.safe_load((ws.content / "entities.yaml").read_text(encoding="utf-8"))
    ws.WORDS = ("council", "ferry", "met", "harbour", "budget", "late", "again", "1", "2024", entities[0]["name"])
    rng = random.Random(20261122)
    assert ws.check() is not None
    for _ in range(14):
        name = rng.choice(["edit_body"] * 6 + ["copy_passage", "replace_word", "edit_claims", "restore"])
        getattr(Workspace, name)(ws, rng)
        ws.check()
        if rng.random() < 0.3:
            ws.builder.settle()
    assert ws.short_ways >= 3


def test_the_preview_confirms_a_short_way_and_shows_what_the_confirming_build_wrote(
    tmp_path: Path, synthetic: Path
) -> None:
    from dossier.serve import Live, Rebuilder

    shutil.copytree(synthetic, tmp_path / "content")
    builder = IncrementalBuilder(tmp_path / "content", tmp_path / "out", search=False)
    waiting = [False]
    live, said = Live(), []
    rebuild = Rebuilder(builder, live, said.append, pending=lambda: waiting[0])
    rebuild()
    articles = sorted((tmp_path / "content" / "articles").glob("*.md"))
    told, untold = articles[3], articles[8]
    _append(told, "The council met again late on Monday.")
    waiting[0] = True  # another edit queued: the confirming build waits for it
    rebuild(frozenset({str(told)}))
    assert said[-1].startswith("rebuilt in ") and "(article texts alone)" in said[-1]
    assert builder.memo["quick"] == {told.name}
    waiting[0] = False
    _append(untold, "Nobody said so.")  # a change no watcher told of, found by the confirming build
    generation = live.generation
    rebuild(frozenset({str(told)}))
    assert said[-1].startswith("confirmed in ")
    assert live.generation > generation and "quick" not in builder.memo
    assert "Nobody said so." in (tmp_path / "out" / "stories" / untold.stem / "index.html").read_text(encoding="utf-8")


def test_a_confirming_build_cancelled_before_it_renders_writes_nothing(tmp_path: Path, synthetic: Path) -> None:
    ws = Workspace(tmp_path, content=synthetic, edit_templates=False)
    assert ws.check() is not None
    _append(ws.articles()[4], "The budget was late.")
    assert ws.check() is not None and ws.short_ways == 1
    before = tree(ws.out)
    assert ws.builder.confirm(cancelled=lambda: True) is None
    calls = iter([False, True])  # cancelled once it has loaded and analysed the content
    assert ws.builder.confirm(cancelled=lambda: next(calls)) is None
    assert ws.builder.settle(cancelled=lambda: True) is False
    assert tree(ws.out) == before and ws.builder.memo["quick"]
    _append(ws.articles()[6], "The harbour was quiet.")
    assert ws.check() is not None  # still what a clean build makes
    assert ws.builder.settle() and "quick" not in ws.builder.memo
