"""Applicable law per act: each record judged by the regulation in force in its district on its date.

A synthetic predecessor of 闵行 2025 (a copy under the 2023 document's name, in force until the 2025
regulation took effect) shows a project declared under the old regulation whose acceptance and
operation are judged by the new one, each finding saying which regulation judged it.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from support import base_project, govsite, make_registry

PATH = "submissions/minhang/MH-2024-003.yaml"


def running_project(**extra: Any) -> dict[str, Any]:
    data = base_project(
        id="MH-2024-003",
        name="闵行区示例业务管理平台项目",  # not the 第十四条 form: a finding about the declaration
        budget_year=2024,
        stage="in_operation",
        stages=[
            {"stage": "declared", "date": "2023-09-01"},
            {"stage": "intake", "date": "2023-09-05"},
            {"stage": "in_library", "date": "2023-10-10", "outcome": "supported"},
            {"stage": "approved", "date": "2024-01-15", "ref": "闵数批〔2024〕3号"},
            {"stage": "under_construction", "date": "2024-02-01"},
            {"stage": "accepted", "date": "2026-01-10"},
            {"stage": "in_operation", "date": "2026-01-20"},
        ],
        # accepted under the 2025 regulation, never reported to the data bureau (第二十九条: 两周内报备)
        acceptance=[{"level": "single", "date": "2026-01-10", "result": "passed"}],
    )
    data.update(extra)
    return data


def with_predecessor(root: Path, transition: str | None = None) -> None:
    old = root / "policies" / "minhang-2023"
    shutil.copytree(root / "policies" / "minhang-2025", old)
    text = (old / "policy.yaml").read_text(encoding="utf-8")
    text = text.replace("id: minhang-2025", "id: minhang-2023")
    text = text.replace("document_number: 闵府办发〔2025〕24号", "document_number: 闵府办发〔2023〕29号")
    text = text.replace(
        "title: 闵行区政务数字化项目全生命周期管理办法", "title: 闵行区政务信息化项目管理办法"
    )
    text = re.sub(r"(?m)^issued: .*$", "issued: 2023-06-01", text)
    text = re.sub(r"(?m)^effective: .*$", "effective: 2023-06-01", text)
    text = re.sub(r"(?ms)^supersedes:\n(  - .*?\n    title: .*?\n)", "supersedes: []\n", text)
    (old / "policy.yaml").write_text(text, encoding="utf-8")
    if transition:
        new = root / "policies" / "minhang-2025" / "policy.yaml"
        new.write_text(new.read_text(encoding="utf-8") + f"transition: {transition}\n", encoding="utf-8")


def judged(root: Path, *extra: str) -> tuple[dict[str, Any], str]:
    done = govsite("validate", PATH, "--format", "json", "--today", "2026-03-02", *extra, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    text = govsite("validate", PATH, "--today", "2026-03-02", cwd=root).stdout
    [project] = json.loads(done.stdout)["projects"]
    return project, text


def by_policy(project: dict[str, Any]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for f in project["findings"]:
        found.setdefault(f["policy"] or "", set()).add(f["rule"])
    return found


def test_later_acts_are_judged_by_the_successor_and_earlier_ones_by_the_predecessor(tmp_path: Path) -> None:
    root = make_registry(tmp_path, {PATH: running_project()})
    with_predecessor(root)
    project, text = judged(root)

    assert project["policy"]["id"] == "minhang-2025"  # the act being decided: operation in 2026
    assert [p["id"] for p in project["policies"]] == ["minhang-2025", "minhang-2023"]
    rules = by_policy(project)
    assert "MH-08" in rules["minhang-2023"] and "MH-08" not in rules.get(
        "minhang-2025", set()
    )  # naming: 2023
    assert "MH-20" in rules["minhang-2025"]  # the acceptance of 2026, under the 2025 regulation
    # the text says which regulation judged each finding
    assert "[MH-08 第十四条 · 闵府办发〔2023〕29号]" in text
    assert re.search(r"\[MH-20 [^\]]* · 闵府办发〔2025〕24号\]", text)
    assert "此前的记录按：闵行区政务信息化项目管理办法（闵府办发〔2023〕29号）" in text


def test_without_a_pack_for_the_predecessor_later_acts_are_still_judged(tmp_path: Path) -> None:
    """Every running 闵行 system declared before 2025-11-26 used to be judged by nothing."""
    root = make_registry(tmp_path, {PATH: running_project()})
    project, _ = judged(root)
    assert project["policy"]["id"] == "minhang-2025"
    rules = by_policy(project)
    assert "MH-20" in rules["minhang-2025"]
    assert "MH-08" not in rules["minhang-2025"]  # the declaration was not the 2025 regulation's to judge
    [note] = [f for f in project["findings"] if f["rule"] == "policy"]
    assert note["severity"] == "info" and "2025-11-26 之前的记录按当时的政策办理" in note["message"]


@pytest.mark.parametrize(
    ("until", "acceptance_under"), [("in_operation", "minhang-2023"), ("accepted", "minhang-2025")]
)
def test_a_transition_clause_keeps_declared_projects_under_the_predecessor(
    tmp_path: Path, until: str, acceptance_under: str
) -> None:
    root = make_registry(tmp_path, {PATH: running_project()})
    with_predecessor(root, transition=f"{{until: {until}}}")
    project, _ = judged(root)
    rules = by_policy(project)
    assert "MH-20" in rules[acceptance_under]
