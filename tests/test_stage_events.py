"""Events that were folded into other fields, now stage records where a regulation attaches a duty to
them: 试运行 (龙岗 第二十七条, 拱墅 第二十条, 青浦 第二十一条) and a 闵行 requirement refused at its review
(第十条). Real packs, the real CLI, real git repositories for the pull requests."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import POLICIES, REPO, base_project, govsite, make_registry, one_change_pull_request

from govsite.lifecycle import Lifecycle, check_transition
from govsite.model import Project
from govsite.policy.pack import load_pack
from govsite.vocabulary import Stage

LONGGANG_SAMPLE = "submissions/longgang/LG-2025-004.yaml"
GONGSHU_SAMPLE = "submissions/gongshu/GS-2025-001.yaml"
TODAY = "2026-11-22"


def sample(relative: str) -> dict[str, Any]:
    data = yaml.safe_load((REPO / relative).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def cut_at(data: dict[str, Any], stage: str) -> dict[str, Any]:
    """The project as it stood when it reached `stage` (later records dropped)."""
    data = copy.deepcopy(data)
    index = next(i for i, r in enumerate(data["stages"]) if r["stage"] == stage)
    data["stages"] = data["stages"][: index + 1]
    data["stage"] = stage
    return data


def validate(root: Path, relative: str) -> dict[str, Any]:
    done = govsite("validate", relative, "--format", "json", "--today", TODAY, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    [result] = json.loads(done.stdout)["projects"]
    return result


def check(root: Path, today: str) -> dict[str, Any]:
    done = govsite("check", "--base", "main", "--format", "json", "--today", today, cwd=root)
    assert done.returncode in (0, 1), done.stderr
    [result] = json.loads(done.stdout)["projects"]
    return result


def rule_findings(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule"] == rule and f["severity"] in ("error", "warning")]


# ------------------------------------------------------------------------------------- 龙岗 试运行


def test_longgang_sample_records_its_trial_run_between_the_two_contract_acceptances() -> None:
    data = sample(LONGGANG_SAMPLE)
    stages = [r["stage"] for r in data["stages"]]
    assert stages.index("under_construction") < stages.index("trial_run") < stages.index("accepted")
    trial = next(r["date"] for r in data["stages"] if r["stage"] == "trial_run")
    prelim, final = (a["date"] for a in data["acceptance"])
    assert prelim <= trial <= final


def test_longgang_final_acceptance_without_a_trial_run_is_an_error_at_the_stages(tmp_path: Path) -> None:
    data = sample(LONGGANG_SAMPLE)
    data["stages"] = [r for r in data["stages"] if r["stage"] != "trial_run"]
    root = make_registry(tmp_path / "registry", {LONGGANG_SAMPLE: data})
    [finding] = [
        f for f in rule_findings(validate(root, LONGGANG_SAMPLE), "LG-10") if "试运行" in f["message"]
    ]
    assert finding["severity"] == "error"
    assert "stages 中没有此前投入试运行的记录" in finding["message"]
    assert "第二十七条" in finding["article"]
    assert finding["field"] == "stages"
    # the line is the stages block of the file, not the top of it
    lines = (root / LONGGANG_SAMPLE).read_text(encoding="utf-8").splitlines()
    assert lines[finding["line"] - 1].startswith("stages:")


def test_longgang_pull_request_into_trial_run_is_decided_by_the_it_authority(tmp_path: Path) -> None:
    building = cut_at(sample(LONGGANG_SAMPLE), "under_construction")
    building["acceptance"] = building["acceptance"][:1]  # the preliminary contract acceptance only
    head = copy.deepcopy(building)
    head["stages"].append({"stage": "trial_run", "date": "2026-01-12"})
    head["stage"] = "trial_run"
    result = check(one_change_pull_request(tmp_path, LONGGANG_SAMPLE, building, head), today="2026-01-12")
    assert (result["stage_from"], result["stage_to"]) == ("under_construction", "trial_run")
    assert not [f for f in result["findings"] if f["rule"] in ("LG-10", "transition")]
    decides = {r["role"]: r for r in result["decision"]["roles"]}
    assert "it_authority" in decides
    assert "第二十七条" in {b["article"] for b in decides["it_authority"]["basis"]}


def test_longgang_trial_run_before_the_preliminary_acceptance_is_refused(tmp_path: Path) -> None:
    building = cut_at(sample(LONGGANG_SAMPLE), "under_construction")
    building["acceptance"] = []
    head = copy.deepcopy(building)
    head["stages"].append({"stage": "trial_run", "date": "2026-01-12"})
    head["stage"] = "trial_run"
    result = check(one_change_pull_request(tmp_path, LONGGANG_SAMPLE, building, head), today="2026-01-12")
    [finding] = [f for f in rule_findings(result, "LG-10") if "投入试运行" in f["message"]]
    assert finding["severity"] == "error"
    assert "通过合同初步验收后项目才投入试运行" in finding["message"]
    assert not result["ok"]


# ------------------------------------------------------------------- 拱墅、青浦：from local fields to stages


def test_gongshu_sample_keeps_its_trial_run_as_a_stage_record() -> None:
    data = sample(GONGSHU_SAMPLE)
    assert "trial_run_start" not in data.get("local", {})
    assert "trial_run" in [r["stage"] for r in data["stages"]]


@pytest.mark.parametrize(
    ("relative", "field", "value"),
    [
        (GONGSHU_SAMPLE, "trial_run_start", "2025-10-29"),
        (GONGSHU_SAMPLE, "trial_run_end", "2025-12-10"),
        ("submissions/qingpu/QP-2025-007.yaml", "trial_run_start", "2026-03-02"),
    ],
)
def test_a_retired_local_field_says_where_the_fact_lives_now(
    tmp_path: Path, relative: str, field: str, value: str
) -> None:
    text = (REPO / relative).read_text(encoding="utf-8")
    if "\nlocal:\n" in text:
        text = text.replace("\nlocal:\n", f"\nlocal:\n  {field}: {value}\n", 1)
    else:
        text += f"local:\n  {field}: {value}\n"
    root = make_registry(tmp_path / "registry", {relative: text})
    result = validate(root, relative)
    [finding] = [f for f in result["findings"] if f["field"] == f"local.{field}"]
    assert finding["severity"] == "error"
    assert "已停用" in finding["message"] and "不会被检查" in finding["message"]
    assert "trial_run" in finding["hint"] and "stages" in finding["hint"]
    lines = (root / relative).read_text(encoding="utf-8").splitlines()
    assert lines[finding["line"] - 1].strip().startswith(f"{field}:")


def test_retired_fields_are_not_offered_by_the_schema() -> None:
    for name in ("gongshu", "qingpu"):
        schema = json.loads((REPO / "schema" / f"{name}.schema.json").read_text(encoding="utf-8"))
        text = json.dumps(schema)
        assert '"trial_run_start"' not in text and '"trial_run_end"' not in text
        assert "trial_run" in schema["$defs"]["Stage"]["enum"]


def test_qingpu_large_project_entering_trial_run_needs_the_data_bureau(tmp_path: Path) -> None:
    relative = "submissions/qingpu/QP-2025-006.yaml"
    data = sample(relative)
    data["budget"]["total"] = 520
    building = cut_at(data, "under_construction")
    building.pop("acceptance", None)
    head = copy.deepcopy(building)
    head["stages"].append({"stage": "trial_run", "date": "2025-09-01"})
    head["stage"] = "trial_run"
    result = check(one_change_pull_request(tmp_path, relative, building, head), today="2025-09-01")
    assert "data_bureau" in {r["role"] for r in result["route"] if r["rule"] == "QP-16"}
    # and without a passed inspection before it, the trial run is an error (第二十一条)
    [finding] = [f for f in rule_findings(result, "QP-16") if "试运行" in f["message"]]
    assert finding["severity"] == "error" and finding["field"] == "stages"


# --------------------------------------------------------------------------------- the lifecycles


def lifecycle(pack: str) -> Lifecycle:
    return load_pack(POLICIES / pack).lifecycle


def test_trial_run_is_a_stage_only_where_a_regulation_has_one() -> None:
    for pack, has_it in [
        ("longgang-2021", True),
        ("gongshu-2021", True),
        ("qingpu-2024", True),
        ("minhang-2025", False),
        ("yangpu-2023", False),
    ]:
        targets = {t.target for t in lifecycle(pack).transitions}
        assert (Stage.TRIAL_RUN in targets) is has_it, pack


def _minhang(stages: list[tuple[str, str]]) -> Project:
    data = base_project()
    data["stages"] = [{"stage": s, "date": d} for s, d in stages]
    data["stage"] = stages[-1][0]
    return Project.model_validate(data)


def test_minhang_requirement_refused_at_review_ends_there() -> None:
    rules = lifecycle("minhang-2025")
    raised = _minhang([("requirement", "2026-05-20")])
    refused = _minhang([("requirement", "2026-05-20"), ("rejected", "2026-06-15")])
    assert check_transition(rules, raised, refused) == []
    transition = rules.find(Stage.REQUIREMENT, Stage.REJECTED, refused.type)
    assert transition is not None and transition.article == "10"
    # a refused requirement cannot go on to a declaration (第十条: only reviewed-and-passed ones may)
    again = _minhang([("requirement", "2026-05-20"), ("rejected", "2026-06-15"), ("declared", "2026-07-01")])
    [finding] = check_transition(rules, refused, again)
    assert finding.rule == "transition"
