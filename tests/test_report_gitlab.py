"""Forges without GitHub's annotations: the GitLab Code Quality report (`--format gitlab`) and the
Markdown comment (`--format markdown`) posted on Gitea, Forgejo and in GitLab notes.

The Code Quality report is checked against tests/schemas/gitlab-codequality.schema.json, written from
GitLab's documentation of the format (docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import markdown
import pytest
from github_runner import commands
from support import REPO, base_project, make_registry, write_project

from govsite.cli import main
from govsite.findings import Finding, Severity
from govsite.report.github import render_summary
from govsite.report.gitlab import SEVERITY, render_gitlab
from govsite.result import ProjectResult, RunResult
from govsite.safetext import escape_markdown

SCHEMA = json.loads((Path(__file__).parent / "schemas" / "gitlab-codequality.schema.json").read_text("utf-8"))
SITE = "https://xm.example.gov.cn/"
TODAY = "2026-03-03"
# a sample with a known error: two categories of 附件1's negative list (MH-02), on one line
NEGATIVE = "submissions/minhang/MH-2026-005.yaml"
# a declaration without its requirement record (第九条): a warning only
LATE = "submissions/minhang/MH-2026-001.yaml"


@pytest.fixture(autouse=True)
def no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GOVSITE_NO_CACHE", "1")


def registry(tmp_path: Path, site: str | None = SITE) -> Path:
    late = base_project()
    late["stages"] = [{"stage": "declared", "date": "2026-03-02"}]
    root = make_registry(tmp_path / "registry", {LATE: late})
    write_project(root, NEGATIVE, (REPO / NEGATIVE).read_text(encoding="utf-8"))
    if site:
        (root / "govsite.toml").write_text(f'[site]\nurl = "{site}"\n', encoding="utf-8")
    return root


def run_cli(capsys: pytest.CaptureFixture[str], root: Path, fmt: str, today: str = TODAY) -> tuple[int, str]:
    code = main(["validate", "--root", str(root), "--today", today, "--format", fmt])
    out, err = capsys.readouterr()
    assert err == ""
    return code, out


def issues_of(text: str) -> list[dict[str, Any]]:
    data = json.loads(text)
    jsonschema.validate(data, SCHEMA)
    assert isinstance(data, list)
    return data


def finding(line: int | None, **extra: Any) -> Finding:
    fields: dict[str, Any] = {
        "rule": "MH-08",
        "severity": Severity.ERROR,
        "message": "名称不合规",
        "hint": "改名",
        "article": "第十四条",
        "field": ("name",),
        "line": line,
        "column": 7,
        "policy": "minhang-2025",
    }
    return Finding(**{**fields, **extra})


def one_file(*findings: Finding, path: str = "submissions/minhang/MH-2026-009.yaml") -> RunResult:
    return RunResult(projects=[ProjectResult(path=path, findings=list(findings))], site_url=SITE)


# ---- the Code Quality report ----


def test_the_report_is_valid_code_quality_and_says_what_the_annotation_says(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = registry(tmp_path)
    code, out = run_cli(capsys, root, "gitlab")
    assert code == 1  # the exit code is the run's, whatever the format
    assert out.endswith("\n") and not out.startswith("\ufeff")
    issues = issues_of(out)

    negative = [i for i in issues if i["location"]["path"] == NEGATIVE]
    assert [i["check_name"] for i in negative] == ["MH-02", "MH-02"]
    assert {i["severity"] for i in negative} == {"critical"}
    lines = (root / NEGATIVE).read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.startswith("category:"))
    assert {i["location"]["lines"]["begin"] for i in negative} == {line}
    first = negative[0]["description"]
    assert first.startswith("[MH-02 第三条、附件1] 项目类别 converged_communication 属于附件1")
    assert " 处理建议：负面清单内的购买或服务按部门一般预算支出办理" in first
    assert first.endswith(f" 条文与规则：{SITE}handbook/minhang-2025/#rule-MH-02")

    late = [i for i in issues if i["location"]["path"] == LATE]
    assert late and {i["severity"] for i in late} == {"minor"}

    # the fingerprints are the report's own: two findings of one rule on one line stay two
    fingerprints = [i["fingerprint"] for i in issues]
    assert len(set(fingerprints)) == len(fingerprints)
    # … and the run's: the same files give the same report, byte for byte
    assert run_cli(capsys, root, "gitlab")[1] == out


def test_fingerprints_survive_a_line_inserted_above(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = registry(tmp_path)
    before = issues_of(run_cli(capsys, root, "gitlab")[1])
    target = root / NEGATIVE
    target.write_text(
        "# 补充说明：本项目已与区建管委核对\n" + target.read_text(encoding="utf-8"), encoding="utf-8"
    )
    after = issues_of(run_cli(capsys, root, "gitlab")[1])

    assert [i["fingerprint"] for i in after] == [i["fingerprint"] for i in before]
    for old, new in zip(before, after, strict=True):
        shift = 1 if old["location"]["path"] == NEGATIVE else 0
        assert new["location"]["lines"]["begin"] == old["location"]["lines"]["begin"] + shift


@pytest.mark.parametrize(
    "change",
    [
        lambda i: i.pop("check_name"),
        lambda i: i.pop("fingerprint"),
        lambda i: i.update(severity="error"),
        lambda i: i["location"].update(path="./submissions/minhang/MH-2026-009.yaml"),
        lambda i: i["location"]["lines"].update(begin=0),
        lambda i: i["location"]["lines"].update(begin="3"),
        lambda i: i["location"].pop("lines"),
    ],
)
def test_the_schema_refuses_what_gitlab_would(change: Any) -> None:
    [issue] = issues_of(render_gitlab(one_file(finding(3))))
    change(issue)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate([issue], SCHEMA)


def test_a_clean_registry_gives_an_empty_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_registry(tmp_path / "clean", {LATE: base_project()})
    code, out = run_cli(capsys, root, "gitlab", today="2025-12-02")
    assert (code, out) == (0, "[]\n")
    assert render_gitlab(RunResult()) == "[]\n"
    issues_of(out)


def test_severity_mapping() -> None:
    assert SEVERITY == {Severity.ERROR: "critical", Severity.WARNING: "minor", Severity.INFO: "info"}
    run = one_file(
        finding(2),
        finding(3, severity=Severity.WARNING, rule="MH-05"),
        finding(4, severity=Severity.INFO, rule="MH-06"),
    )
    assert [i["severity"] for i in issues_of(render_gitlab(run))] == ["critical", "minor", "info"]


def test_equal_findings_get_distinct_fingerprints_that_follow_them_when_lines_move() -> None:
    first = issues_of(render_gitlab(one_file(finding(3), finding(7))))
    moved = issues_of(render_gitlab(one_file(finding(5), finding(12))))
    assert first[0]["fingerprint"] != first[1]["fingerprint"]
    assert [i["fingerprint"] for i in moved] == [i["fingerprint"] for i in first]
    # what the finding is about is part of it: another file, field, rule or message is another finding
    base = first[0]["fingerprint"]
    for other in (
        one_file(finding(3), path="submissions/minhang/MH-2026-010.yaml"),
        one_file(finding(3, field=("name", 0))),
        one_file(finding(3, field=("name", "0"))),
        one_file(finding(3, rule="MH-09")),
        one_file(finding(3, message="名称仍不合规")),
    ):
        assert issues_of(render_gitlab(other))[0]["fingerprint"] != base
    # the hint, the article and the severity are how it is reported, not what it is
    [reworded] = issues_of(render_gitlab(one_file(finding(3, hint="另一建议", severity=Severity.WARNING))))
    assert reworded["fingerprint"] == base


def test_locations_are_repository_paths_and_a_finding_without_a_line_is_on_line_1() -> None:
    run = one_file(finding(None), finding(0, rule="schema"), path=".\\submissions\\minhang\\MH-2026-009.yaml")
    issues = issues_of(render_gitlab(run))
    assert [i["location"] for i in issues] == [
        {"path": "submissions/minhang/MH-2026-009.yaml", "lines": {"begin": 1}},
    ] * 2


def test_the_description_shows_file_text_as_text() -> None:
    hostile = "名称\x1b[2J\u202e伪造\n第二行"
    [issue] = issues_of(render_gitlab(one_file(finding(2, message=hostile, hint="x\ty"))))
    text = issue["description"]
    assert not any(ord(c) < 32 or c == "\u202e" for c in text)
    assert "\\x1b[2J\\u202e伪造\\x0a第二行" in text
    # no site URL, no handbook link; a loader finding has none either
    for run in (
        RunResult(projects=one_file(finding(2)).projects),
        one_file(finding(2, rule="schema", policy="")),
    ):
        [plain] = issues_of(render_gitlab(run))
        assert "条文与规则" not in plain["description"]


# ---- the Markdown comment ----


def test_the_comment_carries_everything_each_annotation_carries(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = registry(tmp_path)
    annotations = [c for c in commands(run_cli(capsys, root, "github")[1]) if "file" in c.properties]
    comment = run_cli(capsys, root, "markdown")[1]
    label = {"error": "错误", "warning": "警告", "notice": "提示"}
    assert {c.name for c in annotations} == {"error", "warning"}
    rows = [row for row in comment.splitlines() if row.startswith("| ") and ":" in row.split("|")[1]]
    for annotation in annotations:
        where = (
            f"| {escape_markdown(annotation.properties['file'])}:"
            f"{annotation.properties['line']}:{annotation.properties['col']} "
        )
        row = next(
            r for r in rows if r.startswith(where) and escape_markdown(annotation.data.split("\n")[0]) in r
        )
        assert f"| {label[annotation.name]} | {annotation.properties['title']} |" in row
        for part in annotation.data.split("\n")[1:]:
            if part.startswith("条文与规则："):
                assert f"条文与规则：<{part.removeprefix('条文与规则：')}>" in row
            else:
                assert escape_markdown(part) in row

    html = markdown.markdown(comment, extensions=["tables"])
    assert f'<a href="{SITE}handbook/minhang-2025/#rule-MH-02">' in html


def test_the_comment_has_no_handbook_link_without_a_site_url(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    comment = run_cli(capsys, registry(tmp_path, site=None), "markdown")[1]
    assert "处理建议：" in comment and "条文与规则" not in comment


def test_the_comment_row_of_a_finding() -> None:
    run = one_file(finding(2))
    assert (
        "| submissions&#47;minhang&#47;MH&#45;2026&#45;009&#46;yaml:2:7 | 错误 | MH-08 第十四条 "
        f"| 名称不合规<br>处理建议：改名<br>条文与规则：<{SITE}handbook/minhang-2025/#rule-MH-08> |"
    ) in render_summary(run)


def test_the_handbook_link_cannot_leave_its_autolink_or_cell() -> None:
    run = one_file(finding(2))
    run.site_url = "https://xm.example.gov.cn/a|b c>d<e(f)/"
    summary = render_summary(run)
    assert (
        "<https://xm.example.gov.cn/a%7Cb%20c%3Ed%3Ce%28f%29/handbook/minhang-2025/#rule-MH-08> |" in summary
    )
    html = markdown.markdown(summary, extensions=["tables"])
    assert html.count("<td>") == 4 and html.count("<a ") == 1
