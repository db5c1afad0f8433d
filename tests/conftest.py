"""Shared fixtures: content folders copied into tmp so tests may break them freely."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
VALID = FIXTURES / "valid"
KURSK = ROOT / "content"


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
