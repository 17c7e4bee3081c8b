"""`govsite check` in the shallow clones forges make: GitHub's, Forgejo's and Gitea's actions/checkout
(one commit, often detached), GitLab CI (`GIT_DEPTH` 20). Real repositories, cloned over `file://`
so that git really makes them shallow (a clone of a plain path ignores --depth)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from support import base_project, git, init_repo, make_registry, write_project

from govsite import shallow
from govsite.cli import main

EXISTING = "submissions/minhang/MH-2026-001.yaml"
NEW = "submissions/minhang/MH-2026-002.yaml"
TODAY = "2026-03-04"


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_NO_CACHE", "1")


def declared(project_id: str, **extra: Any) -> dict[str, Any]:
    data = base_project(id=project_id, **extra)
    data["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    data["stage"] = "declared"
    return data


def commit(root: Path, message: str, *, empty: bool = False) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, *(["--allow-empty"] if empty else []))


def empty_commits(root: Path, count: int, label: str) -> None:
    """`count` commits that change nothing, fast: one process per commit, no index work."""
    script = f'for i in $(seq {count}); do git commit -q --allow-empty -m "{label} $i"; done'
    env = {"GIT_AUTHOR_NAME": "a", "GIT_AUTHOR_EMAIL": "a@example.invalid"}
    env |= {"GIT_COMMITTER_NAME": "a", "GIT_COMMITTER_EMAIL": "a@example.invalid"}
    subprocess.run(["sh", "-c", script], cwd=root, check=True, env={**os.environ, **env})


def make_origin(tmp_path: Path, *, before: int = 0, after: int = 1, legal: bool = True) -> Path:
    """The forge's repository: main with `before` commits below the fork point and `after` above it,
    and a pull request branch `pr` of one commit that declares NEW (a naming warning) and takes
    EXISTING to intake — or, if not `legal`, straight to approval (an error)."""
    origin = make_registry(tmp_path / "origin", {EXISTING: declared("MH-2026-001")})
    init_repo(origin)
    if before:
        empty_commits(origin, before, "历史")
    git(origin, "checkout", "-q", "-b", "pr")
    write_project(origin, NEW, declared("MH-2026-002", name="闵行区综合执法管理平台项目"))
    data = declared("MH-2026-001")
    data["stages"].append({"stage": "intake" if legal else "approved", "date": "2026-03-04"})
    data["stage"] = data["stages"][-1]["stage"]
    write_project(origin, EXISTING, data)
    commit(origin, "申报 MH-2026-002；推进 MH-2026-001")
    git(origin, "checkout", "-q", "main")
    if after > 1:
        empty_commits(origin, after - 1, "主干")
    if after:
        (origin / "NEWS.md").write_text("主干上的改动\n", encoding="utf-8")
        commit(origin, "主干前进")
    return origin


def url(origin: Path) -> str:
    return f"file://{origin}"


def clone(origin: Path, dest: Path, *options: str) -> Path:
    git(origin.parent, "clone", "-q", *options, url(origin), str(dest))
    return dest


def checkout_like_github(origin: Path, dest: Path, depth: int = 1) -> Path:
    """What actions/checkout does for a pull request: one commit fetched by id into a ref of its
    own, checked out detached; origin's fetch refspec is the default one, no branch is fetched."""
    sha = git(origin, "rev-parse", "pr").strip()
    dest.mkdir()
    git(dest, "init", "-q")
    git(dest, "remote", "add", "origin", url(origin))
    git(dest, "fetch", "-q", "--no-tags", f"--depth={depth}", "origin", f"+{sha}:refs/remotes/pull/1/merge")
    git(dest, "checkout", "-q", "--detach", sha)
    return dest


def run_check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    code = main(["check", "--root", str(root), "--format", "json", "--today", TODAY, *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if out else {}), err


def full_clone_report(origin: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code, report, _ = run_check(origin, capsys, "--base", "main", "--head", "pr")
    return code, report


def is_shallow(root: Path) -> bool:
    return git(root, "rev-parse", "--is-shallow-repository").strip() == "true"


def untouched(root: Path) -> None:
    """No fetch touched the work tree, the index or a local branch."""
    assert git(root, "status", "--porcelain") == ""
    assert "refs/heads/main" not in git(root, "for-each-ref", "--format=%(refname)")


@pytest.mark.parametrize(
    "how",
    ["clone --depth 1", "actions/checkout", "GitLab GIT_DEPTH 20"],
)
def test_shallow_clone_gives_the_findings_of_a_full_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], how: str
) -> None:
    origin = make_origin(tmp_path, before=30, after=2)
    expected_code, expected = full_clone_report(origin, capsys)
    if how == "clone --depth 1":
        work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")
    elif how == "actions/checkout":
        work = checkout_like_github(origin, tmp_path / "work")
    else:
        work = checkout_like_github(origin, tmp_path / "work", depth=20)
    assert is_shallow(work)

    code, report, err = run_check(work, capsys, "--base", "origin/main")

    assert (code, report) == (expected_code, expected)
    assert code == 0 and report["ok"] is True
    projects = {p["path"]: p for p in report["projects"]}
    assert set(projects) == {EXISTING, NEW}
    assert (projects[EXISTING]["stage_from"], projects[EXISTING]["stage_to"]) == ("declared", "intake")
    assert "MH-08" in [f["rule"] for f in projects[NEW]["findings"] if f["severity"] == "warning"]
    assert report["base"] == git(origin, "rev-parse", "main").strip()
    # main is fetched into its remote-tracking ref, as `git fetch origin main` would
    assert git(work, "rev-parse", "refs/remotes/origin/main").strip() == report["base"]
    assert "+refs/heads/main:refs/remotes/origin/main" in err
    untouched(work)


def test_an_error_in_a_shallow_clone_is_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = make_origin(tmp_path, legal=False)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")

    code, report, _ = run_check(work, capsys, "--base", "origin/main")

    assert code == 1 and report["ok"] is False
    [project] = [p for p in report["projects"] if p["path"] == EXISTING]
    [transition] = [f for f in project["findings"] if f["rule"] == "transition"]
    assert transition["message"] == "不允许从“申报”直接进入“批复”"


def test_base_given_as_a_commit_id_not_in_the_clone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sha a workflow passes (GitLab's CI_MERGE_REQUEST_TARGET_BRANCH_SHA, say): fetched by id."""
    origin = make_origin(tmp_path, before=2, after=3)
    main_sha = git(origin, "rev-parse", "main").strip()
    expected_code, expected = full_clone_report(origin, capsys)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")
    assert subprocess.run(["git", "cat-file", "-e", main_sha], cwd=work).returncode != 0

    code, report, err = run_check(work, capsys, "--base", main_sha)

    assert (code, report) == (expected_code, expected)
    assert report["base"] == main_sha
    assert f"--depth=1 origin {main_sha}" in err
    untouched(work)
    assert "refs/remotes/origin/main" not in git(work, "for-each-ref", "--format=%(refname)")


def test_base_given_as_an_abbreviated_commit_id(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    origin = make_origin(tmp_path, after=2)
    main_sha = git(origin, "rev-parse", "main").strip()
    expected_code, expected = full_clone_report(origin, capsys)
    # the tip of a remote branch: found by `git ls-remote`
    work = clone(origin, tmp_path / "tip", "--depth", "1", "--branch", "pr")
    code, report, _ = run_check(work, capsys, "--base", main_sha[:10])
    assert (code, report) == (expected_code, expected)

    # an older commit of the pull request's own history (here its fork point): found by deepening
    fork = git(origin, "rev-parse", "pr~1").strip()
    work = clone(origin, tmp_path / "old", "--depth", "1", "--branch", "pr")
    code, report, err = run_check(work, capsys, "--base", fork[:10])
    assert code == 0 and report["base"] == fork
    assert {p["path"] for p in report["projects"]} == {EXISTING, NEW}
    assert "--deepen=25" in err


def test_history_deeper_than_the_first_deepening(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """30 commits on main since the fork point, a clone of depth 1: the first deepening (25) does not
    reach the merge base, the second does; the rest of the history is left on the server."""
    assert shallow.DEEPEN_STEPS[0] < 30 < sum(shallow.DEEPEN_STEPS[:2])
    origin = make_origin(tmp_path, before=150, after=30)
    expected_code, expected = full_clone_report(origin, capsys)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")

    code, report, err = run_check(work, capsys, "--base", "origin/main")

    assert (code, report) == (expected_code, expected)
    assert "--deepen=25" in err and "--deepen=100" in err
    assert "--deepen=400" not in err and "--unshallow" not in err
    assert is_shallow(work)  # only what was needed: the 150 commits below the fork were not all fetched
    fork = git(origin, "rev-parse", "pr~1").strip()
    assert git(work, "merge-base", "origin/main", "HEAD").strip() == fork
    untouched(work)


def test_unshallow_when_the_deepening_steps_are_not_enough(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shallow, "DEEPEN_STEPS", (2, 4))
    origin = make_origin(tmp_path, before=5, after=12)
    expected_code, expected = full_clone_report(origin, capsys)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")

    code, report, err = run_check(work, capsys, "--base", "origin/main")

    assert (code, report) == (expected_code, expected)
    assert "--deepen=2 " in err and "--deepen=4 " in err and "--unshallow" in err
    assert not is_shallow(work)


def test_a_base_already_in_the_history_is_not_fetched_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GitLab's 20 commits hold main's tip when the branch is fresh: only the ref is written; fetching
    it with --depth=1 would cut the history below it."""
    origin = make_origin(tmp_path, before=30, after=0)  # main has not moved since the fork
    expected_code, expected = full_clone_report(origin, capsys)
    work = checkout_like_github(origin, tmp_path / "work", depth=20)
    shallow_before = (work / ".git" / "shallow").read_text()

    code, report, err = run_check(work, capsys, "--base", "origin/main")

    assert (code, report) == (expected_code, expected)
    assert "git fetch" not in err
    assert (work / ".git" / "shallow").read_text() == shallow_before
    assert git(work, "rev-parse", "origin/main").strip() == git(origin, "rev-parse", "main").strip()


def test_base_main_when_only_origin_main_exists(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    origin = make_origin(tmp_path, after=2)
    expected_code, expected = full_clone_report(origin, capsys)

    # not in the clone at all: fetched into refs/remotes/origin/main, no local branch made
    work = clone(origin, tmp_path / "shallow", "--depth", "1", "--branch", "pr")
    code, report, err = run_check(work, capsys, "--base", "main")
    assert (code, report) == (expected_code, expected)
    assert "+refs/heads/main:refs/remotes/origin/main" in err
    untouched(work)

    # a full clone of the branch has origin/main: `main` is taken as it, as `git checkout main` does
    work = clone(origin, tmp_path / "full", "--branch", "pr")
    assert "refs/heads/main" not in git(work, "for-each-ref")
    code, report, err = run_check(work, capsys, "--base", "main")
    assert (code, report) == (expected_code, expected)
    assert "git fetch" not in err


def test_base_given_as_a_tag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    origin = make_origin(tmp_path)
    git(origin, "tag", "-a", "-m", "发布", "v1", "main")
    expected_code, expected = full_clone_report(origin, capsys)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")

    code, report, err = run_check(work, capsys, "--base", "v1")

    assert (code, report) == (expected_code, expected)
    assert "+refs/tags/v1:refs/tags/v1" in err


@pytest.mark.parametrize("remote", ["removed", "unreachable"])
def test_no_remote_to_fetch_from_says_what_to_set_in_ci(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], remote: str
) -> None:
    origin = make_origin(tmp_path)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")
    if remote == "removed":
        git(work, "remote", "remove", "origin")
    else:
        git(work, "remote", "set-url", "origin", url(tmp_path / "gone"))

    code, report, err = run_check(work, capsys, "--base", "origin/main")

    assert (code, report) == (2, {})
    assert "找不到提交 'origin/main'" in err
    assert "fetch-depth: 0" in err and "actions/checkout" in err
    assert (
        "GIT_DEPTH: 0" in err and "CI_MERGE_REQUEST_TARGET_BRANCH_SHA" in err and "DIFF_BASE_SHA" not in err
    )
    assert "git fetch --unshallow" in err
    if remote == "unreachable":
        assert "从远程仓库 origin 取得失败" in err and "git fetch origin main" in err
    else:
        assert "没有可以从中取得的远程仓库" in err
    untouched(work)


def test_merge_base_out_of_reach_and_no_remote(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Both branches fetched at depth 1 and the remote gone: not "no common ancestor", but what to do."""
    origin = make_origin(tmp_path, after=2)
    work = clone(origin, tmp_path / "work", "--depth", "1", "--no-single-branch", "--branch", "pr")
    git(work, "remote", "set-url", "origin", url(tmp_path / "gone"))

    code, _, err = run_check(work, capsys, "--base", "origin/main")

    assert code == 2
    assert "浅克隆" in err and "origin/main 与 HEAD 的共同祖先" in err and "加深历史失败" in err
    assert "fetch-depth: 0" in err and "GIT_DEPTH" in err
    assert "没有共同祖先" not in err


def test_unrelated_histories_are_still_reported_as_such(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    origin = make_origin(tmp_path)
    git(origin, "checkout", "-q", "--orphan", "other")
    commit(origin, "另起炉灶")
    git(origin, "checkout", "-q", "main")
    work = clone(origin, tmp_path / "work", "--depth", "1", "--branch", "pr")

    code, _, err = run_check(work, capsys, "--base", "origin/other")

    assert code == 2 and "没有共同祖先" in err
    assert not is_shallow(work)  # it looked everywhere before saying so
