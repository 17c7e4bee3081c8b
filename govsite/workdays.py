"""Deadlines in working days (工作日): statutory holidays off, make-up working days (调休) on.

Three sources, in order:

1. the registry's own calendar files, `calendars/<year>.yaml`, each transcribing the State Council's
   notice for that year (its 文号 and date, the holidays, the make-up days), validated when loaded;
2. chinesecalendar, which carries the notices published when it was released;
3. for a year neither knows yet, Monday to Friday. A deadline computed so is **provisional**: it is
   shown, with a warning naming the notice that is missing, never turned into an error that blocks a
   department for a reason it cannot fix.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import chinese_calendar
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govsite.errors import GovsiteError

CALENDARS = "calendars"


class _Span(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str = Field(description="节日名称，如 春节")
    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")


class YearFile(BaseModel):
    """calendars/<year>.yaml: one State Council notice on the year's holidays."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    year: int = Field(ge=2000, le=2099)
    notice: str = Field(min_length=1, description="通知名称，如 国务院办公厅关于2027年部分节假日安排的通知")
    document_number: str = Field(min_length=1, description="文号，如 国办发明电〔2026〕7号")
    issued: dt.date = Field(description="通知的发布日期")
    holidays: list[_Span] = Field(min_length=1, description="放假的日子（含调休后连休的周末）")
    workdays: list[dt.date] = Field(default_factory=list, description="调休上班的周末")

    @model_validator(mode="after")
    def _coherent(self) -> YearFile:
        for span in self.holidays:
            if span.end < span.start:
                raise ValueError(f"{span.name}：to（{span.end}）早于 from（{span.start}）")
            if span.start.year != self.year or span.end.year != self.year:
                raise ValueError(f"{span.name}（{span.start}—{span.end}）不在 {self.year} 年内")
        off = {day for span in self.holidays for day in _days(span.start, span.end)}
        for day in self.workdays:
            if day.year != self.year:
                raise ValueError(f"调休上班日 {day} 不在 {self.year} 年内")
            if day.weekday() < 5:
                raise ValueError(f"调休上班日 {day} 不是周末：只写原本休息、调为上班的周六或周日")
            if day in off:
                raise ValueError(f"{day} 既写在放假中，又写在调休上班中")
        return self


@functools.cache
def _package_knows(year: int) -> bool:
    try:
        chinese_calendar.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _days(start: dt.date, end: dt.date) -> Iterable[dt.date]:
    day = start
    while day <= end:
        yield day
        day += dt.timedelta(days=1)


@dataclass(frozen=True)
class Notice:
    year: int
    document_number: str
    off: frozenset[dt.date]
    on: frozenset[dt.date]


@dataclass(frozen=True)
class WorkingCalendar:
    """Working days, with the registry's own notices first."""

    notices: dict[int, Notice] = field(default_factory=dict)
    # chinesecalendar checks each date against its whole table (about 25 µs a call); a site build asks
    # for the same few thousand days tens of thousands of times, so each answer is kept
    _memo: dict[dt.date, bool] = field(default_factory=dict, compare=False, repr=False, hash=False)
    _after: dict[tuple[dt.date, int], tuple[dt.date, frozenset[int]]] = field(
        default_factory=dict, compare=False, repr=False, hash=False
    )

    def __getstate__(self) -> dict[str, object]:  # the memos are not part of the calendar
        return {"notices": self.notices, "_memo": {}, "_after": {}}

    def known(self, year: int) -> bool:
        return year in self.notices or _package_knows(year)

    def is_working_day(self, day: dt.date) -> bool:
        found = self._memo.get(day)
        if found is None:
            found = self._memo[day] = self._is_working_day(day)
        return found

    def _is_working_day(self, day: dt.date) -> bool:
        notice = self.notices.get(day.year)
        if notice is not None:
            if day in notice.on:
                return True
            return day not in notice.off and day.weekday() < 5
        try:
            return bool(chinese_calendar.is_workday(day))
        except NotImplementedError:
            return day.weekday() < 5  # no notice yet: Monday to Friday (the deadline is provisional)

    def add_working_days(self, start: dt.date, days: int) -> tuple[dt.date, frozenset[int]]:
        """The `days`-th working day after `start` (the start day not counted), and the years whose
        holidays were not known (the result is provisional if there are any)."""
        if days < 0:
            raise ValueError("days must not be negative")
        found = self._after.get((start, days))
        if found is None:
            found = self._after[(start, days)] = self._add_working_days(start, days)
        return found

    def _add_working_days(self, start: dt.date, days: int) -> tuple[dt.date, frozenset[int]]:
        current, remaining, unknown = start, days, set()
        while remaining:
            current += dt.timedelta(days=1)
            if not self.known(current.year):
                unknown.add(current.year)
            if self.is_working_day(current):
                remaining -= 1
        return current, frozenset(unknown)

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        return sum(1 for day in _days(start + dt.timedelta(days=1), end) if self.is_working_day(day))


DEFAULT_CALENDAR = WorkingCalendar()


def parse_year(data: Any, shown: str, locate: Any = None) -> Notice:
    try:
        spec = YearFile.model_validate(data)
    except ValidationError as exc:
        from govsite.validation import _message

        error = exc.errors(include_url=False)[0]
        line = locate(tuple(error["loc"]))[0] if locate else 1
        message = _message(dict(error))[0]
        raise GovsiteError(
            f"{shown}:{line}: 节假日安排有误：{message}",
            "按国务院办公厅的通知逐日核对（格式见 docs/calendars.md）。",
        ) from exc
    if Path(shown).stem != str(spec.year):
        raise GovsiteError(f"{shown}: 文件名应为 {spec.year}.yaml", "每年一个文件，文件名就是年份。")
    off = frozenset(day for span in spec.holidays for day in _days(span.start, span.end))
    return Notice(spec.year, spec.document_number, off, frozenset(spec.workdays))


def load_calendars(folder: Path) -> WorkingCalendar:
    """The registry's calendar files (`calendars/*.yaml`), or the default calendar if there are none."""
    from govsite.yamlload import load_file

    if not folder.is_dir():
        return DEFAULT_CALENDAR
    notices = {}
    for path in sorted(folder.glob("*.yaml")):
        shown = f"{CALENDARS}/{path.name}"
        doc = load_file(path, shown)
        if doc.errors:
            raise GovsiteError(f"{shown}:{doc.errors[0].line}: {doc.errors[0].message}", doc.errors[0].hint)
        notice = parse_year(doc.data, shown, doc.locate)
        notices[notice.year] = notice
    return WorkingCalendar(notices)


# The module-level helpers read the package's calendar only (kept for callers that have no registry).
def is_working_day(day: dt.date) -> bool:
    return DEFAULT_CALENDAR.is_working_day(day)


def add_working_days(start: dt.date, days: int) -> dt.date:
    return DEFAULT_CALENDAR.add_working_days(start, days)[0]


def working_days_between(start: dt.date, end: dt.date) -> int:
    return DEFAULT_CALENDAR.working_days_between(start, end)


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_years(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
