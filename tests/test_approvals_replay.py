"""The sample registry replayed as a history of pull requests with signed approvals (tests/replay.py):
`govsite audit` passes on it except for the projects replayed wrongly on purpose, and the site built
from it shows each project's approvals — who, in which role, when, under which article, verified or not."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from replay import STALE, UNAPPROVED, Replay, replay_samples
from support import govsite


@pytest.fixture(scope="module")
def replayed(tmp_path_factory: pytest.TempPathFactory) -> Replay:
    root = tmp_path_factory.mktemp("replay")
    return replay_samples(root / "registry", root / "keys")


@pytest.fixture(scope="module")
def audited(replayed: Replay) -> tuple[int, dict[str, Any]]:
    done = govsite("audit", "--format", "json", cwd=replayed.root)
    assert done.returncode in (0, 1), done.stderr
    return done.returncode, json.loads(done.stdout)


def test_audit_passes_except_for_the_projects_built_to_show_a_finding(
    replayed: Replay, audited: tuple[int, dict[str, Any]]
) -> None:
    code, report = audited
    assert code == 1
    failing = {
        (e["project"], replayed.merged[e["project"]].index(e["commit"]))
        for e in report["events"]
        if not e["ok"]
    }
    assert failing == {UNAPPROVED, STALE}
    checked = [e for e in report["events"] if not e["before_audit"]]
    assert len(checked) == sum(len(c) for c in replayed.merged.values()) > 300
    states = {r["state"] for e in checked for r in e["decision"]["roles"]}
    assert states == {"approved", "missing", "stale"}


def test_the_findings_name_commit_project_rule_and_article(
    replayed: Replay, audited: tuple[int, dict[str, Any]]
) -> None:
    _, report = audited
    [unapproved] = [e for e in report["events"] if e["project"] == UNAPPROVED[0] and not e["ok"]]
    assert unapproved["commit"] == replayed.merged[UNAPPROVED[0]][UNAPPROVED[1]]
    for finding in unapproved["findings"]:
        assert finding["rule"] and finding["message"].startswith(
            f"提交 {unapproved['commit'][:12]}（{UNAPPROVED[0]}"
        )
    assert any(f["article"] for f in unapproved["findings"])
    [stale] = [e for e in report["events"] if e["project"] == STALE[0] and not e["ok"]]
    assert all("审批的是另一个版本" in f["message"] for f in stale["findings"])


@pytest.mark.slow
def test_the_site_shows_each_projects_approvals(replayed: Replay) -> None:
    out = replayed.root / "site"
    done = govsite("build", "--out", str(out), "--today", "2026-11-22", cwd=replayed.root)
    assert done.returncode == 0, done.stderr
    page = (out / "projects" / "MH-2025-001" / "index.html").read_text(encoding="utf-8")
    section = page[page.index('id="审批记录"') : page.index('id="需要审批的机构"')]
    rows = re.findall(r"<tr>(.*?)</tr>", section, re.S)
    assert len(rows) > 3
    assert "区数据局" in section and "minhang审核人" in section and "第十五条" in section
    assert "✅" in section and "已核验" in section and "⚠" not in section
    bad = (out / "projects" / UNAPPROVED[0] / "index.html").read_text(encoding="utf-8")
    assert "⚠️ 待审批" in bad[bad.index('id="审批记录"') :]
    assert Path(out / "index.html").is_file()
