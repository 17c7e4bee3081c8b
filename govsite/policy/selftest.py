"""Run every rule's examples: a pack carries its own tests, as Kyverno and OPA policies do."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from govsite import law
from govsite.findings import Severity
from govsite.judge import pack_vocabulary_findings
from govsite.policy.engine import Situation, evaluate
from govsite.policy.named.common import RegistryEntry, RegistryView, RuleContext
from govsite.policy.pack import CompiledRule, ExampleSpec, PolicyPack
from govsite.validation import validate_project
from govsite.vocabulary import Stage
from govsite.yamlload import LoadedDocument


@dataclass(frozen=True)
class ExampleOutcome:
    pack: str
    rule: str
    example: str
    expect: str
    ok: bool
    detail: str = ""
    where: str = ""  # the example's file and line: rules/MH-08.yaml:42

    @property
    def test_id(self) -> str:
        return f"{self.pack}/{self.rule}/{self.expect}/{self.example}"


def deep_merge(base: Mapping[str, Any], overlay: Mapping[str, Any]) -> dict[str, Any]:
    """Overlay wins; mappings merge key by key, lists and scalars are replaced."""
    merged = dict(base)
    for key, value in overlay.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


_PARAM_VALUE = re.compile(r"\{params\.([A-Za-z_]\w*)(?:\s*([+-])\s*(\d+(?:\.\d+)?))?\}")


def fill_params(data: Any, params: Mapping[str, Any]) -> Any:
    """An example value written `"{params.major_investment}"` is the pack's value, and
    `"{params.major_investment - 0.1}"` just below it: examples at a threshold follow it when a
    revision changes the number."""
    if isinstance(data, str):
        match = _PARAM_VALUE.fullmatch(data.strip())
        if not match or match.group(1) not in params:
            return data
        value = params[match.group(1)]
        if match.group(2) and isinstance(value, int | float) and not isinstance(value, bool):
            offset = float(match.group(3)) if "." in match.group(3) else int(match.group(3))
            value = value + offset if match.group(2) == "+" else value - offset
            return round(value, 6) if isinstance(value, float) else value
        return value
    if isinstance(data, Mapping):
        return {k: fill_params(v, params) for k, v in data.items()}
    if isinstance(data, list):
        return [fill_params(item, params) for item in data]
    return data


def example_registry(pack: PolicyPack, example: ExampleSpec) -> list[RegistryEntry]:
    """The example's other projects, as registry entries (paths as a registry would have them)."""
    entries = []
    base = example.base if example.base is not None else pack.example_base
    for index, overlay in enumerate(example.registry):
        data = fill_params(deep_merge(base, overlay), pack.meta.params)
        path = f"submissions/{data.get('district')}/{data.get('id')}.yaml"
        project, errors = validate_project(LoadedDocument(path=path, data=data))
        if project is None:
            raise ValueError(f"registry[{index}] 不符合 schema：" + "；".join(e.message for e in errors))
        entries.append(RegistryEntry(path, project))
    return entries


def _situation(
    project_stages: list[Any], example: ExampleSpec, pending: tuple[int, ...], context: RuleContext
) -> Situation:
    last = project_stages[-1]
    if example.transition_from is not None:
        source: Stage | None = Stage(example.transition_from)
    else:
        source = project_stages[-2].stage if len(project_stages) > 1 else None
    today = example.today or (last.date + dt.timedelta(days=1))
    return Situation(
        source, last.stage, pending, today, RuleContext(context.registry, context.documents, today)
    )


def run_example(pack: PolicyPack, rule: CompiledRule, example: ExampleSpec) -> ExampleOutcome:
    spec = rule.spec

    def outcome(ok: bool, detail: str = "") -> ExampleOutcome:
        return ExampleOutcome(pack.id, spec.id, example.name, example.expect, ok, detail)

    base = example.base if example.base is not None else pack.example_base
    data = fill_params(deep_merge(base, example.project), pack.meta.params)
    project, errors = validate_project(LoadedDocument(path=f"{spec.id}:{example.name}", data=data))
    if project is None:
        return outcome(False, "示例项目不符合 schema：" + "；".join(e.message for e in errors))
    vocabulary = pack_vocabulary_findings(project, pack)
    if vocabulary:
        return outcome(False, "示例项目的材料类别或本区字段有误：" + "；".join(f.message for f in vocabulary))
    act = max([project.stages[-1].date, *(c.date for c in project.changes)])
    if not pack.in_force_on(act):
        return outcome(
            False,
            f"示例最后一条记录的日期 {act} 不在本政策有效期内（{pack.meta.effective} 起），validate 不会用本政策判断它",
        )
    pending = tuple(i for i, c in enumerate(project.changes) if c.approved_by is None and c.ref is None)
    try:
        entries = example_registry(pack, example)
    except ValueError as exc:
        return outcome(False, str(exc))
    own = f"submissions/{project.district.value}/{project.id}.yaml"
    registry = RegistryView(lambda: [RegistryEntry(own, project), *entries])
    context = RuleContext(registry, example.documents)
    result = evaluate(project, pack, _situation(list(project.stages), example, pending, context))
    # as validate sees it: what the pack says of acts before it took effect is not its to say
    window = law.Window(pack, pack.meta.effective, pack.meta.lapses or law.FAR_FUTURE)
    if not result.excluded:
        kinds = {r.spec.id: r.spec.kind for r in pack.rules}
        result.findings = [
            f
            for f in result.findings
            if window.holds(law.finding_act(f, kinds.get(f.rule, []), project, act))
        ]
        result.deadlines = [d for d in result.deadlines if window.holds(law.deadline_act(d, act))]
    # a rule that only ever gives notices is tested on its notices; otherwise notices do not count
    notices_only = bool(spec.checks) and all(c.severity == "info" for c in spec.checks)
    counted = notices_only or example.severity == "info"
    mine = [f for f in result.findings if f.rule == spec.id and (counted or f.severity is not Severity.INFO)]
    problems: list[str] = []
    if example.severity is not None:
        other = sorted({f.severity.value for f in mine} - {example.severity})
        if other:
            problems.append(f"本规则的发现应都是 {example.severity}，实际还有 {other}")
    if example.expect == "fail" and not mine:
        problems.append("应当产生本规则的发现，实际没有")
    if example.expect == "pass" and mine:
        problems.append("不应产生本规则的发现，实际有：" + "；".join(f.message for f in mine))
    if example.routes is not None:
        roles = sorted({r.role for r in result.route if r.rule == spec.id})
        if roles != sorted(example.routes):
            problems.append(f"审批路由应为 {sorted(example.routes)}，实际为 {roles}")
    if example.facts is not None:
        for name, expected in example.facts.items():
            if result.facts.get(name) != expected:
                problems.append(f"事实 {name} 应为 {expected!r}，实际为 {result.facts.get(name)!r}")
    if example.deadlines is not None:
        mine_deadlines = [d for d in result.deadlines if d.rule == spec.id]
        for what, due in example.deadlines.items():
            match = [d for d in mine_deadlines if what in d.what]
            if not match or match[0].due != str(due):
                got = [(d.what, d.due) for d in mine_deadlines]
                problems.append(f"时限“{what}”应为 {due}，实际为 {got}")
    for words in example.says:
        if not any(words in f.message or words in f.hint for f in mine):
            problems.append(f"本规则的发现应写出“{words}”，实际为：" + "；".join(f.message for f in mine))
    if spec.excludes and example.expect == "fail":
        others = [f for f in result.findings if f.rule != spec.id]
        if others or result.route or result.deadlines or result.facts:
            problems.append(
                "本政策不适用的项目只应有这一条说明，实际还有："
                + "；".join(
                    [f"{f.rule} {f.message}" for f in others]
                    + [f"审批 {r.role}" for r in result.route]
                    + [f"时限 {d.what}" for d in result.deadlines]
                    + [f"事实 {k}" for k in result.facts]
                )
            )
    if example.related is not None:
        named = sorted({other for f in mine for other in f.related})
        if named != sorted(example.related):
            problems.append(f"发现应指明相关项目 {sorted(example.related)}，实际为 {named}")
    if example.decides is not None:
        from govsite.approvals.required import Subject, required_decisions

        step = _situation(list(project.stages), example, pending, context)
        source = step.transition_from.value if step.transition_from else None
        target = step.transition_to.value
        kind = "declaration" if source is None else ("transition" if source != target else "change")
        requirements, _later = required_decisions(
            Subject(kind, source, target), result.route, result.deadlines, pack, project.type.value
        )
        deciders = sorted(r.role for r in requirements)
        if deciders != sorted(example.decides):
            problems.append(f"本阶段须审批的角色应为 {sorted(example.decides)}，实际为 {deciders}")
    if example.score is not None:
        total = (result.score or {}).get("total")
        if total is None or abs(float(total) - example.score) > 0.01:
            problems.append(f"得分应为 {example.score}，实际为 {total}")
    defects = [f.message for f in result.findings if f.message.startswith(f"规则 {spec.id} 无法判定")]
    problems += defects
    return outcome(not problems, "；".join(problems))


def iter_examples(packs: list[PolicyPack], only: str | None = None) -> Iterator[ExampleOutcome]:
    """Every rule's examples (or only rule `only`'s), each judged by its whole pack."""
    for pack in packs:
        for rule in pack.rules:
            if only is not None and rule.spec.id != only:
                continue
            expects = {e.expect for e in rule.spec.examples}
            for missing in sorted({"pass", "fail"} - expects):
                yield ExampleOutcome(
                    pack.id, rule.spec.id, "（缺少示例）", missing, False, f"缺少一个 {missing} 示例"
                )
            for index, example in enumerate(rule.spec.examples):
                outcome = run_example(pack, rule, example)
                line = rule.example_lines[index] if index < len(rule.example_lines) else 1
                yield replace(outcome, where=f"{rule.path}:{line}")
