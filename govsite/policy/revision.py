"""A revised regulation as a pack that `extends` its predecessor.

A revision that changes one threshold from a new date is a folder with one `policy.yaml`:

```yaml
id: minhang-2027
extends: minhang-2025            # everything not written here is the predecessor's
title: 闵行区政务数字化项目全生命周期管理办法（2027 年修订）
document_number: 闵府办发〔2027〕1号
issued: 2027-01-15
effective: 2027-03-01
params: {major_investment: 800}  # merged over the predecessor's params
```

and, where the revision changes more, its own `articles.yaml`, `roles.yaml`, `fields.yaml`,
`materials.yaml`, `coverage.yaml` (entries replace the predecessor's by id), `rules/<ID>.yaml` (a rule
replaces the predecessor's rule of that id), `drop_rules: [MH-31]`, `lifecycle.yaml` or
`examples/base.yaml` (these two replace the predecessor's whole). The predecessor's rules are judged
with the revision's params; their examples are moved into the revision's window by whole years
(`shift_dates`).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# what a revision takes from its predecessor unless it says otherwise (never the transition clause:
# that one is about the predecessor's own predecessor)
INHERITED_META = ("district", "district_name", "id_prefix", "issuer", "source", "compare")
_ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_SHORT_YEAR = re.compile(r"([（(])(\d{2})年")
_YEAR_KEYS = ("budget_year",)


def merged_meta(parent: Mapping[str, Any], own: Mapping[str, Any]) -> dict[str, Any]:
    """The revision's policy.yaml with what it inherits filled in."""
    merged = {key: parent[key] for key in INHERITED_META if key in parent and parent[key] is not None}
    merged.update(own)
    merged["params"] = {**dict(parent.get("params") or {}), **dict(own.get("params") or {})}
    supersedes = list(own.get("supersedes") or [])
    if not any(
        isinstance(s, Mapping) and s.get("document_number") == parent.get("document_number")
        for s in supersedes
    ):
        supersedes.append({"document_number": parent["document_number"], "title": parent["title"]})
    merged["supersedes"] = supersedes
    return merged


def shift_steps(earliest: dt.date | None, effective: dt.date) -> int:
    """How many whole years move dates from `earliest` on into a window starting at `effective`."""
    if earliest is None or earliest >= effective:
        return 0
    years = effective.year - earliest.year
    return years if _plus_years(earliest, years) >= effective else years + 1


def _plus_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def earliest_date(data: Any) -> dt.date | None:
    found: list[dt.date] = []

    def walk(node: Any) -> None:
        if isinstance(node, dt.date):
            found.append(node if not isinstance(node, dt.datetime) else node.date())
        elif isinstance(node, Mapping):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(data)
    return min(found) if found else None


def _shift_text(text: str, years: int) -> str:
    def one(match: re.Match[str]) -> str:
        try:
            day = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return match.group(0)
        return _plus_years(day, years).isoformat()

    text = _ISO_DATE.sub(one, text)
    # names write the year with two digits: 闵行区某系统（26年运维）项目
    return _SHORT_YEAR.sub(lambda m: f"{m.group(1)}{(int(m.group(2)) + years) % 100:02d}年", text)


def shift_dates(data: Any, years: int) -> Any:
    """`data` with every date (and every ISO date or two-digit year 26年 in a string) and budget year
    moved on by `years`: an example written for the predecessor, in the revision's window. Whole
    years keep what the rules count in (a 30 June deadline, an anniversary, 年 in a name); a
    working-day deadline across a public holiday may still differ, and is then written anew."""
    if years == 0:
        return data

    def walk(node: Any, key: str | None = None) -> Any:
        if isinstance(node, dt.date) and not isinstance(node, dt.datetime):
            return _plus_years(node, years)
        if isinstance(node, Mapping):
            return {k: walk(v, str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, str):
            return _shift_text(node, years)
        if isinstance(node, int) and not isinstance(node, bool) and key in _YEAR_KEYS:
            return node + years
        return node

    return walk(data)


@dataclass(frozen=True)
class Change:
    what: str  # 参数 / 条款 / 规则
    id: str
    title: str
    before: str  # "" : added
    after: str  # "" : removed


def pack_changes(old: Any, new: Any) -> list[Change]:
    """What a revision changes against its predecessor: params, articles and rules, in that order."""
    changes: list[Change] = []
    before, after = dict(old.meta.params), dict(new.meta.params)
    for name in sorted(set(before) | set(after)):
        if before.get(name) != after.get(name):
            changes.append(Change("参数", name, "", _shown(before.get(name)), _shown(after.get(name))))
    old_articles = {a.id: a for a in old.articles}
    new_articles = {a.id: a for a in new.articles}
    for article_id in [*old_articles, *(a for a in new_articles if a not in old_articles)]:
        a, b = old_articles.get(article_id), new_articles.get(article_id)
        if a is None or b is None or a.text != b.text or a.title != b.title:
            either = b if b is not None else a
            title = either.title if either is not None else ""
            changes.append(Change("条款", article_id, title, "原条文" if a else "", ("新条文" if b else "")))
    old_rules = {r.spec.id: r for r in old.rules}
    new_rules = {r.spec.id: r for r in new.rules}
    for rule_id in sorted(set(old_rules) | set(new_rules)):
        a_rule, b_rule = old_rules.get(rule_id), new_rules.get(rule_id)
        if a_rule is None or b_rule is None:
            title = (b_rule or a_rule).spec.title  # type: ignore[union-attr]
            changes.append(
                Change(
                    "规则",
                    rule_id,
                    title,
                    "" if a_rule is None else "原规则",
                    "" if b_rule is None else "新规则",
                )
            )
            continue
        differs = rule_changes(a_rule.spec, b_rule.spec)
        if differs:
            changes.append(Change("规则", rule_id, b_rule.spec.title, "、".join(differs), "已修改"))
    return changes


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def rule_changes(old: Any, new: Any) -> list[str]:
    """What differs between two versions of a rule (its spec without examples), in Chinese."""
    before = old.model_dump(exclude={"examples"})
    after = new.model_dump(exclude={"examples"})
    names = {
        "title": "标题",
        "text": "说明",
        "articles": "条款",
        "applies": "适用条件",
        "checks": "检查",
        "routes": "审批路由",
        "clocks": "时限",
        "let": "中间值",
        "derive": "派生事实",
        "kind": "类别",
    }
    return [label for key, label in names.items() if before.get(key) != after.get(key)] or (
        ["其他设置"] if before != after else []
    )
