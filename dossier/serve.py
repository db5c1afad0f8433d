"""`dossier serve`: build, serve the site over HTTP, rebuild on every change, reload every open tab.

- The output folder is served exactly as `dossier build` writes it. Only the HTML responses of
  this server get one extra element, `<script src="<base>__dossier__/reload.js" defer>`, so the
  files on disk never contain preview code. The script and its event stream live under the
  reserved `<base>__dossier__/` path and are served from the package, not from the site.
- Each open page holds a server-sent-events stream. On connecting it gets the current state
  (so a page opened while the content is broken shows the problems at once); after each
  rebuild every stream gets `reload`, `ok` or `errors`.
- A rebuild that fails keeps the last good site on disk and in the browser (the pipeline
  writes nothing unless the whole new site is ready); the problems go to the terminal as
  `path:line: message`, exactly as `dossier check` prints them, and to every open page.
- Paths are resolved after decoding, symlinks followed, and refused unless the real path lies
  inside the output folder.
"""

from __future__ import annotations

import html
import ipaddress
import json
import mimetypes
import os
import signal
import socket
import socketserver
import sys
import threading
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jinja2

from .errors import ContentError, Problem
from .incremental import IncrementalBuilder
from .render import TEMPLATES
from .watch import QUIET_SECONDS, Debouncer, Watcher
from .write import STAGING_INFIX, check_output_folder

RESERVED = "__dossier__"  # the preview server's own URLs, under the base path
CLIENT = Path(__file__).with_name("reload.js")
HEARTBEAT_SECONDS = 15.0  # a comment line on idle event streams, to notice closed tabs
# Content types by suffix; the system's table (mimetypes) varies between machines and lacks Pagefind's.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".pdf": "application/pdf",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    # Pagefind's index: gzipped binary chunks, and its WebAssembly shipped gzipped as `.pagefind`.
    ".pf_meta": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pf_filter": "application/octet-stream",
    ".pagefind": "application/octet-stream",
}
FALLBACK_PAGE = (
    '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
    "<title>Not found · dossier serve</title>\n</head>\n<body>\n<h1>Not found</h1>\n"
    "<p>There is no page at this address{detail}.</p>\n</body>\n</html>\n"
)


# ---------------------------------------------------------------------------
# Pure helpers: base path, content types, script injection, path resolution


def normalise_base(base_path: str) -> str:
    """`repo`, `/repo`, `/repo/` → `/repo/`; `` or `/` → `/`. Raises ValueError for anything not path-like."""
    parts = [p for p in base_path.strip().split("/") if p]
    for part in parts:
        if part in (".", "..") or not all(c.isalnum() or c in "-._~" for c in part):
            raise ValueError(f"--base-path may contain only letters, digits and - . _ ~ between slashes: {base_path!r}")
    return "/" + "".join(f"{p}/" for p in parts)


def content_type(name: str) -> str:
    suffix = os.path.splitext(name)[1].lower()
    if suffix in CONTENT_TYPES:
        return CONTENT_TYPES[suffix]
    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return f"{guessed}; charset=utf-8" if guessed.startswith("text/") else guessed


def script_tag(base: str, generation: str) -> bytes:
    src = html.escape(f"{base}{RESERVED}/reload.js")
    return f'<script src="{src}" data-generation="{html.escape(generation)}" defer></script>\n'.encode()


def inject(page: bytes, tag: bytes) -> bytes:
    """`tag` before the page's last `</body>`, or at the end when it has none."""
    at = page.lower().rfind(b"</body>")
    return page + tag if at < 0 else page[:at] + tag + page[at:]


@dataclass(frozen=True)
class Located:
    """What a request path means: a file of the site, a redirect, or one of the server's own URLs."""

    kind: str  # file, redirect, missing, forbidden, client, events, status
    path: Path | None = None
    location: str | None = None
    status: int = HTTPStatus.OK


MISSING = Located("missing", status=HTTPStatus.NOT_FOUND)
FORBIDDEN = Located("forbidden", status=HTTPStatus.FORBIDDEN)


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


def locate(site: Path, base: str, target: str) -> Located:
    """Map a request target (`/repo/claims/?x`) to what to answer, never to anything outside `site`.

    The path is percent-decoded once (so `%2e%2e` and `%2f` are dots and slashes), backslashes
    count as slashes, a `..` segment is refused outright, and whatever remains must, with every
    symlink resolved, lie inside the site's real folder.
    """
    split = urlsplit(target)
    raw = split.path or "/"
    query = f"?{split.query}" if split.query else ""
    if not raw.startswith(base):
        if raw + "/" == base:
            return Located("redirect", location=base + query, status=HTTPStatus.MOVED_PERMANENTLY)
        if raw == "/":
            return Located("redirect", location=base + query, status=HTTPStatus.FOUND)
        return MISSING
    rest = unquote(raw[len(base) :]).replace("\\", "/")
    if rest.startswith(f"{RESERVED}/"):
        own = {"reload.js": "client", "events": "events", "status": "status"}.get(rest[len(RESERVED) + 1 :])
        return Located(own) if own else MISSING
    segments = [s for s in rest.split("/") if s not in ("", ".")]
    if "\0" in rest or ".." in segments:
        return FORBIDDEN
    try:
        root = site.resolve()
        real = root.joinpath(*segments).resolve()
        if not _inside(real, root):
            return FORBIDDEN
        if real.is_dir():
            if not raw.endswith("/"):
                return Located("redirect", location=raw + "/" + query, status=HTTPStatus.MOVED_PERMANENTLY)
            real = (real / "index.html").resolve()
            if not _inside(real, root):
                return FORBIDDEN
        return Located("file", path=real) if real.is_file() else MISSING
    except (OSError, RuntimeError):  # a name too long, a symlink loop, ...
        return MISSING


def is_loopback(host: str) -> bool:
    """True when every address `host` names is a loopback address."""
    try:
        infos = socket.getaddrinfo(host or None, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    try:
        return bool(infos) and all(ipaddress.ip_address(str(i[4][0]).split("%")[0]).is_loopback for i in infos)
    except ValueError:
        return False


# ---------------------------------------------------------------------------
# Live state shared by the build thread and the event streams


class Live:
    """The build open pages should show and the current problems; wakes every event stream on change."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._session = f"{os.getpid():x}.{time.time_ns():x}"  # a restarted server never repeats a generation
        self._count = 0
        self.generation = ""  # "" until a build succeeded
        self.problems: tuple[str, ...] = ()
        self._event: tuple[str, dict[str, Any]] = ("ok", {"generation": ""})
        self._seq = 0
        self.closed = False

    def succeeded(self, changed: bool) -> None:
        """A build succeeded; `changed`: it changed files the pages show."""
        with self._cond:
            if changed or not self.generation:
                self._count += 1
                self.generation = f"{self._session}.{self._count}"
            self.problems = ()
            self._publish("reload" if changed else "ok", {"generation": self.generation})

    def failed(self, problems: Sequence[str]) -> None:
        with self._cond:
            self.problems = tuple(problems)
            self._publish("errors", {"generation": self.generation, "problems": list(self.problems)})

    def _publish(self, name: str, data: dict[str, Any]) -> None:
        self._event = (name, data)
        self._seq += 1
        self._cond.notify_all()

    def wait(self, seen: int, timeout: float) -> tuple[int, str, dict[str, Any]] | None:
        """The latest event if it is not `seen`, waiting up to `timeout`; None on timeout or close."""
        with self._cond:
            if self._seq == seen and not self.closed:
                self._cond.wait(timeout)
            if self.closed or self._seq == seen:
                return None
            return (self._seq, *self._event)

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


# ---------------------------------------------------------------------------
# HTTP


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 64  # a page load opens many connections at once (assets, search index, events)

    def __init__(
        self, address: tuple[str, int], site: Path, base: str, live: Live, status: Callable[[], Mapping[str, Any]]
    ) -> None:
        self.site = site
        self.base = base
        self.live = live
        self.status = status
        host, port = address
        infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
        self.address_family = infos[0][0]
        super().__init__(address, PreviewHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host up in DNS (getfqdn), which can stall offline.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):  # a tab closed mid-response is no error
            super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host = str(self.server_address[0])
        if host in ("0.0.0.0", "::", ""):
            host = "127.0.0.1" if self.address_family == socket.AF_INET else "::1"
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{self.server_port}{self.base}"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "dossier-serve"

    def log_message(self, format: str, *args: Any) -> None:
        pass  # the terminal is for rebuilds and problems, not for every asset request

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        try:
            self._answer(locate(self.server.site, self.server.base, self.path), head)
        except ConnectionError:
            self.close_connection = True

    def _answer(self, where: Located, head: bool) -> None:
        if where.kind == "events":
            self._events(head)
        elif where.kind == "client":
            self._send(HTTPStatus.OK, CLIENT.read_bytes(), CONTENT_TYPES[".js"], head)
        elif where.kind == "status":
            body = json.dumps(dict(self.server.status()), ensure_ascii=False).encode()
            self._send(HTTPStatus.OK, body, CONTENT_TYPES[".json"], head)
        elif where.kind == "redirect":
            self._send(where.status, b"", "text/plain; charset=utf-8", head, {"Location": where.location or "/"})
        elif where.kind == "file" and where.path is not None:
            try:
                body = where.path.read_bytes()
            except OSError:  # gone between the lookup and the read (a rebuild swapped it)
                self._not_found(HTTPStatus.NOT_FOUND, head)
                return
            self._send(HTTPStatus.OK, body, content_type(where.path.name), head)
        else:
            self._not_found(where.status, head)

    def _not_found(self, status: int, head: bool) -> None:
        page = locate(self.server.site, "/", "/404.html")
        try:
            body = page.path.read_bytes() if page.kind == "file" and page.path else None
        except OSError:
            body = None
        if body is None:
            detail = "" if self.server.live.generation else " (the site has not been built yet)"
            body = FALLBACK_PAGE.format(detail=detail).encode()
        self._send(status, body, CONTENT_TYPES[".html"], head)

    def _send(self, status: int, body: bytes, ctype: str, head: bool, headers: Mapping[str, str] | None = None) -> None:
        if ctype.startswith("text/html"):
            body = inject(body, script_tag(self.server.base, self.server.live.generation))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")  # a preview must never show a page from before a rebuild
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self, head: bool) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if head:
            return
        self.wfile.write(b"retry: 1000\n\n")
        live, seen = self.server.live, -1
        while not live.closed:
            event = live.wait(seen, HEARTBEAT_SECONDS)
            if event is None:
                self.wfile.write(b": still here\n\n")
            else:
                seen, name, data = event
                self.wfile.write(f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.close_connection = True


# ---------------------------------------------------------------------------
# Rebuilding


def _shown(path: Path | str) -> str:
    """A path as the terminal should show it: relative to the working folder when inside it."""
    relative = os.path.relpath(path)
    return relative if not relative.startswith("..") else str(path)


def template_problem(err: Exception, templates: Path) -> Problem | None:
    """A template error as `templates/x.html:12: message`; None for errors that are not the templates'."""
    if isinstance(err, jinja2.TemplateSyntaxError):
        path = err.filename or str(templates / (err.name or "?"))
        return Problem(_shown(path), err.lineno or 0, f"template error: {err.message}")
    if not isinstance(err, jinja2.TemplateError):
        return None
    folder = str(templates.resolve())
    frames = [f for f in traceback.extract_tb(err.__traceback__) if f.filename.startswith(folder)]
    if not frames:
        return Problem(_shown(templates), 0, f"template error: {err}")
    return Problem(_shown(frames[-1].filename), frames[-1].lineno or 0, f"template error: {err}")


def problems_of(err: Exception, templates: Path) -> list[Problem]:
    """What a failed build tells the curator: the content's problems, a template's, an unreadable file."""
    if isinstance(err, ContentError):
        return list(err.problems)
    problem = template_problem(err, templates)
    if problem is not None:
        return [problem]
    if isinstance(err, OSError) and err.filename:
        return [Problem(_shown(err.filename), 0, err.strerror or str(err))]
    return []


class Rebuilder:
    """The one action the build thread runs: rebuild, tell the terminal, tell the pages."""

    def __init__(
        self,
        builder: IncrementalBuilder,
        live: Live,
        out_lines: Callable[[str], None] = print,
        pending: Callable[[], bool] = lambda: False,
    ) -> None:
        self.builder = builder
        self.live = live
        self.say = out_lines
        self.pending = pending  # True when more changes are queued for the next rebuild
        self.stopping: Callable[[], bool] = lambda: False
        self.builds = 0

    def __call__(self, changed: frozenset[str] = frozenset()) -> None:
        verb, failed = ("rebuilt", "rebuild failed") if self.builds else ("built", "build failed")
        self.builds += 1
        try:
            step = self.builder.build(changed=changed)
        except Exception as err:
            self._failed(err, failed)
            return
        report = step.built.report
        self.say(step.summary(verb))
        self.live.succeeded(changed=bool(report.written or report.removed))

        def waiting() -> bool:
            return self.pending() or self.stopping()

        # The edit is searchable already; now, unless another edit comes first, a build of the whole content
        # confirms a short way's (IncrementalBuilder.confirm), and the edit's search shard is rebuilt.
        try:
            confirmed = self.builder.confirm(waiting)
        except Exception as err:
            self._failed(err, "rebuild failed")
            return
        if confirmed is not None and (confirmed.built.report.written or confirmed.built.report.removed):
            # an edit saved while it ran, or one no watcher told of
            self.say(confirmed.summary("confirmed"))
            self.live.succeeded(changed=True)
        try:
            if self.builder.settle(waiting) and not self.pending():
                self.builder.tidy()
        except Exception as err:
            self._failed(err, "search index update failed")

    def _failed(self, err: Exception, failed: str) -> None:
        from .cli import print_problems  # prints exactly as `dossier check` does

        if self.pending():
            # Files changed while this build ran (a capture renamed between reading and copying, a
            # save half done): the next build, already queued, sees them settled and reports.
            self.say(f"{failed}: the content changed meanwhile; building again")
            return
        problems = problems_of(err, self.builder.templates)
        if problems:
            print_problems(problems)
            self.live.failed([str(p) for p in problems])
        else:  # a bug, not the content: the traceback is for whoever fixes it
            traceback.print_exc(file=sys.stderr)
            self.live.failed([f"dossier: internal error while building: {type(err).__name__}: {err} "
                              "(traceback in the terminal)"])  # fmt: skip
        self.say(f"{failed}: the last good site is still served")


# ---------------------------------------------------------------------------
# The command


def _say(line: str, stream: Any = None) -> None:
    print(line, file=stream or sys.stdout, flush=True)  # tests read these lines from a pipe


def run(
    content: Path,
    out: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    base_path: str = "/",
    open_browser: bool = False,
    display: str | None = None,
    templates: Path = TEMPLATES,
    quiet: float = QUIET_SECONDS,
) -> int:
    """Serve until SIGINT or SIGTERM; exit status 0. Raises ValueError/OSError for bad options or ports."""
    base = normalise_base(base_path)
    check_output_folder(out, {"content": content, "templates": templates})
    if not content.is_dir():  # there would be nothing to watch
        raise ContentError([Problem(display or str(content), 0, "content folder not found")])
    live = Live()
    rebuild = Rebuilder(IncrementalBuilder(content, out, display, templates), live, _say)
    debouncer = Debouncer(rebuild, quiet=quiet)
    rebuild.pending = debouncer.pending
    staging = str(out.resolve().parent / f".{out.name}{STAGING_INFIX}")
    watcher = Watcher([content, templates], debouncer.notify, excluded=[out], excluded_prefixes=[staging])

    def status() -> dict[str, Any]:
        return {
            "generation": live.generation,
            "problems": list(live.problems),
            "idle": debouncer.idle,
            "builds": rebuild.builds,
        }

    server = PreviewServer((host, port), out, base, live, status)  # bind first: a busy port fails fast
    stop = threading.Event()
    rebuild.stopping = stop.is_set
    handlers = _on_signals(lambda *_: stop.set())
    serving = threading.Thread(target=server.serve_forever, name="dossier-http", daemon=True)
    try:
        watcher.start()  # before the first build, so that no edit made during it is missed
        rebuild()
        if not stop.is_set():  # Ctrl-C during the first build: do not start serving just to stop
            debouncer.start()
            serving.start()
            _say(f"Serving {server.url} (Ctrl-C to stop)")
            if not is_loopback(host):
                _say(
                    f"warning: {host!r} is not a loopback address: anyone who can reach this machine can read "
                    "the preview",
                    sys.stderr,
                )
            if open_browser:
                import webbrowser

                threading.Thread(target=partial(webbrowser.open, server.url), daemon=True).start()
        while not stop.wait(0.5):
            if watcher.revive():
                _say("dossier: the file watcher had stopped and was restarted", sys.stderr)
        _say("stopping")
    finally:
        _on_signals(None, handlers)
        watcher.stop()
        # A build still running is abandoned after a while: publishing swaps the site in whole, so
        # the output is the old site or the new one, and a staging folder left behind goes next time.
        debouncer.stop(timeout=3)
        live.close()
        if serving.is_alive():
            server.shutdown()
        server.server_close()
    return 0


def _on_signals(handler: Any, previous: dict[int, Any] | None = None) -> dict[int, Any]:
    """Install `handler` for SIGINT and SIGTERM (or restore `previous`); returns what was there."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    signals = (signal.SIGINT, signal.SIGTERM)
    if previous is not None:
        return {s: signal.signal(s, previous[s]) for s in signals if s in previous}
    return {s: signal.signal(s, handler) for s in signals}
