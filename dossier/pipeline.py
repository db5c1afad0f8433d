"""The stages in order: load → validate → analyse → render → write → index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError
from .findings import Analysis
from .index import IndexReport, index_site
from .load import load
from .model import Content
from .render import TEMPLATES, render
from .validate import validate
from .write import WriteReport, check_output_folder, write


@dataclass(frozen=True)
class Checked:
    """Content that loaded, validated without a single problem, and was analysed."""

    content: Content
    analysis: Analysis


@dataclass(frozen=True)
class Built:
    checked: Checked
    report: WriteReport
    index: IndexReport | None


def check(content_dir: Path, display: str | None = None) -> Checked:
    """Load and validate; raise ContentError carrying every problem at once."""
    loaded = load(content_dir, display)
    problems = validate(loaded, content_dir)
    if problems:
        raise ContentError(problems)
    from .analyse import analyse

    return Checked(loaded.content, analyse(loaded.content))


def build(
    content_dir: Path, out: Path, display: str | None = None, templates: Path = TEMPLATES, search: bool = True
) -> Built:
    """Every stage; nothing is written unless the whole site rendered."""
    check_output_folder(out, {"content": content_dir, "templates": templates})
    checked = check(content_dir, display)
    rendered = render(checked.content, checked.analysis, content_dir, templates)
    report = write(out, rendered.files)
    index = index_site(out, rendered.searchable) if search else None
    return Built(checked, report, index)
