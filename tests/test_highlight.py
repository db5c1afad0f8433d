"""Quote highlighting: found quotes are marked exactly, and the HTML stays well-formed for any input."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from dossier.highlight import Quote, render_with_quotes
from dossier.text import find_quote, fold, plain_text

VOID = {"br", "hr", "img", "input", "meta", "link"}


class _Nesting(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.marked: dict[str, str] = {}
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID:
            return
        if tag == "a" and "a" in self.stack:
            self.errors.append("nested <a>")
        self.stack.append(tag)
        if tag == "mark":
            for name in (dict(attrs).get("data-q") or "").split():
                self.marked.setdefault(name, "")

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        pass


def quote(text: str, n: int = 1) -> Quote:
    return Quote(f"q-c-{n}", text, "../c/", f"C{n}", "statement")


def test_quote_across_emphasis_and_link_is_marked_piecewise() -> None:
    body = "Intro *bold words here* and [a link](https://x.org) end."
    html, found = render_with_quotes(body, [quote("words here and a link")])
    assert found == ("q-c-1",)
    assert html.count('data-q="q-c-1"') == 3
    assert '<a class="claim-ref" data-pagefind-ignore href="../c/"' in html
    assert html.index("</a>", html.index("x.org")) < html.index('class="claim-ref"')  # not inside the link


def test_overlapping_quotes_each_get_their_mark() -> None:
    html, found = render_with_quotes(
        "alpha beta gamma delta", [quote("alpha beta gamma", 1), quote("beta gamma delta", 2)]
    )
    assert found == ("q-c-1", "q-c-2")
    assert '<mark id="q-c-1"' in html and '<mark id="q-c-2"' in html
    assert 'class="q q-multi" data-q="q-c-1 q-c-2">beta gamma</mark>' in html


def test_typographic_and_straight_quotes_match() -> None:
    assert find_quote("He said “yes” and it’s done.", 'He said "yes" and it\'s done.') is not None
    assert find_quote("spaced   out\ntext", "spaced out text") is not None
    assert find_quote("Case matters", "case matters") is None


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(["a", "b", " ", "\n", "\t", "\u00a0", "“", "’", "é"]), max_size=40))
def test_a_folded_place_leads_back_to_its_place_in_the_text(text: str) -> None:
    """Run by run and character by character: the n-th run of the folded text is the n-th of the original,
    and each place in a run, or on the space after it, maps to the same offset from the run's start."""
    folded = fold(text)
    expected = []
    for run in re.finditer(r"\S+", text):
        expected += range(run.start(), run.end() + 1)  # its characters and the space after it
    assert [folded.origin(i) for i in range(len(folded.text))] == expected[: len(folded.text)]
    for i, char in enumerate(folded.text):
        assert char == " " or char == text[folded.origin(i)].translate({ord("“"): '"', ord("’"): "'"})


words = st.sampled_from(
    [
        "alpha",
        "beta",
        "*gamma*",
        "[delta](https://x.org)",
        "`code`",
        "\n\n",
        "\n",
        "<b>",
        "&amp;",
        "“q”",
        "’s",
        "épée",
        "Beloусов",
        "# Head\n",
        "- item\n",
        "> quote\n",
    ]
)


@settings(max_examples=300, deadline=None)
@given(
    parts=st.lists(words, min_size=1, max_size=25),
    picks=st.lists(st.tuples(st.integers(0, 60), st.integers(1, 40)), max_size=4),
)
def test_any_body_and_quotes_give_well_formed_html(parts: list[str], picks: list[tuple[int, int]]) -> None:
    body = " ".join(parts)
    text = plain_text(body).text
    quotes = [quote(text[start : start + length], n) for n, (start, length) in enumerate(picks, 1)]
    html, found = render_with_quotes(body, quotes)
    checker = _Nesting()
    checker.feed(html)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    for q in quotes:
        if fold(q.text).text:
            assert (q.anchor in found) == (find_quote(body, q.text) is not None)
            if q.anchor in found:
                assert q.anchor in checker.marked
