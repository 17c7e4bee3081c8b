"""The CI files registries use: valid against the forge's schema, and their govsite steps really work.

No forge is reachable here, so the steps that call govsite are taken from the workflow files and run
as written against real git repositories, with the variables the forge would set.
"""

from __future__ import annotations

import json
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


FAKE_CURL = """#!/usr/bin/env python3
# The forge's REST API as the workflows' curl calls see it: answers GETs from canned JSON files,
# records every request (method, URL, body) in $FAKE_API_LOG.
import json, os, sys
args, method, data, url = sys.argv[1:], "GET", None, ""
for i, arg in enumerate(args):
    if arg == "-X":
        method = args[i + 1]
    elif arg == "--data":
        data = open(args[i + 1][1:], encoding="utf-8").read()
    elif "://" in arg:
        url = arg
with open(os.environ["FAKE_API_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps({"method": method, "url": url, "body": data}, ensure_ascii=False) + "\\n")
if method == "GET":
    for key in ("reviews", "comments", "runs"):
        if "/" + key in url:
            sys.stdout.write(open(os.environ["FAKE_" + key.upper()], encoding="utf-8").read())
"""


def fake_api(
    tmp_path: Path, reviews: list[Any] | None = None, comments: list[Any] | None = None
) -> dict[str, str]:
    """A `curl` on PATH that plays the forge's API; returns the environment the steps need."""
    tools = tmp_path / "fake-bin"
    tools.mkdir(parents=True, exist_ok=True)
    curl = tools / "curl"
    curl.write_text(FAKE_CURL, encoding="utf-8")
    curl.chmod(0o755)
    files = {}
    for key, value in (
        ("reviews", reviews or []),
        ("comments", comments or []),
        ("runs", {"workflow_runs": [{"id": 4242}]}),
    ):
        target = tmp_path / f"api-{key}.json"
        target.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
        files[f"FAKE_{key.upper()}"] = str(target)
    runner_temp = tmp_path / "runner-temp"
    runner_temp.mkdir(exist_ok=True)
    return {
        **files,
        "FAKE_API_LOG": str(tmp_path / "api-log.jsonl"),
        "FAKE_BIN": str(tools),
        "API": "https://api.github.com",
        "REPOSITORY": "minhang-gov/registry",
        "TOKEN": "not-a-real-token",
        "RUNNER_TEMP": str(runner_temp),
    }


def api_log(env: dict[str, str]) -> list[dict[str, Any]]:
    path = Path(env["FAKE_API_LOG"])
    return (
        [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []
    )


def run_step(script: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join(
        [p for p in [env.get("FAKE_BIN", ""), str(Path(sys.executable).parent), os.environ["PATH"]] if p]
    )
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
    assert data["permissions"] == {"contents": "read", "pull-requests": "read"}
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


def test_publish_keeps_the_cache_with_the_key_that_signs_it() -> None:
    """The publish job on main keeps the cache between runs together with the user key its entries are
    signed with (a cache without its key is never read), keyed by the commit, restored from the latest."""
    cache = step(workflow("publish.yml"), "build", "cache")
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["path"].split() == [".govsite-cache", "~/.cache/govsite"]
    assert cache["with"]["key"] == "govsite-publish-${{ github.sha }}"
    assert cache["with"]["restore-keys"].split() == ["govsite-publish-"]
    steps = workflow("publish.yml")["jobs"]["build"]["steps"]
    assert steps.index(cache) < next(i for i, s in enumerate(steps) if "govsite build" in s.get("run", ""))


def test_the_pull_request_check_only_restores_main_s_cache() -> None:
    """pull_request_target shares its cache with the base branch: the check restores what the publish
    job on main wrote (the base branch's index, parses and results) and never saves anything."""
    data = workflow("check.yml")
    cache = step(data, "check", "cache")
    assert cache["uses"].startswith("actions/cache/restore@")
    assert cache["with"]["path"].split() == [".govsite-cache", "~/.cache/govsite"]
    assert cache["with"]["key"] == "govsite-publish-${{ github.event.pull_request.base.sha }}"
    assert cache["with"]["restore-keys"].split() == ["govsite-publish-"]
    steps = data["jobs"]["check"]["steps"]
    used = [s.get("uses", "") for s in steps]
    assert not [u for u in used if u.startswith(("actions/cache@", "actions/cache/save@"))]
    assert steps.index(cache) < next(i for i, s in enumerate(steps) if "govsite check" in s.get("run", ""))


REVIEWERS = """maintainers: {people: [wang.wu]}
people:
  - {id: zhang.san, name: 张三, forge: {github: zhangsan}}
  - {id: wang.wu, name: 王五, forge: {github: wangwu}}
roles:
  minhang: {data_bureau: [zhang.san]}
"""


@pytest.fixture
def forge(tmp_path: Path) -> Path:
    """A registry on the 'forge', with the real workflow files and the repository's policies."""
    upstream = make_registry(tmp_path / "upstream", {"submissions/minhang/MH-2026-001.yaml": base_project()})
    (upstream / "reviewers.yaml").write_text(REVIEWERS, encoding="utf-8")
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


def approving(workspace: Path, login: str, body: str, head: str | None = None) -> dict[str, Any]:
    """A review as GitHub's API returns it, on the pull request's head."""
    reviews = json.loads((REPO / "tests" / "forge" / "reviews.json").read_text(encoding="utf-8"))
    review: dict[str, Any] = reviews[0]
    review.update(body=body, commit_id=head or git(workspace, "rev-parse", "refs/govsite/pull-head").strip())
    review["user"]["login"] = login
    return review


def run_check_job(
    workspace: Path, tmp_path: Path, number: int = 7, reviews: Callable[[Path], list[Any]] | None = None
) -> subprocess.CompletedProcess[str]:
    """The fetch, forge and check steps as written in the workflow (the install step installs the base
    checkout, which is this govsite); the forge's API is played by a fake curl."""
    data = workflow("check.yml")
    env = {
        **fake_api(tmp_path),
        "PR_NUMBER": str(number),
        "PR_AUTHOR": "dept-user",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GOVSITE_TODAY": "2026-03-04",
    }
    fetched = run_step(step(data, "check", "fetch")["run"], workspace, env)
    assert fetched.returncode == 0, fetched.stderr
    if reviews is not None:
        Path(env["FAKE_REVIEWS"]).write_text(
            json.dumps(reviews(workspace), ensure_ascii=False), encoding="utf-8"
        )
    asked = run_step(step(data, "check", "forge")["run"], workspace, env)
    assert asked.returncode == 0, asked.stderr
    assert [c["url"] for c in api_log(env)] == [
        "https://api.github.com/repos/minhang-gov/registry/pulls/7/reviews?per_page=100",
        "https://api.github.com/repos/minhang-gov/registry/issues/7/comments?per_page=100",
    ]
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

    assert done.returncode == 1, done.stderr  # the data bureau has not approved yet
    assert (
        "::warning file=submissions/minhang/MH-2026-002.yaml,line=2,col=7,title=MH-08 第十四条::"
        in done.stdout
    )
    text = (tmp_path / "runner-temp" / "comment" / "check.md").read_text(encoding="utf-8")
    assert "## govsite 检查结果" in text
    assert "| 区数据局 | 阶段规定 第十五条；" in text and "MH-09 第十五条" in text
    assert "应于 2026-03-09 前决定" in text and "| 2026-03-09 |" in text
    # the errors come before what to decide
    assert text.index("| 位置 | 级别 | 依据 | 问题与处理建议 |") < text.index(
        "| 须审批 | 依据 | 时限 | 状态 |"
    )


def test_check_step_passes_a_clean_declaration_once_approved(forge: Path, tmp_path: Path) -> None:
    open_pull_request(
        forge,
        tmp_path,
        lambda fork: write_project(fork, "submissions/minhang/MH-2026-002.yaml", declaration("MH-2026-002")),
    )
    workspace = runner_checkout(forge, tmp_path)
    pending = run_check_job(workspace, tmp_path / "first")
    assert pending.returncode == 1  # the required status waits for the data bureau
    assert (
        "::error file=submissions/minhang/MH-2026-002.yaml,line=1,col=1,title=approval::区数据局：待审批"
        in pending.stdout
    )
    comment = (tmp_path / "first" / "runner-temp" / "comment" / "check.md").read_text(encoding="utf-8")
    assert "| 区数据局 |" in comment and "待审批" in comment

    done = run_check_job(
        workspace,
        tmp_path / "second",
        reviews=lambda w: [approving(w, "zhangsan", "govsite 同意 data_bureau")],
    )
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


def without_a_plan(project_id: str) -> dict[str, Any]:
    """A declaration without its construction plan: 闵行 第十二条 (MH-07) makes it an error."""
    data = declaration(project_id)
    data["materials"] = [m for m in data["materials"] if m["kind"] != "construction_plan"]
    return data


def materials_line(fork: Path) -> int:
    text = (fork / "submissions/minhang/MH-2026-002.yaml").read_text(encoding="utf-8")
    return text.splitlines().index("materials:") + 1


def test_a_pull_request_cannot_change_how_it_is_checked(forge: Path, tmp_path: Path) -> None:
    """The pull request rewrites the check workflow to pass, brings a govsite package that passes
    everything and a policy pack without the materials rule, and a declaration without its plan:
    the verdict is the base's."""
    lines: list[int] = []

    def tamper(fork: Path) -> None:
        (fork / ".github/workflows/check.yml").write_text(EVIL_WORKFLOW, encoding="utf-8")
        (fork / "govsite").mkdir()
        (fork / "govsite" / "__init__.py").write_text("raise SystemExit(0)\n", encoding="utf-8")
        (fork / "govsite" / "__main__.py").write_text("raise SystemExit(0)\n", encoding="utf-8")
        (fork / "pyproject.toml").write_text('[project]\nname = "govsite"\nversion = "9"\n', encoding="utf-8")
        (fork / "policies/minhang-2025/rules/MH-07.yaml").unlink()
        write_project(fork, "submissions/minhang/MH-2026-002.yaml", without_a_plan("MH-2026-002"))
        lines.append(materials_line(fork))

    open_pull_request(forge, tmp_path, tamper)
    workspace = runner_checkout(forge, tmp_path)
    done = run_check_job(workspace, tmp_path)

    # the runner's work tree is the base: nothing of the pull request is on disk to import or run
    assert not (workspace / "govsite").exists() and not (workspace / "pyproject.toml").exists()
    assert (workspace / ".github/workflows/check.yml").read_bytes() == (WORKFLOWS / "check.yml").read_bytes()
    assert done.returncode == 1, done.stdout + done.stderr
    assert (
        f"::error file=submissions/minhang/MH-2026-002.yaml,line={lines[0]},col=1,title=MH-07 第十二条::"
        in done.stdout
    ), done.stdout
    # and each protected change is reported with its owners
    warned = [
        line.split(",", 1)[0]
        for line in done.stdout.splitlines()
        if line.startswith("::warning file=") and not line.startswith("::warning file=submissions/")
    ]
    assert warned == [
        "::warning file=.github/workflows/check.yml",
        "::warning file=govsite/__init__.py",
        "::warning file=govsite/__main__.py",
        "::warning file=policies/minhang-2025/rules/MH-07.yaml",
        "::warning file=pyproject.toml",
    ]
    assert "须由登记册维护人员（工作流与代码所有者）审核" in done.stdout


def test_the_comment_job_updates_its_own_comment_with_the_check_as_text(tmp_path: Path) -> None:
    """workflow_run: the artifact's Markdown is posted as data; a comment of the department's carrying
    the marker is left alone, the bot's own is updated."""
    comments = json.loads((REPO / "tests" / "forge" / "comments.json").read_text(encoding="utf-8"))
    env = fake_api(tmp_path, comments=comments)
    folder = Path(env["RUNNER_TEMP"]) / "comment"
    folder.mkdir()
    (folder / "number").write_text("12; rm -rf /\n", encoding="utf-8")  # only the digits are used
    (folder / "check.md").write_text("## govsite 检查结果\n\n❌ 未通过 `$(id)`\n", encoding="utf-8")

    done = run_step(step(workflow("comment.yml"), "comment", "comment")["run"], REPO, env)

    assert done.returncode == 0, done.stderr
    listed, updated = api_log(env)
    assert listed["url"].endswith("/repos/minhang-gov/registry/issues/12/comments?per_page=100")
    assert (updated["method"], updated["url"]) == (
        "PATCH",
        "https://api.github.com/repos/minhang-gov/registry/issues/comments/2",
    )
    assert (
        json.loads(updated["body"])["body"]
        == "<!-- govsite-check -->\n## govsite 检查结果\n\n❌ 未通过 `$(id)`\n"
    )


def test_the_rerun_job_reruns_the_latest_check_of_the_reviewed_head(tmp_path: Path) -> None:
    env = {**fake_api(tmp_path), "HEAD_SHA": "a" * 40}
    done = run_step(workflow("comment.yml")["jobs"]["rerun"]["steps"][0]["run"], REPO, env)
    assert done.returncode == 0, done.stderr
    listed, rerun = api_log(env)
    assert f"head_sha={'a' * 40}" in listed["url"]
    assert (rerun["method"], rerun["url"]) == (
        "POST",
        "https://api.github.com/repos/minhang-gov/registry/actions/runs/4242/rerun",
    )


def test_the_record_job_transcribes_review_approvals_onto_main(forge: Path, tmp_path: Path) -> None:
    """After the merge, the phrase reviews become statements signed by the recorder key, pushed to main,
    and `govsite audit` in any clone accepts them."""
    recorder = tmp_path / "recorder"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "recorder", "-f", str(recorder)], check=True
    )
    public = (tmp_path / "recorder.pub").read_text(encoding="ascii").strip()
    git(forge, "checkout", "-q", "main")
    (forge / "reviewers.yaml").write_text(REVIEWERS + f'recorder: {{keys: ["{public}"]}}\n', encoding="utf-8")
    git(forge, "add", "-A")
    git(forge, "commit", "-q", "--amend", "--no-edit")  # the registry was set up with the recorder's key
    open_pull_request(
        forge,
        tmp_path,
        lambda fork: write_project(fork, "submissions/minhang/MH-2026-002.yaml", declaration("MH-2026-002")),
    )
    git(forge, "merge", "-q", "--no-ff", "refs/pull/7/head", "-m", "合并 #7")
    merge = git(forge, "rev-parse", "HEAD").strip()
    workspace = runner_checkout(forge, tmp_path)
    review = approving(
        workspace, "zhangsan", "govsite 同意 data_bureau", git(forge, "rev-parse", "refs/pull/7/head").strip()
    )
    env = {
        **fake_api(tmp_path, reviews=[review]),
        "MERGE_SHA": merge,
        "RECORDER_KEY": recorder.read_text(encoding="ascii"),
        "PR_NUMBER": "7",
        "GITHUB_BASE_REF": "main",
        "GOVSITE_TODAY": "2026-03-04",
    }
    data = workflow("record.yml")
    for step_id in ("forge", "record"):
        done = run_step(step(data, "record", step_id)["run"], workspace, env)
        assert done.returncode == 0, done.stdout + done.stderr
    assert "已记录 " in done.stdout
    git(forge, "checkout", "-q", "-f", "main")
    pushed = git(forge, "log", "-1", "--format=%s").strip()
    assert pushed == "记录合并请求 #7 的审批（由审查意见转录）"
    audited = subprocess.run(
        [sys.executable, "-m", "govsite", "audit"], cwd=forge, capture_output=True, text=True
    )
    assert audited.returncode == 0, audited.stdout + audited.stderr
    assert "全部有有效的审批" in audited.stdout


def test_pre_commit_hook_runs_on_the_files_it_matches(tmp_path: Path) -> None:
    [hook] = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["language"] == "python" and hook["pass_filenames"] is True
    good = "submissions/minhang/MH-2026-001.yaml"
    bad = "submissions/minhang/MH-2026-002.yaml"
    planless = base_project(id="MH-2026-002")
    planless["materials"] = [m for m in planless["materials"] if m["kind"] != "construction_plan"]
    root = make_registry(tmp_path, {good: base_project(), bad: planless})
    import re

    matched = [
        p
        for p in (good, bad, "README.md", "policies/minhang-2025/policy.yaml")
        if re.search(hook["files"], p)
    ]
    assert matched == [good, bad]
    done = run_step(f"{hook['entry']} --today 2025-12-02 " + " ".join(matched), root, {})
    assert done.returncode == 1
    assert ": 错误 [MH-07 第十二条] 申报材料缺少项目建设方案（construction_plan）" in done.stdout
    assert done.stdout.count(f"{bad}:") >= 1 and f"{good}:" not in done.stdout.split("错误")[0]
