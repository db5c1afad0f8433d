"""Content is untrusted: no field can inject script into a page, the search results or a link."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from dossier.cli import main
from dossier.pipeline import build

from .hostile import hostile_content
from .pages_server import serve, wait_for_search_status

ALLOWED_SCRIPTS = {("module", "../assets/search.js"), ("application/ld+json", None)}


class _Audit(HTMLParser):
    """Every script, event handler and URL attribute of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[str | None, str | None]] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "script":
            self.scripts.append((values.get("type"), values.get("src")))
        self.handlers += [f"{tag} {name}" for name, _ in attrs if name.startswith("on")]
        self.urls += [v or "" for name, v in attrs if name in ("href", "src", "action", "formaction", "srcset")]


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = hostile_content(tmp_path_factory.mktemp("hostile") / "content")
    out = content.parent / "site"
    build(content, out)
    return out


def pages(site: Path) -> list[Path]:
    return sorted(p for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_no_page_carries_injected_script_handlers_or_urls(hostile_site: Path) -> None:
    checked = 0
    for path in pages(hostile_site):
        html = path.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(html)
        assert audit.handlers == [], path
        assert all((kind, src) in ALLOWED_SCRIPTS for kind, src in audit.scripts), (path, audit.scripts)
        assert not [u for u in audit.urls if re.match(r"\s*(javascript|data|vbscript):", u, re.I)], path
        checked += 1
    assert checked > 15


def test_json_ld_cannot_be_broken_out_of(hostile_site: Path) -> None:
    for path in pages(hostile_site):
        html = path.read_text(encoding="utf-8")
        for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
            assert "<" not in block, path


def test_payload_is_shown_as_text(hostile_site: Path) -> None:
    html = (hostile_site / "stories" / "bridge-en" / "index.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.pwned=1;alert(&#34;script&#34;)&lt;/script&gt;" in html
    assert "[U+202E]" in html and "\u202e" not in html  # bidi override shown, not obeyed
    assert '<a href="javascript' not in html and "click me" in html


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_no_injected_script_runs_in_chromium(hostile_site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    errors: list[str] = []
    with serve(hostile_site, "/x/") as server:
        context = browser.new_context()
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for path in pages(hostile_site):
            url = server.base + path.relative_to(hostile_site).as_posix().removesuffix("index.html")
            page.goto(url)
            page.mouse.move(200, 300)
            assert page.evaluate("window.pwned") is None, url
        page.goto(server.base + "search/?q=pwnedword")
        wait_for_search_status(page, "result")
        assert page.locator("#search-results li").count() > 0
        assert page.evaluate("window.pwned") is None
        context.close()
    assert dialogs == [] and errors == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "ftp://x"])
def test_unsafe_urls_in_content_are_refused(url: str, valid_content: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    sources = valid_content / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8").replace(
        "url: https://daily-port.example", f"url: '{url}'"), encoding="utf-8")
    assert main(["check", "--content", str(valid_content)]) == 1
    err = capsys.readouterr().err
    assert f"sources.yaml:4: source 'daily-port': url '{url}' is not an absolute http(s) URL" in err


def test_feed_and_sitemap_stay_well_formed_and_carry_payloads_as_text(hostile_site: Path) -> None:
    from xml.etree import ElementTree

    from .hostile import SCRIPT

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ElementTree.parse(hostile_site / "feed.xml").getroot()  # raises if a payload broke the XML
    titles = [e.findtext(f"{atom}title") or "" for e in feed.iter(f"{atom}entry")]
    assert titles and all(SCRIPT in title for title in titles)  # the payload is text, not markup
    assert not [e for e in feed.iter() if not e.tag.startswith(("{http://www.w3.org/2005/Atom}",))]
    sitemap = ElementTree.parse(hostile_site / "sitemap.xml").getroot()
    assert all(
        loc.text and loc.text.startswith("https://example.org/harbour/")
        for loc in sitemap.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    )


def test_pdf_prints_payloads_as_text(hostile_site: Path, tmp_path: Path) -> None:
    import subprocess

    from dossier.pdf import write_pdf
    from dossier.pipeline import check

    content = hostile_site.parent / "content"
    pdf = write_pdf(hostile_site, check(content).content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert 'window.pwned=1;alert("script")' in " ".join(text.split())
    assert "[U+202E]" in text
