"""The HTML pieces that templates draw as filters: the markup they make, every value escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from markupsafe import Markup

from dossier import snippets
from dossier.render import environment

HOSTILE = '<script>alert("x")</script> & \'q\''
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#39;q&#39;"

ARTICLE = {"url": "stories/a/", "source": "RIA Novosti", "language": "Russian", "lang": "ru", "title": "Памятник"}
CLAIM = {"url": "claims/c1/", "label": "C1", "statement": "A memorial is planned"}
STANCE = {"key": "asserts", "meaning": "The source says so", "symbol": "✓", "word": "asserts"}


def test_each_snippet_draws_its_markup() -> None:
    assert snippets.article_short(ARTICLE, "../../") == (
        '<a href="../../stories/a/">RIA Novosti</a> <span class="lang-tag" title="Russian">ru</span>'
    )
    assert snippets.article_link(ARTICLE, "") == '<a href="stories/a/" lang="ru">Памятник</a>'
    assert snippets.claim_link(CLAIM, "../") == (
        '<a href="../claims/c1/"><span class="claim-no">C1</span> A memorial is planned</a>'
    )
    assert snippets.stance(STANCE) == (
        '<span class="stance stance-asserts" title="The source says so">'
        '<span aria-hidden="true">✓</span> asserts</span>'
    )
    assert snippets.status("confirmed") == '<span class="status status-confirmed">confirmed</span>'


@pytest.mark.parametrize(
    ("name", "view", "shown", "extra"),
    [
        ("article_short", ARTICLE, ("url", "source", "language", "lang"), ("",)),
        ("article_link", ARTICLE, ("url", "lang", "title"), ("",)),
        ("claim_link", CLAIM, tuple(CLAIM), ("",)),
        ("stance", STANCE, tuple(STANCE), ()),
    ],
)
def test_every_value_is_escaped(
    name: str, view: dict[str, str], shown: tuple[str, ...], extra: tuple[str, ...]
) -> None:
    for key in shown:
        drawn = snippets.FILTERS[name]({**view, key: HOSTILE}, *extra)
        assert isinstance(drawn, Markup)
        assert "<script>" not in drawn and ESCAPED in drawn, key
    assert ESCAPED in snippets.status(HOSTILE)
    assert ESCAPED in snippets.article_short(ARTICLE, HOSTILE)


def test_templates_use_them_as_filters_without_escaping_them_twice(tmp_path: Path) -> None:
    (tmp_path / "t.html").write_text("{{ a|article_short(root) }} {{ s|stance }}", encoding="utf-8")
    html = environment(tmp_path).get_template("t.html").render(a={**ARTICLE, "source": "A & B"}, s=STANCE, root="")
    assert html.startswith('<a href="stories/a/">A &amp; B</a>')
    assert '<span aria-hidden="true">✓</span>' in html
