"""`dossier import`: cleaning captures into articles, and writing them safely."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.errors import ContentError
from dossier.importer import (
    ImportResult,
    clean_capture,
    escape_markdown_line,
    fallback_title,
    import_capture,
    load_patterns,
    read_default_patterns,
    slugify,
)

ROOT = Path(__file__).resolve().parents[1]
CONTENT = ROOT / "content"
SHIPPED = sorted(p.stem for p in (CONTENT / "articles").glob("*.md"))
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"  # shared/ sits beside the repository
DEFAULTS = read_default_patterns()


def split_article(text: str) -> tuple[dict, str]:
    """(front matter, body) of an article file as the importer writes it."""
    assert text.startswith("---\n")
    end = text.index("\n---\n", 3)
    return yaml.safe_load(text[4:end]), text[end + 5 :]


def body_lines(body: str) -> list[str]:
    """Every line of a Markdown body, heading marks removed."""
    return [line.removeprefix("## ") for line in body.split("\n") if line]


def words(text: str) -> set[str]:
    return set(re.findall(r"[^\W_]+", text))


@pytest.fixture
def content(tmp_path: Path) -> Path:
    """An empty content folder with the shipped dossier.yaml (its `boilerplate:` list included)."""
    folder = tmp_path / "content"
    folder.mkdir()
    if (CONTENT / "dossier.yaml").exists():
        shutil.copy(CONTENT / "dossier.yaml", folder / "dossier.yaml")
    return folder


def write_capture(tmp_path: Path, text: str | bytes, name: str = "capture.txt") -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


BLANK_LINE_SHAPE = """Homepage News Bridge opens in Portville

Bridge opens in Portville

Also read

The new bridge opened on Monday.

A second paragraph, with a comma.

New traffic rules

Cars must now keep left.
"""

ONE_PER_LINE_SHAPE = """The new bridge opened on Monday after three years of work.
Officials said it would carry 20,000 cars a day.
New traffic rules
Cars must now keep left."""


# ---------------------------------------------------------------------------
# The shipped articles are what the importer makes of the shipped captures


def test_all_five_seeds_are_shipped() -> None:
    assert SHIPPED == [
        "ambassador-street-names",
        "memorial-park-de",
        "memorial-park-en",
        "sculptor-controversy",
        "sculptor-sketches",
    ]


@pytest.mark.parametrize("article_id", SHIPPED)
def test_reimport_reproduces_shipped_article(article_id: str, content: Path) -> None:
    shipped_meta, shipped_body = split_article((CONTENT / "articles" / f"{article_id}.md").read_text("utf-8"))
    result = import_capture(
        CONTENT / "captures" / f"{article_id}.txt",
        content,
        source=shipped_meta["source"],
        language=shipped_meta["language"],
        story=shipped_meta["story"],
        translation_of=shipped_meta.get("translation_of"),
        article_id=article_id,
        captured=shipped_meta["captured"],
    )
    meta, body = split_article(result.article_path.read_text("utf-8"))
    assert body == shipped_body
    for key in ("source", "language", "story", "translation_of", "published", "captured", "capture"):
        assert meta.get(key) == shipped_meta.get(key), key
    assert result.capture_path.read_bytes() == (CONTENT / "captures" / f"{article_id}.txt").read_bytes()


@pytest.mark.skipif(not SEEDS.is_dir(), reason="seed folder not available")
@pytest.mark.parametrize(
    ("seed", "article_id"),
    [
        ("000_1cc8f898b9393ec2.txt", "memorial-park-de"),
        ("001_ad687452e0a5fd44.txt", "memorial-park-en"),
        ("002_9fb2ff5187ea4e22.txt", "sculptor-sketches"),
        ("003_1c81911920b0521b.txt", "sculptor-controversy"),
        ("004_85f49fd7bc8f0d2d.txt", "ambassador-street-names"),
    ],
)
def test_shipped_captures_are_the_seeds_byte_for_byte(seed: str, article_id: str) -> None:
    assert (CONTENT / "captures" / f"{article_id}.txt").read_bytes() == (SEEDS / seed).read_bytes()


@pytest.mark.parametrize("article_id", SHIPPED)
def test_shipped_article_file_format(article_id: str) -> None:
    raw = (CONTENT / "articles" / f"{article_id}.md").read_bytes()
    text = raw.decode("utf-8")
    assert "\r" not in text and text.endswith("\n") and not text.endswith("\n\n")
    meta, body = split_article(text)
    assert list(meta)[:4] == ["title", "source", "language", "story"]
    assert list(meta)[-3:] == ["published", "captured", "capture"]
    assert meta["capture"] == f"captures/{article_id}.txt"
    assert "captured: '" in text  # quoted: a date must stay text, not a YAML timestamp
    assert body.startswith("\n") and "\n\n\n" not in body


@pytest.mark.parametrize("article_id", SHIPPED)
def test_no_line_of_text_is_lost(article_id: str) -> None:
    """Every line of the capture is in the body (as written), is the title, or was reported as removed."""
    capture = (CONTENT / "captures" / f"{article_id}.txt").read_text("utf-8")
    cleaned = clean_capture(capture, load_patterns(CONTENT))
    kept = body_lines(cleaned.body)
    removed = list(cleaned.removed)
    for line in (raw.strip() for raw in capture.split("\n")):
        if not line:
            continue
        if escape_markdown_line(line) in kept:
            kept.remove(escape_markdown_line(line))
        elif line in removed:
            removed.remove(line)
        else:
            assert line == cleaned.title, f"lost: {line!r}"
    assert kept == [] and removed == []


@pytest.mark.parametrize("article_id", SHIPPED)
def test_every_removed_line_is_chrome_or_a_repeat(article_id: str) -> None:
    capture = (CONTENT / "captures" / f"{article_id}.txt").read_text("utf-8")
    cleaned = clean_capture(capture, load_patterns(CONTENT))
    kept = body_lines(cleaned.body)
    chrome = [re.compile(p) for p in load_patterns(CONTENT)]
    for line in cleaned.removed:
        assert any(p.fullmatch(line) for p in chrome) or line in kept or line == cleaned.title, line


def test_seed_titles_and_removed_chrome() -> None:
    def clean(article_id: str):
        return clean_capture((CONTENT / "captures" / f"{article_id}.txt").read_text("utf-8"), DEFAULTS)

    en = clean("memorial-park-en")
    assert en.title == "Russia to build memorial to fallen North Korean soldiers" and not en.title_guessed
    assert en.removed == (
        "Homepage News Russia to build memorial to fallen North Korean soldiers",
        "North Korea, Russia, partners, alliance",
        "Shutterstock.com",
        "Others are reading now",
        "Also read",
        "Also read",
        "Ads by MGDK",
    )
    de = clean("memorial-park-de")
    assert de.title == "Russland will ein Denkmal für gefallene nordkoreanische Soldaten errichten"
    assert {"Gerade lesen andere", "Lesen Sie auch"} <= set(de.removed)
    assert clean("sculptor-controversy").title.startswith("Controversial Monument to North Korean Soldiers")
    assert clean("sculptor-controversy").removed == ()
    news = clean("ambassador-street-names")
    assert news.title == "Russia to honour North Korean servicemen in Kursk with monuments and street names"
    assert news.removed[0] == "NewsSociety" and news.removed[-2] == "pdfshareprint"
    assert news.removed[-1].startswith("Editor in chief")


def test_standfirst_headings_and_sources_line_are_kept() -> None:
    en = (CONTENT / "articles" / "memorial-park-en.md").read_text("utf-8")
    _, body = split_article(en)
    paragraphs = body.strip().split("\n\n")
    assert paragraphs[0] == "It will be build in a park in a region neighbouring Ukraine."
    assert [p for p in paragraphs if p.startswith("## ")] == [
        "## Regional tribute",
        "## Expanding symbolic ties",
        "## Clearing the mines",
    ]
    assert paragraphs[-1] == "Sources: Russian state media, regional government statements, NKNews"
    _, de_body = split_article((CONTENT / "articles" / "memorial-park-de.md").read_text("utf-8"))
    assert "## Räumung der Minen" in de_body.split("\n")
    assert de_body.rstrip().endswith("\n\nQuellen: Russische Staatsmedien, regionale Regierungsmitteilungen, NKNews")


def test_duplicated_caption_is_kept_once() -> None:
    _, body = split_article((CONTENT / "articles" / "ambassador-street-names.md").read_text("utf-8"))
    caption = [p for p in body.strip().split("\n\n") if p.startswith("Vladimir Putin congratulates")]
    assert len(caption) == 1 and "09 May 2025" in caption[0]
    assert body.strip().split("\n\n")[0] == caption[0]  # the first copy, where it stood


# ---------------------------------------------------------------------------
# The two capture shapes


def test_blank_line_shape() -> None:
    cleaned = clean_capture(BLANK_LINE_SHAPE, DEFAULTS)
    assert cleaned.title == "Bridge opens in Portville"
    assert cleaned.removed == ("Homepage News Bridge opens in Portville", "Also read")
    assert cleaned.body == (
        "The new bridge opened on Monday.\n\n"
        "A second paragraph, with a comma.\n\n"
        "## New traffic rules\n\n"
        "Cars must now keep left."
    )


def test_one_paragraph_per_line_shape_has_no_headings() -> None:
    cleaned = clean_capture(ONE_PER_LINE_SHAPE, DEFAULTS)
    assert cleaned.body.split("\n\n") == ONE_PER_LINE_SHAPE.split("\n")
    assert "##" not in cleaned.body
    assert cleaned.title_guessed and cleaned.title == "The new bridge opened on Monday after three years of work"


def test_sculptor_sketches_is_one_paragraph_per_line_with_guessed_title() -> None:
    capture = (CONTENT / "captures" / "sculptor-sketches.txt").read_text("utf-8")
    cleaned = clean_capture(capture, DEFAULTS)
    assert cleaned.title_guessed
    assert cleaned.body.split("\n\n") == capture.split("\n")
    assert cleaned.title is not None and len(cleaned.title) <= 90 and cleaned.title.endswith("…")
    assert capture.startswith(cleaned.title.removesuffix("…"))


def test_bom_and_crlf_are_cleaned_like_lf_and_copied_verbatim(content: Path, tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + BLANK_LINE_SHAPE.replace("\n", "\r\n").encode("utf-8")
    assert clean_capture(data.decode("utf-8"), DEFAULTS) == clean_capture(BLANK_LINE_SHAPE, DEFAULTS)
    result = import_capture(write_capture(tmp_path, data), content, source="s", language="en", captured="2025")
    assert result.capture_path.read_bytes() == data
    assert b"\r" not in result.article_path.read_bytes()


def test_title_and_caption_repeats_and_short_repeats() -> None:
    text = "Bridge opens\n\nBridge opens\n\nCaption of the photo, taken on Monday.\n\n"
    text += "Caption of the photo, taken on Monday.\n\nUpdate\n\nFirst text.\n\nUpdate\n\nSecond text."
    cleaned = clean_capture(text, DEFAULTS)
    assert cleaned.title == "Bridge opens"
    assert cleaned.removed == ("Bridge opens", "Caption of the photo, taken on Monday.")
    assert cleaned.body.count("Caption of the photo") == 1
    assert cleaned.body.count("## Update") == 2  # a repeated heading is not chrome


def test_breadcrumb_ending_with_the_title_needs_no_pattern() -> None:
    cleaned = clean_capture("Home › World › Bridge opens\nBridge opens\nThe text.", ())
    assert cleaned.title == "Bridge opens"
    assert cleaned.removed == ("Home › World › Bridge opens",)
    assert cleaned.body == "The text."


def test_headline_must_be_followed_by_text() -> None:
    cleaned = clean_capture("Just one line without a stop", DEFAULTS)
    assert cleaned.body == "Just one line without a stop" and cleaned.title_guessed


def test_nothing_left() -> None:
    for text in ("", "\n \n", "Also read\n\nAds by X\n"):
        cleaned = clean_capture(text, DEFAULTS)
        assert cleaned.body == "" and cleaned.title is None and not cleaned.title_guessed


# ---------------------------------------------------------------------------
# Markdown safety


@pytest.mark.parametrize(
    "line",
    [
        "# not a heading",
        "> not a quote",
        "- not a list",
        "+ not a list",
        "* not a list",
        "1. not a list",
        "2) not a list",
        "---",
        "===",
        "~~~",
        "```",
        "| not | a table |",
        "a *b* _c_ `d` <e> [f](g) ~~h~~ &amp; \\*i\\",
        "<https://example.org>",
    ],
)
def test_markdown_escaping_keeps_the_words(line: str) -> None:
    text = pytest.importorskip("dossier.text")
    escaped = escape_markdown_line(line)
    assert text.plain_text(escaped).text == line
    assert text.plain_text("Paragraph\n" + escaped).text == "Paragraph\n" + line  # no setext heading, no table
    assert words(escaped) == words(line)


def test_plain_lines_are_not_escaped() -> None:
    for line in ("It cost $500,000 (about 2.7 million roubles).", "12.5 million", "Sources: A, B", "C# and F#"):
        assert escape_markdown_line(line) == line


def test_heading_with_markdown_characters() -> None:
    cleaned = clean_capture("Title here\n\nFirst.\n\nThe *real* story #\n\nSecond.", DEFAULTS)
    assert "## The \\*real\\* story \\#" in cleaned.body.split("\n\n")


# ---------------------------------------------------------------------------
# Writing files: refusal, --force, atomicity, front matter


def test_refuses_to_overwrite_without_force(content: Path, tmp_path: Path) -> None:
    capture = write_capture(tmp_path, BLANK_LINE_SHAPE)
    first = import_capture(capture, content, source="port", language="en", captured="2025-03-01")
    assert first.article_id == "bridge-opens-in-portville"
    before = first.article_path.read_bytes()
    changed = write_capture(tmp_path, BLANK_LINE_SHAPE.replace("Monday", "Tuesday"), "changed.txt")

    with pytest.raises(ContentError) as info:
        import_capture(changed, content, source="port", language="en", article_id=first.article_id)
    messages = [p.message for p in info.value.problems]
    assert "articles/bridge-opens-in-portville.md already exists; use --force to overwrite" in messages
    assert "captures/bridge-opens-in-portville.txt already exists; use --force to overwrite" in messages
    assert first.article_path.read_bytes() == before

    again = import_capture(changed, content, source="port", language="en", article_id=first.article_id, force=True)
    assert "Tuesday" in again.article_path.read_text("utf-8")
    assert again.capture_path.read_bytes() == changed.read_bytes()


def test_refuses_when_only_the_capture_exists(content: Path, tmp_path: Path) -> None:
    (content / "captures").mkdir()
    (content / "captures" / "x.txt").write_text("old", encoding="utf-8")
    with pytest.raises(ContentError, match=r"captures/x.txt already exists; use --force"):
        import_capture(write_capture(tmp_path, BLANK_LINE_SHAPE), content, source="s", language="en", article_id="x")
    assert not (content / "articles" / "x.md").exists()


def test_no_temporary_files_are_left(content: Path, tmp_path: Path) -> None:
    import_capture(write_capture(tmp_path, BLANK_LINE_SHAPE), content, source="s", language="en", article_id="a")
    assert sorted(p.name for p in (content / "articles").iterdir()) == ["a.md"]
    assert sorted(p.name for p in (content / "captures").iterdir()) == ["a.txt"]


def test_front_matter(content: Path, tmp_path: Path) -> None:
    result = import_capture(
        write_capture(tmp_path, BLANK_LINE_SHAPE),
        content,
        source="port",
        language="de",
        article_id="bridge-de",
        translation_of="bridge-en",
        title="Brücke: eröffnet — „endlich“ # 1",
        captured="2025-10?",
    )
    assert isinstance(result, ImportResult)
    text = result.article_path.read_text("utf-8")
    meta, body = split_article(text)
    assert meta == {
        "title": "Brücke: eröffnet — „endlich“ # 1",
        "source": "port",
        "language": "de",
        "story": "bridge",  # the id without its -de
        "translation_of": "bridge-en",
        "published": None,
        "captured": "2025-10?",
        "capture": "captures/bridge-de.txt",
    }
    assert "Brücke" in text  # allow_unicode: no \u escapes
    assert body.startswith("\nThe new bridge opened on Monday.")
    assert result.removed[0] == "Bridge opens in Portville"  # the capture's headline was replaced: reported


def test_default_captured_is_today(content: Path, tmp_path: Path) -> None:
    from datetime import date

    result = import_capture(write_capture(tmp_path, BLANK_LINE_SHAPE), content, source="s", language="en")
    assert split_article(result.article_path.read_text("utf-8"))[0]["captured"] == date.today().isoformat()


def test_slugify() -> None:
    assert slugify("Russia to build memorial to fallen North Korean soldiers") == (
        "russia-to-build-memorial-to-fallen-north-korean-soldiers"
    )
    assert slugify("Straße für Pjöngjang!") == "strasse-fur-pjongjang"
    assert len(slugify("word " * 40)) <= 60 and not slugify("word " * 40).endswith("-")
    assert slugify("Новости") == ""


def test_fallback_title() -> None:
    assert fallback_title("Short sentence. Another one.") == "Short sentence"
    long = "word " * 30 + "end."
    title = fallback_title(long)
    assert len(title) <= 90 and title.endswith("word…")
    assert len(fallback_title("x" * 200)) == 90


# ---------------------------------------------------------------------------
# Bad input: always ContentError with located problems


def test_not_utf8(content: Path, tmp_path: Path) -> None:
    capture = write_capture(tmp_path, "line one\nBr\xfccke\n".encode("latin-1"))
    with pytest.raises(ContentError) as info:
        import_capture(capture, content, source="s", language="en")
    (problem,) = info.value.problems
    assert problem.path == str(capture) and problem.line == 2
    assert problem.message.startswith("not valid UTF-8 text")


def test_missing_capture_and_folder(content: Path, tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="capture file not found"):
        import_capture(tmp_path / "nope.txt", content, source="s", language="en")
    with pytest.raises(ContentError, match="is a folder"):
        import_capture(tmp_path, content, source="s", language="en")
    with pytest.raises(ContentError, match="content folder not found"):
        import_capture(write_capture(tmp_path, "x"), tmp_path / "missing", source="s", language="en")


def test_bad_arguments_are_all_reported_together(content: Path, tmp_path: Path) -> None:
    with pytest.raises(ContentError) as info:
        import_capture(
            write_capture(tmp_path, BLANK_LINE_SHAPE),
            content,
            source="Bad Source",
            language="english!",
            story="-x",
            translation_of="A",
            article_id="../escape",
            captured="2025-13-01",
            title="two\nlines",
        )
    messages = " | ".join(p.message for p in info.value.problems)
    for needle in ("source id", "story", "translation_of", "article id", "language", "captured", "title"):
        assert needle in messages
    assert not (content / "articles").exists()


def test_no_text_left(content: Path, tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="no article text left"):
        import_capture(write_capture(tmp_path, "Also read\n\nAds by X\n"), content, source="s", language="en")


def test_title_without_ascii_needs_an_id(content: Path, tmp_path: Path) -> None:
    capture = write_capture(tmp_path, "Новости дня\n\nТекст статьи.\n")
    with pytest.raises(ContentError, match="--id"):
        import_capture(capture, content, source="s", language="ru")
    result = import_capture(capture, content, source="s", language="ru", article_id="novosti")
    assert split_article(result.article_path.read_text("utf-8"))[0]["title"] == "Новости дня"


def test_binary_file(content: Path, tmp_path: Path) -> None:
    with pytest.raises(ContentError, match="not a text file"):
        import_capture(write_capture(tmp_path, b"abc\x00def"), content, source="s", language="en")


# ---------------------------------------------------------------------------
# Patterns are data


def test_default_patterns_are_valid_regular_expressions() -> None:
    raw = yaml.safe_load((ROOT / "dossier" / "boilerplate.yaml").read_text("utf-8"))
    assert isinstance(raw, list) and raw and all(isinstance(p, str) for p in raw)
    for pattern in raw:
        re.compile(pattern)


def test_load_patterns_adds_dossier_boilerplate(tmp_path: Path) -> None:
    assert load_patterns(tmp_path) == DEFAULTS  # no dossier.yaml
    (tmp_path / "dossier.yaml").write_text("title: x\n", encoding="utf-8")
    assert load_patterns(tmp_path) == DEFAULTS  # no boilerplate key
    (tmp_path / "dossier.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    assert load_patterns(tmp_path) == DEFAULTS  # broken YAML
    (tmp_path / "dossier.yaml").write_text("boilerplate:\n  - 'Subscribe now'\n  - 'Teilen'\n", encoding="utf-8")
    assert load_patterns(tmp_path) == (*DEFAULTS, "Subscribe now", "Teilen")


def test_dossier_boilerplate_is_used_by_import(content: Path, tmp_path: Path) -> None:
    (content / "dossier.yaml").write_text("boilerplate:\n  - 'Subscribe now'\n", encoding="utf-8")
    capture = write_capture(tmp_path, BLANK_LINE_SHAPE.replace("Also read", "Subscribe now"))
    result = import_capture(capture, content, source="s", language="en")
    assert "Subscribe now" in result.removed
    assert "Subscribe now" not in result.article_path.read_text("utf-8")


def test_invalid_dossier_pattern_is_a_problem(content: Path, tmp_path: Path) -> None:
    (content / "dossier.yaml").write_text("boilerplate:\n  - 'Ads by ('\n", encoding="utf-8")
    with pytest.raises(ContentError, match="not a valid regular expression"):
        import_capture(write_capture(tmp_path, BLANK_LINE_SHAPE), content, source="s", language="en")


def test_tag_line_pattern_spares_short_lists_and_sources() -> None:
    tag = re.compile(next(p for p in DEFAULTS if p.startswith("[^")))
    assert tag.fullmatch("North Korea, Russia, partners, alliance")
    assert not tag.fullmatch("Moscow, Kyiv and Minsk")
    assert not tag.fullmatch("Moscow, Kyiv, Minsk")
    assert not tag.fullmatch("Sources: Russian state media, regional government statements, NKNews")
    assert not tag.fullmatch("Officials agreed, and the bridge opened, on Monday, as planned.")


# ---------------------------------------------------------------------------
# The command line


def test_cli_import(content: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cli = pytest.importorskip("dossier.cli")
    capture = write_capture(tmp_path, BLANK_LINE_SHAPE)
    args = ["import", str(capture), "--content", str(content), "--source", "s", "--language", "en", "--id", "b"]
    assert cli.main(args) == 0
    assert (content / "articles" / "b.md").exists()
    assert "Also read" in capsys.readouterr().out
    assert cli.main(args) == 1
    assert "already exists; use --force" in capsys.readouterr().err
    assert cli.main([*args, "--force"]) == 0


# ---------------------------------------------------------------------------
# Properties: never raises, never invents a word

_SAMPLE_LINES = [
    "",
    "",
    "Also read",
    "Lesen Sie auch",
    "Ads by Someone",
    "Homepage News Bridge opens",
    "Bridge opens",
    "North Korea, Russia, partners, alliance",
    "Regional tribute",
    "The bridge opened on Monday.",
    "A caption, with a comma. Photo: EPA-EFE/NAME",
    "# hash * star _under_ `tick` <tag> [link](x) | pipe ~~del~~ &amp;",
    "1. one",
    "---",
    "\ufeffBOM line\r",
    "   indented line   ",
]
_ALPHABET = "aZß ,.;:!?…-–—#>*+=_`<[]|~&\\\n\r\t\ufeff“”’1"
captures = st.one_of(
    st.text(),
    st.text(alphabet=_ALPHABET, max_size=400),
    st.lists(st.sampled_from(_SAMPLE_LINES), max_size=30).map("\n".join),
)


@settings(max_examples=400, deadline=None)
@given(captures)
def test_clean_capture_never_raises_and_never_invents_words(text: str) -> None:
    cleaned = clean_capture(text, DEFAULTS)
    assert words(cleaned.body) <= words(text)
    lines = {line.strip() for line in text.removeprefix("\ufeff").replace("\r", "\n").split("\n")}
    assert set(cleaned.removed) <= lines
    if cleaned.title is not None and not cleaned.title_guessed:
        assert cleaned.title in lines
    if cleaned.title_guessed:
        assert cleaned.title is not None and len(cleaned.title) <= 90
    assert not cleaned.body.startswith("\n") and not cleaned.body.endswith("\n")
