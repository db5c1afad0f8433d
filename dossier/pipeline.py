"""The stages in order: load → validate → analyse → render → write → index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError
from .load import load
from .model import Content
from .validate import validate


@dataclass(frozen=True)
class Checked:
    """Content that loaded and validated without a single problem."""

    content: Content


def check(content_dir: Path, display: str | None = None) -> Checked:
    """Load and validate; raise ContentError carrying every problem at once."""
    loaded = load(content_dir, display)
    problems = validate(loaded, content_dir)
    if problems:
        raise ContentError(problems)
    return Checked(loaded.content)
