"""Turn a loaded document into a Project, with schema errors as Chinese findings at their line."""

from __future__ import annotations

import difflib
import re
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from govsite.figures import figure_findings
from govsite.findings import Finding, Severity
from govsite.model import Project
from govsite.vocabulary import FIELD_LABELS, LABELS, ProjectType, value_label
from govsite.yamlload import LoadedDocument

_TEMPLATE_HINT = "对照项目模板（govsite new 生成）和 schema/project.schema.json 修改。"
# A file with thousands of wrong keys gets the first ones and a count, not a report thousands long.
MAX_SCHEMA_FINDINGS = 50


def _dotted(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "（文件顶层）"


def _expected_values(ctx: dict[str, Any] | None) -> str:
    expected = (ctx or {}).get("expected", "")
    return str(expected).replace("'", "")


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The pydantic model whose fields are the keys at `loc` (list indexes skipped)."""
    model: type[BaseModel] | None = Project
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(str(part))
        if info is None:
            return None
        model = _inner_model(info.annotation)
    return model


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def _named(field_loc: Sequence[int | str]) -> str:
    """“项目单位”（project_unit）: a field by its Chinese name and its key."""
    key = str(next((p for p in reversed(field_loc) if isinstance(p, str)), ""))
    label = FIELD_LABELS.get(key)
    dotted = _dotted(field_loc)
    return f"“{label}”（{dotted}）" if label else f"“{dotted}”"


def _did_you_mean_key(loc: Sequence[int | str]) -> str:
    """For an unknown key: the allowed key it is closest to, or the key of the Chinese name typed."""
    model = _model_at(loc[:-1])
    if model is None or not loc:
        return ""
    typed = str(loc[-1])
    allowed = list(model.model_fields)
    by_label = [k for k in allowed if FIELD_LABELS.get(k) == typed or value_label(k, k) == typed]
    close = by_label or difflib.get_close_matches(typed.lower(), allowed, n=1, cutoff=0.6)
    if close:
        label = FIELD_LABELS.get(close[0])
        return f"是不是要写 {close[0]}" + (f"（{label}）" if label else "") + "？"
    return ""


def _expected(ctx: dict[str, Any] | None) -> list[str]:
    return re.findall(r"'([^']*)'", str((ctx or {}).get("expected", "")))


def _did_you_mean_value(field_key: str, given: object, expected: list[str]) -> str:
    typed = str(given)
    by_label = [v for v in expected if value_label(field_key, v) == typed or LABELS.get(v) == typed]
    close = by_label or difflib.get_close_matches(typed.lower(), expected, n=1, cutoff=0.6)
    return f"是不是要写 {close[0]}（{value_label(field_key, close[0])}）？" if close else ""


def _message(error: dict[str, Any]) -> tuple[str, str]:
    """(message, hint) in Chinese for one pydantic error."""
    kind = error["type"]
    field = _dotted(error["loc"])
    given = error.get("input")
    ctx = error.get("ctx")
    if kind == "missing":
        named = _named(error["loc"])
        return f"缺少必填字段{named}", f"补上{named}。" + _TEMPLATE_HINT
    if kind == "extra_forbidden":
        return (
            f"未知字段“{field}”",
            (_did_you_mean_key(error["loc"]) or "检查字段名拼写（全部为英文小写加下划线），或删除该字段。")
            + _TEMPLATE_HINT,
        )
    if kind in ("enum", "literal_error"):
        expected = _expected(ctx)
        key = str(next((p for p in reversed(error["loc"]) if isinstance(p, str)), ""))
        choices = "、".join(f"{v}（{value_label(key, v)}）" for v in expected) or _expected_values(ctx)
        return (
            f"{_named(error['loc'])}的值“{given}”不在允许范围内",
            (_did_you_mean_value(key, given, expected) + " " if expected else "") + f"可选值：{choices}。",
        )
    if kind.startswith("bool"):
        return f"“{field}”应为 true 或 false，现为“{given}”", "写 true（是）或 false（否），不加引号。"
    if kind == "finite_number":
        return f"“{field}”应为有限的数字，现为“{given}”", "只写普通的数字，例如 500 或 12.5。"
    if kind.startswith(("int", "float")):
        return f"“{field}”应为数字，现为“{given}”", "只写数字，不带单位（金额以万元计）。"
    if kind.startswith(("date", "datetime")):
        return f"“{field}”应为日期，现为“{given}”", "日期写成 2026-03-02 的格式。"
    if kind == "string_pattern_mismatch":
        return f"“{field}”的格式不对：“{given}”", f"应符合格式 {(ctx or {}).get('pattern', '')}。"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        bound = next(iter((ctx or {}).values()), "")
        words = {
            "greater_than_equal": "不小于",
            "greater_than": "大于",
            "less_than_equal": "不大于",
            "less_than": "小于",
        }
        return f"“{field}”应{words[kind]} {bound}，现为 {given}", "修改为允许范围内的数值。"
    if kind in ("too_short", "string_too_short"):
        return f"“{field}”不能为空", "填写内容，列表至少写一项。"
    if kind in ("too_long", "string_too_long"):
        return f"“{field}”过长", "精简内容；长文请作为材料引用。"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        shape = "列表（每项以“- ”开头）" if kind == "list_type" else "一组“字段: 值”"
        return f"“{field}”应为{shape}", _TEMPLATE_HINT
    if kind == "string_type":
        return f"“{field}”应为文字，现为“{given}”", '文字两边加引号，例如 "2026"。'
    if kind == "value_error":
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        return (f"“{field}”：{text}" if error["loc"] else text), _TEMPLATE_HINT
    return f"“{field}”不符合要求（{error.get('msg', kind)}）", _TEMPLATE_HINT


PLACEHOLDER = "某某"  # what govsite new's templates write where a department must fill in


def is_placeholder(text: str) -> bool:
    return PLACEHOLDER in text or "（请填写" in text


def _placeholders(value: Any, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    if isinstance(value, str):
        return [path] if is_placeholder(value) else []
    if isinstance(value, dict):
        return [p for key, item in value.items() for p in _placeholders(item, (*path, key))]
    if isinstance(value, list):
        return [p for index, item in enumerate(value) for p in _placeholders(item, (*path, index))]
    return []


def fill_in_findings(data: Any) -> list[Finding]:
    """Values still as the template wrote them ("区某某局", "（请填写）"): the only findings an untouched
    template gives."""
    return [
        Finding(
            rule="template",
            severity=Severity.ERROR,
            message=f"“{_dotted(path)}”还是模板中的示例内容，请填写",
            hint="按模板注释把“某某”“（请填写）”换成本项目的实际内容。",
            field=path,
        )
        for path in _placeholders(data, ())
    ]


def _coherence(project: Project) -> list[Finding]:
    """Cross-field facts the schema cannot express, each pointing at the field to fix."""

    def error(field: tuple[str | int, ...], message: str, hint: str) -> Finding:
        return Finding(rule="schema", severity=Severity.ERROR, message=message, hint=hint, field=field)

    findings = []
    if project.type is ProjectType.CONSTRUCTION and project.mode is None:
        findings.append(
            error(
                ("type",),
                "建设类项目必须填写 mode",
                "加一行 mode: new（新建）/ upgrade（升级改造）/ it_service（信息技术服务）。",
            )
        )
    if project.stages[-1].stage is not project.stage:
        findings.append(
            error(
                ("stage",),
                f"stage（{project.stage.value}）与 stages 最后一条记录（{project.stages[-1].stage.value}）不一致",
                "stage 写当前阶段，必须与 stages 列表最后一条的 stage 相同。",
            )
        )
    for index in range(1, len(project.stages)):
        if project.stages[index].date < project.stages[index - 1].date:
            findings.append(
                error(
                    ("stages", index, "date"),
                    f"阶段记录的日期早于上一条（{project.stages[index - 1].date}）",
                    "stages 按时间先后排列，新记录追加在末尾。",
                )
            )
    findings += _supervision_coherence(project, error)
    findings += figure_findings(project.budget)
    return findings


def _supervision_coherence(project: Project, error: Callable[..., Finding]) -> list[Finding]:
    """A rectification order has a deadline after it; a measure names the order it follows."""
    findings = []
    records = project.supervision
    for index, record in enumerate(records):
        where = ("supervision", index)
        if index and record.date < records[index - 1].date:
            findings.append(
                error(
                    (*where, "date"),
                    f"监督记录的日期早于上一条（{records[index - 1].date}）",
                    "supervision 按时间先后排列。",
                )
            )
        if record.kind == "rectification_order" and record.deadline is None:
            findings.append(
                error(
                    (*where, "deadline"),
                    "限期整改必须写明整改期限（deadline）",
                    "按整改通知写 deadline: YYYY-MM-DD；通知以工作日计的，换算成日期。",
                )
            )
        if record.deadline is not None and record.deadline < record.date:
            findings.append(
                error(
                    (*where, "deadline"), f"整改期限早于作出日期（{record.date}）", "核对整改通知上的日期。"
                )
            )
        if record.rectified is not None and record.rectified < record.date:
            findings.append(
                error(
                    (*where, "rectified"),
                    f"整改完成日期早于作出日期（{record.date}）",
                    "核对整改确认的日期。",
                )
            )
        if record.kind != "rectification_order" and (record.deadline or record.rectified):
            findings.append(
                error(
                    (*where, "kind"),
                    "只有限期整改（rectification_order）有整改期限和整改完成日期",
                    "发现问题并限期整改的，kind 写 rectification_order；通报、暂缓等处理另起一条，用 order 指向那次整改。",
                )
            )
        if record.order is not None:
            target = records[record.order - 1] if record.order <= index else None
            if target is None or target.kind != "rectification_order":
                findings.append(
                    error(
                        (*where, "order"),
                        f"order: {record.order} 应指向本条之前的一条限期整改记录",
                        "order 写这项处理所依据的限期整改在 supervision 中的序号（第一条为 1）。",
                    )
                )
    return findings


def validate_project(doc: LoadedDocument) -> tuple[Project | None, list[Finding]]:
    """Schema-check a loaded document; errors carry the line and column of the offending node."""
    if doc.data is None:
        return None, list(doc.errors)
    try:
        project = Project.model_validate(doc.data)
    except ValidationError as exc:
        findings = []
        errors = exc.errors(include_url=False)
        for error in errors[:MAX_SCHEMA_FINDINGS]:
            loc = tuple(error["loc"])
            message, hint = _message(dict(error))
            line, column = doc.locate(loc)
            findings.append(
                Finding(
                    rule="schema",
                    severity=Severity.ERROR,
                    message=message,
                    hint=hint,
                    field=loc,
                    line=line,
                    column=column,
                )
            )
        if len(errors) > MAX_SCHEMA_FINDINGS:
            findings.append(
                Finding(
                    rule="schema",
                    severity=Severity.ERROR,
                    message=f"另有 {len(errors) - MAX_SCHEMA_FINDINGS} 处格式问题未逐条列出",
                    hint="先改正上面列出的问题再检查；问题很多时，请对照 govsite new 生成的模板重写。",
                    line=1,
                    column=1,
                )
            )
        return None, findings
    coherence = [f.located(*doc.locate(f.field)) for f in _coherence(project)]
    if coherence:
        return None, coherence
    return project, [f.located(*doc.locate(f.field)) for f in fill_in_findings(doc.data)]
