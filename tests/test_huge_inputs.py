"""Huge and adversarial inputs fail fast with a clear message, or build in bounded memory."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

from .conftest import ROOT


def check(content: Path, limit_mb: int = 1500, timeout: float = 60) -> tuple[int, str, float]:
    """Run `dossier check` in a child with an address-space limit; (exit code, stderr, seconds)."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit_mb * 2**20, limit_mb * 2**20))

    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "dossier", "check", "--content", str(content)],
        cwd=ROOT, capture_output=True, text=True, timeout=timeout, preexec_fn=limit,
    )
    return result.returncode, result.stderr, time.perf_counter() - started


def test_twenty_megabyte_article_fails_fast(valid_content: Path) -> None:
    article = valid_content / "articles" / "bridge-en.md"
    with article.open("a", encoding="utf-8") as handle:
        handle.write(("A long paragraph of padding words. " * 30 + "\n\n") * 20_000)
    code, err, seconds = check(valid_content)
    assert code == 1 and "Traceback" not in err
    assert "articles/bridge-en.md:1: file too large (20 MB; the limit is 8 MB)" in err
    assert seconds < 10


def test_fifty_thousand_claims_fail_fast(valid_content: Path) -> None:
    claim = (
        "- id: claim-{0}\n  statement: Statement {0}.\n  topic: Topic\n  kind: event\n  status: reported\n"
        "  assertions:\n    - article: bridge-en\n      stance: supports\n"
        "      quote: The city council of Portville approved the harbour bridge on Monday.\n"
    )
    (valid_content / "claims.yaml").write_text("".join(claim.format(i) for i in range(50_000)), encoding="utf-8")
    code, err, seconds = check(valid_content)
    assert code == 1 and "Traceback" not in err
    assert "claims.yaml:1: file too large" in err
    assert seconds < 10


def test_ten_thousand_claims_build_in_bounded_memory(valid_content: Path) -> None:
    claim = (
        "- id: claim-{0}\n  statement: Statement {0}.\n  topic: Topic {1}\n  kind: event\n  status: reported\n"
        "  assertions:\n    - article: bridge-en\n      stance: supports\n"
        "      quote: The city council of Portville approved the harbour bridge on Monday.\n"
    )
    (valid_content / "claims.yaml").write_text(
        "".join(claim.format(i, i % 30) for i in range(10_000)), encoding="utf-8"
    )
    code, err, _ = check(valid_content, limit_mb=1500, timeout=120)
    assert (code, err) == (0, "")


def test_ten_thousand_level_nesting_fails_fast(valid_content: Path) -> None:
    (valid_content / "entities.yaml").write_text("x: " + "[" * 10_000 + "]" * 10_000 + "\n", encoding="utf-8")
    deep_block = "".join(" " * i + f"k{i}:\n" for i in range(3000))
    (valid_content / "sources.yaml").write_text(deep_block, encoding="utf-8")
    code, err, seconds = check(valid_content)
    assert code == 1 and "Traceback" not in err
    assert "entities.yaml:1: YAML nested too deeply (more than 64 levels)" in err
    assert "sources.yaml:" in err and "nested too deeply" in err
    assert seconds < 10


def test_hundred_thousand_level_nesting_does_not_crash(valid_content: Path) -> None:
    (valid_content / "claims.yaml").write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    code, err, _ = check(valid_content)
    assert code == 1
    assert "claims.yaml:1: YAML nested too deeply" in err


def test_billion_laughs_fails_fast(valid_content: Path) -> None:
    bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, 10):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        bomb.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    (valid_content / "dossier.yaml").write_text("\n".join(bomb) + "\n", encoding="utf-8")
    code, err, seconds = check(valid_content, limit_mb=600)
    assert code == 1 and "Traceback" not in err
    assert "dossier.yaml:2: YAML aliases (*name) are not supported: write the value out" in err
    assert seconds < 10
