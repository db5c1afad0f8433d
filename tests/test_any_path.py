"""The built site works unchanged under any sub-path: Chromium crawls every page under /some/prefix/.

The test server behaves like GitHub Pages for a project site (tests/pages_server.py): anything
outside the prefix is a 404, so a root-relative link, asset or search request fails here as it
would on https://<user>.github.io/<repo>/. The crawl follows every same-origin link from the
overview, fetches every other same-origin resource a page names, checks every #fragment, and
runs searches along the way; every request the server answers with >= 400, every request that
fails in the browser and every console error (a CSP violation, a broken module) is a failure.

The 404 page is the one exception to "any path": GitHub Pages serves it at every depth, so it
links from the path of `base_url`; it is checked under that path.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

import pytest
import yaml

from .conftest import KURSK
from .pages_server import PagesServer, serve, wait_for_search_status

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PREFIX = "/some/prefix/"
# Every URL-bearing element a page can make the browser load or the reader follow.
LINKS_JS = """() => [...document.querySelectorAll(
    'a[href], link[href], script[src], img[src], source[src], form[action]')]
  .map(e => ({tag: e.tagName.toLowerCase(), rel: e.getAttribute('rel') || '',
              url: e.href || e.src || e.action}))"""
SEARCHES = ("Kursk", "Minenräumer", "Belyushikov")


class Recorder:
    """Everything that went wrong in the browser while the crawl ran."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.current = ""

    def attach(self, page) -> None:  # type: ignore[no-untyped-def]
        page.on("requestfailed", self._failed)
        page.on("response", lambda r: r.status >= 400 and self.problems.append(f"{self.current}: {r.url} {r.status}"))
        page.on("console", lambda m: m.type == "error" and self.problems.append(f"{self.current}: console: {m.text}"))
        page.on("pageerror", lambda e: self.problems.append(f"{self.current}: page error: {e}"))


    def _failed(self, request) -> None:  # type: ignore[no-untyped-def]
        # Leaving a page aborts what it still loads (a late favicon); every resource a page names is
        # fetched again on its own below, so an abort hides nothing. Any other failure (blocked by the
        # CSP, refused, reset) is a problem.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"{self.current}: {request.url} failed: {request.failure}")


@pytest.fixture(scope="module")
def prefix_server(kursk_site: Path) -> Iterator[PagesServer]:
    with serve(kursk_site, PREFIX) as server:
        yield server


def is_page(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith("/") or path.endswith(".html")


def run_search(page, server: PagesServer, query: str) -> list[str]:  # type: ignore[no-untyped-def]
    from urllib.parse import urlencode

    page.goto(server.base + "search/?" + urlencode({"q": query}))
    wait_for_search_status(page, "result|No results", timeout=15000)
    page.wait_for_load_state("networkidle")  # the result fragments, before the crawl moves on
    return page.eval_on_selector_all("#search-results a", "els => els.map(e => e.href)")


def test_chromium_crawl_under_a_prefix_finds_nothing_broken(prefix_server: PagesServer, browser) -> None:  # type: ignore[no-untyped-def]
    server = prefix_server
    origin = f"http://127.0.0.1:{server.server_port}"
    context = browser.new_context()
    page = context.new_page()
    recorder = Recorder()
    recorder.attach(page)

    queue: deque[str] = deque([server.base])
    seen_pages = {server.base}
    resources: set[str] = set()
    fragments: dict[str, set[str]] = {}  # page url -> ids other pages link to
    ids: dict[str, set[str]] = {}
    external: set[str] = set()

    def follow(url: str, tag: str, rel: str) -> None:
        target, fragment = urldefrag(url)
        if not target.startswith(origin):
            external.add(f"{tag} {rel} {target}")
            return
        if tag in ("a", "form") and is_page(target):
            if fragment:
                fragments.setdefault(target, set()).add(fragment)
            if target not in seen_pages:
                seen_pages.add(target)
                queue.append(target)
        else:
            resources.add(target)

    searched = False
    while queue:
        url = queue.popleft()
        recorder.current = url
        response = page.goto(url)
        assert response is not None and response.ok, f"{url}: {response.status if response else 'no response'}"
        if urlsplit(url).path.endswith("/search/"):  # let it load the index, or leaving would abort its requests
            page.wait_for_load_state("networkidle")
        ids[page.url] = set(page.eval_on_selector_all("[id]", "els => els.map(e => e.id)"))
        for link in page.evaluate(LINKS_JS):
            follow(link["url"], link["tag"], link["rel"])
        if not searched:  # once the crawl is under way: search, and crawl the results too
            searched = True
            for query in SEARCHES:
                recorder.current = f"search {query}"
                results = run_search(page, server, query)
                assert results, f"no results for {query}"
                for result in results:
                    follow(result, "a", "")

    for url in sorted(resources):
        recorder.current = url
        response = context.request.get(url)
        if response.status >= 400:
            recorder.problems.append(f"{url}: {response.status}")
    context.close()

    missing = [f"{url}#{f}" for url, wanted in fragments.items() for f in sorted(wanted - ids.get(url, set()))]
    outside = [path for status, path in server.requests if not path.startswith(PREFIX)]
    failed = [f"{status} {path}" for status, path in server.requests if status >= 400]
    assert recorder.problems == []
    assert missing == []
    assert outside == []  # nothing root-relative, not even /favicon.ico
    assert failed == []
    every_page = {server.base + p.relative_to(server.site).as_posix().removesuffix("index.html")
                  for p in server.site.rglob("*.html") if "pagefind" not in p.parts and p.name != "404.html"}
    assert every_page <= seen_pages, "pages no link leads to"
    assert len(every_page) > 90
    assert any(r.endswith("/capture.txt") for r in resources) and any(r.endswith("/feed.xml") for r in resources)
    # The only absolute URLs the browser saw are canonical/hreflang links and the articles' original addresses.
    base_url = yaml.safe_load((KURSK / "dossier.yaml").read_text(encoding="utf-8"))["base_url"]
    own = sorted(e for e in external if base_url in e)
    assert all(e.startswith(("link canonical ", "link alternate ")) for e in own), own


def test_missing_deep_url_shows_a_working_404_page(kursk_site: Path, browser) -> None:  # type: ignore[no-untyped-def]
    """GitHub Pages answers a miss at any depth with 404.html; it must find its styles and links there."""
    base_url = yaml.safe_load((KURSK / "dossier.yaml").read_text(encoding="utf-8"))["base_url"]
    base_path = urlsplit(base_url).path  # the site is served where base_url says it is
    with serve(kursk_site, base_path) as server:
        context = browser.new_context()
        page = context.new_page()
        recorder = Recorder()
        recorder.attach(page)
        recorder.current = "404"
        missing = server.base + "stories/no-such-story/deeper/still/"
        response = page.goto(missing)
        assert response is not None and response.status == 404
        # The page itself is the one expected 404 (the browser logs it to the console too).
        expected = [f"404: {missing} 404", "404: console: Failed to load resource: the server responded with a "
                    "status of 404 (Not Found)"]
        for problem in expected:
            recorder.problems.remove(problem)
        assert page.locator("h1").inner_text() == "Page not found"
        # The stylesheet loaded and applies (the CSP would block it from anywhere but the site).
        sheets = "[...document.styleSheets].filter(s => s.href && s.href.endsWith('/assets/style.css'))"
        assert page.evaluate(f"{sheets}.map(s => s.cssRules.length)")[0] > 10
        links = [link for link in page.evaluate(LINKS_JS) if urldefrag(link["url"])[0] != missing]
        assert len(links) > 8 and all(link["url"].startswith(server.base) for link in links), links
        for link in links:
            status = context.request.get(urldefrag(link["url"])[0]).status
            assert status < 400, (link, status)
        context.close()
        assert recorder.problems == []
        assert [path for status, path in server.requests if status >= 400] == [
            "/kursk-memorial/stories/no-such-story/deeper/still/"
        ]
