"""What a reader sees on the built Kursk site."""

from __future__ import annotations

import re
from pathlib import Path


def read(site: Path, path: str) -> str:
    return (site / path).read_text(encoding="utf-8")


def test_german_and_english_park_story_link_to_each_other(kursk_site: Path) -> None:
    en = read(kursk_site, "stories/memorial-park-en/index.html")
    de = read(kursk_site, "stories/memorial-park-de/index.html")
    assert '<a href="../../stories/memorial-park-de/" hreflang="de" lang="de">Deutsch</a>' in en
    assert '<a href="../../stories/memorial-park-en/" hreflang="en" lang="en">English</a>' in de
    assert "translation of the English original" in de


def test_memorial_location_claim_shows_both_positions(kursk_site: Path) -> None:
    html = read(kursk_site, "claims/memorial-location/index.html")
    finding = html[html.index('class="finding'):]
    finding = finding[: finding.index("</div>")]
    assert "a city park" in finding
    assert "site not yet chosen" in finding
    assert 'class="stance stance-supports"' in html and 'class="stance stance-contradicts"' in html


def test_belyushikov_passage_links_to_the_defence_minister_claim(kursk_site: Path) -> None:
    html = read(kursk_site, "stories/sculptor-controversy/index.html")
    match = re.search(
        r'<mark id="(q-defence-minister-identity-\d+)"[^>]*>([^<]*Belyushikov[^<]*)</mark>'
        r'(?:</mark>)*<a class="claim-ref" data-pagefind-ignore href="../../claims/defence-minister-identity/"',
        html,
    )
    assert match, "the Belyushikov passage is not marked and linked"
    claim = read(kursk_site, "claims/defence-minister-identity/index.html")
    assert f'href="../../stories/sculptor-controversy/#{match.group(1)}"' in claim


def test_every_quote_is_highlighted_on_its_story_page(kursk_site: Path) -> None:
    import yaml

    claims = yaml.safe_load((Path(__file__).parent.parent / "content" / "claims.yaml").read_text(encoding="utf-8"))
    for claim in claims:
        for number, assertion in enumerate(claim["assertions"], 1):
            html = read(kursk_site, f"stories/{assertion['article']}/index.html")
            assert f'<mark id="q-{claim["id"]}-{number}"' in html, (claim["id"], number)


def test_story_page_has_source_box_and_capture(kursk_site: Path) -> None:
    html = read(kursk_site, "stories/ambassador-street-names/index.html")
    assert '<a href="../../sources/novaya-gazeta-europe/">Novaya Gazeta Europe</a>' in html
    assert '<a href="capture.txt" type="text/plain">verbatim text as captured</a>' in html
    capture = (kursk_site / "stories" / "ambassador-street-names" / "capture.txt").read_bytes()
    seed = (Path(__file__).parent.parent / "content" / "captures" / "ambassador-street-names.txt").read_bytes()
    assert capture == seed


def test_misspelled_names_are_flagged_on_story_pages(kursk_site: Path) -> None:
    flag = r'Misspelled name</span> <q>[^<]*{}[^<]*</q>\s*in .*?the name is\s*<a href="../../entities/{}/">'
    controversy = read(kursk_site, "stories/sculptor-controversy/index.html")
    assert re.search(flag.format("Belyushikov", "andrei-belousov"), controversy, re.S)
    street_names = read(kursk_site, "stories/ambassador-street-names/index.html")
    assert re.search(flag.format("Kim Jung Un", "kim-jong-un"), street_names, re.S)
    html = read(kursk_site, "stories/sculptor-sketches/index.html")
    assert "Mixed scripts</span> <q>Beloусов</q>" in html
    assert "U+0443 CYRILLIC SMALL LETTER U" in html


def test_timeline_shows_dates_at_their_precision(kursk_site: Path) -> None:
    html = read(kursk_site, "timeline/index.html")
    month = '<span class="date" data-precision="month" data-edtf="2025-07?"><time datetime="2025-07">July 2025?</time>'
    assert month in html
    assert (
        '<span class="date" data-precision="interval" data-edtf="2024-08?/2025-03?">'
        '<time datetime="2024-08">Aug 2024?</time> – <time datetime="2025-03">Mar 2025?</time></span>'
    ) in html
    assert html.index("October 2024") < html.index("July 2025?")


def test_overview_lists_stories_and_discrepancies(kursk_site: Path) -> None:
    html = read(kursk_site, "index.html")
    assert "Where the sources disagree" in html
    assert 'href="claims/memorial-location/"' in html
    for story in ("memorial-park-en", "sculptor-sketches", "sculptor-controversy", "ambassador-street-names"):
        assert f'href="stories/{story}/"' in html
