"""The README's reference shows every command's `--help` exactly as the program prints it.

The help text is formatted for an 80-column terminal (COLUMNS=80). After changing an
option or a help string, regenerate the README's help blocks with:
    DOSSIER_REGENERATE_DOCS=1 .venv/bin/python -m pytest tests/test_cli_docs.py
and review the diff with `git diff README.md`. A block for a new command is added by
writing its empty marker first: "<!-- help: dossier NAME -->" followed by an empty
```text fence.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys

import pytest

from dossier.cli import build_parser

from .conftest import ROOT

README = ROOT / "README.md"
BLOCK = re.compile(r"<!-- help: (?P<command>dossier(?: [a-z]+)?) -->\n```text\n(?P<text>.*?)```\n", re.S)


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    [action] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def live_help(command: str) -> str:
    """`command --help` as printed at 80 columns ("dossier" or "dossier NAME")."""
    parser = build_parser()
    name = command.removeprefix("dossier").strip()
    return (subcommands(parser)[name] if name else parser).format_help()


@pytest.fixture(autouse=True)
def eighty_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # argparse wraps to the terminal's width


def documented() -> dict[str, str]:
    return {m["command"]: m["text"] for m in BLOCK.finditer(README.read_text(encoding="utf-8"))}


def regenerate() -> None:
    text = README.read_text(encoding="utf-8")
    text = BLOCK.sub(lambda m: f"<!-- help: {m['command']} -->\n```text\n{live_help(m['command'])}```\n", text)
    README.write_text(text, encoding="utf-8")


def test_every_command_has_a_help_block() -> None:
    if os.environ.get("DOSSIER_REGENERATE_DOCS"):
        regenerate()
    commands = ["dossier", *(f"dossier {name}" for name in subcommands(build_parser()))]
    assert sorted(documented()) == sorted(commands)


@pytest.mark.parametrize("command", ["dossier", *(f"dossier {name}" for name in subcommands(build_parser()))])
def test_help_block_matches_the_program(command: str) -> None:
    if os.environ.get("DOSSIER_REGENERATE_DOCS"):
        regenerate()
    assert documented().get(command) == live_help(command)


def test_blocks_match_what_the_installed_command_prints() -> None:
    """The same text as a curator's terminal shows, not just what the parser formats in-process."""
    env = {**os.environ, "COLUMNS": "80", "PYTHONPATH": str(ROOT)}
    for command, text in documented().items():
        argv = command.split()[1:]
        result = subprocess.run([sys.executable, "-m", "dossier", *argv, "--help"], env=env, capture_output=True,
                                text=True, check=True)
        assert result.stdout == text, command


def test_every_option_is_explained_outside_its_help_block() -> None:
    """Each option appears in the reference's prose or examples too, not only in the pasted help."""
    prose = BLOCK.sub("", README.read_text(encoding="utf-8"))
    for name, parser in subcommands(build_parser()).items():
        for action in parser._actions:
            for option in action.option_strings:
                if option.startswith("--") and option != "--help":
                    assert option in prose, f"dossier {name} {option} is not described in the README"
