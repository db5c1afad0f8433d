"""The HTML of the small fixture dossier, compared file by file with tests/golden/valid/.

Regenerate after an intended change with:
    DOSSIER_REGENERATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_render_golden.py
and review the diff with `git diff tests/golden`.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dossier.pipeline import build

from .conftest import FIXTURES, VALID

GOLDEN = FIXTURES.parent / "golden" / "valid"


def golden_files(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file() and not p.relative_to(site).as_posix().startswith(("assets/", "pagefind/"))
    }


def test_fixture_site_matches_golden_files(tmp_path: Path) -> None:
    site = tmp_path / "site"
    build(VALID, site)
    actual = golden_files(site)
    if os.environ.get("DOSSIER_REGENERATE_GOLDEN"):
        shutil.rmtree(GOLDEN, ignore_errors=True)
        for name, data in actual.items():
            (GOLDEN / name).parent.mkdir(parents=True, exist_ok=True)
            (GOLDEN / name).write_bytes(data)
    expected = golden_files(GOLDEN)
    assert sorted(actual) == sorted(expected)
    for name in expected:
        assert actual[name].decode("utf-8") == expected[name].decode("utf-8"), name
