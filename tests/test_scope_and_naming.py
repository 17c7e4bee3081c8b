"""Out of scope means out of scope; every naming rule suggests the name to use."""

from __future__ import annotations

import datetime as dt

import pytest
from support import POLICIES, base_project

from govsite.judge import judge_validate
from govsite.policy.pack import load_packs
from govsite.yamlload import LoadedDocument

PACKS = load_packs(POLICIES)


def test_a_classified_project_with_faulty_facts_gets_only_the_scope_notice() -> None:
    """闵行 第四十三条: the regulation does not apply to 涉密 systems — one notice, nothing else."""
    data = base_project(
        name="名称不合规范",  # MH-08 would say so
        materials=[],  # MH-xx would ask for the plan and the crypto materials
        budget={"total": 900, "hardware": 500, "software_development": 300},  # major
        attributes={"classified": True, "mlps_level": 3, "internet_facing": True},
    )
    result = judge_validate(
        LoadedDocument("submissions/minhang/MH-2026-001.yaml", data), PACKS, dt.date(2025, 12, 2)
    )
    assert [f.rule for f in result.findings] == ["MH-27"]
    assert "第四十三条" in result.findings[0].article
    assert (result.route, result.deadlines, result.facts, result.excluded) == ([], [], {}, True)


NAMING = [(p, r) for p in PACKS for r in p.rules if "name" in r.spec.kind]


@pytest.mark.parametrize(("pack", "rule"), NAMING, ids=[f"{p.id}/{r.spec.id}" for p, r in NAMING])
def test_every_naming_rule_says_what_name_to_use(pack: object, rule: object) -> None:
    examples = [e for e in rule.spec.examples if e.expect == "fail"]  # type: ignore[attr-defined]
    assert examples and all(e.says for e in examples), "each failing example must state the suggested name"
    assert all(c.severity != "error" for c in rule.spec.checks), (
        "a name in the wrong form does not stop a project"
    )  # type: ignore[attr-defined]


def test_naming_rules_exist_for_the_districts_that_prescribe_a_form() -> None:
    # 拱墅, 龙岗 and 杨浦 prescribe no form of name; 闵行 第十四条 and 青浦 第十三条 do
    assert {p.meta.district.value for p, _ in NAMING} >= {"minhang", "qingpu"}
