"""`dossier bench`: build a synthetic dossier repeatedly and report medians.

Every measured build runs in a forked child so that its peak memory (ru_maxrss) is its
own; Pagefind runs as that child's child and is reported separately. Pagefind alone is
also timed on the same output in the same run, because on a shared, noisy machine the
meaningful figure is the ratio to it: each time right after a cold build, so that the two
are timed on as nearly the same machine as can be. How noisy the machine was is reported
too: the share of CPU time its host gave to other guests (`steal` in /proc/stat) while the
bench ran, which stretches every figure unevenly.

Cold builds come in two kinds, taken in turn: from nothing at all (`cold_s`), and into an
empty output folder from unchanged content whose last build left its store (`cold_kept_s`,
see store.py: a CI run that restores the cache folder, or `dossier build` into a new folder).

Nothing is deleted while the bench measures: each build's output is moved aside, and removed at the end.
On an ext4 file system without a journal (as on the machines this was written on), the kernel looks past
every inode freed in the last one to six minutes each time it makes a file (`recently_deleted`), so
removing the last build's tens of thousands of files made the next one's files several times dearer to
create: a cost of the bench's own cleaning, paid mostly by the builds, which make three times the files
Pagefind alone does.
"""

from __future__ import annotations

import json
import multiprocessing
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from . import index, store
from .incremental import IncrementalBuilder
from .pipeline import build
from .synth import generate

EDITED = "article-00000"
T = TypeVar("T")


@dataclass(frozen=True)
class Sample:
    seconds: float
    rss_mb: float  # peak resident memory of Dossier's processes: the build and its forked workers
    pagefind_rss_mb: float  # peak of the largest Pagefind process it ran
    written: int


@dataclass(frozen=True)
class Result:
    articles: int
    languages: int
    pages: int
    cold_s: float  # nothing kept from an earlier build
    cold_kept_s: float  # the output folder empty, the store of the last build of the same content kept
    noop_s: float
    noop_written: int
    edit_page_s: float
    edit_search_s: float
    edit_settle_s: float  # then until the edit is confirmed and its search shard rebuilt (the preview: when idle)
    pagefind_only_s: float
    peak_rss_mb: float
    pagefind_rss_mb: float  # the largest Pagefind process of the cold build (one shard)
    pagefind_only_rss_mb: float  # Pagefind alone over the whole site
    cold_ratio: float  # cold_s / pagefind_only_s
    cold_kept_ratio: float  # cold_kept_s / pagefind_only_s
    host_steal_pct: float  # % of CPU time the host gave other guests during the bench (0: cannot tell)


def _in_child(task: Callable[[], T]) -> T:
    """`task()` run in a forked process, so that its peak memory is its own; its result."""
    reader, writer = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=lambda: writer.send(task()))
    process.start()
    result = reader.recv()
    process.join()
    return result  # type: ignore[no-any-return]


def _build_in_child(content: Path, out: Path) -> Sample:
    """`dossier build` in a forked process: its wall time, peak memory and files written.

    The build's forked workers are done before indexing starts, so the peak of its children then is
    theirs; Pagefind's own peak is taken where it is waited for (index.PAGEFIND_PEAK_RSS_KB).
    """

    def run() -> Sample:
        workers = [0.0]

        def stage(name: str) -> None:
            if name == "indexing" and not workers[0]:
                workers[0] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

        started = time.perf_counter()
        written = len(build(content, out, stage=stage).report.written)
        elapsed = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return Sample(elapsed, max(own, workers[0]), index.PAGEFIND_PEAK_RSS_KB[0] / 1024, written)

    return _in_child(run)


def _edit(content: Path, round_: int) -> None:
    path = content / "articles" / f"{EDITED}.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\nEdited paragraph number {round_}.\n", encoding="utf-8")


def _progress(message: str) -> None:
    if sys.stderr.isatty():
        print(message, file=sys.stderr, flush=True)


def cpu_ticks(stat: str) -> tuple[int, int]:
    """(stolen, all) CPU time of the machine, in ticks since boot, from the text of /proc/stat."""
    fields = [int(value) for value in stat.split("\n", 1)[0].split()[1:]]
    # user nice system idle iowait irq softirq steal [guest guest_nice: already within user and nice]
    return (fields[7] if len(fields) > 7 else 0), sum(fields[:8])


def _ticks() -> tuple[int, int]:
    try:
        return cpu_ticks(Path("/proc/stat").read_text(encoding="ascii"))
    except (OSError, ValueError):  # no /proc, or not the format cpu_ticks reads
        return 0, 0


def run_bench(articles: int, languages: int, seed: int, repeat: int, keep: Path | None) -> Result:
    workspace = Path(tempfile.mkdtemp(prefix="dossier-bench-"))
    try:
        content = workspace / "content"
        _progress(f"generating {articles} articles in {languages} languages…")
        generate(content, articles, languages, seed)
        cold: list[Sample] = []
        kept: list[Sample] = []
        alone: list[tuple[float, float]] = []
        out = workspace / "site"
        aside = workspace / "aside"
        aside.mkdir()
        started = _ticks()
        for round_ in range(repeat):
            store.forget(content)
            cold.append(_build_in_child(content, out))
            alone.append(_pagefind_alone(out, workspace / f"pf-{round_}"))
            out.rename(aside / f"cold-{round_}")
            kept.append(_build_in_child(content, out))
            if round_ + 1 < repeat:
                out.rename(aside / f"kept-{round_}")
            seconds = (cold[-1].seconds, alone[-1][0], kept[-1].seconds)
            _progress(
                "cold build {}/{}: {:.2f} s, Pagefind alone {:.2f} s, with its store {:.2f} s".format(
                    round_ + 1, repeat, *seconds
                )
            )
        noop = [_build_in_child(content, out) for _ in range(repeat)]
        _progress(f"no-op rebuild: {statistics.median(s.seconds for s in noop):.2f} s")
        edits = _edit_timings(content, out, repeat)
        for round_, (page_s, search_s, settle_s) in enumerate(edits, 1):
            _progress(f"edit {round_}/{repeat}: page {page_s:.2f} s, search {search_s:.2f} s, shard {settle_s:.2f} s")
        ended = _ticks()
        stolen, ticks = ended[0] - started[0], ended[1] - started[1]
        pagefind_only = [seconds for seconds, _ in alone]
        pages = sum(1 for _ in out.rglob("*.html") if "pagefind" not in _.parts)
        if keep is not None:
            shutil.rmtree(keep, ignore_errors=True)
            shutil.copytree(content, keep / "content")
            shutil.copytree(out, keep / "site")
        cold_s = statistics.median(s.seconds for s in cold)
        cold_kept_s = statistics.median(s.seconds for s in kept)
        pf_s = statistics.median(pagefind_only)
        return Result(
            articles=articles,
            languages=languages,
            pages=pages,
            cold_s=round(cold_s, 3),
            cold_kept_s=round(cold_kept_s, 3),
            noop_s=round(statistics.median(s.seconds for s in noop), 3),
            noop_written=max(s.written for s in noop),
            edit_page_s=round(statistics.median(page for page, _, _ in edits), 3),
            edit_search_s=round(statistics.median(search for _, search, _ in edits), 3),
            edit_settle_s=round(statistics.median(settle for _, _, settle in edits), 3),
            pagefind_only_s=round(pf_s, 3),
            peak_rss_mb=round(max(s.rss_mb for s in cold + kept), 1),
            pagefind_rss_mb=round(max(s.pagefind_rss_mb for s in cold), 1),
            pagefind_only_rss_mb=round(max(rss for _, rss in alone), 1),
            cold_ratio=round(cold_s / pf_s, 2) if pf_s else 0.0,
            cold_kept_ratio=round(cold_kept_s / pf_s, 2) if pf_s else 0.0,
            host_steal_pct=round(100 * stolen / ticks, 1) if ticks > 0 else 0.0,
        )
    finally:
        store.forget(content)  # a store in the user's cache folder, of a content folder about to go
        shutil.rmtree(workspace, ignore_errors=True)


def _edit_timings(content: Path, out: Path, repeat: int) -> list[tuple[float, float, float]]:
    """For each edit of one article, as the preview server rebuilds (`IncrementalBuilder`): seconds until its
    page (and every page depending on it) is on disk, until search finds its new version, and then how long
    rebuilding its search shard takes, with the build of the whole content that confirms a short way (which the
    preview does once idle, without holding up the next edit).

    Pages go live before the edit is indexed; the moment between is when the builder starts indexing, and
    the edited page is read back then to make sure it is new.
    """

    def run() -> list[tuple[float, float, float]]:
        builder = IncrementalBuilder(content, out)
        builder.build()  # the session's first build: every page rendered once, kept for the next
        return [_edit_round(builder, content, out, round_) for round_ in range(repeat)]

    return _in_child(run)


def _edit_round(builder: IncrementalBuilder, content: Path, out: Path, round_: int) -> tuple[float, float, float]:
    _edit(content, round_)
    started = time.perf_counter()
    live: list[float] = []

    def stage(name: str) -> None:
        if name == "indexing" and not live:
            live.append(time.perf_counter() - started)
            page = (out / "stories" / EDITED / "index.html").read_text(encoding="utf-8")
            if f"Edited paragraph number {round_}." not in page:
                raise RuntimeError("the edited page was not on disk when indexing began")

    builder.build(stage, changed=[str(content / "articles" / f"{EDITED}.md")])
    search = time.perf_counter() - started
    if not builder.settle():
        raise RuntimeError("rebuilding the search shard was cancelled")
    return (live[0] if live else search), search, time.perf_counter() - started - search


def _pagefind_alone(site: Path, output: Path) -> tuple[float, float]:
    """The Pagefind CLI over the whole built site, as one would run it: seconds and peak memory (MB)."""
    started = time.perf_counter()
    command = index.pagefind_command(site, output)
    with subprocess.Popen(command) as process:
        peak = index.wait_watching_memory(process)
    if process.returncode:
        raise subprocess.CalledProcessError(process.returncode, command)
    return time.perf_counter() - started, peak / 1024


# Above this share of CPU time taken by the host, runs on these machines gave lower cold / Pagefind ratios than
# quiet runs did: 1.53-2.02 at 1,000 articles and 1.77-1.81 at 10,000 (7-41 % taken), against 1.89-2.19 and 2.12
# (under 6 %). Pagefind alone keeps both cores busy throughout and was slowed more than the build, whose
# stretches on one core leave the other to the host.
NOISY_STEAL_PCT = 6.0
NOISY = (
    f"The host took more than {NOISY_STEAL_PCT:.0f} % of the CPU time: every figure is stretched, Pagefind alone "
    "most, so the ratios read low. Run again on a quiet machine."
)


def table(result: Result) -> str:
    rows = [
        ("articles / pages", f"{result.articles} / {result.pages}"),
        ("cold build (with search)", f"{result.cold_s:.2f} s"),
        ("Pagefind alone", f"{result.pagefind_only_s:.2f} s"),
        ("cold / Pagefind", f"{result.cold_ratio:.2f} ×"),
        ("cold, with the last build's store", f"{result.cold_kept_s:.2f} s ({result.cold_kept_ratio:.2f} ×)"),
        ("no-op rebuild", f"{result.noop_s:.2f} s ({result.noop_written} files written)"),
        ("one article edited: page", f"{result.edit_page_s:.2f} s"),
        ("one article edited: search", f"{result.edit_search_s:.2f} s"),
        ("  then confirmed, its shard rebuilt", f"{result.edit_settle_s:.2f} s"),
        ("peak RSS, dossier", f"{result.peak_rss_mb:.0f} MB"),
        ("peak RSS, Pagefind in the build", f"{result.pagefind_rss_mb:.0f} MB"),
        ("peak RSS, Pagefind alone", f"{result.pagefind_only_rss_mb:.0f} MB"),
        ("CPU time taken by the host", f"{result.host_steal_pct:.1f} %"),
    ]
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {value}" for name, value in rows]
    if result.host_steal_pct > NOISY_STEAL_PCT:
        lines.append(NOISY)
    return "\n".join(lines)


def write_json(result: Result, path: Path) -> None:
    data: dict[str, Any] = asdict(result)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")

