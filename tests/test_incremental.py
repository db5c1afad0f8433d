"""The incremental builder: after any sequence of edits its output is byte-identical to a clean build,
and an edit re-renders only the pages that depend on it."""

from __future__ import annotations

import gzip
import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path

import jinja2
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from dossier import printing
from dossier.errors import ContentError
from dossier.incremental import IncrementalBuilder
from dossier.index import result_ids
from dossier.pagecache import PageCache, data_digest, template_closure
from dossier.pipeline import build
from dossier.render import TEMPLATES, environment
from dossier.synth import generate
from dossier.write import MARKER

from .conftest import KURSK, VALID

INDEX_DIR = "pagefind"


class MemoryBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates in memory; Jinja reuses one only for the same name and source checksum."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        if bucket.key in self.store:
            bucket.bytecode_from_string(self.store[bucket.key])  # discarded there if the checksum differs

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


COMPILED = MemoryBytecodeCache()


def tree(folder: Path, with_index: bool = False) -> dict[str, bytes]:
    """Every file below `folder` by relative path (the search index only when asked)."""
    if not folder.is_dir():
        return {}
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (with_index or p.relative_to(folder).parts[0] != INDEX_DIR)
    }


class Workspace:
    """A content copy and a templates copy to edit, the incremental builder, and clean reference builds."""

    WORDS = ("Portville", "Portstadt", "Anna Berg", "Anna Burg", "Mayor Berg", "bridge", "Brücke", "council",
             "cost", "12 million euros", "Monday", "ferry", "tunnel", "harbour")  # fmt: skip

    def __init__(self, root: Path, content: Path = VALID, edit_templates: bool = True) -> None:
        self.root = root
        self.content = root / "content"
        self.out = root / "out"
        shutil.copytree(content, self.content)
        self.folders = [self.content]
        if edit_templates:
            self.templates = root / "templates"
            shutil.copytree(TEMPLATES, self.templates)
            self.folders.append(self.templates)
        else:
            self.templates = TEMPLATES  # read-only
        self.originals = self.sources()
        self.good_sources = self.originals  # the sources of the last state that built
        self.builder = IncrementalBuilder(self.content, self.out, templates=self.templates, search=False)
        self.last_good: dict[str, bytes] = {}
        self.added = 0
        self.seen = self.originals  # the sources as the last build saw them, to tell it what changed as a watcher does
        self.short_ways = 0  # rebuilds that took the short way after an edit of article texts (quickedit.py)

    def sources(self) -> dict[str, bytes]:
        return {
            p.relative_to(self.root).as_posix(): p.read_bytes()
            for folder in self.folders
            for p in folder.rglob("*")
            if p.is_file()
        }

    def put_back(self, sources: dict[str, bytes]) -> None:
        for folder in self.folders:
            shutil.rmtree(folder)
        for relative, data in sources.items():
            (self.root / relative).parent.mkdir(parents=True, exist_ok=True)
            (self.root / relative).write_bytes(data)

    # -- checking ----------------------------------------------------------------

    def reference(self, search: bool = False) -> tuple[Exception | None, dict[str, bytes]]:
        """A clean build of the current content into a fresh folder."""
        ref = self.root / "reference"
        shutil.rmtree(ref, ignore_errors=True)
        # Jinja's own reload check trusts mtimes, which two quick saves can share: a fresh
        # environment every time, its compiled code looked up by a checksum of the template source.
        environment.cache_clear()
        environment(self.templates).bytecode_cache = COMPILED
        try:
            build(self.content, ref, templates=self.templates, search=search, reuse=False)
        except Exception as err:
            return err, {}
        return None, tree(ref, with_index=search)

    def check(self, search: bool = False) -> tuple[str, ...] | None:
        """Rebuild incrementally and compare with a clean build; the paths rendered, None when broken."""
        self.builder.search = search
        now = self.sources()
        changed = [str(self.root / p) for p in now.keys() | self.seen.keys() if now.get(p) != self.seen.get(p)]
        self.seen = now
        try:
            step = self.builder.build(changed=changed)
            error: Exception | None = None
        except Exception as err:
            step, error = None, err
        ref_error, expected = self.reference(search)
        assert type(error) is type(ref_error), (error, ref_error)
        if isinstance(error, ContentError):
            assert isinstance(ref_error, ContentError)
            assert error.problems == ref_error.problems
        if error is not None:
            assert tree(self.out) == self.last_good, "a failed rebuild changed the output"
            return None
        assert step is not None
        self.short_ways += step.texts_only
        actual = tree(self.out, with_index=search)
        assert actual.keys() == expected.keys()
        different = [path for path in actual if actual[path] != expected[path]]
        assert not different, f"differs from a clean build: {different}"
        self.last_good = tree(self.out)
        self.good_sources = self.sources()
        return step.rendered

    # -- edits -------------------------------------------------------------------

    def articles(self) -> list[Path]:
        return sorted((self.content / "articles").glob("*.md"))

    def edit_body(self, rng: random.Random) -> str:
        if not (articles := self.articles()):
            return "no article to edit"
        article = rng.choice(articles)
        words = " ".join(rng.choice(self.WORDS) for _ in range(rng.randint(1, 6)))
        article.write_text(article.read_text(encoding="utf-8") + f"\n{words}.\n", encoding="utf-8")
        return f"appended to {article.name}"

    def copy_passage(self, rng: random.Random) -> str:
        """Another article's passage appended: their similarity rises, perhaps among those shown."""
        if len(articles := self.articles()) < 2:
            return "too few articles"
        source, target = rng.sample(articles, 2)
        passage = source.read_text(encoding="utf-8").split("\n---\n", 1)[-1][:600].rsplit(" ", 1)[0]
        target.write_text(target.read_text(encoding="utf-8") + f"\n{passage}\n", encoding="utf-8")
        return f"copied from {source.name} to {target.name}"

    def edit_title(self, rng: random.Random) -> str:
        if not (articles := self.articles()):
            return "no article to edit"
        article = rng.choice(articles)
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("\ntitle: ", f"\ntitle: ({rng.randint(0, 9)}) ", 1), encoding="utf-8")
        return f"retitled {article.name}"

    def replace_word(self, rng: random.Random) -> str:
        """May break a quote (then both builds must fail alike)."""
        if not (articles := self.articles()):
            return "no article to edit"
        article = rng.choice(articles)
        text = article.read_text(encoding="utf-8")
        old, new = rng.choice([("Monday", "Tuesday"), ("bridge", "ferry"), ("Montag", "Dienstag"), ("12", "13")])
        article.write_text(text.replace(old, new, 1), encoding="utf-8")
        return f"{old}→{new} in {article.name}"

    def edit_claims(self, rng: random.Random) -> str:
        path = self.content / "claims.yaml"
        text = path.read_text(encoding="utf-8")
        choice = rng.randrange(4)
        if choice == 0:
            new = f"statement: Reportedly, the bridge will cost{rng.randint(0, 9)}"
            text = text.replace("statement: The bridge will cost", new, 1)
        elif choice == 1:
            text = text.replace("status: contested", rng.choice(["status: reported", "status: contested"]), 1)
        elif choice == 2:  # a quote that no article contains: broken
            text = text.replace('quote: "It opens in May', 'quote: "It opens in June', 1)
        else:
            text = text.replace("stance: supports", rng.choice(["stance: qualifies", "stance: mentions"]), 1)
        path.write_text(text, encoding="utf-8")
        return f"claims.yaml edit {choice}"

    def edit_config(self, rng: random.Random) -> str:
        path = self.content / "dossier.yaml"
        text = path.read_text(encoding="utf-8")
        if rng.random() < 0.5:
            text = text.replace("title: Harbour Bridge Dossier", f"title: Harbour Bridge Dossier {rng.randint(1, 99)}")
        else:
            text = text.replace('updated: "2025-03-02"', f'updated: "2025-03-{rng.randint(3, 28):02d}"')
        path.write_text(text, encoding="utf-8")
        return "dossier.yaml edit"

    def edit_entities(self, rng: random.Random) -> str:
        path = self.content / "entities.yaml"
        text = path.read_text(encoding="utf-8")
        spelling = rng.choice(["Ana Berg", "Anna Bergh", "Portvile"])
        text = text.replace("misspellings: [Anna Burg]", f"misspellings: [Anna Burg, {spelling}]", 1)
        path.write_text(text, encoding="utf-8")
        return f"entities.yaml: {spelling}"

    def add_article(self, rng: random.Random) -> str:
        self.added += 1
        ident = f"extra-{self.added}"
        language, source = rng.choice([("en", "daily-port"), ("de", "hafen-blatt")])
        body = " ".join(rng.choice(self.WORDS) for _ in range(8))
        (self.content / "captures" / f"{ident}.txt").write_text(f"Extra {self.added}\n\n{body}.\n", encoding="utf-8")
        (self.content / "articles" / f"{ident}.md").write_text(
            f"---\ntitle: Extra {self.added}\nsource: {source}\nlanguage: {language}\nstory: {ident}\n"
            f'published: "2025-03-0{rng.randint(1, 9)}"\ncaptured: "2025-03-10"\ncapture: captures/{ident}.txt\n'
            f"---\n\n{body}.\n",
            encoding="utf-8",
        )
        return f"added {ident}"

    def delete_article(self, rng: random.Random) -> str:
        """Deleting one the claims cite breaks the content, as it should."""
        if not (articles := self.articles()):
            return "no article to delete"
        article = rng.choice(articles)
        (self.content / "captures" / f"{article.stem}.txt").unlink(missing_ok=True)
        article.unlink()
        return f"deleted {article.name}"

    def rename_article(self, rng: random.Random) -> str:
        if not (articles := self.articles()):
            return "no article to rename"
        article = rng.choice(articles)
        new = f"{article.stem}-r{rng.randint(0, 9)}"
        if (self.content / "articles" / f"{new}.md").exists():
            return "rename target exists"
        capture = self.content / "captures" / f"{article.stem}.txt"
        if capture.exists():
            capture.rename(self.content / "captures" / f"{new}.txt")
        text = article.read_text(encoding="utf-8").replace(f"captures/{article.stem}.txt", f"captures/{new}.txt")
        (self.content / "articles" / f"{new}.md").write_text(text, encoding="utf-8")
        article.unlink()
        return f"renamed {article.stem} to {new}"

    def edit_template(self, rng: random.Random) -> str:
        name = rng.choice(["base.html", "story.html", "claim.html", "macros.html", "meta.html", "index.html"])
        path = self.templates / name
        text = path.read_text(encoding="utf-8")
        mark = f"<!-- edit {rng.randint(0, 10**6)} -->"
        if name == "base.html":
            text = text.replace("</footer>", f"{mark}</footer>", 1)
        elif "{% block main %}" in text:
            text = text.replace("{% block main %}", "{% block main %}" + mark, 1)
        elif "{% endmacro %}" in text:
            text = text.replace("{% endmacro %}", mark + "{% endmacro %}", 1)
        else:
            text += mark
        path.write_text(text, encoding="utf-8")
        return f"template {name}"

    def break_template(self, rng: random.Random) -> str:
        name = rng.choice(["story.html", "macros.html"])
        path = self.templates / name
        path.write_text(path.read_text(encoding="utf-8") + "{% if %}\n", encoding="utf-8")
        return f"broke template {name}"

    def edit_asset(self, rng: random.Random) -> str:
        path = self.templates / "assets" / "style.css"
        path.write_text(path.read_text(encoding="utf-8") + f"/* {rng.randint(0, 10**6)} */\n", encoding="utf-8")
        return "style.css"

    def break_yaml(self, rng: random.Random) -> str:
        path = self.content / rng.choice(["sources.yaml", "claims.yaml", "entities.yaml"])
        path.write_text(path.read_text(encoding="utf-8") + "- [unclosed\n", encoding="utf-8")
        return f"broke {path.name}"

    def restore(self, rng: random.Random) -> str:
        """Put back one original file that was changed (undoing a break, a delete or a rename)."""
        changed = [
            relative
            for relative, data in sorted(self.originals.items())
            if not (self.root / relative).is_file() or (self.root / relative).read_bytes() != data
        ]
        if not changed:
            return "nothing to restore"
        relative = rng.choice(changed)
        if relative.startswith("content/articles/"):  # the article's renamed copies would clash with it
            stem = Path(relative).stem
            for path in (self.content / "articles").glob(f"{stem}-r*.md"):
                path.unlink()
                (self.content / "captures" / f"{path.stem}.txt").unlink(missing_ok=True)
            capture = f"content/captures/{stem}.txt"
            (self.root / capture).write_bytes(self.originals[capture])
        (self.root / relative).write_bytes(self.originals[relative])
        return f"restored {relative}"

    def repair(self, rng: random.Random) -> str:
        """Back to the last state that built, as a curator fixes what they broke."""
        self.put_back(self.good_sources)
        return "repaired"

    def touch(self, rng: random.Random) -> str:
        path = self.content / "claims.yaml"
        path.write_bytes(path.read_bytes())
        return "touched claims.yaml"


TEMPLATE_OPS = ("edit_template", "break_template", "edit_asset")
OPS: dict[str, Callable[[Workspace, random.Random], str]] = {
    name: getattr(Workspace, name)
    for name in ("edit_body", "replace_word", "edit_claims", "edit_config", "edit_entities", "add_article",
                 "delete_article", "rename_article", "edit_template", "break_template", "edit_asset", "break_yaml",
                 "restore", "repair", "touch")
}  # fmt: skip
# Repairs are drawn more often than breakages, so that most states build.
WEIGHTS = {"restore": 5, "edit_body": 3, "add_article": 2, "edit_template": 2}


def test_random_edits_match_clean_builds(tmp_path: Path) -> None:
    rng = random.Random(20250302)
    ws = Workspace(tmp_path)
    assert ws.check() is not None
    names = list(OPS)
    weights = [WEIGHTS.get(n, 1) for n in names]
    rendered_counts, pages, log, broken = [], len(ws.last_good), [], 0
    for _ in range(70):
        # A broken state is mostly repaired next, sometimes edited further while broken.
        name = "repair" if broken and rng.random() < 0.6 else rng.choices(names, weights)[0]
        log.append(OPS[name](ws, rng))
        rendered = ws.check()
        broken = rendered is None
        if rendered is not None:
            rendered_counts.append(len(rendered))
    assert len(rendered_counts) >= 30, log  # most states built...
    assert len(rendered_counts) <= 60, log  # ...but not all
    assert min(rendered_counts) < pages / 2, "pages are re-rendered even when their inputs are unchanged"
    # Back to the original content, and this time the search index is compared too.
    ws.put_back(ws.originals)
    assert ws.check(search=True) is not None


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(sorted(set(OPS) - set(TEMPLATE_OPS))), st.integers(0, 2**32)), min_size=1, max_size=6
    )
)
def test_any_content_edit_sequence_matches_clean_builds(
    tmp_path_factory: pytest.TempPathFactory, steps: list[tuple[str, int]]
) -> None:
    # Content edits only, so that every example shares the compiled templates (template edits: above).
    ws = Workspace(tmp_path_factory.mktemp("ws"), edit_templates=False)
    ws.check()
    for name, seed in steps:
        OPS[name](ws, random.Random(seed))
        ws.check()


def test_unchanged_content_renders_and_writes_nothing(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    first = ws.builder.build()
    assert len(first.rendered) == first.pages
    again = ws.builder.build()
    assert again.rendered == ()
    assert again.built.report.written == () and again.built.report.removed == ()


def test_a_template_edit_renders_exactly_the_pages_using_it(tmp_path: Path) -> None:
    ws = Workspace(tmp_path)
    first = ws.builder.build()
    claim_pages = {p for p in tree(ws.out) if p.startswith("claims/") and p != "claims/index.html"}
    assert claim_pages
    path = ws.templates / "claim.html"
    path.write_text(path.read_text().replace("{% block main %}", "{% block main %}<!-- x -->", 1))
    assert set(ws.builder.build().rendered) == claim_pages
    # The shared layout (and what it includes) is used by every page.
    meta = ws.templates / "meta.html"
    meta.write_text(meta.read_text() + "<!-- y -->\n")
    assert len(ws.builder.build().rendered) == first.pages
    # A stylesheet is no template: no page is rendered, the file is copied.
    css = ws.templates / "assets" / "style.css"
    css.write_text(css.read_text() + "/* z */\n")
    step = ws.builder.build()
    assert step.rendered == () and step.built.report.written == ("assets/style.css",)


def test_one_article_edit_on_the_kursk_dossier(tmp_path: Path) -> None:
    """Editing one article re-renders its own page and the few that show what changed — not every story."""
    ws = Workspace(tmp_path, KURSK)
    ws.check()
    article = ws.content / "articles" / "memorial-park-en.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nThe park will have benches.\n", encoding="utf-8")
    rendered = ws.check()
    assert rendered is not None
    stories = {p for p in ws.last_good if p.startswith("stories/") and p.endswith("index.html")}
    assert "stories/memorial-park-en/index.html" in rendered
    assert len(rendered) <= 10, rendered
    assert len(stories - set(rendered)) >= 3, "other stories were rendered again"
    assert not any(p.startswith("claims/") for p in rendered), "no claim quotes the new sentence"


def test_data_digest() -> None:
    assert data_digest(Markup("<b>")) != data_digest("<b>")  # rendered differently: escaped or not
    assert data_digest({"a": 1, "b": 2}) != data_digest({"b": 2, "a": 1})  # templates see the order
    shared = ["x"]
    assert data_digest({"a": shared, "b": shared}) == data_digest({"a": ["x"], "b": ["x"]})
    assert data_digest(1) != data_digest(1.0) != data_digest(True)
    loop: list = []
    loop.append(loop)
    assert data_digest(loop) is None  # such a page is simply rendered every time


def test_template_closure(tmp_path: Path) -> None:
    sources = {
        "base.html": "{% include 'meta.html' %}{% block main %}{% endblock %}",
        "meta.html": "<meta>",
        "macros.html": "{% macro m() %}m{% endmacro %}",
        "story.html": "{% extends 'base.html' %}{% from 'macros.html' import m %}",
        "other.html": "{% include name %}",
        "lonely.html": "<p>",
    }
    env = jinja2.Environment(loader=jinja2.DictLoader(sources))
    assert template_closure(env, sources, "story.html") == {"story.html", "base.html", "meta.html", "macros.html"}
    assert template_closure(env, sources, "lonely.html") == {"lonely.html"}
    assert template_closure(env, sources, "other.html") == set(sources)  # dynamic: depends on everything


def test_the_page_cache_renders_from_the_templates_it_keyed(tmp_path: Path) -> None:
    """Two saves in one clock tick look the same to Jinja's mtime check, not to the cache."""
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    cache = PageCache(templates)
    ws_content = tmp_path / "content"
    shutil.copytree(VALID, ws_content)
    out = tmp_path / "out"
    build(ws_content, out, templates=templates, search=False, draw=cache.draw)
    cache.commit()
    story = templates / "story.html"
    stat = story.stat()
    story.write_text(story.read_text().replace("{% block main %}", "{% block main %}<!-- same tick -->", 1))
    import os

    os.utime(story, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as if saved within the same tick
    cache.begin()
    build(ws_content, out, templates=templates, search=False, draw=cache.draw)
    assert "<!-- same tick -->" in (out / "stories" / "bridge-en" / "index.html").read_text()
    assert (out / MARKER).is_file()


def _edit_bridge_de(content: Path) -> Path:
    article = content / "articles" / "bridge-de.md"
    article.write_text(article.read_text(encoding="utf-8") + "\nDie Brücke hat Geländer.\n", encoding="utf-8")
    return article


def test_a_preview_rebuild_writes_the_edited_story_first_and_only_what_changed(tmp_path: Path) -> None:
    """With search: the second build of a session touches changed files alone, the edited story first, makes the
    edit searchable by a fresh bundle of its own without touching the shard, and once settled leaves exactly what
    a clean build makes."""
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(VALID, content)
    builder = IncrementalBuilder(content, out)
    builder.build()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    old_id = result_ids(out / "pagefind" / "de" / "1")["/stories/bridge-de/"]
    article = _edit_bridge_de(content)
    stages: list[str] = []
    step = builder.build(stages.append, changed=[str(article)])
    written = step.built.report.written
    assert written[0] == "stories/bridge-de/index.html" and "stories/bridge-en/index.html" not in written
    after = {p: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    untouched = [p for p in before if p.relative_to(out).as_posix() not in written and "pagefind" not in p.parts]
    assert untouched and all(after[p] == before[p] for p in untouched)
    assert stages[-1] == "indexing"  # the pages were on disk before the index was touched
    shard = [p for p in before if p.relative_to(out).parts[:3] == ("pagefind", "de", "1")]
    assert all(after.get(p) == before[p] for p in shard if p.name != ".dossier-pages")  # the shard as it was
    fresh = result_ids(out / "pagefind" / "de" / "fresh")
    assert list(fresh) == ["/stories/bridge-de/"] and fresh["/stories/bridge-de/"] != old_id
    assert json.loads((out / "pagefind" / "shards.json").read_text()) == {
        "shards": {"de": 1, "en": 1}, "fresh": ["de"], "stale": [old_id]
    }
    fragment = out / "pagefind" / "de" / "fresh" / "fragment" / f"{fresh['/stories/bridge-de/']}.pf_fragment"
    assert "Geländer" in gzip.decompress(fragment.read_bytes()).decode("utf-8")
    assert builder.settle()
    assert not (out / "pagefind" / "de" / "fresh").exists()
    clean = tmp_path / "clean"
    build(content, clean)
    assert tree(out, with_index=True) == tree(clean, with_index=True)


def test_an_edit_left_unsettled_is_indexed_by_the_next_build(tmp_path: Path) -> None:
    """A preview stopped before its shard was rebuilt (settling cancelled): `dossier build` re-indexes that
    shard, though every page on disk is already the new one."""
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(VALID, content)
    builder = IncrementalBuilder(content, out)
    builder.build()
    article = _edit_bridge_de(content)
    builder.build(changed=[str(article)])
    assert builder.settle(cancelled=lambda: True) is False
    assert (out / "pagefind" / "de" / "fresh").is_dir()
    build(content, out)
    clean = tmp_path / "clean"
    build(content, clean)
    assert tree(out, with_index=True) == tree(clean, with_index=True)


def test_an_article_in_a_new_language_is_searchable_at_once(tmp_path: Path) -> None:
    """A language new to the dossier has no shard yet: the preview builds it before shards.json names it."""
    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(VALID, content)
    builder = IncrementalBuilder(content, out)
    builder.build()
    dossier = content / "dossier.yaml"
    declared = dossier.read_text(encoding="utf-8").replace("  de: Deutsch\n", "  de: Deutsch\n  fr: Français\n")
    dossier.write_text(declared, encoding="utf-8")
    english = (content / "articles" / "bridge-en.md").read_text(encoding="utf-8")
    (content / "articles" / "pont-fr.md").write_text(
        english.replace("language: en", "language: fr").replace("story: harbour-bridge", "story: pont"),
        encoding="utf-8")
    builder.build(changed=[str(dossier), str(content / "articles" / "pont-fr.md")])
    listed = json.loads((out / "pagefind" / "shards.json").read_text())["shards"]
    assert listed.get("fr") == 1
    for language, count in listed.items():
        for n in range(1, count + 1):
            assert (out / "pagefind" / language / str(n) / "pagefind.js").is_file(), (language, n)
    assert "/stories/pont-fr/" in result_ids(out / "pagefind" / "fr" / "1")


def test_edits_of_a_large_dossier_match_clean_builds_and_a_text_edit_renders_its_story_alone(
    tmp_path: Path,
) -> None:
    """In a dossier too large to print its texts, an edit of article texts that leaves the analysis as pages
    show it re-renders those stories alone (render.texts_changed); any other edit takes the whole way. Both
    must leave what a clean build makes."""
    generate(tmp_path / "synthetic", printing.FULL_TEXTS_UP_TO + 10, 2, 3)
    ws = Workspace(tmp_path / "ws", content=tmp_path / "synthetic", edit_templates=False)
    # the synthetic dossier's own names, misspelled or not: such an edit moves what pages show of names
    entities = yaml.safe_load((ws.content / "entities.yaml").read_text(encoding="utf-8"))
    ws.WORDS = ("council", "ferry", "met", "harbour", "budget", "tunnel", "river", "late", "again",
                entities[0]["name"], entities[1]["misspellings"][0])
    rng = random.Random(20261121)
    assert ws.check() is not None
    stories_alone, log = 0, []
    for _ in range(16):
        name = rng.choice(["edit_body"] * 5 + ["copy_passage"] * 2 + ["replace_word", "edit_title", "restore"])
        log.append(getattr(Workspace, name)(ws, rng))
        rendered = ws.check()
        if rendered is not None and all(path.startswith("stories/") for path in rendered):
            stories_alone += 1
    assert stories_alone >= 2, log  # the short way was taken, and every time it left a clean build's site
    assert ws.short_ways >= 2, log  # ...and so was the shorter one (quickedit.py), told the edited files
    ws.put_back(ws.originals)
    assert ws.check() is not None
    article = ws.articles()[0]  # a text edit that changes nothing else: its story is all that is rendered
    article.write_text(article.read_text(encoding="utf-8") + "\nThe council met.\n", encoding="utf-8")
    short_ways = ws.short_ways
    assert ws.check() == (f"stories/{article.stem}/index.html",)
    assert ws.short_ways == short_ways + 1
