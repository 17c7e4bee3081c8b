"""Helpers callable from CEL, and named Python rules for what data cannot say.

CEL functions take and return plain values (ISO date strings, numbers, strings).
Named rules (`function:` in a rule file) take the project and return findings or facts; each is
small and has the rule's wording as its docstring.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
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


# （26年升级改造）（2027年运维）（一期）(二期)…: what a name carries besides the system's own name
_DECORATION = re.compile(r"\([^()]*?(年|期)[^()]*\)")
_PROJECT_TAILS = ("建设项目", "项目", "工程", "建设", "升级改造", "运维")
_THING_TAILS = ("系统", "平台")
_SERVICE_TAILS = ("软件开发服务", "开发服务", "信息化服务", "技术服务", "服务")


def _strip(text: str, tails: tuple[str, ...]) -> tuple[str, bool]:
    stripped = False
    changed = True
    while changed:
        changed = False
        for tail in tails:
            if text.endswith(tail) and len(text) > len(tail):
                text, stripped, changed = text[: -len(tail)].rstrip(), True, True
    return text, stripped


def name_core(name: str) -> str:
    """The system's own name inside a project name, for suggesting the right form:
    `某某区智慧停车管理软件开发服务` → `某某区智慧停车管理`, `…管理系统（27年运维）项目` → `…管理`,
    `…信息服务平台项目` → `…信息服务` (a 服务 before 平台 is part of the name)."""
    text = _DECORATION.sub("", normalize(name))
    text, _ = _strip(text, _PROJECT_TAILS)
    text, thing = _strip(text, _THING_TAILS)
    if not thing:  # a service with no system named: 软件开发服务 is what it buys, not what it is called
        text, _ = _strip(text, _SERVICE_TAILS)
        text, _ = _strip(text, _PROJECT_TAILS + _THING_TAILS)
    return text


def name_kind(name: str) -> str:
    """平台 if the name calls the thing a platform (通用服务和基础底层服务), else 系统."""
    return "平台" if "平台" in name else "系统"


def two_digits(year: int) -> str:
    """2027 → "27", as names write years."""
    return f"{int(year) % 100:02d}"


@functools.lru_cache(maxsize=1024)
def _pattern(expression: str) -> re.Pattern[str]:
    return re.compile(expression, re.IGNORECASE)


def matching(text: str, patterns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of `patterns` whose `pattern` is found in `text`, ignoring case: what
    `patterns.filter(p, text.matches('(?i)' + p.pattern))` gives, with each expression compiled
    once (CEL's `matches` compiles its expression on every call: 70–80 µs, for every budget item
    against every pattern). The expressions are Python's: for the plain alternations and groups a
    pack's word lists hold, the same as CEL's (RE2); `$` would also match before a final line
    break."""
    return [entry for entry in patterns if _pattern(str(entry["pattern"])).search(text)]


def in_order(values: list[Any]) -> list[Any]:
    """The list sorted (`sorted`). The keys of a CEL map come in no fixed order — a new one for
    every context — so a list made from a map's keys (`params.materials.filter(k, …)`) is sorted
    before it is shown, or a message would list the same things differently from run to run."""
    return sorted(values, key=lambda value: (str(type(value)), value))


def chinese_label(value: str) -> str:
    """The Chinese name of a vocabulary value ('under_construction' → 建设实施), for messages."""
    from govsite.vocabulary import label

    return label(value)


CEL_FUNCTIONS: dict[str, Callable[..., Any]] = {
    "label": chinese_label,
    "normalize": normalize,
    "days_between": days_between,
    "add_days": add_days,
    "add_years": add_years,
    "year_of": year_of,
    "join": join,
    "add_months": add_months,
    "sum": total,
    "name_core": name_core,
    "name_kind": name_kind,
    "two_digits": two_digits,
    "matching": matching,
    "sorted": in_order,
}
