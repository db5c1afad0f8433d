"""Shared fixtures: content copied into tmp so tests may break it; one Kursk build per run."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
VALID = FIXTURES / "valid"
KURSK = ROOT / "content"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture(scope="session", autouse=True)
def _private_build_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Builds remember their inputs in the user's cache folder; tests use a folder of their own."""
    previous = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if previous is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = previous


def overlay(target: Path, *layers: Path) -> Path:
    """Copy the valid fixture to `target`, then each layer's files over it (expected.txt excluded)."""
    shutil.copytree(VALID, target)
    for layer in layers:
        for path in sorted(layer.rglob("*")):
            if path.is_file() and path.name != "expected.txt":
                dest = target / path.relative_to(layer)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, dest)
    return target


@pytest.fixture
def valid_content(tmp_path: Path) -> Path:
    return overlay(tmp_path / "content")


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def shared_build(tmp_path_factory: pytest.TempPathFactory, name: str, content: Path) -> Path:
    """Build `content` once per test run, shared by every xdist worker."""
    from dossier.pipeline import build

    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's basetemp sits in the run's folder; without it, basetemp is that folder.
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    site = shared / name
    with _locked(shared / f"{name}.lock"):
        if not (shared / f"{name}.complete").exists():
            if site.exists():
                shutil.rmtree(site)
            build(content, site)
            (shared / f"{name}.complete").touch()
    return site


@pytest.fixture(scope="session")
def kursk_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Kursk dossier, built once (read-only for tests)."""
    return shared_build(tmp_path_factory, "kursk-site", KURSK)


@pytest.fixture(scope="session")
def kursk_server(kursk_site: Path) -> Iterator[object]:
    from .pages_server import serve

    with serve(kursk_site, "/repo/") as server:
        yield server


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: object) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    tab = context.new_page()
    yield tab
    context.close()
