"""The CI files registries use: valid against the forge's schema, and their govsite steps really work.

No forge is reachable here, so the steps that call govsite are taken from the workflow files and run
as written against real git repositories, with the variables the forge would set.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import REPO, base_project, git, init_repo, make_registry, write_project

WORKFLOWS = REPO / ".github" / "workflows"


def workflow(name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return data


def step(data: dict[str, Any], job: str, step_id: str) -> dict[str, Any]:
    return next(s for s in data["jobs"][job]["steps"] if s.get("id") == step_id)


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    return subprocess.run(
        ["bash", "-e", "-c", script],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PATH": path, **env},
    )


def test_workflows_match_the_github_schema() -> None:
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows", *files],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_pull_request_check_runs_the_base_branch_only() -> None:
    """pull_request_target: GitHub runs the base branch's copy of the workflow; only the base is checked
    out; the pull request is fetched as git objects; every pull request is checked, whatever it touches."""
    data = workflow("check.yml")
    triggers = data[True] if True in data else data["on"]  # PyYAML reads the key `on` as True
    assert list(triggers) == ["pull_request_target"]
    assert (
        "paths" not in triggers["pull_request_target"]
        and "paths-ignore" not in triggers["pull_request_target"]
    )
    assert data["permissions"] == {"contents": "read"}
    steps = data["jobs"]["check"]["steps"]
    checkout = steps[0]
    assert checkout["uses"].startswith("actions/checkout@")
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.base.ref }}"
    assert checkout["with"]["persist-credentials"] is False and checkout["with"]["fetch-depth"] == 0
    assert [s for s in steps if s.get("uses", "").startswith("actions/checkout@")] == [checkout]
    text = (WORKFLOWS / "check.yml").read_text(encoding="utf-8")
    assert "pull_request.head" not in text  # nothing of the pull request is checked out or run
    assert "refs/pull/$PR_NUMBER/head:refs/govsite/pull-head" in step(data, "check", "fetch")["run"]
    assert step(data, "check", "install")["run"].endswith("install --disable-pip-version-check .")
    # forge values reach scripts through the environment, never pasted into the script
    for job in data["jobs"].values():
        for s in job["steps"]:
            assert "${{" not in s.get("run", "")


@pytest.fixture
def forge(tmp_path: Path) -> Path:
    """A registry on the 'forge', with the real workflow files and the repository's policies."""
    upstream = make_registry(tmp_path / "upstream", {"submissions/minhang/MH-2026-001.yaml": base_project()})
    (upstream / ".github" / "workflows").mkdir(parents=True)
    for name in ("check.yml", "publish.yml"):
        (upstream / ".github" / "workflows" / name).write_bytes((WORKFLOWS / name).read_bytes())
    init_repo(upstream)
    git(upstream, "config", "receive.denyCurrentBranch", "ignore")
    return upstream


def open_pull_request(forge: Path, tmp_path: Path, change: Callable[[Path], None], number: int = 7) -> None:
    """A department's fork: a branch with `change`, pushed to the forge as refs/pull/<n>/head."""
    fork = tmp_path / f"fork-{number}"
    subprocess.run(["git", "clone", "-q", str(forge), str(fork)], check=True)
    change(fork)
    git(fork, "add", "-A")
    git(fork, "commit", "-q", "-m", "申报")
    git(fork, "push", "-q", "origin", f"HEAD:refs/pull/{number}/head")


def runner_checkout(forge: Path, tmp_path: Path) -> Path:
    """What actions/checkout leaves with ref = the base branch: a clone at the base tip."""
    workspace = tmp_path / "workspace"
    subprocess.run(["git", "clone", "-q", "--branch", "main", str(forge), str(workspace)], check=True)
    return workspace


def run_check_job(workspace: Path, tmp_path: Path, number: int = 7) -> subprocess.CompletedProcess[str]:
    """The fetch and check steps as written in the workflow (the install step installs the base
    checkout, which is this govsite)."""
    data = workflow("check.yml")
    env = {
        "PR_NUMBER": str(number),
        "TOKEN": "not-a-real-token",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GOVSITE_TODAY": "2026-03-04",
    }
    fetched = run_step(step(data, "check", "fetch")["run"], workspace, env)
    assert fetched.returncode == 0, fetched.stderr
    return run_step(step(data, "check", "check")["run"], workspace, env)


def declaration(project_id: str, **extra: Any) -> dict[str, Any]:
    data = base_project(id=project_id, **extra)
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    return data


def test_check_step_reports_annotations_and_summary(forge: Path, tmp_path: Path) -> None:
    open_pull_request(
        forge,
        tmp_path,
        lambda fork: write_project(
            fork, "submissions/minhang/MH-2026-002.yaml", declaration("MH-2026-002", name="不合规的名称")
        ),
    )
    done = run_check_job(runner_checkout(forge, tmp_path), tmp_path)

    assert done.returncode == 1, done.stderr
    assert (
        "::error file=submissions/minhang/MH-2026-002.yaml,line=2,col=7,title=MH-08 第十四条::" in done.stdout
    )
    text = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "## govsite 检查结果" in text
    assert "| 区数据局 | MH-09 第十五条 |" in text
    assert "| 2026-03-09 |" in text


def test_check_step_passes_a_clean_declaration(forge: Path, tmp_path: Path) -> None:
    open_pull_request(
        forge,
        tmp_path,
        lambda fork: write_project(fork, "submissions/minhang/MH-2026-002.yaml", declaration("MH-2026-002")),
    )
    done = run_check_job(runner_checkout(forge, tmp_path), tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout


EVIL_WORKFLOW = """name: 检查申报
on: pull_request_target
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - id: fetch
        run: "true"
      - id: check
        run: echo all good
"""


def test_a_pull_request_cannot_change_how_it_is_checked(forge: Path, tmp_path: Path) -> None:
    """The pull request rewrites the check workflow to pass, brings a govsite package that passes
    everything and a policy pack without the naming rule, and a badly named project: the verdict is
    the base's."""

    def tamper(fork: Path) -> None:
        (fork / ".github/workflows/check.yml").write_text(EVIL_WORKFLOW, encoding="utf-8")
        (fork / "govsite").mkdir()
        (fork / "govsite" / "__init__.py").write_text("raise SystemExit(0)\n", encoding="utf-8")
        (fork / "govsite" / "__main__.py").write_text("raise SystemExit(0)\n", encoding="utf-8")
        (fork / "pyproject.toml").write_text('[project]\nname = "govsite"\nversion = "9"\n', encoding="utf-8")
        (fork / "policies/minhang-2025/rules/MH-08.yaml").unlink()
        write_project(
            fork, "submissions/minhang/MH-2026-002.yaml", declaration("MH-2026-002", name="不合规的名称")
        )

    open_pull_request(forge, tmp_path, tamper)
    workspace = runner_checkout(forge, tmp_path)
    done = run_check_job(workspace, tmp_path)

    # the runner's work tree is the base: nothing of the pull request is on disk to import or run
    assert not (workspace / "govsite").exists() and not (workspace / "pyproject.toml").exists()
    assert (workspace / ".github/workflows/check.yml").read_bytes() == (WORKFLOWS / "check.yml").read_bytes()
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        "::error file=submissions/minhang/MH-2026-002.yaml,line=2,col=7,title=MH-08 第十四条::" in done.stdout
    )
    # and each protected change is reported with its owners
    for path in (
        ".github/workflows/check.yml",
        "govsite/__init__.py",
        "policies/minhang-2025/rules/MH-08.yaml",
    ):
        assert f"::warning file={path}," in done.stdout.replace("%2C", ",") or path in done.stdout


def test_pre_commit_hook_runs_on_the_files_it_matches(tmp_path: Path) -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    good = "submissions/minhang/MH-2026-001.yaml"
    bad = "submissions/minhang/MH-2026-002.yaml"
    root = make_registry(tmp_path, {good: base_project(), bad: base_project(id="MH-2026-002", name="名称")})
    import re

    matched = [
        p
        for p in (good, bad, "README.md", "policies/minhang-2025/policy.yaml")
        if re.search(hook["files"], p)
    ]
    assert matched == [good, bad]
    done = run_step(f"{hook['entry']} --today 2025-12-02 " + " ".join(matched), root, {})
    assert done.returncode == 1
    assert f"{bad}:2:7: 错误 [MH-08 第十四条]" in done.stdout
