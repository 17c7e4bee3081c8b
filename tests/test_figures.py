"""One number per fact: the budget figures come from the items where there are items, a summary that
disagrees is an error at the summary, and every rule reads the same figure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from support import POLICIES, base_project

from govsite.figures import figures
from govsite.judge import judge_validate
from govsite.model import Budget
from govsite.policy.pack import load_packs
from govsite.validation import validate_project
from govsite.yamlload import LoadedDocument

PACKS = load_packs(POLICIES)
ITEMS = [
    {"name": "业务系统开发", "kind": "software_development", "amount": 300},
    {"name": "服务器", "kind": "hardware", "amount": 120},
    {"name": "防火墙", "kind": "security_equipment", "amount": 60},
    {"name": "监理", "kind": "supervision", "amount": 20},
]


def test_security_equipment_is_hardware() -> None:
    computed = figures(Budget.model_validate({"total": 600, "items": ITEMS}))
    assert (computed.hardware, computed.software_development, computed.itemised) == (180, 300, True)
    assert computed.hardware_share == 0.3


def test_without_items_the_summary_is_the_figure() -> None:
    computed = figures(Budget.model_validate({"total": 600, "hardware": 100, "software_development": 400}))
    assert (computed.hardware, computed.software_development, computed.itemised) == (100, 400, False)


def load(budget: dict[str, Any]) -> tuple[Any, list[Any]]:
    data = base_project(budget=budget)
    return validate_project(LoadedDocument("x.yaml", data, positions={("budget", "hardware"): (20, 13)}))


def test_a_summary_that_differs_from_its_items_is_an_error_at_the_summary() -> None:
    project, findings = load({"total": 600, "hardware": 120, "items": ITEMS})
    assert project is None
    [finding] = findings
    assert finding.field == ("budget", "hardware") and finding.line == 20
    assert finding.message == "budget.hardware（120）与预算明细中硬件（含安全设备、网络设备）之和（180）不符"


def test_a_summary_that_agrees_is_fine() -> None:
    project, findings = load({"total": 600, "hardware": 180, "software_development": 300, "items": ITEMS})
    assert project is not None and findings == []


def test_yangpu_review_track_reads_the_itemised_hardware() -> None:
    """YP-01 (规则 五(三)) decides the track on the hardware share; with security equipment itemised,
    the share is 30% and the track is review, whatever the summary would have said."""
    data = __import__("yaml").safe_load(
        (POLICIES / "yangpu-2023" / "examples" / "base.yaml").read_text(encoding="utf-8")
    )
    data.update(id="YP-2026-050", review_track=None)
    data["budget"] = {"total": 600, "items": ITEMS}
    result = judge_validate(
        LoadedDocument("submissions/yangpu/YP-2026-050.yaml", data), PACKS, dt.date(2026, 7, 1)
    )
    assert result.facts["track"] == "review" and result.facts["hardware_share"] == 0.3
    data["budget"]["items"] = [*ITEMS, {"name": "存储", "kind": "hardware", "amount": 10}]
    data["budget"]["total"] = 610
    result = judge_validate(
        LoadedDocument("submissions/yangpu/YP-2026-050.yaml", data), PACKS, dt.date(2026, 7, 1)
    )
    assert result.facts["track"] == "government_investment"
