"""Property-based: no input, however broken, makes the loader or validator raise."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dossier.dates import parse_date
from dossier.errors import Problem
from dossier.load import load
from dossier.validate import validate

from .conftest import VALID

FILES = ["dossier.yaml", "sources.yaml", "claims.yaml", "entities.yaml", "articles/bridge-en.md"]

yaml_chars = st.sampled_from(list(":-[]{}#&*!|>'\"%@`,? \n\t") + list("abcxyz019") + ["é", "ü", "\u202e", "\ufeff"])
yaml_like = st.text(yaml_chars, max_size=300)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20))
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


def run(files: dict[str, bytes]) -> list[Problem]:
    with tempfile.TemporaryDirectory() as tmp:
        content = Path(tmp) / "content"
        shutil.copytree(VALID, content)
        for name, data in files.items():
            (content / name).write_bytes(data)
        return validate(load(content, "content"), content)


def assert_located(problems: list[Problem]) -> None:
    for p in problems:
        assert p.path.startswith("content/") and p.line >= 1 and p.message


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(FILES), text=yaml_like)
def test_random_yaml_like_text_gives_problems_not_exceptions(name: str, text: str) -> None:
    if name.endswith(".md"):
        text = "---\n" + text + "\n---\nbody\n"
    assert_located(run({name: text.encode("utf-8")}))


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(FILES[:4]), value=values)
def test_random_yaml_structures_give_problems_not_exceptions(name: str, value: object) -> None:
    import yaml

    assert_located(run({name: yaml.safe_dump(value, allow_unicode=True).encode("utf-8")}))


@settings(max_examples=100, deadline=None)
@given(data=st.binary(max_size=200))
def test_random_bytes_give_problems_not_exceptions(data: bytes) -> None:
    assert_located(run({"claims.yaml": data}))


@settings(max_examples=100, deadline=None)
@given(body=st.text(max_size=400))
def test_random_markdown_bodies_never_raise(body: str) -> None:
    head = (VALID / "articles" / "bridge-en.md").read_text(encoding="utf-8").split("---\n")[1]
    problems = run({"articles/bridge-en.md": ("---\n" + head + "---\n" + body).encode("utf-8")})
    assert_located(problems)


@given(st.text(max_size=30))
def test_date_parser_raises_only_value_error(text: str) -> None:
    try:
        parse_date(text)
    except ValueError as err:
        assert str(err)
