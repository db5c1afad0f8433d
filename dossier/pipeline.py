"""The stages in order: load → validate → analyse → render → write → index."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ContentError
from .findings import Analysis
from .index import IndexReport, build_bundles, report
from .load import load
from .model import Content
from .render import TEMPLATES, PageRenderer, render
from .validate import validate
from .write import WriteReport, check_output_folder, publish


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
    content_dir: Path,
    out: Path,
    display: str | None = None,
    templates: Path = TEMPLATES,
    search: bool = True,
    draw: PageRenderer | None = None,
) -> Built:
    """Every stage, all or nothing: the output changes only once the whole new site, index included, is ready."""
    check_output_folder(out, {"content": content_dir, "templates": templates})
    checked = check(content_dir, display)
    rendered = render(checked.content, checked.analysis, content_dir, templates, draw)
    searchable = rendered.searchable if search else {}
    written = publish(out, rendered.files, searchable, build_bundles)
    return Built(checked, written, report(out, searchable) if search else None)
