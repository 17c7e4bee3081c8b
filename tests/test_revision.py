"""A revised regulation as a pack that `extends` its predecessor: a few lines, judged from its own
date, its inherited examples moved into its window, its changes shown in the handbook; packs of
one district in force at once without saying which replaces which are refused."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import POLICIES, dump_yaml, govsite

from govsite.errors import GovsiteError
from govsite.policy.pack import load_packs

REVISION = """\
# 闵行区办法的修订（测试用）：自 2027-03-01 起，重大项目的投资标准由 500 万元提高到 800 万元。
id: minhang-2027
extends: minhang-2025
title: 闵行区政务数字化项目全生命周期管理办法（2027 年修订）
document_number: 闵府办发〔2027〕1号
issued: 2027-01-15
effective: 2027-03-01
params:
  major_investment: 800
"""


def _registry(tmp_path: Path) -> Path:
    root = tmp_path / "registry"
    (root / "policies").mkdir(parents=True)
    shutil.copytree(POLICIES / "minhang-2025", root / "policies" / "minhang-2025")
    (root / "policies" / "minhang-2027").mkdir()
    (root / "policies" / "minhang-2027" / "policy.yaml").write_text(REVISION, encoding="utf-8")
    (root / "govsite.toml").write_text('[registry]\ndistricts = ["minhang"]\n', encoding="utf-8")
    (root / "submissions" / "minhang").mkdir(parents=True)
    return root


def _declared(project_id: str, day: dt.date, total: float) -> dict[str, Any]:
    data: dict[str, Any] = copy.deepcopy(
        yaml.safe_load((POLICIES / "minhang-2025" / "examples" / "base.yaml").read_text(encoding="utf-8"))
    )
    data.update(id=project_id, budget={"total": total}, stage="declared", budget_year=day.year + 1)
    data["stages"] = [{"stage": "declared", "date": day}]
    for material in data.get("materials", []):
        material["date"] = day
    return data


def test_the_revision_is_under_twenty_lines() -> None:
    assert len(REVISION.splitlines()) < 20


def test_projects_on_either_side_of_the_date_are_judged_by_the_right_pack(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    folder = root / "submissions" / "minhang"
    # 600 万元: major under the 2025 regulation (≥ 500), not under the revision (≥ 800)
    (folder / "MH-2027-001.yaml").write_text(
        dump_yaml(_declared("MH-2027-001", dt.date(2027, 2, 26), 600)), encoding="utf-8"
    )
    (folder / "MH-2027-002.yaml").write_text(
        dump_yaml(_declared("MH-2027-002", dt.date(2027, 3, 1), 600)), encoding="utf-8"
    )
    done = govsite("validate", "--format", "json", cwd=root, env={"GOVSITE_TODAY": "2027-03-02"})
    assert done.returncode in (0, 1), done.stderr
    by_id = {p["project"]: p for p in json.loads(done.stdout)["projects"]}
    before, after = by_id["MH-2027-001"], by_id["MH-2027-002"]
    assert before["policy"]["id"] == "minhang-2025" and before["facts"]["major"] is True
    assert after["policy"]["id"] == "minhang-2027" and after["facts"]["major"] is False


def test_the_revisions_own_examples_and_the_inherited_ones_pass(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    done = govsite("policy", "test", "--pack", "minhang-2027", cwd=root)
    assert done.returncode == 0, done.stdout + done.stderr
    packs = {p.id: p for p in load_packs(root / "policies")}
    assert f"1 个政策包，{len(packs['minhang-2025'].rules)} 条规则" in done.stdout  # every rule inherited
    revision, original = packs["minhang-2027"], packs["minhang-2025"]
    mh03 = next(r for r in revision.rules if r.spec.id == "MH-03")
    assert mh03.inherited_from == "minhang-2025"
    assert "批复建设总投资 800 万元及以上" in mh03.spec.text  # prose follows {params.major_investment}
    assert any(e.name == "总投资 800 万即为重大" for e in mh03.spec.examples)
    # moved into the revision's window, by whole years
    first = original.example_base["stages"][0]["date"]
    moved = revision.example_base["stages"][0]["date"]
    assert moved >= revision.meta.effective and (moved.month, moved.day) == (first.month, first.day)
    assert (
        revision.example_base["budget_year"] - original.example_base["budget_year"] == moved.year - first.year
    )
    # an example about one year's holidays is not inherited
    mh09 = next(r for r in revision.rules if r.spec.id == "MH-09")
    assert not any(e.keep_dates for e in mh09.spec.examples)


def test_the_handbook_shows_what_the_revision_changes(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    done = govsite("build", "--markdown-only", cwd=root, env={"GOVSITE_TODAY": "2027-03-02"})
    assert done.returncode == 0, done.stderr
    page = (root / "build" / "docs" / "handbook" / "minhang-2027.md").read_text(encoding="utf-8")
    section = page[page.index("## 与上一版相比") : page.index("下面逐条列出条文")]
    assert '<a href="../minhang-2025/">minhang-2025</a>' in section
    assert "| 参数 | major&#95;investment |  | 500 | 800 |" in section
    assert "| 规则 | MH&#45;03 | 重大数字化项目的认定 | 说明 | 已修改 |" in section
    assert section.count("\n| ") == 3  # the header and the two changes: nothing else differs
    assert "《闵行区政务数字化项目全生命周期管理办法》（闵府办发〔2025〕24号）" in page  # supersedes


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda text: text.replace("extends: minhang-2025\n", ""), "同时有效"),
        (
            lambda text: text.replace("extends: minhang-2025", "extends: minhang-2024"),
            "找不到 extends 的政策包 minhang-2024",
        ),
        (lambda text: text + "drop_rules: [MH-99]\n", "minhang-2025 中没有规则 MH-99"),
    ],
)
def test_a_revision_that_does_not_say_what_it_replaces_is_refused(
    tmp_path: Path, edit: Any, expected: str
) -> None:
    root = _registry(tmp_path)
    policy = root / "policies" / "minhang-2027" / "policy.yaml"
    text = edit(REVISION)
    if "extends" not in text:  # a whole pack, not a revision: a copy with only the dates changed
        shutil.rmtree(policy.parent)
        shutil.copytree(POLICIES / "minhang-2025", policy.parent)
        original = (policy.parent / "policy.yaml").read_text(encoding="utf-8")
        policy.write_text(
            original.replace("id: minhang-2025", "id: minhang-2027").replace(
                "effective: 2025-11-26", "effective: 2027-03-01"
            ),
            encoding="utf-8",
        )
    else:
        policy.write_text(text, encoding="utf-8")
    with pytest.raises(GovsiteError, match=expected):
        load_packs(root / "policies")
    # in a run, the district's projects are told; the tool does not stop
    done = govsite("validate", cwd=root, env={"GOVSITE_TODAY": "2027-03-02"})
    assert done.returncode == 0 and expected in done.stdout


def test_dropping_a_rule_and_replacing_one(tmp_path: Path) -> None:
    root = _registry(tmp_path)
    folder = root / "policies" / "minhang-2027"
    (folder / "policy.yaml").write_text(REVISION + "drop_rules: [MH-31]\n", encoding="utf-8")
    (folder / "rules").mkdir()
    mh05 = (POLICIES / "minhang-2025" / "rules" / "MH-05.yaml").read_text(encoding="utf-8")
    (folder / "rules" / "MH-05.yaml").write_text(
        mh05.replace("title: ", "title: （修订）", 1), encoding="utf-8"
    )
    packs = {p.id: p for p in load_packs(root / "policies")}
    rules = {r.spec.id: r for r in packs["minhang-2027"].rules}
    assert "MH-31" not in rules and "MH-31" in {r.spec.id for r in packs["minhang-2025"].rules}
    assert rules["MH-05"].spec.title.startswith("（修订）") and rules["MH-05"].inherited_from is None
    assert rules["MH-05"].path == folder / "rules" / "MH-05.yaml"
