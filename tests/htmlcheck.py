"""Reads built HTML: every link and id, so tests can find broken links and anchors."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(values["id"] or "")
        for attr in ("href", "src"):
            if values.get(attr) is not None and not (tag == "link" and values.get("rel") in ("canonical", "alternate")):
                self.links.append(values[attr] or "")


@dataclass
class Site:
    root: Path
    ids: dict[str, set[str]] = field(default_factory=dict)  # url path -> ids
    links: dict[str, list[str]] = field(default_factory=dict)  # url path -> raw hrefs

    @classmethod
    def read(cls, root: Path) -> Site:
        site = cls(root)
        for path in sorted(root.rglob("*.html")):
            if "pagefind" in path.relative_to(root).parts:
                continue
            parser = _Collector()
            parser.feed(path.read_text(encoding="utf-8"))
            url = "/" + path.relative_to(root).as_posix()
            site.ids[url] = parser.ids
            site.links[url] = parser.links
        return site

    def target(self, page: str, href: str, base_path: str = "/") -> tuple[str, str] | None:
        """The (file url, fragment) a link points to, or None for external links."""
        parts = urlsplit(href)
        if parts.scheme in ("http", "https", "mailto") or parts.netloc:
            return None
        resolved = urlsplit(urljoin(page, href))
        path = unquote(resolved.path)
        if href.startswith("/"):
            assert path.startswith(base_path), f"{page}: absolute link {href} outside {base_path}"
            path = "/" + path[len(base_path):]
        if path.endswith("/"):
            path += "index.html"
        return path, resolved.fragment

    def broken(self, base_path: str = "/") -> list[str]:
        problems = []
        for page, hrefs in self.links.items():
            for href in hrefs:
                found = self.target(page, href, base_path)
                if found is None:
                    continue
                path, fragment = found
                if not (self.root / path.lstrip("/")).is_file():
                    problems.append(f"{page}: {href} -> {path} does not exist")
                elif fragment and fragment not in self.ids.get(path, set()):
                    problems.append(f"{page}: {href} -> #{fragment} not found in {path}")
        return problems
