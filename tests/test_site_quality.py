"""The whole built Kursk site: links, HTML validity, accessibility, phone layout, languages."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from .conftest import KURSK, ROOT
from .htmlcheck import Site

VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


def html_pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html") if "pagefind" not in p.parts)


def test_no_broken_internal_links_or_anchors(kursk_site: Path) -> None:
    base_path = urlsplit(yaml.safe_load((KURSK / "dossier.yaml").read_text())["base_url"]).path
    site = Site.read(kursk_site)
    assert len(site.links) > 90
    assert site.broken(base_path) == []


def test_all_internal_links_are_relative_except_404(kursk_site: Path) -> None:
    for name in html_pages(kursk_site):
        if name == "404.html":
            continue
        html = (kursk_site / name).read_text(encoding="utf-8")
        assert not re.search(r'(?:href|src)="/', html), name


def test_nu_html_checker_finds_no_errors(kursk_site: Path) -> None:
    files = [str(kursk_site / name) for name in html_pages(kursk_site)]
    result = subprocess.run(
        ["java", "-Xss4m", "-jar", str(VNU), "--errors-only", "--format", "json", *files],
        capture_output=True, text=True, timeout=300,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{Path(m.get('url', '')).name}:{m.get('lastLine')}: {m['message']}" for m in messages]
    assert errors == []
    assert result.returncode == 0


def test_every_page_declares_its_language(kursk_site: Path) -> None:
    for name in html_pages(kursk_site):
        html = (kursk_site / name).read_text(encoding="utf-8")
        assert re.search(r'<html lang="(en|de)">', html), name


def test_german_text_on_english_pages_is_marked(kursk_site: Path) -> None:
    claim = (kursk_site / "claims" / "memorial-location" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in claim
    assert re.search(r'<blockquote lang="de"><a [^>]*>[^<]*Stadtpark', claim)
    story = (kursk_site / "stories" / "memorial-park-de" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="de">' in story
    assert '<header class="site-header" lang="en">' in story  # the interface stays English


def test_pages_work_without_javascript(kursk_site: Path) -> None:
    for name in html_pages(kursk_site):
        if name != "search/index.html":
            html = (kursk_site / name).read_text(encoding="utf-8")
            # JSON-LD is data for search engines, never run: the only script element allowed.
            html = re.sub(r'<script type="application/ld\+json">[^<]*</script>', "", html)
            assert "<script" not in html, name
    search = (kursk_site / "search" / "index.html").read_text(encoding="utf-8")
    noscript = search[search.index("<noscript>") : search.index("</noscript>")]
    assert "Search needs JavaScript" in noscript
    assert 'href="../claims/"' in noscript and 'href="../#stories"' in noscript


CHUNKS = 4
AXE_RUN = "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"


@pytest.mark.browser
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_axe_finds_no_serious_or_critical_violations(kursk_server, browser, chunk: int) -> None:  # type: ignore[no-untyped-def]
    names = html_pages(kursk_server.site)[chunk::CHUNKS]
    failures = []
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme, bypass_csp=True)  # axe is injected inline
        page = context.new_page()
        for name in names:
            page.goto(kursk_server.base + name)
            page.add_script_tag(path=str(AXE))
            violations = page.evaluate(AXE_RUN)
            for v in violations:
                if v["impact"] in ("serious", "critical"):
                    failures.append(f"{scheme} {name}: {v['id']} ({v['impact']}): {v['nodes'][0]['target']}")
        context.close()
    assert failures == []


PHONE_PAGES = [
    "", "claims/", "claims/memorial-location/", "stories/sculptor-sketches/", "stories/memorial-park-de/",
    "sources/", "sources/novaya-gazeta-europe/", "entities/", "entities/andrei-belousov/", "timeline/",
]


@pytest.mark.browser
def test_no_horizontal_overflow_on_a_phone(kursk_server, browser) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    wide = {}
    for path in PHONE_PAGES:
        page.goto(kursk_server.base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    context.close()
    assert wide == {}
