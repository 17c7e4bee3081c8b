"""Shared fixtures. A site built once per test session serves the build and browser tests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support import base_project, make_registry

TODAY = dt.date(2026, 11, 22)
HOSTILE = "<script>alert(1)</script>|[x](javascript:alert(1))"


@dataclass(frozen=True)
class BuiltSite:
    root: Path
    out: Path
    projects: dict[str, dict[str, Any]]  # id → the data written
    summary: str


def site_projects() -> dict[str, dict[str, Any]]:
    """Three projects at different stages; one written by a hostile department."""
    approved = base_project(
        id="MH-2026-011",
        name="闵行区一网统管城市运行平台系统建设项目",
        project_unit="区城运中心",
        budget_authority="区城运中心",
        summary="建设城市运行“一网统管”平台。\n- 事件处置\n- 运行体征监测",
        stage="approved",
        stages=[
            {"stage": "declared", "date": dt.date(2025, 12, 1)},
            {"stage": "intake", "date": dt.date(2025, 12, 5), "ref": "闵数受〔2025〕11号"},
            {"stage": "in_library", "date": dt.date(2026, 1, 20), "outcome": "supported"},
            {"stage": "approved", "date": dt.date(2026, 3, 2), "ref": "闵数批〔2026〕8号"},
        ],
        materials=[
            {"kind": "construction_plan", "title": "建设方案", "date": dt.date(2025, 11, 28)},
            {
                "kind": "contract",
                "title": "保密合同标题",
                "date": dt.date(2026, 3, 10),
                "public": False,
                "path": "materials/secret-contract.pdf",
            },
        ],
    )
    declared = base_project(id="MH-2026-012", name="闵行区社区养老服务管理系统建设项目")
    hostile = base_project(
        id="MH-2026-013",
        name=f"{HOSTILE} 智慧社区系统建设项目",
        project_unit="区示例局</title><script>alert(2)</script>",
        summary=f"{HOSTILE}\n<img src=x onerror=alert(3)> {{: onclick=alert(4) }}",
        evaluations=[{"kind": "post_evaluation", "date": dt.date(2026, 1, 5), "by": HOSTILE}],
    )
    terminated = base_project(
        id="MH-2026-015",
        name="闵行区社区食堂管理系统建设项目",
        implementing_body="区示例局信息科",
        project_lead="李娜（区示例局副局长）",
        stage="terminated",
        stages=[
            {"stage": "declared", "date": dt.date(2025, 12, 1)},
            {"stage": "intake", "date": dt.date(2025, 12, 5)},
            {"stage": "in_library", "date": dt.date(2026, 1, 20), "outcome": "supported"},
            {"stage": "approved", "date": dt.date(2026, 3, 2), "ref": "闵数批〔2026〕9号"},
            {
                "stage": "terminated",
                "date": dt.date(2026, 8, 20),
                "ref": "闵数函〔2026〕30号",
                "by": "区数据局",
                "note": "逾期未整改弱口令问题，终止项目",
            },
        ],
        supervision=[
            {
                "kind": "rectification_order",
                "date": dt.date(2026, 6, 12),
                "by": "区委网信办",
                "issue": "整改弱口令和未授权访问接口",
                "deadline": dt.date(2026, 7, 31),
            },
            {"kind": "funds_held", "date": dt.date(2026, 8, 10), "by": "区财政局", "order": 1},
        ],
        evaluations=[
            {
                "kind": "self_evaluation",
                "date": dt.date(2026, 7, 15),
                "score": 58.5,
                "by": "区示例局",
                "submitted_to": "区数据局",
            }
        ],
    )
    return {p["id"]: p for p in (approved, declared, hostile, terminated)}


def write_site_registry(root: Path) -> dict[str, dict[str, Any]]:
    projects = site_projects()
    files: dict[str, Any] = {f"submissions/minhang/{pid}.yaml": data for pid, data in projects.items()}
    # Not projects: the template at the top of submissions/, and a file that does not parse.
    files["submissions/TEMPLATE.yaml"] = base_project(id="MH-2026-099")
    files["submissions/minhang/MH-2026-014.yaml"] = "id: [MH-2026-014\n"
    make_registry(root, files)
    return projects


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    from govsite.site.build import build_site

    root = tmp_path_factory.mktemp("registry")
    projects = write_site_registry(root)
    out = root / "site"
    summary = build_site(root, out, today=TODAY)
    return BuiltSite(root=root, out=out, projects=projects, summary=summary)
