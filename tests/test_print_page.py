"""The print page (print/): the whole Kursk dossier on one page, every link kept on the page."""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass
from html import unescape
from html.parser import HTMLParser
from pathlib import Path

import pytest
from markupsafe import escape

from dossier.printing import PrintLinks, css_string

from .conftest import KURSK

SECTIONS = [
    "contents", "disagreements", "claims", "every-claim", "stories", "sources", "entities", "timeline", "method",
]  # fmt: skip


@dataclass
class Tag:
    name: str
    attrs: dict[str, str]
    text: str = ""


class PrintPage(HTMLParser):
    """What a reader relies on in print/index.html: every id, and the links, headings and marks of the edition
    itself (inside <div class="print-edition">, not the site's header and footer)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.links: list[Tag] = []  # each <a> with its text
        self.headings: list[Tag] = []
        self.marks: list[Tag] = []  # the highlighted quotes that carry an id
        self.section_of: dict[str, str] = {}  # id of a mark -> id of the story it stands in
        self._depth = 0  # nesting of <div> inside the edition
        self._open: list[Tag] = []
        self._story: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if a.get("id"):
            self.ids.append(a["id"])
        if tag == "div" and a.get("class") == "print-edition":
            self._depth = 1
        elif self._depth and tag == "div":
            self._depth += 1
        if not self._depth:
            return
        if tag == "article" and "story" in a.get("class", ""):
            self._story = a["aria-labelledby"]
        item = Tag(tag, a)
        if tag == "a":
            self.links.append(item)
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(item)
        elif tag == "mark" and "id" in a:
            self.marks.append(item)
            self.section_of[a["id"]] = self._story or ""
        if tag in ("a", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._open.append(item)

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "div":
            self._depth -= 1
        if tag == "article":
            self._story = None
        if self._open and self._open[-1].name == tag:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for item in self._open:
            item.text += data


@pytest.fixture(scope="module")
def html(kursk_site: Path) -> str:
    return (kursk_site / "print" / "index.html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def page(html: str) -> PrintPage:
    parser = PrintPage()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def content():  # type: ignore[no-untyped-def]
    from dossier.pipeline import check

    return check(KURSK).content


def squash(text: str) -> str:
    return " ".join(unescape(text).split())


def test_sections_come_in_reading_order(page: PrintPage) -> None:
    assert page.headings[0].name == "h1" and page.headings[0].attrs["id"] == "cover"
    top = [h.attrs["id"] for h in page.headings if h.name == "h2"]
    assert top == SECTIONS


def test_cover_names_title_curator_date_and_counts(html: str, content) -> None:  # type: ignore[no-untyped-def]
    cover = html[html.index('<section class="cover"') : html.index('<nav class="contents"')]
    cover = squash(re.sub(r"<[^>]+>", " ", cover))
    d = content.dossier
    assert d.title in cover
    assert f"Curated by {d.curator}" in cover
    assert f"Updated {d.updated.display()}" in cover
    assert f"Sources {len(content.sources)}," in cover
    assert f"Claims {len(content.claims)} checked" in cover


def test_every_id_on_the_page_is_unique(page: PrintPage) -> None:
    assert len(page.ids) > 150
    assert [i for i, n in Counter(page.ids).items() if n > 1] == []


def test_every_link_stays_on_the_page_or_is_an_external_address(page: PrintPage) -> None:
    ids = set(page.ids)
    internal = [a.attrs["href"] for a in page.links if a.attrs["href"].startswith("#")]
    external = [a.attrs["href"] for a in page.links if not a.attrs["href"].startswith("#")]
    assert len(internal) > 500
    assert sorted({h for h in internal if h[1:] not in ids}) == []
    assert all(re.match(r"https?://", h) for h in external), external


def test_every_story_claim_source_and_entity_has_its_section(page: PrintPage, content) -> None:  # type: ignore[no-untyped-def]
    ids = set(page.ids)
    headings = {h.attrs.get("id"): squash(h.text) for h in page.headings}
    for article in content.articles:
        assert headings[f"story-{article.id}"] == article.title
    for number, claim in enumerate(content.claims, 1):
        assert headings[f"claim-{claim.id}"] == f"C{number} {claim.statement}"
    for source in content.sources:
        assert headings[f"source-{source.id}"] == source.name
    for entity in content.entities:
        assert f"entity-{entity.id}" in ids


def test_contents_lists_every_section_claim_and_story(page: PrintPage, content) -> None:  # type: ignore[no-untyped-def]
    contents = [a.attrs["href"][1:] for a in page.links if a.attrs["href"].startswith("#")]
    contents = contents[: contents.index("method") + 1]  # the contents come first; "method" is its last line
    assert [c for c in contents if c in SECTIONS] == SECTIONS[1:]
    assert [c for c in contents if c.startswith("claim-") and c != "every-claim"] == [
        f"claim-{c.id}" for c in content.claims
    ]
    assert {c for c in contents if c.startswith("story-")} == {f"story-{a.id}" for a in content.articles}


def test_stories_are_read_original_first(page: PrintPage) -> None:
    stories = [h.attrs["id"] for h in page.headings if h.attrs.get("id", "").startswith("story-")]
    assert stories.index("story-memorial-park-en") + 1 == stories.index("story-memorial-park-de")


def test_every_quote_is_highlighted_in_its_story_with_an_id_of_its_own(page: PrintPage, content) -> None:  # type: ignore[no-untyped-def]
    marked = {m.attrs["id"] for m in page.marks}
    for claim in content.claims:
        for number, assertion in enumerate(claim.assertions, 1):
            anchor = f"story-{assertion.article}--q-{claim.id}-{number}"
            assert anchor in marked, anchor
            assert page.section_of[anchor] == f"story-{assertion.article}"


def test_claim_references_in_stories_jump_to_the_claim(page: PrintPage, content) -> None:  # type: ignore[no-untyped-def]
    refs = [a for a in page.links if a.attrs.get("class") == "claim-ref"]
    assert len(refs) == sum(len(c.assertions) for c in content.claims)
    numbers = {f"#claim-{c.id}": f"C{n}" for n, c in enumerate(content.claims, 1)}
    for ref in refs:
        assert ref.text == numbers[ref.attrs["href"]]  # the printed label names the claim it jumps to


def test_quotes_in_claim_tables_jump_to_the_passage_in_the_story(html: str) -> None:
    claim = html[html.index('id="claim-defence-minister-identity"') :]
    claim = claim[: claim.index("</table>")]
    quote = re.search(r'<blockquote lang="en"><a href="#(story-sculptor-controversy--q-[^"]+)">([^<]*)</a>', claim)
    assert quote and "Belyushikov" in quote.group(2)
    story = html[html.index(f'id="{quote.group(1)}"') :]
    assert story.index("Belyushikov") < story.index("</mark>")  # the jump lands on the highlighted name


def test_german_story_keeps_its_language_and_umlauts(html: str) -> None:
    story = html[html.index('id="story-memorial-park-de"') - 200 :]
    assert '<div class="story-body" lang="de">' in story
    assert "Lokale Behörden sagen" in story


def test_story_body_headings_sit_below_the_story_heading(page: PrintPage) -> None:
    levels = [int(h.name[1]) for h in page.headings]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))  # no level is skipped
    assert "h2" not in {h.name for h in page.headings if "Regionaler Tribut" in h.text}


def test_print_page_carries_pdf_metadata_and_its_stylesheet(html: str, content) -> None:  # type: ignore[no-untyped-def]
    d = content.dossier
    assert f"<title>{escape(d.title)}</title>" in html
    assert f'<meta name="author" content="{d.curator}">' in html
    assert f'<meta name="dcterms.created" content="{d.updated.iso()}">' in html
    assert '<link rel="stylesheet" href="../assets/print.css">' in html
    assert '<link rel="stylesheet" href="running-head.css">' in html  # no inline style: the CSP forbids it
    assert "<style" not in html and " style=" not in html


def test_running_head_stylesheet_carries_the_title(kursk_site: Path, content) -> None:  # type: ignore[no-untyped-def]
    css = (kursk_site / "print" / "running-head.css").read_text(encoding="utf-8")
    d = content.dossier
    assert f'@top-left {{ content: "{d.title}"; }}' in css
    assert f'@bottom-left {{ content: "{d.curator} · updated {d.updated.display()}"; }}' in css


def test_print_page_is_not_indexed_for_search(html: str) -> None:
    assert "data-pagefind-body" not in html  # search results would otherwise point at the print copy


def test_overview_links_the_print_page(kursk_site: Path) -> None:
    overview = (kursk_site / "index.html").read_text(encoding="utf-8")
    assert '<a href="print/">the whole dossier on one page</a>' in overview
    assert "dossier.pdf" not in overview  # a plain build writes no PDF, so none is linked


def test_print_links_point_within_the_page() -> None:
    links = PrintLinks()
    assert links.claim("nk-troops-14000") == "#claim-nk-troops-14000"
    assert links.story("memorial-park-de") == "#story-memorial-park-de"
    assert links.quote("memorial-park-de", "memorial-location", 2) == "#story-memorial-park-de--q-memorial-location-2"
    assert links.source("ria-novosti") == "#source-ria-novosti"
    assert links.entity("kim-jong-un") == "#entity-kim-jong-un"
    # an edition without the stories' texts has no passages to point at: a quote links its story's entry
    assert PrintLinks(passages=False).quote("memorial-park-de", "memorial-location", 2) == "#story-memorial-park-de"


def test_running_title_is_a_safe_css_string() -> None:
    text = str(css_string('Kursk "memorial" </style><script>'))
    assert text.startswith('"') and text.endswith('"')
    assert "</style" not in text and "<" not in text and text.count('"') == 2


def test_a_large_dossier_prints_its_stories_without_their_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above FULL_TEXTS_UP_TO articles, stories keep their facts and claims; every link still lands on the page."""
    from dossier import printing
    from dossier.pipeline import check
    from dossier.render import TEMPLATES, environment, render_page, site_globals
    from dossier.views import Index

    monkeypatch.setattr(printing, "FULL_TEXTS_UP_TO", 2)  # Kursk has five articles
    checked = check(KURSK)
    ix = Index(checked.content, checked.analysis)
    html = render_page(environment(TEMPLATES), printing.print_page(ix), site_globals(checked.content)).decode()
    parsed = PrintPage()
    parsed.feed(html)
    assert 'class="story-body"' not in html and not parsed.marks
    assert "too many to print in full" in html
    stories = {f"story-{a.id}" for a in checked.content.articles}
    assert stories <= set(parsed.ids)
    for link in parsed.links:
        if link.attrs["href"].startswith("#"):
            assert link.attrs["href"][1:] in parsed.ids, link.attrs["href"]
    quote_links = [a.attrs["href"] for a in parsed.links if a.attrs["href"][1:] in stories]
    assert len(quote_links) >= sum(len(c.assertions) for c in checked.content.claims)
