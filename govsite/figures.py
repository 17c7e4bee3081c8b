"""One number per fact: the budget figures every rule reads, computed once.

Where a project itemises its budget (`budget.items`), the hardware and software-development figures
are the sums of its items (security and network equipment are hardware by any reading); a summary
figure the file also gives must agree with them, or it is an error pointing at the summary. Where it
does not itemise, the summary figures are the figures. Rules read the result as
`project.budget.hardware` and `project.budget.software_development` (and `figures.*`), so no two rules
can read two different numbers for one fact.
"""

from __future__ import annotations

from dataclasses import dataclass

from govsite.findings import Finding, Severity
from govsite.model import Budget

HARDWARE_KINDS = frozenset({"hardware", "security_equipment", "network_equipment"})
SOFTWARE_DEVELOPMENT_KINDS = frozenset({"software_development"})
TOLERANCE = 0.005  # 万元: amounts are written to two decimals at most


@dataclass(frozen=True)
class Figures:
    total: float
    hardware: float
    software_development: float
    itemised: bool

    @property
    def hardware_share(self) -> float:
        return self.hardware / self.total if self.total > 0 else 0.0

    def as_dict(self) -> dict[str, float | bool]:
        return {
            "total": self.total,
            "hardware": self.hardware,
            "software_development": self.software_development,
            "hardware_share": self.hardware_share,
            "itemised": self.itemised,
        }


def _sum(budget: Budget, kinds: frozenset[str]) -> float:
    return float(sum(item.amount for item in budget.items if item.kind in kinds))


def figures(budget: Budget) -> Figures:
    if budget.items:
        return Figures(
            budget.total, _sum(budget, HARDWARE_KINDS), _sum(budget, SOFTWARE_DEVELOPMENT_KINDS), True
        )
    return Figures(budget.total, budget.hardware or 0.0, budget.software_development or 0.0, False)


def figure_findings(budget: Budget) -> list[Finding]:
    """A summary figure that disagrees with the items, and parts that exceed the total."""
    findings: list[Finding] = []
    computed = figures(budget)
    if computed.itemised:
        for name, label, kinds, value in (
            ("hardware", "硬件（含安全设备、网络设备）", HARDWARE_KINDS, budget.hardware),
            ("software_development", "应用软件开发", SOFTWARE_DEVELOPMENT_KINDS, budget.software_development),
        ):
            summed = getattr(computed, name)
            if value is not None and abs(value - summed) > TOLERANCE:
                kinds_text = "、".join(sorted(kinds))
                findings.append(
                    Finding(
                        rule="schema",
                        severity=Severity.ERROR,
                        message=f"budget.{name}（{value:g}）与预算明细中{label}之和（{summed:g}）不符",
                        hint=f"明细中 kind 为 {kinds_text} 的金额之和就是{label}投资：改正 budget.{name}，或删去这一行（以明细为准）。",
                        field=("budget", name),
                    )
                )
    if computed.hardware + computed.software_development > computed.total + 1e-9:
        findings.append(
            Finding(
                rule="schema",
                severity=Severity.ERROR,
                message=(
                    f"硬件（{computed.hardware:g}）与软件开发（{computed.software_development:g}）之和超过总投资（{computed.total:g}）"
                ),
                hint="核对 budget 中的金额（单位万元）：total 是总投资，hardware 和 software_development 是其中的部分。",
                field=("budget", "hardware"),
            )
        )
    return findings
