"""Apply a policy pack to one project: derived facts, findings, route, deadlines, score.

Pure: no files, no git, no printing. The caller says what situation the project is in (which
transition is being asked for, which changes are new, what day it is).
"""

from __future__ import annotations

import datetime as dt
import string
import threading
from dataclasses import dataclass, field, replace
from typing import Any

from govsite.figures import figures
from govsite.findings import Deadline, Finding, Params, RouteEntry, Severity
from govsite.model import Project
from govsite.policy import celext as cel
from govsite.policy.functions import CEL_FUNCTIONS
from govsite.policy.named import NAMED_RULES
from govsite.policy.named.common import RuleContext
from govsite.policy.pack import ClockSpec, CompiledRule, PolicyPack, path_variable
from govsite.vocabulary import Stage
from govsite.workdays import DEFAULT_CALENDAR, WorkingCalendar, add_calendar_days, add_years


@dataclass(frozen=True)
class Situation:
    """What is being decided: `transition_from` is None for a new project."""

    transition_from: Stage | None
    transition_to: Stage
    changes_new: tuple[int, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    context: RuleContext = field(default_factory=RuleContext)
    calendar: WorkingCalendar = DEFAULT_CALENDAR


@dataclass
class Evaluation:
    facts: dict[str, Any] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    route: list[RouteEntry] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    score: dict[str, Any] | None = None
    excluded: bool = False  # the regulation does not apply to this project (a scope rule said so)


class RuleError(Exception):
    """A rule could not be evaluated: a defect in the pack, reported as a finding."""


def project_variables(project: Project, pack: PolicyPack, situation: Situation) -> dict[str, Any]:
    data = project.model_dump(mode="json")
    # every field the pack declares is present (null when not given), so rules can test it safely
    data["local"] = {name: data["local"].get(name) for name in pack.local_fields}
    # one number per fact: the budget figures, from the items where there are items
    computed = figures(project.budget)
    data["budget"]["hardware"] = computed.hardware
    data["budget"]["software_development"] = computed.software_development
    stage_dates: dict[str, str] = {}
    for record in project.stages:
        stage_dates[record.stage.value] = record.date.isoformat()
    return {
        "project": data,
        "params": pack.meta.params,
        "policy": {
            "id": pack.id,
            "effective": pack.meta.effective.isoformat(),
            "lapses": pack.meta.lapses.isoformat() if pack.meta.lapses else None,
        },
        "facts": {},
        "figures": computed.as_dict(),
        "reached": [r.stage.value for r in project.stages],
        "stage_dates": stage_dates,
        "materials": sorted({m.kind for m in project.materials}),
        "changes_new": [data["changes"][i] for i in situation.changes_new],
        "transition": {
            "from": situation.transition_from.value if situation.transition_from else None,
            "to": situation.transition_to.value,
            "new": situation.transition_from is None
            or situation.transition_from is not situation.transition_to,
        },
        "today": situation.today.isoformat(),
        "declared_on": (project.stage_date(Stage.DECLARED) or project.stages[0].date).isoformat(),
    }


class _Scope:
    """The CEL context for one project, with per-rule variables swapped in and out.

    Every change to a cel.Context makes the next evaluation convert the whole context again
    (the project included), so a variable is only re-set when its value really changes.

    Converting a value into the context costs about a microsecond a string: a project's 280
    values 0.3 ms, and its regulation's `params` (device tables, item kinds …) as much again. So
    the context holding a pack's `params` is made once per process and lent to one project after
    another (every other variable set anew); a scope made while it is lent (a rule that evaluates
    another project) gets a context of its own. The project's fields and the params are variables
    of their own (`_project_budget`, `_params_item_kinds`: see pack.flatten_paths).
    """

    def __init__(self, variables: dict[str, Any], pack: PolicyPack | None = None) -> None:
        shape = _shape(pack) if pack is not None else _Shape((), True)
        variables = _with_paths(variables, shape)
        self.lent = _lend(variables["params"], shape.whole_params)
        if self.lent is not None:
            self.context = self.lent.context
            try:
                for name, value in variables.items():
                    if name != "params" and not name.startswith("_params_"):
                        self.context.add_variable(name, value)
            except BaseException:
                self.close()  # a value CEL cannot hold: the context is lent to the next project all the same
                raise
        else:
            self.context = _new_context(variables)
        self.current: dict[str, Any] = {k: _snapshot(v) for k, v in variables.items()}
        self.pending: dict[str, Any] = {}  # set, not yet in the context (see set)
        self.index: int | None = None  # position in the current rule's for_each, if any

    def close(self) -> None:
        if self.lent is not None:
            self.lent.busy = False
            self.lent = None

    def set(self, name: str, value: Any) -> None:
        """Set `name` for the next rule that reads it: every change costs the next evaluation a
        rebuild of the whole context (~0.1 ms), so rules that do not read it do not pay for it."""
        self.pending[name] = _snapshot(value)

    def _apply(self, rule: CompiledRule) -> None:
        for name in [n for n in self.pending if rule.mentions(n)]:
            value = self.pending.pop(name)
            if name in self.current and self.current[name] == value:
                continue
            self.current[name] = value
            self.context.add_variable(name, value)

    def run(self, rule: CompiledRule, source: str) -> Any:
        if source == "true":  # the default of every `when` and `applies`
            return True
        if self.pending:
            self._apply(rule)
        try:
            return rule.program(source, self.index).execute(self.context)
        except Exception as exc:  # the CEL runtime raises several types; all mean the same here
            if source not in rule.bound:
                raise RuleError(f"{source!r}: {exc}") from exc
        try:
            # a let evaluated where the inlined form would not have reached it failed: the inlined
            # form decides (pack._LetBinder)
            return rule.program(source, self.index, bound=False).execute(self.context)
        except Exception as exc:
            raise RuleError(f"{source!r}: {exc}") from exc


@dataclass(frozen=True)
class _Shape:
    """What of the project a pack's flattened expressions read (pack.flatten_paths)."""

    deep: tuple[tuple[str, str], ...]  # lists of a field of the project a rule iterates
    whole: bool  # some expression reads `project` as a whole
    whole_params: bool = True  # … or `params`


_SHAPES: dict[int, tuple[PolicyPack, _Shape]] = {}


def _shape(pack: PolicyPack) -> _Shape:
    known = _SHAPES.get(id(pack))
    if known is not None and known[0] is pack:
        return known[1]
    deep = sorted({tuple(path.split(".", 1)) for rule in pack.rules for path in rule.deep_paths})
    wholes = set().union(*(rule.reads_whole() for rule in pack.rules))
    shape = _Shape(tuple((a, b) for a, b in deep), "project" in wholes, "params" in wholes)
    if len(_SHAPES) >= _SHARED_AT_MOST:
        _SHAPES.clear()
    _SHAPES[id(pack)] = (pack, shape)
    return shape


def _with_paths(variables: dict[str, Any], shape: _Shape) -> dict[str, Any]:
    """The variables with the project's fields (and the lists rules iterate) as variables of their
    own, as the pack's compiled expressions read them (pack.flatten_paths)."""
    project = variables.get("project")
    if not isinstance(project, dict):
        return variables
    out = {k: v for k, v in variables.items() if k != "project" or shape.whole}
    for name, value in project.items():
        out[path_variable("project", name)] = value
    for outer, inner in shape.deep:
        holder = project.get(outer)
        out[path_variable("project", outer, inner)] = holder.get(inner) if isinstance(holder, dict) else None
    return out


def _new_context(variables: dict[str, Any], params: dict[str, Any] | None = None) -> Any:
    params = variables.get("params") if params is None else params
    if isinstance(params, dict):  # each of the pack's params a variable too (pack.flatten_paths)
        variables = {**variables, **{path_variable("params", k): v for k, v in params.items()}}
    context = cel.Context(variables)
    for name, function in CEL_FUNCTIONS.items():
        context.add_function(name, function)
    return context


@dataclass
class _Shared:
    params: dict[str, Any]  # held, so that its id is not reused while the context lives
    context: Any
    busy: bool = False


_SHARED: dict[int, _Shared] = {}
_LENDING = threading.Lock()
_SHARED_AT_MOST = 16  # a run has one pack per district and revision; tests load thousands


def _lend(params: dict[str, Any], whole: bool = True) -> _Shared | None:
    """The context already holding `params` (a pack's, never changed once loaded), if no other
    scope is using it. `whole`: `params` itself as well as each of them (each change of the context
    costs in proportion to all it holds, so what no rule reads is not in it)."""
    with _LENDING:  # threads (a server building while it serves) take turns, never one context
        shared = _SHARED.get(id(params))
        if shared is None or shared.params is not params:
            if len(_SHARED) >= _SHARED_AT_MOST:
                for key in [k for k, v in _SHARED.items() if not v.busy][: len(_SHARED) // 2]:
                    del _SHARED[key]
            context = _new_context({"params": params} if whole else {}, params)
            shared = _SHARED[id(params)] = _Shared(params, context)
        if shared.busy:
            return None
        shared.busy = True
        return shared


def _snapshot(value: Any) -> Any:
    # callers mutate their dicts between calls; keep a copy to compare against
    return dict(value) if isinstance(value, dict) else value


class _LazyValues(dict[str, Any]):
    """A rule's `let` values, computed on first use: only a finding, route or clock needs them
    (conditions inline the lets themselves, see pack._expand_lets)."""

    def __init__(self, rule: CompiledRule, scope: _Scope, fixed: dict[str, Any]) -> None:
        super().__init__(fixed)
        self._rule, self._scope, self._done = rule, scope, not rule.spec.let

    def ready(self) -> _LazyValues:
        if not self._done:
            self._done = True
            for name, source in self._rule.spec.let.items():
                self[name] = self._scope.run(self._rule, source)
        return self


class _Formatter(string.Formatter):
    def get_value(self, key: int | str, args: Any, kwargs: Any) -> Any:
        return kwargs.get(key, "？") if isinstance(key, str) else super().get_value(key, args, kwargs)


_FORMAT = _Formatter()


def render(template: str, values: dict[str, Any]) -> str:
    try:
        return _FORMAT.vformat(template, (), values)
    except (ValueError, TypeError, AttributeError, KeyError, IndexError):
        # a placeholder the pack's lint should have refused: the text as written, never a crash
        return template


def _field_path(template: str, values: dict[str, Any]) -> tuple[str | int, ...]:
    if not template:
        return ()
    path: list[str | int] = []
    for part in render(template, values).split("."):
        path.append(int(part) if part.isdigit() else part)
    return tuple(path)


def evaluate(project: Project, pack: PolicyPack, situation: Situation) -> Evaluation:
    result = _evaluate(project, pack, situation)
    if project.waivers:
        result.findings = _waive(project, pack, result.findings)
    # every finding, route and clock says which regulation it comes from
    result.findings = [replace(f, policy=pack.id) for f in result.findings]
    result.route = [replace(r, policy=pack.id) for r in result.route]
    result.deadlines = [replace(d, policy=pack.id) for d in result.deadlines]
    return result


def _waive(project: Project, pack: PolicyPack, findings: list[Finding]) -> list[Finding]:
    """A waiver turns a rule's warnings into notices where the rule allows one and the body the rule
    names granted it; a waiver of anything else is itself a finding."""
    rules = {r.spec.id: r.spec for r in pack.rules}
    granted: dict[str, str] = {}
    out: list[Finding] = []
    for index, waiver in enumerate(project.waivers):
        spec = rules.get(waiver.rule)
        if spec is None:
            continue  # another regulation's rule
        if spec.waivable_by != waiver.granted_by:
            allowed = (
                f"只能由{pack.roles[spec.waivable_by].name}（{spec.waivable_by}）同意"
                if spec.waivable_by in pack.roles
                else "条款不允许例外"
            )
            out.append(
                Finding(
                    rule=spec.id,
                    severity=Severity.ERROR,
                    message=f"{spec.id}（{spec.citation}）的豁免无效：{allowed}",
                    hint="只有条款本身允许例外（原则上……）的要求才能豁免，并须由条款规定的机构同意；否则删去这条豁免，按要求改正。",
                    article=spec.citation,
                    field=("waivers", index),
                )
            )
            continue
        granted[waiver.rule] = (
            f"已豁免：{waiver.reason}（{pack.roles[waiver.granted_by].name}"
            + (f"，{waiver.ref}" if waiver.ref else "")
            + "）"
        )
    for finding in findings:
        note = granted.get(finding.rule)
        if note and finding.severity is Severity.WARNING:
            finding = replace(finding, severity=Severity.INFO, message=f"{finding.message}（{note}）")
        out.append(finding)
    return out


def _evaluate(project: Project, pack: PolicyPack, situation: Situation) -> Evaluation:
    scope = _Scope(project_variables(project, pack, situation), pack)
    try:
        return _evaluate_in(scope, project, pack, situation)
    finally:
        scope.close()


def _evaluate_in(scope: _Scope, project: Project, pack: PolicyPack, situation: Situation) -> Evaluation:
    result = Evaluation()
    # Pass 0: scope. A regulation that says it does not apply to a project gives that one notice and
    # nothing else: no other finding, no route, no fact, no clock.
    for rule in pack.rules:
        if not rule.spec.excludes:
            continue
        try:
            _apply_rule(rule, project, pack, situation, scope, result)
        except RuleError as exc:
            result.findings.append(_rule_defect(rule, exc))
        if result.findings:
            result.excluded = True
            result.route, result.deadlines = [], []
            return result
    # Pass 1: derived facts (class rules) in file order, so later rules can use earlier facts.
    for rule in pack.rules:
        if not rule.spec.derive or rule.spec.excludes:
            continue
        try:
            if not scope.run(rule, rule.spec.applies):
                continue
            for name, source in rule.spec.derive.items():
                result.facts[name] = scope.run(rule, source)
            scope.set("facts", result.facts)
        except RuleError as exc:
            result.findings.append(_rule_defect(rule, exc))
    scope.set("facts", result.facts)
    # Pass 2: checks, routes, clocks, named functions.
    for rule in pack.rules:
        if rule.spec.excludes:
            continue
        try:
            _apply_rule(rule, project, pack, situation, scope, result)
        except RuleError as exc:
            result.findings.append(_rule_defect(rule, exc))
    return result


def _rule_defect(rule: CompiledRule, exc: Exception) -> Finding:
    return Finding(
        rule=rule.spec.id,
        severity=Severity.ERROR,
        message=f"规则 {rule.spec.id} 无法判定（{exc}）",
        hint="这是政策包的问题，不是项目文件的问题：请联系区数据局的规则维护人员。",
        article=rule.spec.citation,
    )


def _apply_rule(
    rule: CompiledRule,
    project: Project,
    pack: PolicyPack,
    situation: Situation,
    scope: _Scope,
    result: Evaluation,
) -> None:
    spec = rule.spec
    if not scope.run(rule, spec.applies):
        return
    items: list[Any] = [None]
    if spec.for_each:
        items = list(scope.run(rule, spec.for_each))
    for index in range(len(items)):
        scope.index = index if spec.for_each else None
        values = _LazyValues(
            rule,
            scope,
            {"index": index, "name": project.name, "id": project.id, "params": Params(pack.meta.params)},
        )
        for check in spec.checks:
            if scope.run(rule, check.when) and not scope.run(rule, check.require):
                result.findings.append(
                    Finding(
                        rule=spec.id,
                        severity=Severity(check.severity),
                        message=render(check.message, values.ready()),
                        hint=render(check.hint, values),
                        article=spec.citation,
                        field=_field_path(check.field, values),
                    )
                )
        for route in spec.routes:
            if scope.run(rule, route.when):
                role = pack.roles[route.role]
                role_name = (
                    f"{project.budget_authority}（{role.name}）"
                    if route.role == "budget_authority"
                    else role.name
                )
                result.route.append(
                    RouteEntry(
                        role=route.role,
                        role_name=role_name,
                        rule=spec.id,
                        article=spec.citation,
                        reason=render(route.reason, values.ready()),
                        facts={k: v for k, v in values.items() if k not in ("name", "id", "index")},
                        at=tuple(s.value for s in route.at or ()),
                    )
                )
        for clock in spec.clocks:
            if scope.run(rule, clock.when):
                _clock(rule, clock, scope, values.ready(), situation, result)
    scope.index = None
    if spec.function:
        outcome = NAMED_RULES[spec.function](project, pack.meta.params, situation.context)
        for finding in outcome.findings:
            result.findings.append(
                Finding(
                    rule=spec.id,
                    severity=finding.severity,
                    message=finding.message,
                    hint=finding.hint,
                    article=spec.citation,
                    field=finding.field,
                    related=finding.related,
                )
            )
        if outcome.score is not None:
            result.score = outcome.score


def _clock(
    rule: CompiledRule,
    clock: ClockSpec,
    scope: _Scope,
    values: dict[str, Any],
    situation: Situation,
    result: Evaluation,
) -> None:
    start_text = scope.run(rule, clock.start) if clock.start else None
    if clock.start and not start_text:
        return  # the clock has not started
    start = dt.date.fromisoformat(str(start_text)) if start_text else None
    days: int | None = None
    unit: str | None = None

    def length(spec: int | str) -> int:
        return spec if isinstance(spec, int) else int(scope.run(rule, spec))

    unknown: frozenset[int] = frozenset()
    if clock.due is not None:
        due = dt.date.fromisoformat(str(scope.run(rule, clock.due)))
    elif clock.working_days is not None and start is not None:
        days, unit = length(clock.working_days), "working_days"
        due, unknown = situation.calendar.add_working_days(start, days)
    elif clock.calendar_days is not None and start is not None:
        days, unit = length(clock.calendar_days), "calendar_days"
        due = add_calendar_days(start, days)
    else:
        assert clock.years is not None and start is not None
        days, unit = length(clock.years), "years"
        due = add_years(start, days)
    done_text = scope.run(rule, clock.done_on) if clock.done_on else None
    done_on = dt.date.fromisoformat(str(done_text)) if done_text else None
    if done_on is not None:
        status = "met" if done_on <= due else "late"
    else:
        status = "overdue" if situation.today > due else "pending"
    values = {
        **values,
        "due": due.isoformat(),
        "start": start.isoformat() if start else "",
        "done_on": done_text or "",
        "days": days if days is not None else "",
    }
    what = render(clock.what, values)
    result.deadlines.append(
        Deadline(
            rule=rule.spec.id,
            article=rule.spec.citation,
            what=what,
            due=due.isoformat(),
            start=start.isoformat() if start else None,
            status=status,
            days=days,
            unit=unit,
            provisional=bool(unknown),
        )
    )
    if unknown and status in ("pending", "overdue"):
        years = "、".join(str(y) for y in sorted(unknown))
        notices = "、".join(f"《国务院办公厅关于{y}年部分节假日安排的通知》" for y in sorted(unknown))
        result.findings.append(
            Finding(
                rule="calendar",
                severity=Severity.WARNING,
                message=f"{rule.spec.id} {what}：到期日 {due} 是暂定的——尚无 {years} 年的节假日安排（{notices}），暂按周一至周五计算工作日",
                hint=f"通知公布后，在登记仓库的 calendars/{sorted(unknown)[0]}.yaml 中录入放假和调休日期（格式见 docs/calendars.md），到期日会按通知重新计算；也可升级 chinesecalendar。",
                article=rule.spec.citation,
                field=_field_path(clock.field, values),
            )
        )
    if status in ("overdue", "late") and clock.overdue_message:
        result.findings.append(
            Finding(
                rule=rule.spec.id,
                severity=Severity(clock.severity),
                message=render(clock.overdue_message, values),
                hint=render(clock.hint, values),
                article=rule.spec.citation,
                field=_field_path(clock.field, values),
            )
        )
