"""The pack lint (run by `govsite policy test`): severity follows the article's wording unless a reason
is recorded, a quote must be the article's text, and no message has a placeholder without a value."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import POLICIES, govsite

from govsite.errors import GovsiteError
from govsite.policy.lint import lint, wording_severity
from govsite.policy.pack import load_pack


@pytest.mark.parametrize(
    ("wording", "severity"),
    [
        ("应当使用本区政务云资源", "error"),
        ("不得新建非涉密业务专网", "error"),
        ("原则上不允许自建", "warning"),
        ("原则上不得建设", "warning"),
        ("一般不超过项目建设费的10%", "warning"),
        ("供…参考", "warning"),
        ("可以采用询价方式", "warning"),
        ("应当编制可行性研究报告", "error"),  # 可 inside 可行性 is no permission
        ("可研报告批复后方可实施", "error"),
        ("各部门将业务需求提交至区数据局", "info"),  # 需 inside 需求 is no duty
        ("应用系统上线前", "info"),  # nor 应 inside 应用
    ],
)
def test_the_wording_decides_the_severity(wording: str, severity: str) -> None:
    assert wording_severity(wording) == severity


def problems(folder: Path) -> list[str]:
    return [f"{p.where}: {p.message}" for p in lint([load_pack(folder)])]


def test_the_repositorys_packs_pass_the_lint() -> None:
    from govsite.policy.pack import load_packs

    assert list(lint(load_packs(POLICIES))) == []


def test_a_severity_against_the_wording_without_a_reason_fails(tmp_path: Path) -> None:
    # MH-04: 第八条 "原则上不允许" gives a warning; made an error with no reason, it fails the lint
    folder = tmp_path / "pack"
    shutil.copytree(POLICIES / "minhang-2025", folder)
    path = folder / "rules" / "MH-04.yaml"
    text = path.read_text(encoding="utf-8")
    assert "    severity: warning\n" in text
    path.write_text(text.replace("    severity: warning\n", "    severity: error\n", 1), encoding="utf-8")
    found = problems(folder)
    assert any("级别为 error" in p and "对应 warning" in p and "severity_reason" in p for p in found), found


def test_a_quote_that_is_not_the_articles_text_fails(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(POLICIES / "minhang-2025", folder)
    path = folder / "rules" / "MH-07.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("wording: （一）项目建设方案", "wording: 必须提交项目建设方案", 1), encoding="utf-8"
    )
    found = problems(folder)
    assert any("不是所引条款" in p for p in found), found


def test_a_placeholder_with_no_value_fails(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    shutil.copytree(POLICIES / "minhang-2025", folder)
    path = folder / "rules" / "MH-07.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "message: 申报材料缺少项目建设方案（construction_plan）", "message: 申报材料缺少{plan_name}", 1
        ),
        encoding="utf-8",
    )
    # a placeholder is a name the rule uses: refused when the pack loads, at its line (test_pack_names.py)
    with pytest.raises(
        GovsiteError, match=r"MH-07\.yaml:\d+: checks\[0\]\.message：占位符 \{plan_name\} 没有值"
    ):
        load_pack(folder)


def test_policy_test_fails_on_a_lint_problem(tmp_path: Path) -> None:
    (tmp_path / "policies").mkdir()
    folder = tmp_path / "policies" / "minhang-2025"
    shutil.copytree(POLICIES / "minhang-2025", folder)
    path = folder / "rules" / "MH-07.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("wording: （一）项目建设方案", 'wording: ""', 1),
        encoding="utf-8",
    )
    done = govsite("policy", "test", "--rule", "MH-07", cwd=tmp_path)
    assert done.returncode == 1
    assert "LINT minhang-2025/MH-07/lint/checks[0]: 没有写 wording" in done.stdout
