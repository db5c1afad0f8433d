"""Search in a real Chromium over the built Kursk site, served under a GitHub Pages sub-path."""

from __future__ import annotations

import filecmp
import shutil
from pathlib import Path

import pytest

from dossier.pipeline import build

from .conftest import KURSK
from .pages_server import wait_for_search_status

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def search(page, server, query: str, **params: str) -> list[str]:  # type: ignore[no-untyped-def]
    """Open the search page for `query` and return the result paths, site-relative."""
    from urllib.parse import urlencode

    page.goto(server.base + "search/?" + urlencode({"q": query}))
    for name, value in params.items():
        page.select_option(f"#filter-{name}", value)
    wait_for_search_status(page, "result|No results", timeout=15000)
    page.wait_for_timeout(300)  # a filter change re-runs the search
    hrefs = page.eval_on_selector_all("#search-results a", "els => els.map(e => e.getAttribute('href'))")
    return [h.removeprefix("/repo/") for h in hrefs]


def test_german_word_finds_the_german_story(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    assert "stories/memorial-park-de/" in search(page, kursk_server, "Minenräumer")


def test_german_search_is_stemmed_as_german(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    # "Minenräumern" (dative plural) is not in the text; German stemming finds "Minenräumer".
    assert "stories/memorial-park-de/" in search(page, kursk_server, "Minenräumern")


def test_english_word_finds_the_english_stories(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    results = search(page, kursk_server, "deminers")
    assert "stories/memorial-park-en/" in results
    if "stories/memorial-park-de/" in results:  # a German page may match through its stemmer, never first
        assert results.index("stories/memorial-park-en/") < results.index("stories/memorial-park-de/")


def test_a_name_finds_both_rewrites_and_the_entity(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    results = search(page, kursk_server, "Chebanenko")
    for expected in ("stories/sculptor-sketches/", "stories/sculptor-controversy/", "entities/alexei-chebanenko/"):
        assert expected in results


def test_source_filter_restricts_results(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    def count() -> int:
        return int(page.locator("#search-status").inner_text().split()[0])

    search(page, kursk_server, "Kursk")
    everything = count()
    filtered = search(page, kursk_server, "Kursk", source="Novaya Gazeta Europe")
    assert "stories/ambassador-street-names/" in filtered
    assert not {"stories/memorial-park-en/", "stories/sculptor-sketches/"} & set(filtered)
    assert 0 < count() < everything


def test_result_link_opens_the_page(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    search(page, kursk_server, "Belyushikov")
    link = page.locator("#search-results a", has_text="Controversial Monument")
    link.first.click()
    page.wait_for_load_state()
    assert page.url == kursk_server.base + "stories/sculptor-controversy/"
    assert "Controversial Monument" in page.locator("h1").inner_text()


def test_no_match_says_so(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    assert search(page, kursk_server, "xylophonequartz") == []
    assert page.locator("#search-status").inner_text() == "No results for “xylophonequartz”."


def test_html_in_a_query_is_shown_as_text(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    query = '<img src=x onerror="alert(1)"><b>memorial</b>'
    search(page, kursk_server, query)
    assert f"for “{query}”" in page.locator("#search-status").inner_text()
    assert page.locator("#search-status img, #search-status b").count() == 0
    assert dialogs == []


def test_header_search_box_leads_to_results(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    page.goto(kursk_server.base + "claims/")
    page.get_by_label("Search", exact=True).fill("Lavrov")
    # The form submits by navigating; the status is only worth reading on the page it lands on.
    with page.expect_navigation(url=kursk_server.base + "search/?q=Lavrov"):
        page.keyboard.press("Enter")
    wait_for_search_status(page, "result")
    assert page.locator("#search-results li").count() > 0


def test_search_page_passes_axe_with_results(browser, kursk_server) -> None:  # type: ignore[no-untyped-def]
    from .test_site_quality import AXE

    page = browser.new_page(bypass_csp=True)  # axe is injected inline; search itself runs under the CSP elsewhere
    search(page, kursk_server, "Kursk")
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
    assert page.locator("label[for=search-input]").is_visible()


def test_search_works_under_the_content_security_policy(page, kursk_server) -> None:  # type: ignore[no-untyped-def]
    failed: list[str] = []
    violations: list[str] = []
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    assert "stories/memorial-park-en/" in search(page, kursk_server, "Pyongyang")
    assert "Content-Security-Policy" in page.content()
    assert failed == [] and violations == []


def test_two_builds_give_identical_search_index(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    build(KURSK, first)
    build(KURSK, second)
    comparison = filecmp.dircmp(first / "pagefind", second / "pagefind")
    differing: list[str] = []

    def walk(cmp: filecmp.dircmp, prefix: str) -> None:
        differing.extend(prefix + n for n in cmp.diff_files + cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        differing.extend(prefix + n for n in mismatch + errors)
        for name, sub in cmp.subdirs.items():
            walk(sub, f"{prefix}{name}/")

    walk(comparison, "")
    assert differing == []


def test_an_edit_in_the_preview_is_searchable_before_its_shard_is_rebuilt(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """The preview indexes an edited page into a fresh bundle at once: search finds its new words and no longer
    answers with its old version, which the shard still holds until the preview settles."""
    from dossier.incremental import IncrementalBuilder

    from .conftest import VALID
    from .pages_server import serve

    content, out = tmp_path / "content", tmp_path / "out"
    shutil.copytree(VALID, content)
    builder = IncrementalBuilder(content, out)
    builder.build()
    article = content / "articles" / "bridge-de.md"
    article.write_text(article.read_text(encoding="utf-8").replace("zufrieden", "begeistert"), encoding="utf-8")
    builder.build(changed=[str(article)])
    assert (out / "pagefind" / "de" / "fresh").is_dir()
    with serve(out, "/repo/") as server:
        assert search(page, server, "begeistert") == ["stories/bridge-de/"]
        assert search(page, server, "zufrieden") == []  # the shard's outdated version is dropped
        found = search(page, server, "Hafenbrücke")
        assert found.count("stories/bridge-de/") == 1  # once, not twice
        assert page.text_content("#search-status").startswith(f"{len(found)} result")
        assert builder.settle()
        assert search(page, server, "begeistert") == ["stories/bridge-de/"]
        assert search(page, server, "zufrieden") == []
