"""Deadlines in working days (工作日): statutory holidays off, make-up working days (调休) on.

chinesecalendar carries the State Council's published arrangements; it knows a fixed range of years.
Outside that range we refuse rather than guess: a wrong deadline is worse than none.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar

from govsite.errors import CalendarRangeError


def is_working_day(day: dt.date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:
        raise CalendarRangeError(
            f"无法计算 {day.isoformat()} 是否为工作日：节假日数据（chinesecalendar）只覆盖到已公布的年份",
            "升级 chinesecalendar（国务院公布次年放假安排后会发布新版本），或请管理员核对日期。",
        ) from exc


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The `days`-th working day after `start` (the start day itself is not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    current = start
    while current < end:
        current += dt.timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def add_calendar_days(start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=days)


def add_years(start: dt.date, years: int) -> dt.date:
    try:
        return start.replace(year=start.year + years)
    except ValueError:  # 29 February
        return start.replace(year=start.year + years, day=28)
