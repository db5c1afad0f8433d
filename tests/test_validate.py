"""Every kind of defect is reported with its exact `path:line: message`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dossier.cli import main
from dossier.load import load
from dossier.validate import validate

from .conftest import FIXTURES, overlay

DEFECTS = sorted(p for p in (FIXTURES / "defects").iterdir() if p.is_dir())


def problems_of(content: Path) -> list[str]:
    return [str(p) for p in validate(load(content, "content"), content)]


def test_valid_fixture_has_no_problems(valid_content: Path) -> None:
    assert problems_of(valid_content) == []


@pytest.mark.parametrize("defect", DEFECTS, ids=[d.name for d in DEFECTS])
def test_defect_is_reported_exactly(defect: Path, tmp_path: Path) -> None:
    content = overlay(tmp_path / "content", defect)
    expected = (defect / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert problems_of(content) == expected


def test_check_prints_every_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    content = overlay(tmp_path / "content", FIXTURES / "defects" / "two-files")
    os.chdir(tmp_path)
    assert main(["check", "--content", "content"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err[:-1] == (FIXTURES / "defects" / "two-files" / "expected.txt").read_text().splitlines()
    assert err[-1] == "2 problems found"
    assert "Traceback" not in "\n".join(err)
    assert content.is_dir()


def test_check_passes_on_the_valid_fixture(valid_content: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--content", str(valid_content)]) == 0
    assert "ok — 2 articles, 3 sources, 2 claims, 2 entities" in capsys.readouterr().out


def test_bom_and_crlf_are_accepted(valid_content: Path) -> None:
    for path in [valid_content / "claims.yaml", valid_content / "articles" / "bridge-en.md"]:
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    assert problems_of(valid_content) == []


def test_line_numbers_survive_crlf(valid_content: Path) -> None:
    path = valid_content / "sources.yaml"
    text = path.read_text(encoding="utf-8").replace("kind: outlet", "kind: blog")
    path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
    assert [p.split(": ")[0] for p in problems_of(valid_content)] == ["content/sources.yaml:10"]


def test_symlink_leading_outside_is_never_read(valid_content: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.yaml"
    secret.write_text("- id: secret\n  name: Secret\n  kind: place\n", encoding="utf-8")
    (valid_content / "entities.yaml").unlink()
    (valid_content / "entities.yaml").symlink_to(secret)
    capture = valid_content / "captures" / "bridge-de.txt"
    capture.unlink()
    capture.symlink_to(tmp_path / "secret.yaml")
    assert problems_of(valid_content) == [
        "content/articles/bridge-de.md:9: article 'bridge-de': capture 'captures/bridge-de.txt' "
        "leads outside the content folder",
        "content/entities.yaml:1: refusing to read a file outside the content folder",
    ]


def test_swap_and_backup_files_are_not_articles(valid_content: Path) -> None:
    (valid_content / "articles" / ".bridge-en.md.swp").write_bytes(b"\x00junk")
    (valid_content / "articles" / "bridge-en.md~").write_text("junk", encoding="utf-8")
    (valid_content / "articles" / ".#bridge-en.md").write_text("junk", encoding="utf-8")
    assert problems_of(valid_content) == []


def test_missing_content_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.chdir(tmp_path)
    assert main(["check", "--content", "nowhere"]) == 1
    assert capsys.readouterr().err.splitlines()[0] == "nowhere: content folder not found"


def test_yaml_aliases_are_refused(valid_content: Path) -> None:
    (valid_content / "entities.yaml").write_text("- &a {id: x, name: X, kind: place}\n- *a\n", encoding="utf-8")
    assert problems_of(valid_content) == [
        "content/entities.yaml:2: YAML aliases (*name) are not supported: write the value out"
    ]


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["frobnicate"])
    assert exit_info.value.code == 2


def test_article_file_names_outside_ascii_are_refused_clearly(valid_content: Path) -> None:
    articles = valid_content / "articles"
    (articles / "bridge-de.md").rename(articles / "brücke-de.md")
    problems = problems_of(valid_content)
    assert (
        "content/articles/brücke-de.md:1: article id 'brücke-de' is not a lowercase URL-safe slug "
        "(letters a-z, digits, single hyphens)"
    ) in problems


def test_capture_file_names_in_any_script_work(valid_content: Path) -> None:
    (valid_content / "captures" / "bridge-de.txt").rename(valid_content / "captures" / "мост-ü.txt")
    article = valid_content / "articles" / "bridge-de.md"
    article.write_text(
        article.read_text(encoding="utf-8").replace("captures/bridge-de.txt", "captures/мост-ü.txt"), encoding="utf-8"
    )
    assert problems_of(valid_content) == []
