"""Publishing conventions: sitemap, Atom feed, robots.txt, head metadata, JSON-LD, reproducible builds."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import yaml

from dossier.dates import parse_date
from dossier.pipeline import build
from dossier.publish import certain_iso, exact_day, json_ld, rfc3339, shorten, w3c_date

from .conftest import KURSK, ROOT, VALID

SCHEMAS = Path(__file__).parent / "schemas"
SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
UNLISTED = {"404.html", "search/index.html", "print/index.html"}


def base_url(content: Path) -> str:
    return yaml.safe_load((content / "dossier.yaml").read_text(encoding="utf-8"))["base_url"]


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts)


def page_url(path: str) -> str:
    return path.removesuffix("index.html")


class Head(HTMLParser):
    """The <head> of a page: links, metas and JSON-LD blocks; and every attribute value anywhere."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[dict[str, str]] = []
        self.metas: list[dict[str, str]] = []
        self.json_ld: list[Any] = []
        self.attributes: list[tuple[str, dict[str, str], str]] = []  # (tag, attrs, value)
        self._in_ld = False
        self._ld = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "link":
            self.links.append(values)
        elif tag == "meta":
            self.metas.append(values)
        elif tag == "script" and values.get("type") == "application/ld+json":
            self._in_ld, self._ld = True, ""
        self.attributes += [(tag, values, v) for v in values.values()]

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self._ld += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._in_ld:
            self.json_ld.append(json.loads(self._ld))
            self._in_ld = False

    def canonical(self) -> list[str]:
        return [link["href"] for link in self.links if link.get("rel") == "canonical"]

    def hreflang(self) -> dict[str, str]:
        return {link["hreflang"]: link["href"] for link in self.links if link.get("rel") == "alternate"
                and "hreflang" in link}

    def property(self, name: str) -> list[str]:
        return [m["content"] for m in self.metas if m.get("property") == name or m.get("name") == name]


def read_head(site: Path, path: str) -> Head:
    head = Head()
    head.feed((site / path).read_text(encoding="utf-8"))
    return head


@pytest.fixture(scope="module")
def fixture_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small two-language fixture, whose articles have original URLs and publication dates."""
    out = tmp_path_factory.mktemp("publish") / "site"
    build(VALID, out)
    return out


# -- sitemap.xml and robots.txt ----------------------------------------------------------


def test_sitemap_is_valid_against_the_sitemap_schema(kursk_site: Path, fixture_site: Path) -> None:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(SCHEMAS / "sitemap-hreflang.xsd")))
    for site in (kursk_site, fixture_site):
        document = etree.parse(str(site / "sitemap.xml"))
        assert schema.validate(document), schema.error_log


def test_sitemap_lists_every_page_once_by_absolute_url(kursk_site: Path) -> None:
    base = base_url(KURSK)
    root = ET.parse(kursk_site / "sitemap.xml").getroot()
    locs = [url.findtext(f"{SM}loc") for url in root.iter(f"{SM}url")]
    expected = [base + page_url(p) for p in html_pages(kursk_site) if p not in UNLISTED]
    assert sorted(locs) == sorted(expected)
    assert len(locs) == len(set(locs)) > 90
    assert locs[0] == base  # the overview first
    lastmods = {url.findtext(f"{SM}lastmod") for url in root.iter(f"{SM}url")}
    assert lastmods == {"2026-11-21"}  # dossier.yaml `updated`, not the build's clock


def test_sitemap_links_the_language_versions_of_a_story(kursk_site: Path) -> None:
    base = base_url(KURSK)
    en, de = base + "stories/memorial-park-en/", base + "stories/memorial-park-de/"
    root = ET.parse(kursk_site / "sitemap.xml").getroot()
    alternates = {
        url.findtext(f"{SM}loc"): {link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
        for url in root.iter(f"{SM}url")
    }
    assert alternates[en] == alternates[de] == {"en": en, "de": de, "x-default": en}
    assert alternates[base + "stories/sculptor-sketches/"] == {}  # a story in one language has none
    assert sum(1 for links in alternates.values() if links) == 2


def test_robots_txt_points_to_the_sitemap(kursk_site: Path) -> None:
    robots = (kursk_site / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base_url(KURSK)}sitemap.xml" in robots.splitlines()
    assert "User-agent: *" in robots.splitlines()
    assert not re.search(r"^Disallow: \S", robots, re.M)


def test_nojekyll_and_favicon(kursk_site: Path) -> None:
    assert (kursk_site / ".nojekyll").read_bytes() == b""
    assert (kursk_site / "assets" / "favicon.svg").is_file()
    for path in html_pages(kursk_site):
        icons = [link["href"] for link in read_head(kursk_site, path).links if link.get("rel") == "icon"]
        assert len(icons) == 1 and icons[0].endswith("assets/favicon.svg"), path


# -- feed.xml ---------------------------------------------------------------------------


def assert_atom(feed: ET.Element) -> None:
    """The requirements RFC 4287 puts on a feed and its entries (section 4.1)."""
    assert feed.tag == f"{ATOM}feed"

    def one(parent: ET.Element, name: str) -> ET.Element:
        found = parent.findall(f"{ATOM}{name}")
        assert len(found) == 1, f"{parent.tag} needs exactly one atom:{name}"
        return found[0]

    def at_most_one(parent: ET.Element, name: str) -> None:
        assert len(parent.findall(f"{ATOM}{name}")) <= 1, f"{parent.tag}: more than one atom:{name}"

    def date(element: ET.Element) -> None:
        text = element.text or ""
        assert RFC3339.fullmatch(text), f"not an RFC 3339 date-time: {text}"
        datetime.fromisoformat(text.replace("Z", "+00:00"))

    def links_are_distinct(parent: ET.Element) -> None:
        alternates = [(link.get("type"), link.get("hreflang")) for link in parent.findall(f"{ATOM}link")
                      if link.get("rel", "alternate") == "alternate"]
        assert len(alternates) == len(set(alternates)), "two alternate links with one type and hreflang"
        assert all(link.get("href") for link in parent.findall(f"{ATOM}link"))

    def person(element: ET.Element) -> None:
        assert one(element, "name").text

    for name in ("id", "title", "updated"):
        one(feed, name)
    for name in ("subtitle", "generator", "icon", "logo", "rights"):
        at_most_one(feed, name)
    assert re.match(r"(https?|tag|urn):", one(feed, "id").text or "")
    date(one(feed, "updated"))
    links_are_distinct(feed)
    assert [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"], "feeds SHOULD have rel=self"
    feed_authors = feed.findall(f"{ATOM}author")
    for author in feed_authors:
        person(author)
    entries = feed.findall(f"{ATOM}entry")
    ids = []
    for entry in entries:
        for name in ("id", "title", "updated"):
            one(entry, name)
        for name in ("content", "published", "rights", "source", "summary"):
            at_most_one(entry, name)
        ids.append(one(entry, "id").text)
        assert re.match(r"(https?|tag|urn):", ids[-1] or "")
        date(one(entry, "updated"))
        for published in entry.findall(f"{ATOM}published"):
            date(published)
        assert feed_authors or entry.findall(f"{ATOM}author"), "every entry needs an author"
        for author in entry.findall(f"{ATOM}author"):
            person(author)
        if not entry.findall(f"{ATOM}content"):
            assert [link for link in entry.findall(f"{ATOM}link") if link.get("rel", "alternate") == "alternate"]
        links_are_distinct(entry)
        for text in [*entry.findall(f"{ATOM}title"), *entry.findall(f"{ATOM}summary")]:
            assert text.get("type", "text") in ("text", "html", "xhtml")
    assert len(ids) == len(set(ids)), "entry ids must be unique"


def test_feed_is_valid_atom(kursk_site: Path, fixture_site: Path) -> None:
    for site in (kursk_site, fixture_site):
        assert_atom(ET.parse(site / "feed.xml").getroot())


def test_feed_has_one_entry_per_story_page(kursk_site: Path) -> None:
    base = base_url(KURSK)
    feed = ET.parse(kursk_site / "feed.xml").getroot()
    stories = [p for p in html_pages(kursk_site) if p.startswith("stories/")]
    entries = feed.findall(f"{ATOM}entry")
    assert sorted(e.findtext(f"{ATOM}id") for e in entries) == sorted(base + page_url(p) for p in stories)
    assert feed.find(f"{ATOM}link[@rel='self']").get("href") == base + "feed.xml"  # type: ignore[union-attr]
    assert feed.findtext(f"{ATOM}updated") == "2026-11-21T00:00:00Z"
    de = next(e for e in entries if e.findtext(f"{ATOM}id", "").endswith("/memorial-park-de/"))
    assert de.get(XML_LANG) == "de"
    assert de.findtext(f"{ATOM}title") == "Russland will ein Denkmal für gefallene nordkoreanische Soldaten errichten"


def test_feed_dates_and_original_links_come_from_content(fixture_site: Path) -> None:
    feed = ET.parse(fixture_site / "feed.xml").getroot()
    en = next(e for e in feed.findall(f"{ATOM}entry") if e.findtext(f"{ATOM}id", "").endswith("/bridge-en/"))
    assert en.findtext(f"{ATOM}published") == "2025-03-01T00:00:00Z"
    assert en.findtext(f"{ATOM}updated") == "2025-03-02T00:00:00Z"  # captured
    assert en.find(f"{ATOM}link[@rel='via']").get("href") == "https://daily-port.example/bridge"  # type: ignore[union-attr]


# -- head metadata ------------------------------------------------------------------------


def test_every_page_but_404_has_its_canonical_url(kursk_site: Path) -> None:
    base = base_url(KURSK)
    for path in html_pages(kursk_site):
        head = read_head(kursk_site, path)
        if path == "404.html":
            assert head.canonical() == [] and head.property("robots") == ["noindex"]
        else:
            assert head.canonical() == [base + page_url(path)], path


def test_absolute_urls_only_where_the_web_requires_them(kursk_site: Path) -> None:
    """Links stay relative; base_url appears only in canonical and hreflang links, og:url and JSON-LD."""
    base = base_url(KURSK)
    for path in html_pages(kursk_site):
        head = read_head(kursk_site, path)
        for tag, attrs, value in head.attributes:
            if base in value:
                allowed = (tag == "link" and attrs.get("rel") in ("canonical", "alternate")) or (
                    tag == "meta" and attrs.get("property") == "og:url"
                )
                assert allowed, (path, tag, attrs)


def test_translated_stories_declare_hreflang_alternates(kursk_site: Path) -> None:
    base = base_url(KURSK)
    en, de = base + "stories/memorial-park-en/", base + "stories/memorial-park-de/"
    for path in ("stories/memorial-park-en/index.html", "stories/memorial-park-de/index.html"):
        assert read_head(kursk_site, path).hreflang() == {"en": en, "de": de, "x-default": en}
    assert read_head(kursk_site, "stories/sculptor-sketches/index.html").hreflang() == {}
    assert read_head(kursk_site, "claims/index.html").hreflang() == {}


def test_open_graph_and_twitter_tags(kursk_site: Path) -> None:
    base = base_url(KURSK)
    for path in html_pages(kursk_site):
        head = read_head(kursk_site, path)
        description = head.property("description")
        assert len(description) == 1 and 0 < len(description[0]) <= 200, path
        if path == "404.html":
            assert head.property("og:url") == []
            continue
        assert head.property("og:url") == [base + page_url(path)], path
        assert head.property("og:type") == ["article" if path.startswith("stories/") else "website"], path
        assert len(head.property("og:title")) == 1 and head.property("og:title")[0], path
        assert head.property("og:description") == description, path
        assert head.property("og:site_name") == ["Russia's planned memorial in Kursk to North Korean soldiers"]
        assert head.property("twitter:card") == ["summary"], path
    story = read_head(kursk_site, "stories/memorial-park-de/index.html")
    assert story.property("og:title") == ["Russland will ein Denkmal für gefallene nordkoreanische Soldaten errichten"]


def test_feed_is_discoverable_from_every_page(kursk_site: Path) -> None:
    for path in html_pages(kursk_site):
        feeds = [link for link in read_head(kursk_site, path).links if link.get("type") == "application/atom+xml"]
        assert len(feeds) == 1, path
        root = "/kursk-memorial/" if path == "404.html" else "../" * path.count("/")
        assert feeds[0]["href"] == root + "feed.xml", path


# -- JSON-LD -----------------------------------------------------------------------------------


def test_story_pages_describe_a_news_article(kursk_site: Path, fixture_site: Path) -> None:
    base = base_url(KURSK)
    [data] = read_head(kursk_site, "stories/memorial-park-de/index.html").json_ld
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["url"] == base + "stories/memorial-park-de/"
    assert data["headline"] == "Russland will ein Denkmal für gefallene nordkoreanische Soldaten errichten"
    assert data["inLanguage"] == "de"
    assert data["translationOfWork"] == {"@id": base + "stories/memorial-park-en/"}
    assert "isBasedOn" not in data and "publisher" not in data  # URL unknown, outlet unidentified: nothing invented
    [bridge] = read_head(fixture_site, "stories/bridge-en/index.html").json_ld
    assert bridge["isBasedOn"] == "https://daily-port.example/bridge"
    assert bridge["datePublished"] == "2025-03-01"
    assert bridge["publisher"] == {"@type": "Organization", "name": "The Daily Port", "url": "https://daily-port.example"}


def test_claim_pages_describe_a_claim_with_one_appearance_per_asserting_article(kursk_site: Path) -> None:
    base = base_url(KURSK)
    claims = yaml.safe_load((KURSK / "claims.yaml").read_text(encoding="utf-8"))
    for claim in claims:
        [data] = read_head(kursk_site, f"claims/{claim['id']}/index.html").json_ld
        assert data["@type"] == "Claim"
        assert data["text"] == claim["statement"]
        assert data["url"] == base + f"claims/{claim['id']}/"
        articles = list(dict.fromkeys(a["article"] for a in claim["assertions"]))
        assert [a["url"] for a in data["appearance"]] == [base + f"stories/{a}/" for a in articles]
        assert all(a["@type"] == "NewsArticle" for a in data["appearance"])


def test_other_pages_carry_no_article_data(kursk_site: Path) -> None:
    for path in html_pages(kursk_site):
        blocks = read_head(kursk_site, path).json_ld
        kind = path.split("/")[0]
        if path == "index.html":
            assert [b["@type"] for b in blocks] == ["WebSite"]
        elif kind in ("stories", "claims") and path.count("/") == 2:
            assert len(blocks) == 1, path
        else:
            assert blocks == [], path


def test_json_ld_cannot_close_its_script_element() -> None:
    payload = {"headline": "</script><script>alert(1)</script><!-- & -->"}
    text = str(json_ld(payload))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == payload


def test_machine_dates_never_claim_more_than_the_content_says() -> None:
    assert w3c_date(parse_date("2025-04-26")) == "2025-04-26"
    assert w3c_date(parse_date("2025-04")) is None  # xsd:date needs a day; none is invented
    assert w3c_date(parse_date("2025-04-26?")) is None
    assert w3c_date(parse_date("2025-01-02/2025-03-04")) == "2025-03-04"  # the interval's end
    assert exact_day(parse_date("2025-04")) is None and exact_day(parse_date("2025-04-26~")) is None
    assert certain_iso(parse_date("2025-07")) == "2025-07" and certain_iso(parse_date("2025-07?")) is None
    assert rfc3339(parse_date("2025-07?").start) == "2025-07-01T00:00:00Z"


def test_descriptions_are_short_and_end_cleanly() -> None:
    assert shorten("One. Two.\n\nThree.") == "One. Two."
    long = "A sentence that is long enough to count as one. " * 6
    assert shorten(long) == long[: long.rindex(".", 0, 200) + 1]
    assert shorten("word " * 100).endswith("word…") and len(shorten("word " * 100)) <= 200


# -- reproducible builds ----------------------------------------------------------------------


def tree(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical_from_any_folder(kursk_site: Path, tmp_path: Path) -> None:
    """The same content built again, from another working folder and another absolute path: same bytes."""
    elsewhere = tmp_path / "some" / "other" / "place"
    shutil.copytree(KURSK, elsewhere / "content")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-m", "dossier", "build", "--content", "place/content", "--out", "../built"],
        cwd=elsewhere.parent, env=env, check=True, capture_output=True,
    )
    again = tree(elsewhere.parent.parent / "built")
    first = tree(kursk_site)
    assert sorted(again) == sorted(first)
    assert any(name.startswith("pagefind/") for name in first)
    different = [name for name in first if first[name] != again[name]]
    assert different == []


def test_a_second_build_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(VALID, out)
    before = tree(out)
    built = build(VALID, out)
    assert built.report.written == ()
    assert tree(out) == before
