"""Editor help: the JSON Schema names every field and every enum value in Chinese, per district with
the fields and material kinds its packs add; and a mistyped key or value gets a "did you mean"."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from support import POLICIES, REPO, base_project, dump_yaml

from govsite.policy.pack import load_packs
from govsite.schema import schemas
from govsite.validation import validate_project
from govsite.yamlload import load_text

SCHEMAS = schemas(load_packs(POLICIES))
CJK = re.compile(r"[\u4e00-\u9fff]")


def walk(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    found = []
    if isinstance(node, dict):
        found.append((where, node))
        for key, value in node.items():
            found += walk(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += walk(value, f"{where}/{index}")
    return found


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_enum_has_chinese_labels(name: str) -> None:
    enums = [(where, node) for where, node in walk(SCHEMAS[name]) if "enum" in node]
    assert enums
    for where, node in enums:
        labels = node.get("enumDescriptions")
        assert labels is not None and len(labels) == len(node["enum"]), where
        for value, label in zip(node["enum"], labels, strict=True):
            assert CJK.search(label), f"{name}{where}: {value!r} has no Chinese label ({label!r})"
        assert len(node["markdownEnumDescriptions"]) == len(node["enum"]), where


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_every_field_has_a_chinese_title(name: str) -> None:
    for where, node in walk(SCHEMAS[name]):
        for key, prop in (node.get("properties") or {}).items():
            assert CJK.search(prop.get("title", "")), f"{name}{where}/properties/{key}"


def test_a_district_schema_carries_its_fields_and_materials() -> None:
    qingpu = SCHEMAS["qingpu.schema.json"]
    assert qingpu["properties"]["district"]["const"] == "qingpu"
    local = qingpu["properties"]["local"]
    assert local["additionalProperties"] is False and "previous_submission" in local["properties"]
    kinds = qingpu["$defs"]["Material"]["properties"]["kind"]
    assert "construction_plan" in kinds["enum"] and "basis_documents" in kinds["enum"]
    assert "construction_plan" not in SCHEMAS["minhang.schema.json"]["properties"]["local"]["properties"]


def test_the_committed_schemas_are_the_generated_ones() -> None:
    for name, schema in SCHEMAS.items():
        committed = json.loads((REPO / "schema" / name).read_text(encoding="utf-8"))
        assert committed == schema, name


def messages(text: str) -> list[tuple[str, str]]:
    _project, findings = validate_project(load_text(text, "x.yaml"))
    return [(f.message, f.hint) for f in findings]


BASE = dump_yaml(base_project())


@pytest.mark.parametrize(
    ("edit", "message", "hint"),
    [
        (
            ("project_unit: 区示例局\n", "项目单位: 区示例局\n"),
            "未知字段“项目单位”",
            "是不是要写 project_unit（项目单位）？",
        ),
        (
            ("budget_authority:", "budget_authorty:"),
            "未知字段“budget_authorty”",
            "是不是要写 budget_authority（预算主管部门）？",
        ),
        (
            ("- application", "- 应用系统"),
            "“项目类别”（category[0]）的值“应用系统”不在允许范围内",
            "是不是要写 application（应用系统）？",
        ),
        (
            ("type: construction", "type: constrution"),
            "“项目类型”（type）的值“constrution”不在允许范围内",
            "是不是要写 construction（建设）？",
        ),
        (
            ("mode: new", "mode: 新建"),
            "“建设方式”（mode）的值“新建”不在允许范围内",
            "是不是要写 new（新建）？",
        ),
    ],
)
def test_a_mistyped_key_or_value_gets_a_did_you_mean(edit: tuple[str, str], message: str, hint: str) -> None:
    assert edit[0] in BASE
    found = messages(BASE.replace(*edit))
    assert any(m == message and h.startswith(hint) for m, h in found), found


def test_a_missing_field_is_named_in_chinese_with_its_key() -> None:
    found = messages(BASE.replace("project_unit: 区示例局\n", ""))
    message, hint = found[0]
    assert message == "缺少必填字段“项目单位”（project_unit）" and hint.startswith(
        "补上“项目单位”（project_unit）。"
    )


def test_the_template_points_at_its_districts_schema(tmp_path: Path) -> None:
    import datetime as dt

    from govsite.districts import DistrictKey
    from govsite.policy.pack import load_packs
    from govsite.scaffold import render_template

    load_packs(POLICIES)  # the districts come from the packs
    text = render_template("QP-2026-001", DistrictKey("qingpu"), dt.date(2026, 5, 15))
    assert "name: 青浦区某某" in text
    assert text.startswith("# yaml-language-server: $schema=../../schema/qingpu.schema.json\n")
