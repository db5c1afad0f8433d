"""A static server that behaves like GitHub Pages for a project site under a path prefix.

`dir/` serves `dir/index.html`, `dir` redirects to `dir/`, a miss answers 404 with the
site's `404.html`, and anything outside the prefix is a 404 too — so a root-relative
link fails here as it would on a real project site.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

mimetypes.add_type("application/wasm", ".wasm")
mimetypes.add_type("application/octet-stream", ".pf_meta")
mimetypes.add_type("application/octet-stream", ".pf_fragment")
mimetypes.add_type("application/octet-stream", ".pf_index")
mimetypes.add_type("application/octet-stream", ".pf_filter")


class PagesServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Path, prefix: str) -> None:
        self.site = site.resolve()
        self.prefix = prefix
        self.requests: list[tuple[int, str]] = []  # (status, path) of every request
        self.bytes_sent = 0
        super().__init__(("127.0.0.1", 0), _Handler)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_port}{self.prefix}"


class _Handler(BaseHTTPRequestHandler):
    server: PagesServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, body, ctype, location = self._resolve()
        self.server.requests.append((status, self.path))
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.bytes_sent += len(body)

    def _resolve(self) -> tuple[int, bytes, str, str | None]:
        path = unquote(urlsplit(self.path).path)
        site = self.server.site
        if not path.startswith(self.server.prefix):
            return self._missing()
        target = (site / path[len(self.server.prefix):]).resolve()
        if target != site and site not in target.parents:
            return self._missing()
        if target.is_dir():
            if not path.endswith("/"):
                return HTTPStatus.MOVED_PERMANENTLY, b"", "text/plain", path + "/"
            target = target / "index.html"
        if not target.is_file():
            return self._missing()
        ctype = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        return HTTPStatus.OK, target.read_bytes(), ctype, None

    def _missing(self) -> tuple[int, bytes, str, None]:
        page = self.server.site / "404.html"
        body = page.read_bytes() if page.is_file() else b"not found"
        return HTTPStatus.NOT_FOUND, body, "text/html; charset=utf-8", None


@contextmanager
def serve(site: Path, prefix: str = "/repo/") -> Iterator[PagesServer]:
    server = PagesServer(site, prefix)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def wait_for_search_status(page, pattern: str, timeout: float | None = None) -> None:  # type: ignore[no-untyped-def]
    """Wait until the search page's status line matches the JavaScript regex `pattern`.

    The status is read only once it exists: polled on a page still navigating to the search page, a
    predicate that threw would end the wait at once."""
    page.wait_for_function(
        f"() => /{pattern}/.test(document.getElementById('search-status')?.textContent)", timeout=timeout
    )
