"""`dossier new DIR`: an example dossier that checks, builds and serves at once."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
import yaml

from dossier.cli import EXIT_OK, EXIT_USAGE, main
from dossier.pipeline import build, check
from dossier.scaffold import example_files

from .conftest import ROOT


def test_new_writes_a_small_valid_dossier(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "my-dossier"
    assert main(["new", str(target)]) == EXIT_OK
    out = capsys.readouterr().out
    assert "cd " in out and "dossier serve" in out
    content = target / "content"
    c = check(content).content
    assert (len(c.sources), len(c.articles), len(c.claims), len(c.entities)) == (1, 1, 2, 1)
    article = c.articles[0]
    assert (content / article.capture).is_file()
    assert all(a.article == article.id for claim in c.claims for a in claim.assertions)
    assert "example" in c.dossier.title.lower()  # clearly an example, not real news
    assert c.dossier.updated.start.iso() == date.today().isoformat()


def test_new_project_builds_with_the_default_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "project"
    assert main(["new", str(target)]) == EXIT_OK
    monkeypatch.chdir(target)  # `cd DIR && dossier build`: content/ in, _site/ out
    assert main(["build"]) == EXIT_OK
    assert (target / "_site" / "stories" / "library-opens" / "index.html").is_file()
    assert (target / "_site" / "claims" / "library-books" / "index.html").is_file()
    assert (target / ".gitignore").read_text() == "_site/\n"


def test_new_project_serves_at_once(tmp_path: Path) -> None:
    target = tmp_path / "project"
    assert main(["new", str(target)]) == EXIT_OK
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "dossier", "serve", "--port", "0"],
        cwd=target, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        url, lines, deadline = None, [], time.monotonic() + 60
        while url is None and time.monotonic() < deadline and server.stdout:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line)
            found = re.search(r"http://127\.0\.0\.1:\d+/\S*", line)
            url = found.group(0) if found else None
        assert url, "".join(lines)
        with urllib.request.urlopen(url, timeout=30) as response:
            html = response.read().decode("utf-8")
        assert response.status == 200
        assert "Example dossier: a new library for Exampleton" in html
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_new_accepts_an_empty_folder(tmp_path: Path) -> None:
    assert main(["new", str(tmp_path)]) == EXIT_OK
    assert (tmp_path / "content" / "dossier.yaml").is_file()


def test_new_refuses_a_folder_with_anything_in_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert main(["new", str(tmp_path)]) == EXIT_USAGE
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_new_refuses_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("mine")
    assert main(["new", str(tmp_path / "file")]) == EXIT_USAGE
    assert (tmp_path / "file").read_text() == "mine"


def test_example_files_are_valid_yaml_with_comments_for_the_curator() -> None:
    files = example_files(date(2025, 1, 31))
    for name, text in files.items():
        if name.endswith(".yaml"):
            assert yaml.safe_load(text), name
            assert text.startswith("#"), f"{name} should open with a comment saying what to change"
    assert 'updated: "2025-01-31"' in files["content/dossier.yaml"]


def test_example_builds_into_a_complete_site(tmp_path: Path) -> None:
    main(["new", str(tmp_path / "p")])
    site = tmp_path / "site"
    build(tmp_path / "p" / "content", site)
    for name in ("index.html", "404.html", "sitemap.xml", "feed.xml", "robots.txt", ".nojekyll", "search/index.html"):
        assert (site / name).is_file(), name
