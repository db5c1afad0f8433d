"""`dossier pdf`: the Kursk dossier as a PDF, and the print page printed by Chromium.

One PDF is built per test run (shared by xdist workers through a file lock) by running the
real command; the reproducibility test builds a second one.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from functools import cached_property
from html import unescape
from pathlib import Path

import pytest
from pypdf import PdfReader

from dossier import markdown

from .conftest import KURSK, ROOT, _locked

TOP_LEVEL = [
    "Cover", "Contents", "Where the sources disagree", "Claims compared", "Every claim, source by source",
    "The stories", "Sources", "People, organisations and places", "Timeline", "How this dossier works",
]  # fmt: skip


def run_pdf(out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dossier", "pdf", "--content", str(KURSK), "--out", str(out)],
        capture_output=True, text=True, cwd=ROOT, timeout=600,
    )  # fmt: skip


def squash(text: str) -> str:
    return " ".join(text.split())


@dataclass
class Built:
    site: Path
    stdout: str
    stderr: str
    returncode: int

    @property
    def pdf(self) -> Path:
        return self.site / "dossier.pdf"

    @cached_property
    def reader(self) -> PdfReader:
        return PdfReader(self.pdf)

    @cached_property
    def pages(self) -> list[str]:
        """The text of each page, as pdftotext reads it."""
        text = subprocess.run(["pdftotext", str(self.pdf), "-"], capture_output=True, text=True, check=True).stdout
        return text.split("\f")[: len(self.reader.pages)]

    @cached_property
    def outline(self) -> list[tuple[int, str, int]]:
        """(level, title, page number) of every bookmark, in order."""
        out: list[tuple[int, str, int]] = []

        def walk(items: list, level: int) -> None:  # type: ignore[type-arg]
            for item in items:
                if isinstance(item, list):
                    walk(item, level + 1)
                else:
                    out.append((level, item.title, self.reader.get_destination_page_number(item) + 1))

        walk(self.reader.outline, 1)
        return out

    def dest_page(self, name: str) -> int:
        return self.reader.get_destination_page_number(self.reader.named_destinations[name]) + 1


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base  # one folder per run, as in conftest
    site, log = shared / "kursk-pdf", shared / "kursk-pdf.json"
    with _locked(shared / "kursk-pdf.lock"):
        if not log.exists():
            if site.exists():
                shutil.rmtree(site)
            result = run_pdf(site)
            log.write_text(json.dumps([result.stdout, result.stderr, result.returncode]))
    stdout, stderr, returncode = json.loads(log.read_text())
    assert returncode == 0, stderr
    return Built(site, stdout, stderr, returncode)


@pytest.fixture(scope="session")
def content():  # type: ignore[no-untyped-def]
    from dossier.pipeline import check

    return check(KURSK).content


def test_dossier_pdf_reports_the_file_and_its_page_count(built: Built) -> None:
    match = re.fullmatch(r"wrote (\S+): (\d+) pages in \d+ ms\n", built.stdout)
    assert match, built.stdout
    assert Path(match.group(1)).resolve() == built.pdf.resolve()
    assert int(match.group(2)) == len(built.reader.pages) > 20
    assert "Traceback" not in built.stderr


def test_pages_are_a4_with_the_claims_tables_in_landscape(built: Built) -> None:
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in built.reader.pages]
    assert sizes[0] == (595, 842)
    claims = [page for level, title, page in built.outline if level == 2 and page < built.dest_page("every-claim")]
    assert claims and all(sizes[page - 1] == (842, 595) for page in claims)
    assert sizes.count((842, 595)) < len(sizes) / 3


def test_text_has_every_story_title_and_claim_statement(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    text = squash(" ".join(built.pages))
    for article in content.articles:
        assert squash(article.title) in text, article.id
    for claim in content.claims:
        assert squash(claim.statement) in text, claim.id


def test_german_article_is_printed_whole_with_its_umlauts(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    article = content.article_by_id["memorial-park-de"]
    start = built.dest_page("story-memorial-park-de")
    story = squash(" ".join(built.pages[start - 1 : start + 2]))
    story = re.sub(r" C\d+\b", "", story)  # the claim labels printed after highlighted passages ...
    story = re.sub(r" ([.,;:])", r"\1", story)  # ... leave a gap before the punctuation that follows them
    html = markdown.render(article.body)
    blocks = [squash(unescape(re.sub(r"<[^>]+>", "", b))) for b in re.findall(r"<(?:p|h\d)>(.*?)</", html)]
    assert len(blocks) > 10
    for block in blocks:
        assert block in story
    assert "Lokale Behörden" in story and "Pjöngjang" in story and "Kampfbrüderschaft" in story


def test_contents_page_numbers_are_the_pages_of_the_headings(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    first = built.dest_page("disagreements")
    toc = squash(" ".join(built.pages[1 : first - 1]))
    labels = [title for _, title, _ in built.outline[2:]]  # every bookmark after the cover and the contents
    labels = [re.sub(r"^C\d+ ", "", label) for label in labels]  # the contents print the claim number apart
    bookmarked = {re.sub(r"^C\d+ ", "", title): page for _, title, page in built.outline}
    position, checked = 0, 0
    for label in labels:
        at = toc.find(squash(label), position)
        if at < 0:
            continue  # sources have bookmarks but no line in the contents
        position = at + len(squash(label))
        number = re.match(r"[\s.]*(\d+)", toc[position:])
        assert number, label
        page = int(number.group(1))
        assert page == bookmarked[label], label
        assert squash(label) in squash(built.pages[page - 1]), (label, page)
        checked += 1
    assert checked == 8 + len({c.topic for c in content.claims}) + len(content.claims) + len(content.articles)


def test_outline_has_an_entry_per_section(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    top = [title for level, title, _ in built.outline if level == 1]
    assert top == TOP_LEVEL
    second = [title for level, title, _ in built.outline if level == 2]
    claims = [t for t in second if re.match(r"C\d+ ", t)]
    assert claims == [f"C{n} {c.statement}" for n, c in enumerate(content.claims, 1)]
    assert {a.title for a in content.articles} <= set(second)
    assert {s.name for s in content.sources} <= set(second)
    pages = [page for _, _, page in built.outline]
    assert pages == sorted(pages)  # in reading order


def test_internal_links_jump_to_their_targets(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    names = built.reader.named_destinations
    internal = []
    for number, page in enumerate(built.reader.pages, 1):
        for annotation in page.get("/Annots", []):
            link = annotation.get_object()
            if "/Dest" in link:
                internal.append((number, str(link["/Dest"])))
            else:
                assert str(link["/A"]["/URI"]).startswith("http")
    assert len(internal) > 500
    assert sorted({dest for _, dest in internal if dest not in names}) == []
    # A claim reference in the German story jumps to the page that states the claim.
    story = built.dest_page("story-memorial-park-de")
    refs = {dest for page, dest in internal if page == story and dest.startswith("claim-")}
    assert "claim-memorial-park-budget" in refs
    target = built.pages[built.dest_page("claim-memorial-park-budget") - 1]
    assert squash(f"C3 {content.claim_by_id['memorial-park-budget'].statement}") in squash(target)


def test_metadata_names_title_curator_language_and_date(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    d = content.dossier
    info = built.reader.metadata
    assert info.title == d.title
    assert info.author == d.curator
    assert built.reader.trailer["/Root"]["/Lang"] == d.default_language
    assert info["/CreationDate"] == info["/ModDate"] == "D:" + d.updated.iso().replace("-", "")
    assert built.reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


def test_every_font_is_embedded(built: Built) -> None:
    rows = subprocess.run(["pdffonts", str(built.pdf)], capture_output=True, text=True, check=True).stdout
    fonts = [line.split() for line in rows.splitlines()[2:]]
    assert fonts and all(row[-5] == "yes" for row in fonts), rows  # the "emb" column
    assert any("Liberation-Serif" in row[0] for row in fonts)


def test_running_header_and_page_numbers(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    total = len(built.pages)
    for number in (2, total // 2, total):
        page = built.pages[number - 1]
        assert content.dossier.title in page
        assert f"page {number} of {total}" in page
        assert f"{content.dossier.curator} · updated {content.dossier.updated.display()}" in page
    assert "page 1 of" not in built.pages[0]  # the cover has no running header or number


def test_table_headers_repeat_on_every_page_of_a_long_table(built: Built) -> None:
    first, after = built.dest_page("entities"), built.dest_page("timeline")
    assert after - first >= 2  # the table of names runs over several pages
    for page in built.pages[first - 1 : after - 1]:
        assert "ACCEPTED SPELLINGS" in page


def test_no_heading_is_left_alone_at_the_foot_of_a_page(built: Built, content) -> None:  # type: ignore[no-untyped-def]
    foot = f"updated {content.dossier.updated.display()}"
    for _, title, number in built.outline[1:]:
        page = squash(built.pages[number - 1])
        heading = re.sub(r"^C\d+ ", "", squash(title))
        after = page[page.index(heading) + len(heading) :]
        after = after.replace(f"{foot} page {number} of {len(built.pages)}", "")
        assert len(after.strip()) > 40, title


def test_overview_links_the_pdf_once_it_exists(built: Built, kursk_site: Path) -> None:
    overview = (built.site / "index.html").read_text(encoding="utf-8")
    link = ' · <a href="dossier.pdf" type="application/pdf">the dossier as a PDF</a>'
    assert link in overview
    # Apart from that link, the overview is the one a plain build writes (which links no PDF).
    assert overview.replace(link, "") == (kursk_site / "index.html").read_text(encoding="utf-8")


def test_two_builds_give_the_same_bytes(built: Built, tmp_path: Path) -> None:
    again = run_pdf(tmp_path / "site")
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "site" / "dossier.pdf").read_bytes() == built.pdf.read_bytes()


def test_content_errors_stop_dossier_pdf_before_anything_is_written(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    from dossier.cli import main

    from .conftest import FIXTURES, overlay

    broken = overlay(tmp_path / "content", FIXTURES / "defects" / "quote-not-found")
    assert main(["pdf", "--content", str(broken), "--out", str(tmp_path / "site")]) == 1
    assert "problem" in capsys.readouterr().err
    assert not (tmp_path / "site" / "dossier.pdf").exists()


def test_pdf_without_a_built_site_is_a_content_error(tmp_path: Path, content) -> None:  # type: ignore[no-untyped-def]
    from dossier.errors import ContentError
    from dossier.pdf import write_pdf

    with pytest.raises(ContentError, match="build the site first"):
        write_pdf(tmp_path, content)


@pytest.mark.browser
def test_chromium_prints_the_print_page_cleanly(kursk_server, browser, tmp_path: Path, content) -> None:  # type: ignore[no-untyped-def]
    context = browser.new_context()
    tab = context.new_page()
    tab.goto(kursk_server.base + "print/")
    pdf = tmp_path / "chromium.pdf"
    pdf.write_bytes(tab.pdf(format="A4", print_background=True, prefer_css_page_size=True))
    context.close()
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    pages = text.split("\f")
    flat = squash(text)
    for article in content.articles:
        assert squash(article.title) in flat, article.id
    for chrome in ("Skip to content", "Overview", "Names, places, claims", "· How this dossier works"):
        assert chrome not in flat, chrome
    assert f"page 2 of {len(PdfReader(pdf).pages)}" in pages[1]
    assert content.dossier.title in pages[1]  # the running header
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in PdfReader(pdf).pages}
    assert (595, 842) in sizes
