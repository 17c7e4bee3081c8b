"""Every name a rule uses is checked when its pack loads, at its file and line, with a suggestion:
each case misspells one thing in a copy of a real rule and expects the loader to say where and
what it should be."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import POLICIES

from govsite.errors import GovsiteError
from govsite.policy.pack import load_pack

MH06 = "rules/MH-06.yaml"
# (rule file, text to replace, replacement, the line it is on, what the loader must say)
CASES = [
    pytest.param(MH06, "  build: project.attributes.unified_build", "  build: project.atributes.unified_build",
                 "let.build：project 没有字段 atributes，是不是 attributes？", id="field"),
    pytest.param(MH06, "project.attributes.unit_level == 'town'", "project.attributes.unit_levl == 'town'",
                 "let.town_with_departments：project.attributes 没有字段 unit_levl，是不是 unit_level？",
                 id="nested-field"),
    pytest.param(MH06, "  departments: join(", "  departments: jion(",
                 "let.departments：没有函数 jion()，是不是 join？", id="function"),
    pytest.param(MH06, "  - when: v.submitting && v.build == 'yiwangtongban'",
                 "  - when: v.submiting && v.build == 'yiwangtongban'",
                 "routes[1].when：let 中没有 submiting，是不是 submitting？", id="let"),
    pytest.param(MH06, "'{platform}统建的业务需求", "'{platfrom}统建的业务需求",
                 "checks[0].message：占位符 {platfrom} 没有值，是不是 platform？（可用：build、center、departments、id、index、joint、name、platform、submitting、town_with_departments、params.名字）",
                 id="placeholder"),
    pytest.param(MH06, "kind: [route, gate]", "kind: [route, gates]",
                 "kind：kind 中没有 gates，是不是 gate？（可用：scope、class、name、gate、route、clock、change、cross、cost、score）",
                 id="kind"),
    pytest.param(MH06, "    field: materials", "    field: materails",
                 "checks[0].field：field materails：没有字段 materails，是不是 materials？", id="field-path"),
    pytest.param(MH06, "    field: materials", "    field: attributes.unit_levl",
                 "checks[0].field：field attributes.unit_levl：没有字段 unit_levl，是不是 unit_level？",
                 id="nested-field-path"),
    pytest.param(MH06, "  - when: v.submitting\n    role: data_bureau",
                 "  - when: transiton.new\n    role: data_bureau",
                 "routes[0].when：没有变量 transiton，是不是 transition？", id="variable"),
]  # fmt: skip


def _line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(("rule", "old", "new", "expected"), CASES)
def test_a_misspelt_name_is_reported_at_load_with_file_line_and_suggestion(
    tmp_path: Path, rule: str, old: str, new: str, expected: str
) -> None:
    pack = shutil.copytree(POLICIES / "minhang-2025", tmp_path / "minhang-2025")
    path = pack / rule
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(GovsiteError) as raised:
        load_pack(pack)
    problems = raised.value.message.splitlines()[1:]
    assert len(problems) == 1, problems  # reported once, not again where the let is used
    # reported at the YAML key whose value is wrong: for a folded expression, the key's own line
    lines = text.splitlines()
    key = _line_of(text, old)
    while lines[key - 1].startswith("    ") and ":" not in lines[key - 1]:
        key -= 1
    assert problems[0].strip() == f"{path}:{key}: {expected}"


def test_item_of_a_filtered_for_each_has_the_elements_fields(tmp_path: Path) -> None:
    pack = shutil.copytree(POLICIES / "yangpu-2023", tmp_path / "yangpu-2023")
    path = pack / "rules" / "YP-30.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("evaluated_on: item.date", "evaluated_on: item.datex", 1), encoding="utf-8")
    with pytest.raises(GovsiteError, match="item 没有字段 datex，是不是 date？"):
        load_pack(pack)


def test_a_comprehension_variable_has_the_elements_fields(tmp_path: Path) -> None:
    pack = shutil.copytree(POLICIES / "qingpu-2024", tmp_path / "qingpu-2024")
    path = pack / "rules" / "QP-07.yaml"
    text = path.read_text(encoding="utf-8")
    assert "exists(u, u.names" in text
    path.write_text(text.replace("exists(u, u.names", "exists(u, u.namez", 1), encoding="utf-8")
    with pytest.raises(GovsiteError, match="u 没有字段 namez，是不是 name"):
        load_pack(pack)


def test_params_in_text_must_exist(tmp_path: Path) -> None:
    pack = shutil.copytree(POLICIES / "minhang-2025", tmp_path / "minhang-2025")
    path = pack / "rules" / "MH-06.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("title: 业务需求的提交", "title: 业务需求（{params.major_investmnt} 万元）的提交", 1),
        encoding="utf-8",
    )
    with pytest.raises(GovsiteError, match="params 中没有 major_investmnt，是不是 major_investment？"):
        load_pack(pack)


def test_every_shipped_pack_passes_the_name_check() -> None:
    for folder in sorted(POLICIES.iterdir()):
        if (folder / "policy.yaml").is_file():
            assert load_pack(folder).rules  # raises on any problem


def test_a_cel_syntax_error_is_said_in_chinese_at_its_line(tmp_path: Path) -> None:
    pack = shutil.copytree(POLICIES / "minhang-2025", tmp_path / "minhang-2025")
    path = pack / "rules" / "MH-06.yaml"
    text = path.read_text(encoding="utf-8")
    old = "applies: project.type == 'construction'"
    assert old in text
    path.write_text(text.replace(old, "applies: project.type ==", 1), encoding="utf-8")
    with pytest.raises(GovsiteError) as raised:
        load_pack(pack)
    line = _line_of(text, old)
    assert (
        f"{path}:{line}: CEL 表达式有误：'project.type =='：第 16 个字符处的表达式结尾不合语法"
        in raised.value.message
    )
