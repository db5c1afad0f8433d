"""`dossier serve`: the real server in a subprocess, driven over HTTP and from headless Chromium."""

from __future__ import annotations

import http.client
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from dossier.errors import Problem
from dossier.serve import (
    FORBIDDEN,
    MISSING,
    content_type,
    inject,
    is_loopback,
    locate,
    normalise_base,
    script_tag,
    template_problem,
)

from .conftest import ROOT, VALID

SCRIPT = re.compile(rb'<script src="[^"]*__dossier__/reload\.js" data-generation="[^"]*" defer></script>\n')
START_SECONDS = 60  # the first build, Pagefind included, on a busy two-core machine
CHANGE_SECONDS = 30  # an edit until it is served


def wait_until(condition: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(content: Path, out: Path) -> dict[str, bytes]:
    from dossier.pipeline import build

    build(content, out, reuse=False)  # a clean build: no reuse of an earlier one
    return tree(out)


class Served:
    """`python -m dossier serve` in a subprocess, on a free port, its output collected as it comes."""

    def __init__(self, content: Path, out: Path, *args: str) -> None:
        self.content, self.out = content, out
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "dossier", "serve", "--content", str(content), "--out", str(out), "--port", "0",
             *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )  # fmt: skip
        for stream, lines in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=self._collect, args=(stream, lines), daemon=True).start()
        line = wait_until(
            lambda: next((x for x in self.stdout if x.startswith("Serving ")), None) or self.proc.poll() is not None,
            START_SECONDS,
        )
        line = line if isinstance(line, str) else None
        if not line:
            self.stop()
            raise AssertionError(f"no URL printed; stdout {self.stdout}, stderr {self.stderr}")
        self.url = line.split()[1]
        parts = urlsplit(self.url)
        self.host, self.port, self.base = parts.hostname or "", parts.port or 0, parts.path

    @staticmethod
    def _collect(stream: Any, lines: list[str]) -> None:
        for line in stream:
            lines.append(line.rstrip("\n"))

    def request(self, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """One request with `target` sent exactly as given (no normalisation, no redirects followed)."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            conn.endheaders()
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def get(self, path: str = "") -> tuple[int, dict[str, str], bytes]:
        return self.request(self.base + path)

    def status(self) -> dict[str, Any]:
        return json.loads(self.get("__dossier__/status")[2])

    def settled(self, timeout: float = CHANGE_SECONDS) -> dict[str, Any]:
        """The status once the server has had nothing to do for a while."""

        def quiet() -> dict[str, Any] | None:
            first = self.status()
            time.sleep(0.6)  # longer than the debounce: an event still in flight shows up as a build
            second = self.status()
            return second if first["idle"] and second["idle"] and first["builds"] == second["builds"] else None

        status = wait_until(quiet, timeout, interval=0)
        assert status, f"the server did not settle; stdout {self.stdout[-5:]}"
        return status

    def served_text(self, path: str, text: str, timeout: float = CHANGE_SECONDS) -> bool:
        return bool(wait_until(lambda: text.encode() in self.get(path)[2], timeout))

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, float]:
        """Send `sig`; the exit status and how long the server took to exit."""
        started = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            code = -9
        return code, time.monotonic() - started


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start servers on demand; each must stop on SIGINT with status 0 within a few seconds."""
    started: list[Served] = []

    def start(*args: str, content: Path | None = None) -> Served:
        if content is None:
            content = tmp_path / "content"
            if not content.exists():
                shutil.copytree(VALID, content)
        server = Served(content, tmp_path / f"out{len(started)}", *args)
        started.append(server)
        return server

    yield start
    for server in started:
        code, seconds = server.stop()
        assert code == 0, server.stderr
        assert seconds < 5
        assert not any("Traceback" in line for line in server.stderr), "\n".join(server.stderr)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One server under /repo/ for the tests that only read."""
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(VALID, root / "content")
    server = Served(root / "content", root / "out", "--base-path", "/repo/")
    yield server
    code, _ = server.stop()
    assert code == 0


# ---------------------------------------------------------------------------
# The pieces, in process


def test_normalise_base() -> None:
    assert normalise_base("") == normalise_base("/") == "/"
    assert normalise_base("repo") == normalise_base("/repo") == normalise_base("/repo/") == "/repo/"
    assert normalise_base("/a/b") == "/a/b/"
    for bad in ("/../x/", "/a b/", "/x?y/", "/<script>/"):
        with pytest.raises(ValueError):
            normalise_base(bad)


def test_content_types() -> None:
    assert content_type("index.html") == "text/html; charset=utf-8"
    assert content_type("pagefind.js") == "text/javascript; charset=utf-8"
    assert content_type("wasm.en.pagefind") == "application/octet-stream"
    assert content_type("pagefind_bg.wasm") == "application/wasm"
    assert content_type("pagefind.en_0123456789.pf_meta") == "application/octet-stream"
    assert content_type("en_0123456.pf_fragment") == "application/octet-stream"
    assert content_type("style.css") == "text/css; charset=utf-8"
    assert content_type("favicon.svg") == "image/svg+xml"
    assert content_type("sitemap.xml") == "application/xml"
    assert content_type("capture.txt") == "text/plain; charset=utf-8"


def test_inject() -> None:
    tag = script_tag("/repo/", "g1")
    assert tag == b'<script src="/repo/__dossier__/reload.js" data-generation="g1" defer></script>\n'
    assert inject(b"<p>a</p></body></html>", tag) == b"<p>a</p>" + tag + b"</body></html>"
    assert inject(b"<body>x</BODY>", b"T") == b"<body>xT</BODY>"
    assert inject(b"no body", b"T") == b"no bodyT"


def test_locate(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "claims").mkdir(parents=True)
    (site / "index.html").write_text("home")
    (site / "claims" / "index.html").write_text("claims")
    (tmp_path / "secret.txt").write_text("secret")
    (site / "out-link").symlink_to(tmp_path / "secret.txt")
    (site / "out-dir").symlink_to(tmp_path)
    (site / "in-link").symlink_to(site / "index.html")
    assert locate(site, "/repo/", "/repo/").path == (site / "index.html").resolve()
    assert locate(site, "/repo/", "/repo/claims/?q=1").path == (site / "claims" / "index.html").resolve()
    moved = locate(site, "/repo/", "/repo/claims?q=1")
    assert (moved.kind, moved.status, moved.location) == ("redirect", 301, "/repo/claims/?q=1")
    assert locate(site, "/repo/", "/").location == "/repo/"
    assert locate(site, "/repo/", "/repo").location == "/repo/"
    assert locate(site, "/repo/", "/elsewhere/") == MISSING
    assert locate(site, "/repo/", "/repo/nothing") == MISSING
    assert locate(site, "/repo/", "/repo/in-link").kind == "file"
    assert locate(site, "/repo/", "/repo/__dossier__/reload.js").kind == "client"
    assert locate(site, "/repo/", "/repo/__dossier__/events").kind == "events"
    for target in ("/repo/../secret.txt", "/repo/%2e%2e/secret.txt", "/repo/%2E%2E%2Fsecret.txt",
                   "/repo/..%5csecret.txt", "/repo/..\\secret.txt", "/repo/claims/../../secret.txt",
                   "/repo/out-link", "/repo/out-dir/secret.txt", "/repo/%00"):  # fmt: skip
        assert locate(site, "/repo/", target) == FORBIDDEN, target
    assert locate(site, "/repo/", "/repo/%252e%252e/secret.txt") == MISSING  # decoded once: a strange name
    assert locate(site, "/repo/", "/repo/" + "x" * 5000) == MISSING
    (site / "loop").symlink_to(site / "loop")
    assert locate(site, "/repo/", "/repo/loop") in (MISSING, FORBIDDEN)


def test_is_loopback() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("")


def test_rebuild_failures_are_reported_and_survived(tmp_path: Path, capsys: Any) -> None:
    from dossier.incremental import IncrementalBuilder
    from dossier.render import TEMPLATES
    from dossier.serve import Live, Rebuilder

    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES, templates)
    shutil.copytree(VALID, tmp_path / "content")
    builder = IncrementalBuilder(tmp_path / "content", tmp_path / "out", templates=templates, search=False)
    live, said = Live(), []
    rebuild = Rebuilder(builder, live, said.append)
    rebuild()
    assert live.generation and not live.problems
    story = templates / "story.html"
    good = story.read_text()
    story.write_text(good.replace("{% block main %}", "{% block main %}\n{% if %}", 1))
    rebuild()
    assert len(live.problems) == 1 and re.search(r"story\.html:\d+: template error: ", live.problems[0])
    assert live.problems[0] in capsys.readouterr().err
    story.write_text(good)
    rebuild()
    assert not live.problems

    def explode(**_: object) -> None:
        raise RuntimeError("disk on fire")

    builder.build = explode  # type: ignore[method-assign]
    rebuild()
    assert "internal error while building: RuntimeError: disk on fire" in live.problems[0]
    assert "Traceback" in capsys.readouterr().err
    assert said[-1] == "rebuild failed: the last good site is still served"


def test_template_errors_become_problems(tmp_path: Path) -> None:
    import jinja2

    (tmp_path / "broken.html").write_text("<p>\n{% if %}\n")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(tmp_path))
    with pytest.raises(jinja2.TemplateSyntaxError) as caught:
        env.get_template("broken.html")
    problem = template_problem(caught.value, tmp_path)
    assert isinstance(problem, Problem)
    assert problem.path.endswith("broken.html") and problem.line == 2
    assert template_problem(ValueError("x"), tmp_path) is None


# ---------------------------------------------------------------------------
# A real server, over HTTP


def test_serves_exactly_what_build_writes(site: Served, tmp_path: Path) -> None:
    status, headers, body = site.get()
    assert status == 200
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(body)
    assert body.count(b"/repo/__dossier__/reload.js") == 1
    assert SCRIPT.sub(b"", body) == (site.out / "index.html").read_bytes()
    # The output folder is a clean build, byte for byte, search index included, and has no preview code.
    site.settled()
    assert tree(site.out) == clean_build(site.content, tmp_path / "clean")
    assert not any(b"__dossier__" in data for data in tree(site.out).values())


def test_every_file_is_served_with_its_bytes(site: Served) -> None:
    for relative, data in tree(site.out).items():
        status, headers, body = site.get(relative)
        assert status == 200, relative
        if relative.endswith(".html"):
            assert SCRIPT.sub(b"", body) == data, relative
        else:
            assert body == data, relative
            assert headers["content-type"] == content_type(relative), relative


def test_pagefind_files_have_their_content_types(site: Served) -> None:
    seen = set()
    for path in (site.out / "pagefind").rglob("*"):
        suffix = path.suffix
        if path.is_file() and suffix not in seen:
            seen.add(suffix)
            _, headers, _ = site.get(path.relative_to(site.out).as_posix())
            assert headers["content-type"] == content_type(path.name)
    assert {".pf_meta", ".pf_fragment", ".pf_index", ".pagefind", ".js"} <= seen


def test_head_answers_like_get_without_a_body(site: Served) -> None:
    for path in ("", "claims/", "assets/style.css", "nowhere/", "claims", "__dossier__/reload.js"):
        got = site.request(site.base + path)
        head = site.request(site.base + path, "HEAD")
        assert head[0] == got[0]
        assert head[1]["content-length"] == got[1]["content-length"]
        assert head[1]["content-type"] == got[1]["content-type"]
        assert head[2] == b""


def test_missing_pages_get_the_404_page(site: Served) -> None:
    status, headers, body = site.get("no/such/page/")
    assert status == 404
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert SCRIPT.sub(b"", body) == (site.out / "404.html").read_bytes()
    assert SCRIPT.search(body)


def test_base_path_like_github_pages(site: Served) -> None:
    assert site.request("/")[0] == 302 and site.request("/")[1]["location"] == "/repo/"
    assert site.request("/repo")[1]["location"] == "/repo/"
    assert site.request("/claims/")[0] == 404  # outside the project path, as on GitHub Pages
    status, headers, _ = site.get("claims?sort=1")
    assert (status, headers["location"]) == (301, "/repo/claims/?sort=1")
    assert site.get("claims/")[0] == 200


def test_the_reload_client_lives_only_in_the_server(site: Served) -> None:
    status, headers, body = site.get("__dossier__/reload.js")
    assert status == 200 and headers["content-type"] == "text/javascript; charset=utf-8"
    assert b"EventSource" in body
    assert not any("__dossier__" in p for p in tree(site.out))
    assert site.get("__dossier__/nothing")[0] == 404


def test_event_stream_sends_the_current_state_on_connect(site: Served) -> None:
    conn = http.client.HTTPConnection(site.host, site.port, timeout=10)
    try:
        conn.request("GET", site.base + "__dossier__/events")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("content-type") == "text/event-stream; charset=utf-8"
        lines = [response.fp.readline() for _ in range(5)]
    finally:
        conn.close()
    assert lines[0] == b"retry: 1000\n"
    assert lines[2] in (b"event: reload\n", b"event: ok\n")
    assert json.loads(lines[3].removeprefix(b"data: "))["generation"] == site.status()["generation"]


def test_paths_outside_the_site_are_refused(site: Served) -> None:
    from watchdog.events import FileSystemEvent, FileSystemEventHandler
    from watchdog.observers import Observer

    private = site.out.parent / "private"
    private.mkdir()
    secret = private / "secret.txt"
    secret.write_text("TOP-SECRET-TOKEN")
    links = [site.out / "link-out", site.out / "dir-out"]
    links[0].symlink_to(secret)
    links[1].symlink_to(private)
    opened: list[str] = []

    class Opens(FileSystemEventHandler):  # inotify tells whether anyone opened the secret
        def on_any_event(self, event: FileSystemEvent) -> None:
            if event.event_type == "opened":
                opened.append(str(event.src_path))

    observer = Observer()
    observer.schedule(Opens(), str(private))
    observer.start()
    try:
        time.sleep(0.2)
        attempts = [
            "/repo/../private/secret.txt", "/repo/%2e%2e/private/secret.txt", "/repo/%2E%2E%2Fprivate%2Fsecret.txt",
            "/repo/..%2fprivate/secret.txt", "/repo/..%5cprivate%5csecret.txt", "/repo/..\\private\\secret.txt",
            "/repo/%252e%252e/private/secret.txt", "/repo/claims/../../private/secret.txt",
            "/repo//../private/secret.txt", "/../private/secret.txt", "/repo/link-out", "/repo/dir-out/secret.txt",
            "/repo/dir-out/", "/repo/%00", "/repo/.%2e/.%2e/private/secret.txt", "/repo/..;/private/secret.txt",
            "/repo/" + "../" * 12 + "etc/passwd", "/repo/%2e%2e/" * 12 + "etc/passwd",
        ]  # fmt: skip
        for target in attempts:
            status, _, body = site.request(target)
            assert status in (403, 404), target
            assert b"TOP-SECRET-TOKEN" not in body and b"root:" not in body, target
        assert site.request("/repo/../private/secret.txt")[0] == 403
        assert site.request("/repo/link-out")[0] == 403
        time.sleep(0.3)
        assert opened == [], "the server opened a file outside the site"
        secret.read_text()  # the detector itself works
        assert wait_until(lambda: str(secret) in opened, 5)
    finally:
        observer.stop()
        observer.join(5)
        for link in links:
            link.unlink()
        shutil.rmtree(private)


# ---------------------------------------------------------------------------
# Rebuilding


def test_an_edit_is_served(serve: Callable[..., Served]) -> None:
    server = serve()
    article = server.content / "articles" / "bridge-en.md"
    article.write_text(article.read_text() + "\nThe ferry keeps running until the bridge opens.\n")
    assert server.served_text("stories/bridge-en/", "The ferry keeps running")
    summary = re.compile(r"rebuilt in \d+ ms( \(article texts alone\))?: \d+ of \d+ pages rendered, \d+ files written, "
                         r"\d+ unchanged, \d+ removed")
    assert wait_until(lambda: any(summary.fullmatch(line) for line in server.stdout), 10), server.stdout


def test_broken_content_keeps_the_last_good_site(serve: Callable[..., Served]) -> None:
    server = serve()
    before = server.get()[2]
    dossier = server.content / "dossier.yaml"
    good = dossier.read_text()
    dossier.write_text(good.replace("title: Harbour Bridge Dossier", "title: [Harbour"))
    problems = wait_until(lambda: server.status()["problems"], CHANGE_SECONDS)
    assert problems and "dossier.yaml:2: YAML syntax error" in problems[0]
    # The terminal shows them as `dossier check` does.
    assert wait_until(lambda: any(re.search(r"dossier\.yaml:2: YAML syntax error", x) for x in server.stderr), 5)
    assert any(line == "1 problem found" for line in server.stderr)
    status, _, page = server.get()  # headers aside: two requests may straddle a second, and Date with it
    assert (status, page) == (200, before)  # still the last good site
    dossier.write_text(good)
    assert wait_until(lambda: server.status()["problems"] == [], CHANGE_SECONDS)


def test_starts_serving_even_when_the_content_is_broken(serve: Callable[..., Served], tmp_path: Path) -> None:
    content = tmp_path / "broken"
    shutil.copytree(VALID, content)
    claims = content / "claims.yaml"
    good = claims.read_text()
    claims.write_text(good.replace("It opens in May", "It opens in June"))
    server = serve(content=content)
    assert any("claims.yaml" in line and "quote not found" in line for line in server.stderr)
    status, _, body = server.get()
    assert status == 404 and SCRIPT.search(body)  # nothing built yet: a page that still shows the overlay
    assert server.status()["problems"]
    claims.write_text(good)
    assert wait_until(lambda: server.get()[0] == 200, CHANGE_SECONDS)


def test_sigterm_stops_cleanly_with_a_page_listening(serve: Callable[..., Served]) -> None:
    server = serve()
    listening = http.client.HTTPConnection(server.host, server.port, timeout=10)
    listening.request("GET", server.base + "__dossier__/events")
    assert listening.getresponse().status == 200
    try:
        code, seconds = server.stop(signal.SIGTERM)
    finally:
        listening.close()
    assert code == 0 and seconds < 5
    assert server.stdout[-1] == "stopping"


def test_open_starts_the_browser_at_the_url(serve: Callable[..., Served], tmp_path: Path, monkeypatch: Any) -> None:
    recorder, opened = tmp_path / "browser.py", tmp_path / "opened.txt"
    recorder.write_text(f"import sys\nopen({str(opened)!r}, 'w').write(sys.argv[1])\n")
    monkeypatch.setenv("BROWSER", f"{sys.executable} {recorder} %s")  # webbrowser's own override
    server = serve("--open")
    assert wait_until(lambda: opened.is_file() and opened.read_text() == server.url, 20)


def test_refuses_an_output_folder_it_did_not_make(tmp_path: Path) -> None:
    out = tmp_path / "precious"
    out.mkdir()
    (out / "thesis.tex").write_text("years of work")
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "serve", "--content", str(VALID), "--out", str(out), "--port", "0"],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 1
    assert "refusing to write" in result.stderr
    assert (out / "thesis.tex").read_text() == "years of work"


def test_usage_errors(tmp_path: Path) -> None:
    for args in (["--base-path", "/a b/"], ["--port", "70000"]):
        result = subprocess.run(
            [sys.executable, "-m", "dossier", "serve", "--content", str(VALID), "--out", str(tmp_path / "o"), *args],
            cwd=ROOT, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 2, args


def test_survives_rapid_edit_cycles(serve: Callable[..., Served], tmp_path: Path) -> None:
    """100 quick edits — broken states, deletes and renames among them — then a clean build's bytes."""
    server = serve()
    content = server.content
    rng = random.Random(4913)
    originals = {p: p.read_bytes() for p in content.rglob("*") if p.is_file()}
    article, claims = content / "articles" / "bridge-en.md", content / "claims.yaml"
    extras: list[str] = []

    def add() -> None:
        ident = f"extra-{len(extras)}-{rng.randint(0, 999)}"
        extras.append(ident)
        (content / "captures" / f"{ident}.txt").write_text(f"Extra\n\nPortville {ident}.\n")
        (content / "articles" / f"{ident}.md").write_text(
            f'---\ntitle: Extra {ident}\nsource: daily-port\nlanguage: en\nstory: {ident}\npublished: "2025-03-01"\n'
            f'captured: "2025-03-02"\ncapture: captures/{ident}.txt\n---\n\nPortville {ident}.\n'
        )

    def rename() -> None:
        if extras:
            old = extras.pop(rng.randrange(len(extras)))
            new = f"{old}-r"
            (content / "captures" / f"{old}.txt").rename(content / "captures" / f"{new}.txt")
            text = (content / "articles" / f"{old}.md").read_text()
            text = text.replace(f"captures/{old}.txt", f"captures/{new}.txt")
            temporary = content / "articles" / f".{new}.md.swp"  # as an editor would: write aside, rename
            temporary.write_text(text)
            os.replace(temporary, content / "articles" / f"{new}.md")
            (content / "articles" / f"{old}.md").unlink()
            extras.append(new)

    def delete() -> None:
        if extras:
            ident = extras.pop(rng.randrange(len(extras)))
            (content / "articles" / f"{ident}.md").unlink()
            (content / "captures" / f"{ident}.txt").unlink()

    def edit(n: int | None = None) -> None:
        article.write_text(article.read_text() + f"\nEdit number {rng.randint(0, 999) if n is None else n}.\n")

    def break_claims() -> None:
        claims.write_text(claims.read_text() + "- [unclosed\n")

    def fix_claims() -> None:
        claims.write_bytes(originals[claims])

    def break_quote() -> None:
        claims.write_text(claims.read_text().replace("It opens in May", "It opens in June"))

    for n in range(100):
        rng.choices([edit, add, rename, delete, break_claims, fix_claims, break_quote],
                    [4, 2, 2, 1, 1, 2, 1])[0]()  # fmt: skip
        time.sleep(rng.choice([0, 0, 0.01, 0.05, 0.35]))  # mostly a burst; sometimes long enough to build
        if n % 10 == 9:
            assert server.get()[0] == 200
    assert server.proc.poll() is None
    fix_claims()
    edit(1000)
    assert server.served_text("stories/bridge-en/", "Edit number 1000.", timeout=60), (
        server.stdout[-10:],
        server.stderr[-10:],
        server.status(),
        sorted(p.name for p in content.rglob("*")),
    )
    status = server.settled()
    assert status["problems"] == []
    assert 5 <= status["builds"] < 100  # bursts were coalesced, yet built along the way
    assert any(line.startswith("rebuild failed") for line in server.stdout)  # through broken states
    expected = clean_build(content, tmp_path / "clean")
    assert tree(server.out) == expected
    for relative, data in expected.items():
        _, _, body = server.get(relative)
        assert (SCRIPT.sub(b"", body) if relative.endswith(".html") else body) == data, relative


# ---------------------------------------------------------------------------
# In the browser


def _watch_console(page: Any) -> list[str]:
    messages: list[str] = []
    page.on("console", lambda m: messages.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: messages.append(str(e)))
    return messages


def _page_state(page: Any, script: str) -> Any:
    try:
        return page.evaluate(script)
    except Exception:  # the page is between two documents while it reloads
        return None


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_the_page_reloads_itself_after_an_edit(serve: Callable[..., Served], page: Any) -> None:
    server = serve("--base-path", "/repo/")
    messages = _watch_console(page)
    page.goto(server.url + "stories/bridge-en/")
    page.evaluate("window.beforeReload = true")
    article = server.content / "articles" / "bridge-en.md"
    article.write_text(article.read_text() + "\nA brand new paragraph about tolls.\n")
    assert wait_until(
        lambda: _page_state(page, "document.body.innerText.includes('A brand new paragraph about tolls')"), 30
    )
    assert _page_state(page, "window.beforeReload") is None  # a new document, not a patched one
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


@pytest.mark.browser
@pytest.mark.xdist_group("browser")
def test_problems_show_in_an_overlay_until_fixed(serve: Callable[..., Served], browser: Any) -> None:
    server = serve()
    context = browser.new_context()
    try:
        page = context.new_page()
        messages = _watch_console(page)
        page.goto(server.url + "claims/")
        page.evaluate("window.beforeOverlay = true")
        dossier = server.content / "dossier.yaml"
        good = dossier.read_text()
        dossier.write_text(good + "<b>bold</b>: 1\n")  # markup in a problem must show as text
        overlay = page.locator("#dossier-preview-problems")
        overlay.wait_for(state="visible", timeout=30_000)
        items = overlay.locator("li").all_text_contents()
        assert len(items) == 1 and re.search(r"dossier\.yaml:\d+: unknown key '<b>bold</b>'", items[0]), items
        assert overlay.locator("b").count() == 0
        assert page.evaluate("window.beforeOverlay") is True  # shown over the page, no reload
        # A page opened while the content is broken shows the problems at once.
        other = context.new_page()
        other.goto(server.url)
        other.locator("#dossier-preview-problems").wait_for(state="visible", timeout=10_000)
        dossier.write_text(good)
        assert wait_until(lambda: _page_state(page, "window.beforeOverlay") is None, 30)  # reloaded
        assert wait_until(lambda: _page_state(page, "!document.getElementById('dossier-preview-problems')"), 10)
        assert wait_until(lambda: _page_state(other, "!document.getElementById('dossier-preview-problems')"), 10)
        assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages
    finally:
        context.close()
