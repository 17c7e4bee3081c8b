"""Helpers callable from CEL, and named Python rules for what data cannot say.

CEL functions take and return plain values (ISO date strings, numbers, strings).
Named rules (`function:` in a rule file) take the project and return findings or facts; each is
small and has the rule's wording as its docstring.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable
from typing import Any


def normalize(text: str) -> str:
    """Full-width and half-width forms compare equal: （25年运维） == (25年运维)."""
    return unicodedata.normalize("NFKC", text).strip()


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(str(value)[:10])


def days_between(start: str, end: str) -> int:
    return (_date(end) - _date(start)).days


def add_days(start: str, days: int) -> str:
    return (_date(start) + dt.timedelta(days=int(days))).isoformat()


def add_years(start: str, years: int) -> str:
    day = _date(start)
    try:
        return day.replace(year=day.year + int(years)).isoformat()
    except ValueError:
        return day.replace(year=day.year + int(years), day=28).isoformat()


def add_months(start: str, months: int) -> str:
    """Same day `months` later; the month's last day when that day does not exist (31 Jan + 1 → 28/29 Feb)."""
    day = _date(start)
    index = day.month - 1 + int(months)
    year, month = day.year + index // 12, index % 12 + 1
    for candidate in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, candidate)).isoformat()
        except ValueError:
            continue
    raise ValueError(start)


def total(values: list[float]) -> float:
    """Sum of a list of numbers (CEL has no sum)."""
    return float(sum(values))


def year_of(value: str) -> int:
    return _date(value).year


def join(items: list[object], separator: str) -> str:
    return separator.join(str(i) for i in items)


CEL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "normalize": normalize,
    "days_between": days_between,
    "add_days": add_days,
    "add_years": add_years,
    "year_of": year_of,
    "join": join,
    "add_months": add_months,
    "sum": total,
}
