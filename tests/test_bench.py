"""`dossier bench` runs, and what its edits leave behind equals a clean build (no timing asserted)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from dossier.bench import NOISY, Result, cpu_ticks, table
from dossier.cli import main
from dossier.pipeline import build
from dossier.synth import generate

from .test_write import snapshot


def test_synthetic_dossier_is_valid_and_deterministic(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    report = generate(first, articles=60, languages=3, seed=7)
    generate(second, articles=60, languages=3, seed=7)
    assert snapshot(first) == snapshot(second)
    assert (report.articles, report.sources, report.claims, report.entities) == (60, 3, 15, 6)
    assert main(["check", "--content", str(first)]) == 0


@pytest.mark.xdist_group("browser")  # CPU-heavy: keep it beside the browser tests, off the other worker
def test_bench_small_case_runs_and_its_site_equals_a_clean_build(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    keep, result = tmp_path / "kept", tmp_path / "bench.json"
    assert main(["bench", "--articles", "200", "--repeat", "1", "--keep", str(keep), "--json", str(result)]) == 0
    assert "cold / Pagefind" in capsys.readouterr().out
    data = json.loads(result.read_text(encoding="utf-8"))
    keys = ("articles", "cold_s", "cold_kept_s", "noop_s", "edit_page_s", "edit_search_s", "edit_settle_s",
            "peak_rss_mb", "pagefind_only_s", "host_steal_pct")
    for key in keys:
        assert key in data
    assert 0 <= data["host_steal_pct"] <= 100
    assert data["articles"] == 200 and data["noop_written"] == 0
    # at this size a topic spans more than a dozen articles: site and print edition both list instead of gridding
    for page in ("claims/index.html", "print/index.html"):
        assert '<ol class="claim-rows">' in (keep / "site" / page).read_text(encoding="utf-8")
    clean = tmp_path / "clean"
    build(keep / "content", clean)
    assert snapshot(keep / "site") == snapshot(clean)


def test_the_share_of_cpu_time_the_host_took_is_read_from_proc_stat() -> None:
    stat = "cpu  600 10 100 200 40 0 10 40 30 0\ncpu0 300 5 50 100 20 0 5 20 15 0\nintr 1 2 3\n"
    assert cpu_ticks(stat) == (40, 1000)  # guest time is already counted within user time
    assert cpu_ticks("cpu  600 10 100 200\n") == (0, 910)  # a kernel too old to tell


def test_the_table_warns_when_the_host_took_enough_cpu_time_to_skew_the_ratios() -> None:
    quiet = Result(articles=1000, languages=3, pages=1409, cold_s=7.3, cold_kept_s=3.9, noop_s=0.1, noop_written=0,
                   edit_page_s=0.03, edit_search_s=0.09, edit_settle_s=1.7, pagefind_only_s=3.5, peak_rss_mb=112,
                   pagefind_rss_mb=148, pagefind_only_rss_mb=232, cold_ratio=2.09, cold_kept_ratio=1.1,
                   host_steal_pct=0.3)
    assert "cold / Pagefind                      2.09 ×" in table(quiet)
    assert NOISY not in table(quiet)
    assert table(replace(quiet, host_steal_pct=10.2)).endswith(NOISY)
