"""The CI files registries use: valid against the forge's schema, and their govsite steps really work.

No forge is reachable here, so the steps that call govsite are taken from the workflow files and run
as written against real git repositories, with the variables the forge would set.
"""

from __future__ import annotations

import os
import subprocess
import sys
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


def test_pull_request_check_is_read_only_and_untrusted() -> None:
    data = workflow("check.yml")
    triggers = data[True] if True in data else data["on"]  # PyYAML reads the key `on` as True
    assert "pull_request" in triggers and "pull_request_target" not in triggers
    assert data["permissions"] == {"contents": "read"}
    checkout = data["jobs"]["check"]["steps"][0]
    assert checkout["with"]["persist-credentials"] is False and checkout["with"]["fetch-depth"] == 0
    # the base branch's govsite is installed, not the pull request's
    assert "origin/$BASE_REF" in step(data, "check", "install")["run"]
    # forge values reach scripts through the environment, never pasted into the script
    for job in data["jobs"].values():
        for s in job["steps"]:
            assert "${{" not in s.get("run", "")


@pytest.fixture
def forge_clone(tmp_path: Path) -> Path:
    """A registry on the 'forge' and a clone of it with a pull-request branch, as a runner sees it."""
    upstream = make_registry(tmp_path / "upstream", {"submissions/minhang/MH-2026-001.yaml": base_project()})
    init_repo(upstream)
    clone = tmp_path / "runner"
    subprocess.run(["git", "clone", "-q", str(upstream), str(clone)], check=True)
    git(clone, "checkout", "-q", "-b", "pull/7")
    return clone


def test_check_step_reports_annotations_and_summary(forge_clone: Path, tmp_path: Path) -> None:
    data = base_project(id="MH-2026-002", name="不合规的名称")
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    write_project(forge_clone, "submissions/minhang/MH-2026-002.yaml", data)
    git(forge_clone, "add", "-A")
    git(forge_clone, "commit", "-q", "-m", "申报")
    summary = tmp_path / "summary.md"

    done = run_step(
        step(workflow("check.yml"), "check", "check")["run"],
        forge_clone,
        {"BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(summary), "GOVSITE_TODAY": "2026-03-04"},
    )

    assert done.returncode == 1, done.stderr
    assert (
        "::error file=submissions/minhang/MH-2026-002.yaml,line=2,col=7,title=MH-08 第十四条::" in done.stdout
    )
    text = summary.read_text(encoding="utf-8")
    assert "## govsite 检查结果" in text
    assert "| 区数据局 | MH-09 第十五条 |" in text
    assert "| 2026-03-09 |" in text


def test_check_step_passes_a_clean_declaration(forge_clone: Path, tmp_path: Path) -> None:
    data = base_project(id="MH-2026-002")
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    write_project(forge_clone, "submissions/minhang/MH-2026-002.yaml", data)
    git(forge_clone, "add", "-A")
    git(forge_clone, "commit", "-q", "-m", "申报")
    done = run_step(
        step(workflow("check.yml"), "check", "check")["run"],
        forge_clone,
        {"BASE_REF": "main", "GITHUB_STEP_SUMMARY": str(tmp_path / "s.md"), "GOVSITE_TODAY": "2026-03-04"},
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout


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
