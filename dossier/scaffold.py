"""`dossier new DIR`: a small, valid example dossier to start from.

DIR becomes a project folder laid out like this repository — the dossier in `DIR/content/`,
the site built into `DIR/_site/` — so that `cd DIR && dossier serve` works with the default
`--content content --out _site` (the output folder may not lie inside the content folder,
so the content cannot be DIR itself).

The example is invented and says so: one source, one article with its verbatim capture,
two claims quoting the article, one place. Every file carries comments on what to change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

CONTENT = "content"
ARTICLE_ID = "library-opens"
PUBLISHED = "2025-01-11"  # the invented article's own date; `captured` and `updated` are the day of `new`

DOSSIER_YAML = """\
# What the whole dossier is about. This is an invented example made by `dossier new`:
# replace every value with your own.
title: "Example dossier: a new library for Exampleton"
summary: |
  **This is an example dossier** made by `dossier new`. It follows one invented
  story, the town of Exampleton opening a public library, through one article,
  so that every part of a dossier is there to copy: a source, an article with
  its verbatim capture, two claims tied to the article's exact words, and a place.

  Replace it with your own topic: describe your sources in `sources.yaml`, add
  articles with `dossier import`, record their claims in `claims.yaml` and the
  people and places they name in `entities.yaml`, then run `dossier check`.
default_language: en
languages:
  en: English
# The absolute address the site will be published at, e.g. https://<user>.github.io/<repo>/
# on GitHub Pages. Used only for canonical links, the sitemap and the feed.
base_url: "https://example.org/my-dossier/"
curator: "Your name"
updated: "{today}"
"""

SOURCES_YAML = """\
# Every outlet the articles come from, and every source they cite.
# kind: outlet, agency, state-media, newspaper, official, aggregator or unknown.
- id: example-gazette
  name: "The Example Gazette"
  kind: newspaper
  url: "https://example.org/gazette/"
  country: "Exampleland"
  language: en
  notes: |
    An invented newspaper for this example. Write here how you identified each
    source (a masthead, an imprint, a byline) and what is known of its reliability.
"""

ARTICLE_MD = """\
---
title: "Exampleton opens its new public library"
source: example-gazette
language: en
story: {article}
published: "{published}"
captured: "{today}"
capture: captures/{article}.txt
url: "https://example.org/gazette/{article}"
summary: "An invented article that shows how a dossier works."
---

The town of Exampleton opened its new public library on Saturday.

## A bigger collection

The library holds 20,000 books, Mayor Jane Example said at the opening. Readers
can borrow up to ten books at a time.
"""

CAPTURE_TXT = """\
THE EXAMPLE GAZETTE
Home > Local news

Exampleton opens its new public library

The town of Exampleton opened its new public library on Saturday.

A bigger collection

The library holds 20,000 books, Mayor Jane Example said at the opening. Readers
can borrow up to ten books at a time.

Also read: Exampleton's weekend weather
"""

CLAIMS_YAML = """\
# The claims the articles make, each tied to the exact words of every article that makes it.
# kind: figure, event, location, attribution, identity or quote.
# status: corroborated, reported, single-source, contested, misreported or unverified.
# stance: supports, contradicts, qualifies or mentions.
- id: library-opened
  statement: "Exampleton's new public library has opened."
  topic: "The library"
  kind: event
  date: "{published}"
  status: single-source
  entities: [exampleton]
  assertions:
    - article: {article}
      stance: supports
      quote: "The town of Exampleton opened its new public library on Saturday."

- id: library-books
  statement: "The new library holds 20,000 books."
  topic: "The library"
  kind: figure
  value: 20000
  unit: books
  status: single-source
  note: "Only one article gives the figure, and it credits the mayor."
  entities: [exampleton]
  assertions:
    - article: {article}
      stance: supports
      quote: "The library holds 20,000 books, Mayor Jane Example said"
      value: 20000
"""

ENTITIES_YAML = """\
# People, organisations and places the articles name, with every accepted spelling
# (variants) and every known wrong one (misspellings).
- id: exampleton
  name: "Exampleton"
  kind: place
  role: "An invented town"
  variants: ["Exampleton"]
  misspellings: []
"""

GITIGNORE = "_site/\n"


class ScaffoldError(Exception):
    """DIR cannot take a new dossier."""


@dataclass(frozen=True)
class Scaffold:
    """What `new` wrote."""

    root: Path
    files: tuple[str, ...]  # relative to root, in writing order


def example_files(today: date) -> dict[str, str]:
    """The example project, file name (relative to DIR) -> text."""
    values = {"today": today.isoformat(), "published": PUBLISHED, "article": ARTICLE_ID}
    return {
        ".gitignore": GITIGNORE,
        f"{CONTENT}/dossier.yaml": DOSSIER_YAML.format(**values),
        f"{CONTENT}/sources.yaml": SOURCES_YAML,
        f"{CONTENT}/claims.yaml": CLAIMS_YAML.format(**values),
        f"{CONTENT}/entities.yaml": ENTITIES_YAML,
        f"{CONTENT}/articles/{ARTICLE_ID}.md": ARTICLE_MD.format(**values),
        f"{CONTENT}/captures/{ARTICLE_ID}.txt": CAPTURE_TXT,
    }


def scaffold(root: Path, today: date | None = None) -> Scaffold:
    """Write the example project into `root`, which must not exist or be an empty folder.

    Raises ScaffoldError (before writing anything) when `root` is a file or a folder with anything in it.
    """
    if root.exists() and not root.is_dir():
        raise ScaffoldError(f"{root} exists and is not a folder; choose a new folder name")
    if root.is_dir() and any(root.iterdir()):
        raise ScaffoldError(f"{root} is not empty; `dossier new` writes only into a new or empty folder, "
                            "so that nothing of yours is overwritten")
    files = example_files(today or date.today())
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return Scaffold(root, tuple(files))
