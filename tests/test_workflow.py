"""The GitHub Pages workflow: valid, minimal, and running the very command the README documents."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from dossier.cache import cache_dir

from .conftest import ROOT

WORKFLOW = ROOT / ".github" / "workflows" / "pages.yml"
README = ROOT / "README.md"
MAKEFILE = ROOT / "Makefile"


@pytest.fixture(scope="module")
def workflow() -> dict[Any, Any]:
    return yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))


def section(markdown: str, heading: str) -> str:
    """The text of a `## heading` section, up to the next level-2 heading outside a code fence."""
    lines = markdown.splitlines()
    start = lines.index(f"## {heading}") + 1
    fenced, out = False, []
    for line in lines[start:]:
        fenced ^= line.startswith("```")
        if line.startswith("## ") and not fenced:
            break
        out.append(line)
    return "\n".join(out)


def commands(markdown: str) -> list[str]:
    """The commands in the ```sh blocks of some Markdown, without comments."""
    blocks = re.findall(r"```sh\n(.*?)```", markdown, re.S)
    return [line.split("#")[0].strip() for block in blocks for line in block.splitlines() if line.split("#")[0].strip()]


def steps(workflow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job["steps"]]


def uses(workflow: dict[Any, Any], action: str) -> list[dict[str, Any]]:
    return [step for step in steps(workflow) if step.get("uses", "").split("@")[0] == action]


def test_workflow_is_valid_against_the_github_workflow_schema() -> None:
    """check-jsonschema ships the SchemaStore schema for workflow files: no network needed."""
    checker = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert checker, "check-jsonschema is in the test extras"
    result = subprocess.run([checker, "--builtin-schema", "vendor.github-workflows", str(WORKFLOW)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_runs_on_push_to_main_and_by_hand(workflow: dict[Any, Any]) -> None:
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert triggers["push"] == {"branches": ["main"]}
    assert "workflow_dispatch" in triggers
    assert set(triggers) == {"push", "workflow_dispatch"}


def test_permissions_are_minimal(workflow: dict[Any, Any]) -> None:
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert jobs["build"]["permissions"] == {"contents": "read"}
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


def test_deployments_share_one_concurrency_group(workflow: dict[Any, Any]) -> None:
    assert workflow["concurrency"]["group"] == "pages"
    assert workflow["concurrency"]["cancel-in-progress"] is False  # never cut a deployment off halfway


def test_steps_in_order(workflow: dict[Any, Any]) -> None:
    build = workflow["jobs"]["build"]["steps"]
    order = [step.get("uses", "").split("@")[0] or step["run"] for step in build]
    assert order[0] == "actions/checkout"
    assert order[1] == "actions/setup-python"
    assert order.index("make site") < order.index("actions/upload-pages-artifact") == len(order) - 1
    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert [step["uses"].split("@")[0] for step in deploy["steps"]] == ["actions/deploy-pages"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    assert deploy["steps"][0]["id"] == "deployment"


def test_python_matches_the_project(workflow: dict[Any, Any]) -> None:
    [setup] = uses(workflow, "actions/setup-python")
    required = re.search(r'requires-python = ">=(\d+\.\d+)"', (ROOT / "pyproject.toml").read_text()).group(1)  # type: ignore[union-attr]
    assert setup["with"]["python-version"] == required


def test_uploads_the_built_site_with_nojekyll(workflow: dict[Any, Any]) -> None:
    [upload] = uses(workflow, "actions/upload-pages-artifact")
    assert upload["with"]["path"] == "_site"  # the default --out
    assert upload["with"]["include-hidden-files"] is True  # v4+ leaves dotfiles out unless asked
    assert uses(workflow, "actions/deploy-pages")


def test_runs_the_command_the_readme_documents(workflow: dict[Any, Any]) -> None:
    """The build step is the README's publishing command, which installs as the quick start does."""
    runs = [step["run"].strip() for step in steps(workflow) if "run" in step]
    readme = README.read_text(encoding="utf-8")
    documented = commands(section(readme, "Publishing on GitHub Pages"))
    assert documented == ["make site"]
    assert documented[0] in runs
    # `make site` sets up .venv exactly as the quick start's `make serve` does, then builds the site and the PDF.
    makefile = MAKEFILE.read_text(encoding="utf-8")
    site = re.search(r"^site: (.*)\n((?:\t.*\n)+)", makefile, re.M)
    serve = re.search(r"^serve: (.*)\n", makefile, re.M)
    assert site and serve and site.group(1) == serve.group(1) == "$(VENV)/.installed"
    assert site.group(2).strip() == "$(BIN)/dossier pdf"
    assert "`dossier pdf`" in section(readme, "Publishing on GitHub Pages")


def test_no_other_install_or_build_command_in_the_workflow(workflow: dict[Any, Any]) -> None:
    runs = [step["run"] for step in steps(workflow) if "run" in step]
    assert not [r for r in runs if re.search(r"\bpip\b|\bdossier\b|python -m", r)], runs


def test_quick_start_keeps_exactly_two_commands() -> None:
    readme = README.read_text(encoding="utf-8")
    assert commands(section(readme, "Quick start")) == ["make serve", "make test"]


def test_readme_explains_enabling_pages_and_base_url() -> None:
    text = section(README.read_text(encoding="utf-8"), "Publishing on GitHub Pages")
    assert "GitHub Actions" in text and "Settings → Pages" in text
    assert "base_url" in text and "https://<user>.github.io/<repo>/" in text


def test_restores_what_the_last_build_kept_before_building(
    workflow: dict[Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    [restore] = uses(workflow, "actions/cache")
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)  # as on a runner
    assert Path(restore["with"]["path"]).expanduser() == cache_dir()  # where each build keeps its store
    assert "github.sha" in restore["with"]["key"] and restore["with"]["key"].startswith(restore["with"]["restore-keys"])
    order = [step.get("uses", "").split("@")[0] or step["run"] for step in workflow["jobs"]["build"]["steps"]]
    assert order.index("actions/cache") < order.index("make site")
