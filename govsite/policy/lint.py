"""The pack lint, run by `govsite policy test`: what a maintainer can get wrong in a rule besides its logic.

- **Severity follows the wording.** Each check (and each clock that gives a finding) quotes, in
  `wording:`, the words of its cited article it enforces. The quote must be the article's text, and
  its words decide the severity: 必须、不得、应、须 … an error; 原则上、一般、参照、鼓励、可 … a warning
  (the regulation itself allows exceptions); a wording with neither is a notice (info). A check whose
  severity differs says why in `severity_reason:`.
- **Waivers only where the regulation allows exceptions:** `waivable_by` needs a soft wording.
- **Thresholds are tested at their edge:** a project field compared with a number of the pack has an
  example at the number and one just below it (`boundary_problems`).

(That no message shows a raw placeholder is checked when the pack loads: govsite/policy/names.py.)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from govsite.policy.pack import CompiledRule, PolicyPack

# Softer words first: "原则上不得" allows exceptions. 可 is soft as a word of permission, not inside
# 可研、可行性、方可、不可 …; 需 is not a duty inside 需求, nor 应 inside 应用.
_SOFT = re.compile(
    r"原则上|一般|参照|参考|鼓励|宜|尽量|尽可能|可以|(?<![方不许认])可(?![研行扩靠视信用控持追])"
)
_HARD = re.compile(r"必须|严禁|禁止|不得|不能|不允许|不予|应当|应(?!用)|须|需(?!求)|要求|负责|方可")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class LintProblem:
    pack: str
    rule: str
    where: str  # checks[0] / clocks[1].overdue_message …
    message: str

    @property
    def test_id(self) -> str:
        return f"{self.pack}/{self.rule}/lint/{self.where}"


def _normal(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))


def wording_severity(wording: str) -> str:
    """error / warning / info, as the severity policy reads the quoted words."""
    if _SOFT.search(wording):
        return "warning"
    if _HARD.search(wording):
        return "error"
    return "info"


def _article_text(pack: PolicyPack, rule: CompiledRule) -> str:
    return _normal("".join(a.text for a in pack.articles if a.id in rule.spec.articles))


def lint_rule(pack: PolicyPack, rule: CompiledRule) -> Iterator[LintProblem]:
    spec = rule.spec
    text = _article_text(pack, rule)

    def problem(where: str, message: str) -> LintProblem:
        return LintProblem(pack.id, spec.id, where, message)

    def severity(where: str, wording: str, severity: str, reason: str) -> Iterator[LintProblem]:
        if not wording:
            yield problem(where, "没有写 wording：引用所依据条款中规定这一要求的原话，据以确定级别")
            return
        if _normal(wording) not in text:
            yield problem(where, f"wording“{wording}”不是所引条款（{spec.citation}）的原文")
            return
        expected = wording_severity(wording)
        if expected != severity and not reason:
            yield problem(
                where,
                f"级别为 {severity}，但条款原文“{wording}”对应 {expected}；改为 {expected}，或在 severity_reason 中写明理由",
            )

    # (placeholders are names: the loader checks them, at their line, govsite/policy/names.py)
    for index, check in enumerate(spec.checks):
        yield from severity(f"checks[{index}]", check.wording, check.severity, check.severity_reason)
    for index, clock in enumerate(spec.clocks):
        if clock.overdue_message:
            yield from severity(f"clocks[{index}]", clock.wording, clock.severity, clock.severity_reason)
    if spec.waivable_by is not None:
        if spec.waivable_by not in pack.roles:
            yield problem("waivable_by", f"未定义的角色 {spec.waivable_by!r}（见 roles.yaml）")
        soft = [c for c in spec.checks if c.wording and wording_severity(c.wording) == "warning"]
        if not soft:
            yield problem(
                "waivable_by",
                "只有条款本身允许例外（原则上、一般……）的要求才能豁免：本规则没有这样的 wording",
            )


# a project field compared with a number of the pack: project.budget.total >= params.major_investment
_COMPARISON = re.compile(
    r"(project(?:\.\w+)+)\s*(?:>=|>|<=|<)\s*params\.(\w+)\b|params\.(\w+)\s*(?:>=|>|<=|<)\s*(project(?:\.\w+)+)"
)


def _value_at(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


def just_below(value: float, threshold: float) -> bool:
    """Below the threshold by at most one step: 1 under a whole number (499.9 or 499 under 500 万元,
    level 2 under 3, half a year under 1), else 1% of it (0.149 under a 15% share)."""
    step = 1.0 if float(threshold).is_integer() else max(abs(threshold) * 0.01, 0.001)
    return threshold - step <= value < threshold


def boundary_problems(pack: PolicyPack, rule: CompiledRule) -> Iterator[LintProblem]:
    """Every number of the pack a rule compares a project field with has an example at it and one
    just below it, so a threshold that moves (a revision, a correction) is caught by the examples."""
    from govsite.policy.pack import _expressions
    from govsite.policy.selftest import deep_merge, fill_params

    spec = rule.raw or rule.spec
    pairs: set[tuple[str, str]] = set()
    for _loc, source in _expressions(spec):
        for match in _COMPARISON.finditer(source):
            pairs.add(
                (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
            )
    for path, param in sorted(pairs):
        threshold = pack.meta.params.get(param)
        if isinstance(threshold, bool) or not isinstance(threshold, int | float):
            continue
        values = []
        for example in rule.spec.examples:
            base = example.base if example.base is not None else pack.example_base
            value = _value_at(
                fill_params(deep_merge(base, example.project), pack.meta.params), path.split(".")[1:]
            )
            if isinstance(value, int | float) and not isinstance(value, bool):
                values.append(value)
        missing = [
            what
            for what, found in (
                (f"恰为 {threshold}", any(v == threshold for v in values)),
                (f"略低于 {threshold}", any(just_below(v, threshold) for v in values)),
            )
            if not found
        ]
        if missing:
            yield LintProblem(
                pack.id,
                spec.id,
                f"examples[{path}]",
                f"{path} 与 params.{param}（{threshold}）比较，但没有{'、'.join(missing)}的示例："
                f'在示例中写 {path.removeprefix("project.")}: "{{params.{param}}}"（恰为）和略低于它的值',
            )


def lint(packs: Sequence[PolicyPack]) -> Iterator[LintProblem]:
    for pack in packs:
        for rule in pack.rules:
            yield from lint_rule(pack, rule)
            yield from boundary_problems(pack, rule)
