"""A dossier whose every free-text field carries an attack: the input of the untrusted-content tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

from .conftest import VALID

# Each payload sets window.pwned and opens a dialog if it ever runs as script.
SCRIPT = '<script>window.pwned=1;alert("script")</script>'
HANDLER = '<img src=x onerror="window.pwned=1;alert(1)">'
BREAKOUT = '</textarea></title></style></script><script>window.pwned=1;alert(2)</script><!--'
JSONLD = '"}</script><script>window.pwned=1;alert(3)</script>'
RTL = "harmless\u202etxt.exe"
PAYLOAD = f"{SCRIPT} {HANDLER} {BREAKOUT} {JSONLD} {RTL} pwnedword"
MARKDOWN_BODY = f"""
{PAYLOAD}

[click me](javascript:window.pwned=1) and [data](data:text/html,<script>alert(4)</script>)
and ![image](javascript:alert(5)) and <a href="javascript:alert(6)">raw link</a>

<div onmouseover="alert(7)">raw block html</div>
"""


def hostile_content(target: Path) -> Path:
    """Copy the valid fixture and put a payload into every field that reaches the output."""
    shutil.copytree(VALID, target)

    def edit(name: str, change) -> None:  # type: ignore[no-untyped-def]
        path = target / name
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")

    def dossier(d: dict) -> None:  # type: ignore[type-arg]
        d.update(title=f"Dossier {PAYLOAD}", summary=MARKDOWN_BODY, curator=f"Curator {PAYLOAD}")

    def sources(items: list) -> None:  # type: ignore[type-arg]
        for s in items:
            s.update(name=f"{s['name']} {PAYLOAD}", notes=MARKDOWN_BODY, country=PAYLOAD)

    def claims(items: list) -> None:  # type: ignore[type-arg]
        for c in items:
            c.update(statement=f"{c['statement']} {PAYLOAD}", topic=f"Topic {PAYLOAD}", note=MARKDOWN_BODY)
            c["assertions"][0]["quote"] = PAYLOAD
            c["assertions"][0]["article"] = "bridge-en"
            c["assertions"][0]["value"] = f"value {PAYLOAD}"
        items[0]["unit"] = f"unit {PAYLOAD}"

    def entities(items: list) -> None:  # type: ignore[type-arg]
        for e in items:
            e.update(name=f"{e['name']} {PAYLOAD}", role=PAYLOAD)
            e["variants"] = [*e["variants"], PAYLOAD]

    edit("dossier.yaml", dossier)
    edit("sources.yaml", sources)
    edit("claims.yaml", claims)
    edit("entities.yaml", entities)
    for article in (target / "articles").glob("*.md"):
        _, front, body = article.read_text(encoding="utf-8").split("---\n", 2)
        meta = yaml.safe_load(front)
        meta.update(title=f"{meta['title']} {PAYLOAD}", summary=PAYLOAD, authors=[PAYLOAD])
        head = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
        article.write_text(f"---\n{head}---\n{body}\n{MARKDOWN_BODY}", encoding="utf-8")
    return target
