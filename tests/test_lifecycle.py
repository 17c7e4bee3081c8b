"""Stage transitions: legal steps only, one per pull request, history append-only."""

from __future__ import annotations

from typing import Any

import pytest
from support import POLICIES, base_project

from govsite.lifecycle import check_history, check_transition
from govsite.model import Project
from govsite.policy.pack import load_pack

LIFECYCLE = load_pack(POLICIES / "minhang-2025").lifecycle


def project(stages: list[tuple[str, str]], **extra: Any) -> Project:
    data = base_project(**extra)
    data["stages"] = [{"stage": s, "date": d} for s, d in stages]
    data["stage"] = stages[-1][0]
    return Project.model_validate(data)


DECLARED = [("declared", "2026-03-02")]
INTAKE = [*DECLARED, ("intake", "2026-03-05")]


def test_new_declaration_is_legal() -> None:
    assert check_transition(LIFECYCLE, None, project(DECLARED)) == []


def test_new_file_cannot_arrive_approved() -> None:
    head = project([*INTAKE, ("in_library", "2026-04-01"), ("approved", "2026-05-01")])
    [finding] = check_transition(LIFECYCLE, None, head)
    assert finding.rule == "transition"
    assert "新项目" in finding.message


def test_declared_straight_to_approved_is_illegal() -> None:
    base = project(DECLARED)
    head = project([*DECLARED, ("approved", "2026-05-01")])
    [finding] = check_transition(LIFECYCLE, base, head)
    assert finding.message == "不允许从“申报”直接进入“批复”"
    assert "受理（intake）" in finding.hint
    assert finding.field == ("stages", 1, "stage")


def test_one_legal_step() -> None:
    assert check_transition(LIFECYCLE, project(DECLARED), project(INTAKE)) == []


def test_only_one_step_per_pull_request() -> None:
    head = project([*INTAKE, ("in_library", "2026-04-01")])
    [finding] = check_transition(LIFECYCLE, project(DECLARED), head)
    assert "只能推进一个阶段" in finding.message


def test_recorded_history_cannot_be_rewritten() -> None:
    base = project(INTAKE)
    head = project([("declared", "2026-03-01"), ("intake", "2026-03-05")])
    [finding] = check_transition(LIFECYCLE, base, head)
    assert "不能修改或删除" in finding.message
    assert finding.field == ("stages", 0)


def test_identity_cannot_change() -> None:
    base = project(DECLARED)
    head = project(DECLARED, id="MH-2026-002")
    [finding] = check_transition(LIFECYCLE, base, head)
    assert finding.field == ("id",)


def test_operation_projects_have_their_own_path() -> None:
    o_and_m = {"type": "operation", "mode": None, "name": "闵行区示例业务管理系统（27年运维）项目"}
    base = project(INTAKE, **o_and_m)
    assert check_transition(LIFECYCLE, base, project([*INTAKE, ("approved", "2026-04-01")], **o_and_m)) == []
    # a construction project may not skip the review and the library
    base = project(INTAKE)
    [finding] = check_transition(LIFECYCLE, base, project([*INTAKE, ("approved", "2026-04-01")]))
    assert finding.rule == "transition"


@pytest.mark.parametrize(
    ("stages", "illegal_at"),
    [
        ([*INTAKE, ("in_library", "2026-04-01")], None),
        ([("approved", "2026-03-02")], 0),
        ([*DECLARED, ("accepted", "2026-04-01")], 1),
        (
            [
                *INTAKE,
                ("in_library", "2026-04-01"),
                ("approved", "2026-05-01"),
                ("under_construction", "2026-05-10"),
                ("acceptance_failed", "2026-09-01"),
                ("accepted", "2026-10-01"),
            ],
            6,
        ),
    ],
)
def test_history_must_be_a_legal_path(stages: list[tuple[str, str]], illegal_at: int | None) -> None:
    findings = check_history(LIFECYCLE, project(stages))
    if illegal_at is None:
        assert findings == []
    else:
        assert [f.field[1] for f in findings] == [illegal_at]
