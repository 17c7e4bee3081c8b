"""A project is judged by the regulation in force for its district on its declaration date."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import POLICIES, base_project, govsite, make_registry, write_project

PATH = "submissions/minhang/MH-2026-001.yaml"


def declared_on(day: str) -> dict[str, Any]:
    data = base_project()
    data["stages"] = [{"stage": "requirement", "date": "2025-06-10"}, {"stage": "declared", "date": day}]
    data["budget_year"] = int(day[:4]) + 1
    return data


def judged_by(root: Path) -> dict[str, Any]:
    done = govsite("validate", "--format", "json", "--today", "2026-11-22", PATH, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    [project] = json.loads(done.stdout)["projects"]
    return project


@pytest.fixture
def two_generations(tmp_path: Path) -> Path:
    """The 2025 闵行 pack and a predecessor (a copy standing in for 闵府办发〔2023〕29号)."""
    root = make_registry(tmp_path)
    old = root / "policies" / "minhang-2023"
    shutil.copytree(root / "policies" / "minhang-2025", old)
    policy = old / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    text = text.replace("id: minhang-2025", "id: minhang-2023")
    text = text.replace("document_number: 闵府办发〔2025〕24号", "document_number: 闵府办发〔2023〕29号")
    text = re.sub(r"(?m)^issued: .*$", "issued: 2023-06-01", text)
    text = re.sub(r"(?m)^effective: .*$", "effective: 2023-06-01", text)
    text = re.sub(r"(?m)^lapses: .*$", "lapses: 2025-11-26", text)
    text = re.sub(r"(?ms)^supersedes:.*?(?=^source:)", "supersedes: []\n", text)
    policy.write_text(text, encoding="utf-8")
    return root


def test_the_day_before_and_the_day_of_the_effective_date(two_generations: Path) -> None:
    write_project(two_generations, PATH, declared_on("2025-11-25"))
    before = judged_by(two_generations)
    write_project(two_generations, PATH, declared_on("2025-11-26"))
    after = judged_by(two_generations)
    assert before["policy"]["document_number"] == "闵府办发〔2023〕29号"
    assert after["policy"]["document_number"] == "闵府办发〔2025〕24号"


def test_no_regulation_yet_is_a_warning_not_silence(tmp_path: Path) -> None:
    root = make_registry(tmp_path, {PATH: declared_on("2025-11-25")})
    project = judged_by(root)
    assert project["policy"] is None
    [warning] = [f for f in project["findings"] if f["rule"] == "policy"]
    assert warning["severity"] == "warning"
    assert "早于闵行区现有政策（闵府办发〔2025〕24号，2025-11-26 施行）" in warning["message"]
    assert "未按任何政策检查" in warning["message"]


def test_a_lapsed_regulation_is_named_with_its_lapse_date(tmp_path: Path) -> None:
    root = make_registry(tmp_path, {PATH: declared_on("2026-03-02")})
    policy = root / "policies/minhang-2025/policy.yaml"
    policy.write_text(
        re.sub(r"(?m)^lapses: .*$", "lapses: 2026-03-01", policy.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    project = judged_by(root)
    assert project["policy"] is None
    [warning] = [f for f in project["findings"] if f["rule"] == "policy"]
    assert "闵府办发〔2025〕24号 已于 2026-03-01 失效" in warning["message"]


@pytest.mark.parametrize(
    ("pack", "day", "expected"),
    [
        ("qingpu-2024", "2024-12-03", None),  # the day before 青数〔2024〕49号 took effect
        ("qingpu-2024", "2024-12-04", "青数〔2024〕49号"),
        ("longgang-2021", "2026-07-05", "深龙政数规〔2021〕1号"),  # the last day of its five years
        ("longgang-2021", "2026-07-06", None),  # lapsed
    ],
)
def test_real_regulations_across_their_dates(
    tmp_path: Path, pack: str, day: str, expected: str | None
) -> None:

    data = yaml.safe_load((POLICIES / pack / "examples" / "base.yaml").read_text(encoding="utf-8"))
    data["stages"] = [{"stage": "declared", "date": day}]
    data["stage"] = "declared"
    relative = f"submissions/{data['district']}/{data['id']}.yaml"
    root = make_registry(tmp_path, {relative: data})
    done = govsite("validate", "--format", "json", "--today", "2026-11-22", relative, cwd=root)
    [project] = json.loads(done.stdout)["projects"]
    text = govsite("validate", "--today", "2026-11-22", relative, cwd=root).stdout
    if expected is None:
        assert project["policy"] is None
        assert any(f["rule"] == "policy" and f["severity"] == "warning" for f in project["findings"])
    else:
        assert project["policy"]["document_number"] == expected
        assert f"适用政策：{project['policy']['title']}（{expected}）" in text
