"""Work shared out over forked workers gives what one process gives."""

from __future__ import annotations

import gc
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from dossier.errors import ContentError
from dossier.parallel import map_forked
from dossier.pipeline import build
from dossier.synth import generate

# One fresh process per way of checking: nothing one computed is found kept by the other.
_CHECK = """
import pickle, sys
from pathlib import Path
from dossier import analyse, highlight, parallel, similarity
from dossier import load as loading
from dossier.errors import ContentError
from dossier.pipeline import check
if sys.argv[2] == "one":
    parallel.jobs = lambda *_args: 1
shared = []
forked = parallel.map_forked
def counted(function, items, *args, **kwargs):
    stage = getattr(function, "func", function).__module__
    shared.append((stage, parallel.jobs(len(items), kwargs.get("min_tasks", parallel.MIN_TASKS))))
    return forked(function, items, *args, **kwargs)
for module in (loading, highlight, analyse, similarity):
    module.map_forked = counted
try:
    checked = check(Path(sys.argv[1]), "content", bodies={})
    found = (checked.content, checked.analysis)
except ContentError as error:
    found = (error.problems, None)
sys.stdout.buffer.write(pickle.dumps((shared, *found)))
"""


def _checked(content: Path, cores: str) -> tuple[list[int], object, object]:
    done = subprocess.run([sys.executable, "-c", _CHECK, str(content), cores], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return pickle.loads(done.stdout)


def test_checking_on_every_core_gives_what_one_core_gives(tmp_path: Path) -> None:
    # Enough articles for every stage of checking to share out its work (parallel.MIN_TASKS), in three
    # languages of more than similarity.ALL_PAIRS_LIMIT articles each.
    generate(tmp_path / "content", 3 * 220, 3, 4)
    forks, content, analysis = _checked(tmp_path / "content", "every")
    alone, content_alone, analysis_alone = _checked(tmp_path / "content", "one")
    stages = ["dossier.load", "dossier.highlight", "dossier.analyse", "dossier.similarity"]
    assert [stage for stage, _ in forks] == stages
    assert {jobs for _, jobs in forks} == {2} or len(os.sched_getaffinity(0)) == 1
    assert {jobs for _, jobs in alone} == {1}
    assert content == content_alone
    assert analysis == analysis_alone
    assert analysis.similarities  # type: ignore[attr-defined]  # the rewrites the generator plants were scored


def test_loading_on_every_core_finds_the_problems_one_core_finds(tmp_path: Path) -> None:
    content = tmp_path / "content"
    generate(content, 500, 3, 4)
    articles = sorted((content / "articles").iterdir())
    articles[3].write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    articles[250].write_bytes(b"---\ntitle: \xff\n---\n")
    articles[499].write_text("no front matter\n", encoding="utf-8")
    with (content / "claims.yaml").open("a", encoding="utf-8") as claims:
        claims.write("- id: claim-broken\n  unknown: key\n")
    forks, problems, _ = _checked(content, "every")
    _, problems_alone, _ = _checked(content, "one")
    assert forks[0] == ("dossier.load", 2) or len(os.sched_getaffinity(0)) == 1
    assert problems == problems_alone
    shown = "\n".join(str(problem) for problem in problems)  # type: ignore[union-attr]
    expected_problems = ((3, ":3: YAML syntax error"), (250, ":2: not valid UTF-8"), (499, ":1: missing front matter"))
    for article, expected in expected_problems:
        assert f"content/articles/{articles[article].name}{expected}" in shown
    assert "claim 'claim-broken'" in shown


def test_a_build_collects_garbage_rarely_then_as_before(valid_content: Path, tmp_path: Path) -> None:
    before = gc.get_threshold()
    during: list[tuple[int, ...]] = []
    build(valid_content, tmp_path / "site", stage=lambda _name: during.append(gc.get_threshold()))
    assert during and all(threshold[0] >= 10 * before[0] for threshold in during)
    assert gc.get_threshold() == before
    (valid_content / "claims.yaml").write_text("- id: [broken\n", encoding="utf-8")
    with pytest.raises(ContentError):
        build(valid_content, tmp_path / "site")
    assert gc.get_threshold() == before  # a preview server lives on after a failed build too


# In a fresh process: the test runner's own threads would keep map_forked from forking at all.
_FREEZE = """
import gc
from dossier.parallel import MIN_TASKS, map_forked
def fails(item):
    if item == 7:
        raise ValueError("seven")
seen = set(map_forked(lambda _item: gc.get_freeze_count(), range(MIN_TASKS)))
after = gc.get_freeze_count()
try:
    map_forked(fails, range(MIN_TASKS))
except ValueError:
    pass
print(0 not in seen, after, gc.get_freeze_count())
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: nothing is forked")
def test_workers_leave_the_parents_objects_alone_and_the_parent_collects_as_before() -> None:
    done = subprocess.run([sys.executable, "-c", _FREEZE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Frozen in the workers, as they were forked; not in the parent once they are done, failed or not.
    assert done.stdout.split() == ["True", "0", "0"]


# In a fresh process, as above. Each worker waits for a file that only `meanwhile` makes, until a deadline.
_MEANWHILE = """
import os, sys, time
from pathlib import Path
from dossier.parallel import MIN_TASKS, map_forked
flag, deadline, parent, ran = Path(sys.argv[1]), time.time() + 10, os.getpid(), []
def waits(_item):
    while not flag.exists() and time.time() < deadline:
        time.sleep(0.01)
    return flag.exists(), os.getpid() != parent
def meanwhile():
    ran.append(os.getpid())
    flag.touch()
seen = set(map_forked(waits, range(MIN_TASKS), meanwhile=meanwhile))
print(seen == {(True, True)}, ran == [parent])
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="one core: nothing is forked")
def test_the_parent_does_its_own_work_while_the_workers_work(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", _MEANWHILE, str(tmp_path / "flag")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    # Every item was worked on in a worker that saw the file `meanwhile` made in the parent, once.
    assert done.stdout.split() == ["True", "True"]


def test_without_workers_the_parents_own_work_is_done_once() -> None:
    ran: list[int] = []
    assert map_forked(lambda item: item * 2, [1, 2], meanwhile=lambda: ran.append(1)) == [2, 4]
    assert ran == [1]
