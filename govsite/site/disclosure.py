"""What the law requires a project's page to disclose, and whether it was disclosed in time. Pure.

《政府信息公开条例》第二十条 puts the approval and implementation of construction projects among what
governments must publish, and 第二十六条 gives 20 working days from when information is created or
changed. 国办发〔2017〕94号 lists what a major construction project's disclosure covers; for a digital
project those are its approval (批准结果, with 文号 and date), procurement (招标投标), contract, major
changes (重大设计变更), the units that build and supervise it, and its completion (竣工, here the
acceptance). Every category gets a line — the dated record, or why it does not apply — because an
empty section is what 国办秘函〔2019〕19号 fails a government site for.

When a record was *published* is when it first reached the registry's main branch: the merge whose
step (`AuditEvent.step`) declared the project with the record already in it, or moved it to the
record's stage, or added the change. Records dated before the registry started keeping its history
(its first judged merge) were published when the registry was set up, and are not judged late.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from govsite.audit import AuditEvent
from govsite.model import Project
from govsite.vocabulary import Stage, label
from govsite.workdays import DEFAULT_CALENDAR, WorkingCalendar

DISCLOSURE_WORKING_DAYS = 20  # 《政府信息公开条例》第二十六条
ARTICLE = "《政府信息公开条例》第二十六条"


@dataclass(frozen=True)
class Publication:
    """One record and when it was published; `due` is the last day the law allows."""

    what: str
    event_date: dt.date
    published: dt.date | None  # None: no history shows when (a registry without git, say)
    due: dt.date
    judged: bool  # False: dated before the registry kept its history

    @property
    def late(self) -> bool:
        return self.judged and self.published is not None and self.published > self.due

    @property
    def late_by(self) -> int:
        return (self.published - self.due).days if self.late and self.published else 0


@dataclass(frozen=True)
class DisclosureItem:
    """One category of what a project must disclose: its records, or why none applies."""

    category: str
    records: tuple[Publication, ...] = ()
    not_applicable: str = ""  # the reason, when there is no record


def published_on(
    events: Sequence[AuditEvent], record_date: dt.date, stage: str | None = None, change: int | None = None
) -> dt.date | None:
    """The day a record first reached the main branch: the declaration that already held it, or the
    step to its stage (on or after its date), or the merge that added the change. `events` are the
    project's, oldest first (`collect` sorts them once)."""

    def holds(event: AuditEvent) -> bool:
        step = event.step
        if step is None:
            return False
        if step.kind == "declaration":
            return change is not None or event.time.date() >= record_date
        if change is not None:
            return change in step.changes
        return step.kind == "transition" and step.target == stage and event.time.date() >= record_date

    for event in events:
        if holds(event):
            return event.time.date()
    return None


def _publication(
    what: str,
    day: dt.date,
    published: dt.date | None,
    started: dt.date | None,
    calendar: WorkingCalendar,
) -> Publication:
    due, _unknown = calendar.add_working_days(day, DISCLOSURE_WORKING_DAYS)
    return Publication(what, day, published, due, judged=started is not None and day >= started)


def disclosure(
    project: Project,
    events: Sequence[AuditEvent],
    started: dt.date | None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> tuple[DisclosureItem, ...]:
    """The categories in the order 国办发〔2017〕94号 lists them."""

    def stage_record(stage: Stage, what: str) -> tuple[Publication, ...]:
        found = []
        for record in project.stages:
            if record.stage is stage:
                ref = f"（{record.ref}）" if record.ref else ""
                by = f"，{record.by}" if record.by else ""
                found.append(
                    _publication(
                        f"{what}{ref}{by}",
                        record.date,
                        published_on(events, record.date, stage=stage.value),
                        started,
                        calendar,
                    )
                )
        return tuple(found)

    items: list[DisclosureItem] = []
    approvals = stage_record(Stage.APPROVED, "批复")
    reached = {r.stage for r in project.stages}
    if approvals:
        items.append(DisclosureItem("批准结果", approvals))
    elif reached & {Stage.REJECTED, Stage.INTAKE_REFUSED, Stage.TERMINATED}:
        items.append(DisclosureItem("批准结果", not_applicable="项目未获批复（见阶段记录中的决定）"))
    else:
        items.append(
            DisclosureItem("批准结果", not_applicable=f"尚未批复（当前阶段：{label(project.stage)}）")
        )

    procurement = project.procurement
    if procurement is not None and procurement.started is not None:
        method = f"，{label(procurement.method)}" if procurement.method else ""
        items.append(
            DisclosureItem(
                "招标投标（采购）",
                (_publication(f"启动采购{method}", procurement.started, None, None, calendar),),
            )
        )
    else:
        items.append(DisclosureItem("招标投标（采购）", not_applicable="尚未启动采购"))

    contract = project.contract
    if contract is not None and contract.signed is not None:
        price = f"，合同金额 {contract.price:g} 万元" if contract.price is not None else ""
        items.append(
            DisclosureItem("合同", (_publication(f"签订合同{price}", contract.signed, None, None, calendar),))
        )
    else:
        items.append(DisclosureItem("合同", not_applicable="尚未签订合同"))

    changes = []
    for index, change in enumerate(project.changes):
        day = change.approved_date or change.date
        ref = f"（{change.ref}）" if change.ref else ""
        changes.append(
            _publication(
                f"变更：{change.summary}{ref}",
                day,
                published_on(events, day, change=index),
                started,
                calendar,
            )
        )
    if changes:
        items.append(DisclosureItem("重大变更", tuple(changes)))
    else:
        items.append(DisclosureItem("重大变更", not_applicable="没有变更"))

    items.append(
        DisclosureItem(
            "承建与监理单位",
            not_applicable="登记册的项目文件不记录承建、监理单位；见采购结果与合同（由项目单位公开）",
        )
    )

    accepted = stage_record(Stage.ACCEPTED, "验收通过")
    if accepted:
        items.append(DisclosureItem("竣工（验收）", accepted))
    elif Stage.ACCEPTANCE_FAILED in reached:
        items.append(DisclosureItem("竣工（验收）", stage_record(Stage.ACCEPTANCE_FAILED, "验收不合格")))
    else:
        items.append(DisclosureItem("竣工（验收）", not_applicable="尚未验收"))
    return tuple(items)


def decisions(
    project: Project,
    events: Sequence[AuditEvent],
    started: dt.date | None,
    calendar: WorkingCalendar = DEFAULT_CALENDAR,
) -> list[Publication]:
    """Every decision on record (each stage reached after the declaration, each change), with when it
    was published: what the timeliness page checks."""
    found = []
    for record in project.stages[1:]:
        ref = f"（{record.ref}）" if record.ref else ""
        found.append(
            _publication(
                f"{label(record.stage)}{ref}",
                record.date,
                published_on(events, record.date, stage=record.stage.value),
                started,
                calendar,
            )
        )
    for index, change in enumerate(project.changes):
        day = change.approved_date or change.date
        found.append(
            _publication(
                f"变更：{change.summary}", day, published_on(events, day, change=index), started, calendar
            )
        )
    return found
