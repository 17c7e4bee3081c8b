"""Policy pack format and loader.

A pack is a folder `policies/<district>-<year>/`:

  policy.yaml      metadata (文号, issued, effective, lapses, supersedes) and `params` (thresholds …)
  articles.yaml    the articles' text, for the handbook and for citing
  roles.yaml       reviewer roles and who holds them on each forge
  lifecycle.yaml   legal stage transitions
  examples/base.yaml  the project every rule example starts from
  rules/<ID>.yaml  one file per rule: its article, conditions (CEL), messages and examples

Every CEL expression is compiled when the pack loads, so a typo in a rule is reported with its file
and line before any project is judged.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from govsite import districts as district_registry
from govsite.cache import Cache, folder_digest
from govsite.districts import PREFIX_PATTERN, DistrictInfo, DistrictKey
from govsite.errors import GovsiteError
from govsite.findings import FieldPath
from govsite.lifecycle import Lifecycle, Transition
from govsite.policy import celext as cel
from govsite.validation import _dotted
from govsite.vocabulary import MaterialKind, ProjectType, Stage, label
from govsite.yamlload import LoadedDocument, load_file

# The rows of the side-by-side comparison of regulations, in order, with their Chinese headings.
COMPARE_TOPICS: dict[str, str] = {
    "scope": "适用范围",
    "major_project": "重大项目认定",
    "supervision": "监理",
    "testing": "测试与测评",
    "review_tracks": "评审通道",
    "change_tiers": "变更分级",
    "acceptance_steps": "验收步骤",
    "warranty": "质保与免费运维",
    "naming": "命名规范",
    "declaration_deadlines": "申报时间",
}

_COMMON_MATERIALS = frozenset(kind.value for kind in MaterialKind)

_CN_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1..99 in Chinese numerals, as articles are numbered (第二十五条)."""
    if n < 10:
        return _CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else _CN_DIGITS[tens]
    return f"{head}十{_CN_DIGITS[ones] if ones else ''}"


def cite(article: str) -> str:
    """'25' → '第二十五条'; '附件2' stays; '规则 五(三)' stays."""
    return f"第{chinese_number(int(article))}条" if article.isdigit() else article


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Supersedes(_Spec):
    document_number: str
    title: str


class TransitionClause(_Spec):
    """Projects declared before this regulation took effect stay under its predecessor until `until`."""

    until: Stage | None = Field(None, description="到达这一阶段后改按本政策；不写则直到结束都按原政策")
    article: str = ""


class PolicyMeta(_Spec):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*-\d{4}$")
    district: DistrictKey
    # the district's Chinese name and project id prefix (govsite/districts.py): a new district is a
    # new pack; every pack of one district writes the same two
    district_name: str | None = Field(None, min_length=2, max_length=20)
    id_prefix: str | None = Field(None, pattern=PREFIX_PATTERN)
    title: str
    document_number: str
    issuer: str
    issued: dt.date
    effective: dt.date
    lapses: dt.date | None = None
    supersedes: list[Supersedes] = Field(default_factory=list)
    transition: TransitionClause | None = None
    # a revision: the pack it takes everything from that it does not itself say (policy/revision.py)
    extends: str | None = Field(None, pattern=r"^[a-z][a-z0-9_]*-\d{4}$")
    drop_rules: list[str] = Field(
        default_factory=list, description="extends: the predecessor's rules it repeals"
    )
    source: str = ""
    params: dict[str, Any] = Field(default_factory=dict)
    # topic → Chinese sentence with {param} placeholders: the comparison of regulations is built from it
    compare: dict[str, str] = Field(default_factory=dict)

    def compared(self, topic: str) -> str | None:
        """The compare sentence of `topic` with the pack's params filled in (None if not given)."""
        template = self.compare.get(topic)
        return None if template is None else template.format_map(self.params)


class Article(_Spec):
    id: str
    title: str = ""
    chapter: str = ""
    text: str


# Why an article no rule cites has none (coverage.yaml): every article is enforced or explained.
UNCITED_KINDS: dict[str, str] = {
    "no_duty": "不设定义务",
    "agency_internal": "机关内部职责",
    "outside_registry": "所需事实不在登记册中",
    "not_yet": "可以检查，尚无规则",
}


class RetiredField(_Spec):
    """A `local` field the pack no longer reads because the fact moved (into the common model, say):
    a file that still writes it is told where the fact lives now, instead of "no such field"."""

    name: str = Field(pattern="^[a-z][a-z0-9_]*$")
    retired: str = Field(min_length=1, description="where the fact is recorded now, in Chinese")


class ArticleNote(_Spec):
    """An article that no rule or lifecycle step cites, and the reason, in coverage.yaml."""

    article: str
    kind: Literal["no_duty", "agency_internal", "outside_registry", "not_yet"]
    reason: str = Field(min_length=1)

    @property
    def kind_label(self) -> str:
        return UNCITED_KINDS[self.kind]


class MaterialKindSpec(_Spec):
    kind: str = Field(pattern="^[a-z][a-z0-9_]*$")
    label: str


class LocalField(_Spec):
    """A fact one regulation needs that the common model does not carry (project.local.<name>)."""

    name: str = Field(pattern="^[a-z][a-z0-9_]*$")
    type: Literal["bool", "int", "number", "string", "date", "enum", "list"]
    values: list[str] = Field(default_factory=list, description="enum: the allowed values")
    labels: dict[str, str] = Field(default_factory=dict, description="enum: the Chinese label of each value")
    description: str

    def label_of(self, value: str) -> str:
        """The Chinese label of an enum value: `labels`, else as the description writes it
        ("integrable 可整合使用 / low_usage 使用频率低"), else the common vocabulary."""
        if value in self.labels:
            return self.labels[value]
        written = re.search(
            rf"(?<![A-Za-z_]){re.escape(value)}\s+([^/／，,、；;（）()\s]+)", self.description
        )
        return written.group(1) if written else label(value)

    def problem(self, value: Any) -> str | None:
        """None if `value` fits, else what is wrong, in Chinese."""
        if value is None:
            return None
        ok = {
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, int | float) and not isinstance(value, bool),
            "string": isinstance(value, str),
            "date": isinstance(value, dt.date),
            "enum": value in self.values,
            "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
        }[self.type]
        if ok:
            return None
        expected = {
            "bool": "true 或 false",
            "int": "整数",
            "number": "数字",
            "string": "文字",
            "date": "日期（2026-03-02）",
            "enum": "、".join(self.values),
            "list": "文字列表",
        }[self.type]
        return f"应为 {expected}，现为“{value}”"


class Role(_Spec):
    id: str = Field(pattern=r"^[a-z_]+$")
    name: str
    description: str = ""
    forge: dict[str, str] = Field(default_factory=dict)
    # the body that answers for the district's project files (CODEOWNERS of submissions/<district>/)
    codeowner: bool = False


class Check(_Spec):
    when: str = "true"
    require: str
    severity: Literal["error", "warning", "info"] = "error"
    field: str = ""
    message: str
    hint: str = ""
    # the words of the cited article this check enforces, quoted exactly: they decide its severity
    # (docs/policy-packs.md, "Severity"); a severity the wording does not give needs a reason
    wording: str = ""
    severity_reason: str = ""


class RouteSpec(_Spec):
    when: str = "true"
    role: str
    reason: str
    # the stages at whose reaching this body decides; absent: it decides whenever the route applies.
    # A route shown at declaration for a decision taken later (the joint meeting's approval, say)
    # names that later stage here, so the declaration's pull request does not wait for it.
    at: list[Stage] | None = None


class ClockSpec(_Spec):
    when: str = "true"
    what: str
    start: str | None = None
    # a number, or a CEL expression such as params.intake_working_days
    working_days: int | str | None = None
    calendar_days: int | str | None = None
    years: int | str | None = None
    due: str | None = None
    done_on: str | None = None
    severity: Literal["error", "warning", "info"] = "warning"
    field: str = ""
    overdue_message: str = ""
    hint: str = ""
    wording: str = ""
    severity_reason: str = ""

    @model_validator(mode="after")
    def _one_way_to_due(self) -> ClockSpec:
        ways = [self.working_days, self.calendar_days, self.years, self.due]
        if sum(w is not None for w in ways) != 1:
            raise ValueError("clock needs exactly one of working_days, calendar_days, years, due")
        if self.due is None and self.start is None:
            raise ValueError("clock with a day count needs start")
        return self


class ExampleSpec(_Spec):
    name: str
    project: dict[str, Any] = Field(default_factory=dict)
    base: dict[str, Any] | None = None
    transition_from: str | None = None
    today: dt.date | None = None
    expect: Literal["pass", "fail"]
    routes: list[str] | None = None
    facts: dict[str, Any] | None = None
    deadlines: dict[str, str] | None = None
    score: float | None = None
    # other projects of the registry (each merged over examples/base.yaml), for rules across projects
    registry: list[dict[str, Any]] = Field(default_factory=list)
    # repository files the project's materials point at (path → text), e.g. a construction plan
    documents: dict[str, str] = Field(default_factory=dict)
    # what a finding of this rule must name in `related` (ids of other projects)
    related: list[str] | None = None
    # the roles whose approval this step needs now (lifecycle `by` and routes without a later `at`)
    decides: list[str] | None = None
    # words each finding of this rule must say (in its message or hint), e.g. the suggested name
    says: list[str] = Field(default_factory=list)
    # the severity every finding of this rule must have here; `info` also makes notices count, for a
    # rule that puts facts before a reviewer without judging the project (a named rule, say)
    severity: Literal["error", "warning", "info"] | None = None
    # the example is about one year's public holidays (a deadline across National Day, say): it is
    # not moved into a revision's window, and a revision does not inherit it
    keep_dates: bool = False


class RuleSpec(_Spec):
    id: str = Field(pattern=r"^[A-Z]{2}-\d{2}$")
    kind: list[str]
    articles: list[str] = Field(min_length=1)
    title: str
    text: str = Field(description="the rule's wording, shown in the handbook")
    applies: str = "true"
    for_each: str | None = None
    let: dict[str, str] = Field(default_factory=dict)
    derive: dict[str, str] = Field(default_factory=dict)
    checks: list[Check] = Field(default_factory=list)
    routes: list[RouteSpec] = Field(default_factory=list)
    clocks: list[ClockSpec] = Field(default_factory=list)
    function: str | None = None
    # a scope rule whose finding means the regulation does not apply: its one notice is all a project
    # out of scope gets (no other finding, route, fact or clock)
    excludes: bool = False
    # where the article allows exceptions (原则上 …), the role that may grant one: a project's
    # waiver for this rule, granted by that role with a reason, turns its warnings into notices
    waivable_by: str | None = None
    examples: list[ExampleSpec] = Field(default_factory=list)

    @property
    def citation(self) -> str:
        return "、".join(cite(a) for a in self.articles)


# Quoted strings, or an identifier not preceded by "." (a field access such as x.item is not the
# variable `item`). Substitutions touch only the identifiers, never text inside quotes.
_STRING_OR_NAME = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?<![.\w])([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?"""
)


def substitute_names(source: str, replace: Callable[[str, str | None], str | None]) -> str:
    """Rewrite CEL identifiers outside string literals: `replace(name, attribute)` returns the new
    text for `name` (or `name.attribute`), or None to leave it."""

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name is None:
            return match.group(0)  # a string literal
        new = replace(name, match.group(2))
        return match.group(0) if new is None else new

    return _STRING_OR_NAME.sub(one, source)


# A path into the project or the params, outside quoted strings: `project.budget.items` …
_PATH_OR_STRING = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?<![.\w])(project|params)\.([A-Za-z_]\w*)(?:\.([A-Za-z_]\w*))?"""
)
_WHOLE = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?<![.\w])(project|params)(?![\w])""")
_HAS_PATH = re.compile(r"has\(\s*(project|params)\.")
# a comprehension whose variable is named project or params: inside it the name is not the context's
_SHADOWED = re.compile(r"\.\s*(all|exists|exists_one|map|filter)\(\s*(project|params)\s*,")
_DEEP_PATH = re.compile(r"project\.([A-Za-z_]\w*)\.([A-Za-z_]\w*)")


def path_variable(root: str, *names: str) -> str:
    """The context variable that holds `root.name(.name)`: `_project_budget_items`."""
    return "_".join(("", root, *names))


def flatten_paths(text: str, deep: frozenset[str] = frozenset()) -> str:
    """`project.<field>` and `params.<name>` read from context variables of their own.

    The CEL engine copies the value a field access selects, whole: `project.budget` (the budget
    with its items) 4.6 µs, `project.budget.items` 10 µs, on every access — and a rule over
    the budget items reads an item a dozen times. A variable of the context is read without a
    copy, so the project's fields and the pack's params are each one (`_project_budget`,
    `_params_item_kinds`), and a list a rule iterates (`deep`: `budget.items`) one more. The
    values are the same; only where the engine finds them changes. An expression that uses
    `has()` on such a path, or one where a comprehension names its variable `project` or
    `params`, is left as written (has() needs the field access; the variable is not the context's)."""
    if _HAS_PATH.search(text) or _SHADOWED.search(text):
        return text

    def one(match: re.Match[str]) -> str:
        root, name, inner = match.groups()
        if root is None:
            return match.group(0)  # a string literal
        if inner is not None and root == "project" and f"{name}.{inner}" in deep:
            return path_variable(root, name, inner)
        return path_variable(root, name) + (f".{inner}" if inner else "")

    return _PATH_OR_STRING.sub(one, text)


@dataclass
class CompiledRule:
    spec: RuleSpec
    path: Path
    programs: dict[str, Any] = field(default_factory=dict)
    expanded: dict[str, str] = field(default_factory=dict)
    # the same expressions with each let used more than once evaluated once (see _LetBinder)
    bound: dict[str, str] = field(default_factory=dict)
    example_lines: list[int] = field(default_factory=list)  # where each example starts in the file
    raw: RuleSpec | None = None  # as written (params not filled in): what a revision inherits
    inherited_from: str | None = None  # the predecessor pack whose rule this is, in a revision
    _compiled: dict[tuple[str, int, bool], Any] = field(default_factory=dict)
    _mentions: dict[str, bool] = field(default_factory=dict)

    def program(self, source: str, index: int | None = None, bound: bool = True) -> Any:
        """The compiled program; inside `for_each`, one compiled per element position.

        `item` and `index` are inlined as `(<for_each>)[i]` and `i` rather than set in the
        context, for the same reason as lets (see _expand_lets). Lists are short, so the cache is.
        `bound=False`: the expression with every let inlined, however often it is used (what
        decides when the bound form fails, see _LetBinder).
        """
        text = self.bound.get(source) if bound else None
        if text is None:
            text, bound = self.expanded[source], False
        if index is None or self.spec.for_each is None:
            key: tuple[str, int, bool] = (source, -1, bound)
            program = self._compiled.get(key)
            if program is None:
                # compiled on first use, reading paths from their own variables
                program = self._compiled[key] = cel.compile(flatten_paths(text, self.deep_paths))
            return program
        key = (source, index, bound)
        program = self._compiled.get(key)
        if program is None:
            element = f"({self.expanded[self.spec.for_each]})[{index}]"

            def inline(name: str, attribute: str | None) -> str | None:
                tail = f".{attribute}" if attribute else ""
                if name == "item":
                    return element + tail
                if name == "index" and attribute is None:
                    return str(index)
                return None

            text = substitute_names(text, inline)
            program = self._compiled[key] = cel.compile(flatten_paths(text, self.deep_paths))
        return program

    @property
    def deep_paths(self) -> frozenset[str]:
        """The list this rule iterates, when it is a field of a field of the project
        (`budget.items`): read from a variable of its own (see flatten_paths)."""
        match = _DEEP_PATH.fullmatch((self.spec.for_each or "").strip())
        return frozenset([f"{match.group(1)}.{match.group(2)}"]) if match else frozenset()

    def mentions(self, name: str) -> bool:
        """Whether an expression of the rule may read the variable `name` (by its text: a
        mention inside a string counts too, which only costs time)."""
        found = self._mentions.get(name)
        if found is None:
            texts = [*self.expanded.values(), *self.bound.values()]
            found = self._mentions[name] = any(name in text for text in texts)
        return found

    def reads_whole(self) -> set[str]:
        """`project` or `params` where some expression of the rule reads it whole (flattened, it
        then needs the whole value in the context too)."""
        found: set[str] = set()
        texts = [*self.expanded.values(), *self.bound.values()]
        for text in texts:
            for match in _WHOLE.finditer(flatten_paths(text, self.deep_paths)):
                if match.group(1):
                    found.add(match.group(1))
        return found

    def __getstate__(self) -> dict[str, Any]:
        # compiled CEL programs do not pickle: a cached pack compiles each expression on first use
        return {**self.__dict__, "programs": {}, "_compiled": {}}


@dataclass
class PolicyPack:
    meta: PolicyMeta
    path: Path
    articles: list[Article]
    roles: dict[str, Role]
    lifecycle: Lifecycle
    rules: list[CompiledRule]
    example_base: dict[str, Any]
    material_kinds: dict[str, str] = field(default_factory=dict)
    local_fields: dict[str, LocalField] = field(default_factory=dict)
    retired_fields: dict[str, RetiredField] = field(default_factory=dict)
    # article id → why no rule cites it (coverage.yaml)
    uncited: dict[str, ArticleNote] = field(default_factory=dict)
    digest: str = ""  # what the pack was built from (pack_digest), when known
    parent: PolicyPack | None = None  # the pack this one `extends`
    template: Path | None = None  # template.yaml, its own or inherited

    @property
    def id(self) -> str:
        return self.meta.id

    def in_force_on(self, day: dt.date) -> bool:
        return self.meta.effective <= day and (self.meta.lapses is None or day < self.meta.lapses)

    def material_label(self, kind: str) -> str:
        return self.material_kinds.get(kind) or label(kind)

    def knows_material(self, kind: str) -> bool:
        return kind in self.material_kinds or kind in _COMMON_MATERIALS

    def article(self, article_id: str) -> Article | None:
        return next((a for a in self.articles if a.id == article_id), None)


class _Problems:
    def __init__(self) -> None:
        self.lines: list[str] = []

    def add(self, path: Path | str, line: int, message: str) -> None:
        self.lines.append(f"{path}:{line}: {message}")


def _load(path: Path, problems: _Problems) -> LoadedDocument:
    doc = load_file(path)
    for error in doc.errors:
        problems.add(path, error.line or 1, error.message)
    return doc


def _model(
    cls: type[_Spec], doc: LoadedDocument, data: Any, problems: _Problems, where: tuple[Any, ...] = ()
) -> Any:
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors(include_url=False):
            loc = (*where, *error["loc"])
            problems.add(doc.path, doc.locate(loc)[0], f"{_dotted(loc)}：{spec_message(error)}")
        return None


def _spec_fields() -> set[str]:
    """Every setting name a pack file may use (for "did you mean")."""
    names: set[str] = set()
    stack: list[type[BaseModel]] = [_Spec]
    while stack:
        model = stack.pop()
        stack.extend(model.__subclasses__())
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return names


def spec_message(error: Any) -> str:
    """A pydantic error in a pack file, in Chinese (the maintainer reads it, not a programmer)."""
    from govsite.policy.names import suggest

    kind, given = error["type"], error.get("input")
    ctx = error.get("ctx") or {}
    key = next((str(p) for p in reversed(error["loc"]) if isinstance(p, str)), "")
    if kind == "missing":
        return f"缺少必填的 {key}"
    if kind == "extra_forbidden":
        return f"不认识的设置 {key}{suggest(key, _spec_fields()) or '：检查拼写，或删除它'}"
    if kind in ("enum", "literal_error"):
        return f"值 {given!r} 不在允许范围内（可选：{ctx.get('expected', '')}）"
    if kind == "string_pattern_mismatch":
        return f"{given!r} 的格式不对（应符合 {ctx.get('pattern', '')}）"
    if kind.startswith(("int", "float")):
        return f"应为数字，现为 {given!r}"
    if kind.startswith("bool"):
        return f"应为 true 或 false，现为 {given!r}"
    if kind.startswith(("date", "datetime")):
        return f"应为日期（2026-03-02 的格式），现为 {given!r}"
    if kind == "string_type":
        return f"应为文字，现为 {given!r}"
    if kind in ("list_type", "dict_type", "model_type", "model_attributes_type"):
        return "应为列表（每项以“- ”开头）" if kind == "list_type" else "应为一组“名字: 值”"
    if kind in ("too_short", "string_too_short"):
        return "不能为空"
    if kind in ("too_long", "string_too_long"):
        return "过长"
    if kind == "value_error":
        return str(error.get("msg", "")).removeprefix("Value error, ")
    return f"不符合要求（{error.get('msg', kind)}）"


def _expand_lets(source: str, expanded: dict[str, str]) -> str:
    """Inline `v.<name>` as its (already inlined) let expression.

    `let` values are macros, not context variables: changing a cel.Context makes the next
    evaluation convert the whole project again, which made every let cost a full conversion.
    An unknown name is left as it is, so CEL reports it when the rule runs its examples.
    """

    def inline(name: str, attribute: str | None) -> str | None:
        if name == "v" and attribute in expanded:
            return f"({expanded[attribute]})"
        return None

    return substitute_names(source, inline)


def _let_uses(source: str) -> Counter[str]:
    found: Counter[str] = Counter()

    def note(name: str, attribute: str | None) -> None:
        if name == "v" and attribute is not None:
            found[attribute] += 1

    substitute_names(source, lambda name, attribute: note(name, attribute))
    return found


class _LetBinder:
    """Writes a rule's expressions with each let used more than once evaluated once.

    Inlined, a let is evaluated wherever it appears: 杨浦's device-class lets (a regex match
    against every name of the device table, then the longest match) appeared dozens of times in
    one condition and cost 7 ms a budget item. CEL has no `let`; `[value].map(name, body)[0]` is
    one. Unlike the inlined form it evaluates the let even where a condition would not have
    reached it, so a let that fails there makes the bound form fail: the engine then evaluates
    the inlined form (CompiledRule.program(bound=False)), which decides as before.
    """

    def __init__(self, lets: dict[str, str]) -> None:
        self.lets = lets
        self.names = list(lets)
        # each let may use the lets before it (as _expand_lets inlines them)
        self.direct: dict[str, Counter[str]] = {}
        for position, name in enumerate(self.names):
            earlier = set(self.names[:position])
            self.direct[name] = Counter({k: n for k, n in _let_uses(lets[name]).items() if k in earlier})

    def bind(self, source: str) -> str | None:
        """`source` with its shared lets bound, or None when no let is used twice (counting the
        uses inside other lets)."""
        if not self.lets or "v." not in source:
            return None
        uses = Counter({k: n for k, n in _let_uses(source).items() if k in self.lets})
        for name in reversed(self.names):  # every user of a let comes after it, or is `source`
            for used, times in self.direct[name].items():
                uses[used] += uses[name] * times
        shared = [name for name in self.names if uses[name] >= 2]
        if not shared:
            return None
        body = self._write(source, len(self.names), shared)
        for name in reversed(shared):  # the first let outermost: the later ones may use it
            value = self._write(self.lets[name], self.names.index(name), shared)
            body = f"[{value}].map(_v_{name}, {body})[0]"
        return body

    def _write(self, text: str, visible: int, shared: list[str]) -> str:
        """`text` with the first `visible` lets bound or inlined (a name it may not use is left
        for CEL to report, as _expand_lets leaves it)."""
        names = self.names[:visible]

        def inline(name: str, attribute: str | None) -> str | None:
            if name != "v" or attribute not in names:
                return None
            if attribute in shared:
                return f"_v_{attribute}"
            return f"({self._write(self.lets[attribute], self.names.index(attribute), shared)})"

        return substitute_names(text, inline)


_EXPRESSION_FIELDS = ("when", "require", "start", "due", "done_on", "working_days", "calendar_days", "years")


def _expressions(spec: RuleSpec) -> list[tuple[tuple[Any, ...], str]]:
    out: list[tuple[tuple[Any, ...], str]] = [(("applies",), spec.applies)]
    if spec.for_each:
        out.append((("for_each",), spec.for_each))
    out += [(("let", k), v) for k, v in spec.let.items()]
    out += [(("derive", k), v) for k, v in spec.derive.items()]
    for group in ("checks", "routes", "clocks"):
        for index, item in enumerate(getattr(spec, group)):
            for name in _EXPRESSION_FIELDS:
                source = getattr(item, name, None)
                if isinstance(source, str):
                    out.append(((group, index, name), source))
    return out


@dataclass(frozen=True)
class _Declared:
    """What a pack's rules may name (govsite/policy/names.py)."""

    scope: dict[str, Any]
    functions: set[str]
    params: dict[str, Any]


def _declared(
    meta: PolicyMeta | None, local_fields: dict[str, LocalField], specs: list[RuleSpec]
) -> _Declared:
    from govsite.policy import names
    from govsite.policy.functions import CEL_FUNCTIONS

    params = dict(meta.params) if meta is not None else {}
    facts = {name for spec in specs for name in spec.derive}
    scope = names.variables(local_fields, params, facts)
    if any(spec.function for spec in specs):  # a named rule's facts are Python's: not declared
        scope["facts"] = names.ANY
    return _Declared(scope, set(names.STANDARD_FUNCTIONS) | set(CEL_FUNCTIONS), params)


def _check_names(spec: RuleSpec, doc: LoadedDocument, problems: _Problems, declared: _Declared) -> None:
    """Every name a rule uses exists: fields, functions, lets, placeholders, kinds, finding fields."""
    from govsite.policy import names

    def add(loc: tuple[Any, ...], what: str) -> None:
        problems.add(doc.path, doc.locate(loc)[0], f"{_dotted(loc)}：{what}")

    lets = set(spec.let)
    scope = dict(declared.scope)
    if spec.for_each:
        items = names.ANY
        for problem in names.expression_problems(spec.for_each, scope, lets, declared.functions):
            add(("for_each",), problem)
        # a list field, or one filtered (its elements keep their shape): `project.evaluations.filter(e, …)`
        plain = re.fullmatch(r"\s*([A-Za-z_][\w.]*?)\s*(?:\.\s*filter\(.*\))?\s*", spec.for_each, re.S)
        if plain:
            resolved = names._resolve([p.strip() for p in plain.group(1).split(".")], scope, {})
            items = resolved.items if resolved is not None and resolved.items is not None else names.ANY
        scope["item"], scope["index"] = items, names.LEAF
    for loc, source in _expressions(spec):
        if loc == ("for_each",):
            continue
        for problem in names.expression_problems(source, scope, lets, declared.functions):
            add(loc, problem)
    for problem in names.kind_problems(spec.kind):
        add(("kind",), problem)
    shape = scope["project"]
    values = {*spec.let, "index", "name", "id"}
    for index, check in enumerate(spec.checks):
        if check.field:
            wrong = names.field_problem(check.field, shape, lets)
            if wrong:
                add(("checks", index, "field"), wrong)
        for part in ("message", "hint"):
            for problem in names.placeholder_problems(getattr(check, part), values, declared.params):
                add(("checks", index, part), problem)
    for index, route in enumerate(spec.routes):
        for problem in names.placeholder_problems(route.reason, values, declared.params):
            add(("routes", index, "reason"), problem)
    clock_values = values | {"due", "start", "done_on", "days"}
    for index, clock in enumerate(spec.clocks):
        for part in ("what", "overdue_message", "hint"):
            for problem in names.placeholder_problems(
                getattr(clock, part) or "", clock_values, declared.params
            ):
                add(("clocks", index, part), problem)
    for part in ("text", "title"):
        for problem in names.placeholder_problems(getattr(spec, part), set(), declared.params):
            add((part,), problem)
    for index, example in enumerate(spec.examples):
        for problem in names.placeholder_problems(example.name, set(), declared.params):
            add(("examples", index, "name"), problem)


_CEL_SYNTAX = re.compile(r"<input>:(\d+):(\d+): Syntax error: (.*)")


def cel_error(text: str) -> str:
    """The CEL library's parse error in Chinese: where in the expression, and what it found."""
    match = _CEL_SYNTAX.search(text)
    if not match:
        return text.split("ERROR:", 1)[-1].strip().splitlines()[0]
    column, what = match.group(2), match.group(3)
    found = re.match(r"(?:mismatched|extraneous) input '(.*?)' expecting", what)
    if found:
        token = "表达式结尾" if found.group(1) == "<EOF>" else f"“{found.group(1)}”"
        return f"第 {column} 个字符处的{token}不合语法（前面可能少了或多了运算符、括号或引号）"
    missing = re.match(r"missing '(.*?)' at '(.*?)'", what)
    if missing:
        return f"第 {column} 个字符处少了“{missing.group(1)}”"
    if what.startswith("token recognition error"):
        return f"第 {column} 个字符处有无法识别的符号（引号是否成对？）"
    return f"第 {column} 个字符处语法错误（{what}）"


def _compile_rule(
    spec: RuleSpec,
    doc: LoadedDocument,
    problems: _Problems,
    roles: dict[str, Role],
    declared: _Declared | None = None,
) -> CompiledRule:
    if declared is not None:
        _check_names(spec, doc, problems, declared)
    compiled = CompiledRule(spec=spec, path=Path(doc.path))
    compiled.example_lines = [doc.locate(("examples", i))[0] for i in range(len(spec.examples))]
    expanded: dict[str, str] = {}
    for name, source in spec.let.items():
        expanded[name] = _expand_lets(source, expanded)
    binder = _LetBinder(spec.let)
    for loc, source in _expressions(spec):
        try:
            compiled.expanded[source] = _expand_lets(source, expanded)
            compiled.programs[source] = cel.compile(compiled.expanded[source])
            bound = binder.bind(source)
            if bound is not None:
                compiled.bound[source] = bound
        except ValueError as exc:
            problems.add(doc.path, doc.locate(loc)[0], f"CEL 表达式有误：{source!r}：{cel_error(str(exc))}")
    if spec.function is not None:
        from govsite.policy.named import NAMED_RULES

        if spec.function not in NAMED_RULES:
            problems.add(
                doc.path,
                doc.locate(("function",))[0],
                f"没有名为 {spec.function!r} 的命名规则（govsite/policy/named/）",
            )
    for index, route in enumerate(spec.routes):
        if route.role not in roles:
            problems.add(
                doc.path,
                doc.locate(("routes", index, "role"))[0],
                f"未定义的角色 {route.role!r}（见 roles.yaml）",
            )
    return compiled


_PARAM = re.compile(r"\{params\.([A-Za-z_]\w*)(:[^{}]*)?\}")


def fill_params(text: str, params: dict[str, Any]) -> str:
    """`{params.major_investment}` in a rule's title, text or an example's name → the pack's value,
    so prose follows the numbers (a missing name stays as written; the name check reports it)."""

    def one(match: re.Match[str]) -> str:
        if match.group(1) not in params:
            return match.group(0)
        try:
            return format(params[match.group(1)], (match.group(2) or ":")[1:])
        except (TypeError, ValueError):
            return match.group(0)

    return _PARAM.sub(one, text) if "{params." in text else text


def _with_params(spec: RuleSpec, params: dict[str, Any]) -> RuleSpec:
    """The spec as people read it: title, text and example names with the params filled in (the
    spec itself when it names none: no second copy of every rule and example to keep)."""
    if "{params." not in spec.title + spec.text and not any("{params." in e.name for e in spec.examples):
        return spec
    examples = [e.model_copy(update={"name": fill_params(e.name, params)}) for e in spec.examples]
    return spec.model_copy(
        update={
            "title": fill_params(spec.title, params),
            "text": fill_params(spec.text, params),
            "examples": examples,
        }
    )


# a group with a quantifier inside, itself repeated: (a+)+, (x|xy)*, ([a-z]+\s?)+ …
_NESTED_QUANTIFIER = re.compile(r"\((?:[^()\\]|\\.)*[+*}](?:[^()\\]|\\.)*\)[+*{]")


def _pattern_problems(params: dict[str, Any]) -> list[tuple[FieldPath, str]]:
    """The word-list patterns (`{pattern: …}` entries of the params, for `matching`) that do not
    compile, or that a project's text could make run for ever.

    `matching` uses Python's regular expressions, which backtrack: a pattern that repeats a
    repeated group takes time exponential in the length of the text it fails on, and the text is
    whatever a department writes. CEL's own `matches` (RE2) cannot; a word list needs neither."""
    found: list[tuple[FieldPath, str]] = []
    for name, value in params.items():
        if not isinstance(value, list):
            continue
        for index, entry in enumerate(value):
            if not isinstance(entry, dict) or "pattern" not in entry:
                continue
            where: FieldPath = ("params", name, index, "pattern")
            pattern = str(entry["pattern"])
            try:
                re.compile(pattern)
            except re.error as exc:
                found.append((where, f"params.{name}[{index}].pattern 不是有效的正则表达式（{exc}）"))
                continue
            if _NESTED_QUANTIFIER.search(pattern):
                found.append(
                    (
                        where,
                        f"params.{name}[{index}].pattern 中有重复的重复（如 (a+)+）：对某些文字会回溯到停不下来，"
                        "请改成不嵌套的写法（词表只需要“词1|词2|……”）",
                    )
                )
    return found


def load_pack(folder: Path, parent: PolicyPack | None = None) -> PolicyPack:
    """Load and compile one pack; every problem in it is reported at once. `parent`: the pack its
    policy.yaml `extends` (loaded first by load_packs), which supplies whatever this one omits."""
    from govsite.policy import revision

    problems = _Problems()
    meta_doc = _load(folder / "policy.yaml", problems)
    meta_data = meta_doc.data
    if parent is not None and meta_doc.ok and isinstance(meta_data, dict):
        meta_data = revision.merged_meta(parent.meta.model_dump(), meta_data)
    meta = _model(PolicyMeta, meta_doc, meta_data, problems) if meta_doc.ok else None
    if meta is not None and meta.extends and parent is None:
        problems.add(
            meta_doc.path, meta_doc.locate(("extends",))[0], f"找不到 extends 的政策包 {meta.extends}"
        )

    def own(name: str) -> bool:
        """A revision may leave a file out: the predecessor's is used."""
        return parent is None or (folder / name).is_file()

    if meta is not None:
        for line_path, message in _pattern_problems(meta.params):
            problems.add(meta_doc.path, meta_doc.locate(line_path)[0], message)
        for topic in meta.compare:
            if topic not in COMPARE_TOPICS:
                problems.add(
                    meta_doc.path,
                    meta_doc.locate(("compare", topic))[0],
                    f"未知的比较主题 {topic!r}，可选：{'、'.join(COMPARE_TOPICS)}",
                )
                continue
            try:
                meta.compared(topic)
            except (KeyError, ValueError, IndexError) as exc:
                problems.add(
                    meta_doc.path,
                    meta_doc.locate(("compare", topic))[0],
                    f"compare.{topic} 无法用 params 填写：{exc}",
                )

    articles: list[Article] = list(parent.articles) if parent is not None else []
    articles_doc = (
        _load(folder / "articles.yaml", problems) if own("articles.yaml") else LoadedDocument("", {})
    )
    if articles_doc.ok and articles_doc.path:
        for index, item in enumerate(articles_doc.data.get("articles", [])):
            article = _model(Article, articles_doc, item, problems, ("articles", index))
            if article is not None:  # a revision's article replaces the predecessor's of that id
                articles = [a for a in articles if a.id != article.id] + [article]

    roles: dict[str, Role] = dict(parent.roles) if parent is not None else {}
    roles_doc = _load(folder / "roles.yaml", problems) if own("roles.yaml") else LoadedDocument("", {})
    if roles_doc.ok and roles_doc.path:
        for index, item in enumerate(roles_doc.data.get("roles", [])):
            role = _model(Role, roles_doc, item, problems, ("roles", index))
            if role is not None:
                roles[role.id] = role

    lifecycle = (
        _load_lifecycle(folder / "lifecycle.yaml", problems)
        if own("lifecycle.yaml") or parent is None
        else parent.lifecycle
    )
    if lifecycle is not None:
        for stage, entry_roles in lifecycle.entry_by.items():
            for role in entry_roles:
                if role not in roles:
                    problems.add(
                        folder / "lifecycle.yaml",
                        1,
                        f"未定义的角色 {role!r}（见 roles.yaml）：entry_by.{stage.value}",
                    )
        for transition in lifecycle.transitions:
            for role in transition.by:
                if role not in roles:
                    problems.add(
                        folder / "lifecycle.yaml",
                        1,
                        f"未定义的角色 {role!r}（见 roles.yaml）：{transition.source.value} → {transition.target.value}",
                    )

    # Optional: facts this regulation needs beyond the common model, carried in project.local.
    local_fields: dict[str, LocalField] = dict(parent.local_fields) if parent is not None else {}
    retired_fields: dict[str, RetiredField] = dict(parent.retired_fields) if parent is not None else {}
    if (folder / "fields.yaml").is_file():
        fields_doc = _load(folder / "fields.yaml", problems)
        if fields_doc.ok:
            for index, item in enumerate(fields_doc.data.get("fields", [])):
                local = _model(LocalField, fields_doc, item, problems, ("fields", index))
                if local is not None:
                    local_fields[local.name] = local
            for index, item in enumerate(fields_doc.data.get("retired", [])):
                gone = _model(RetiredField, fields_doc, item, problems, ("retired", index))
                if gone is not None:
                    retired_fields[gone.name] = gone

    # Optional: material kinds this regulation names beyond the common ones of vocabulary.MaterialKind.
    material_kinds: dict[str, str] = dict(parent.material_kinds) if parent is not None else {}
    if (folder / "materials.yaml").is_file():
        materials_doc = _load(folder / "materials.yaml", problems)
        if materials_doc.ok:
            for index, item in enumerate(materials_doc.data.get("kinds", [])):
                spec = _model(MaterialKindSpec, materials_doc, item, problems, ("kinds", index))
                if spec is not None:
                    material_kinds[spec.kind] = spec.label

    # Optional until every article is accounted for: why the articles no rule cites have none.
    uncited: dict[str, ArticleNote] = dict(parent.uncited) if parent is not None else {}
    if (folder / "coverage.yaml").is_file():
        coverage_doc = _load(folder / "coverage.yaml", problems)
        known = {a.id for a in articles}
        listed = coverage_doc.data.get("articles", []) if isinstance(coverage_doc.data, dict) else None
        if coverage_doc.ok and not isinstance(listed, list):
            problems.add(coverage_doc.path, 1, "coverage.yaml 应当是 articles: 下的一个列表")
        elif coverage_doc.ok and isinstance(listed, list):
            for index, item in enumerate(listed):
                note = _model(ArticleNote, coverage_doc, item, problems, ("articles", index))
                if note is None:
                    continue
                line = coverage_doc.locate(("articles", index))[0]
                if note.article not in known:
                    problems.add(coverage_doc.path, line, f"articles.yaml 中没有条款 {note.article!r}")
                elif note.article in uncited and (parent is None or note.article not in parent.uncited):
                    problems.add(coverage_doc.path, line, f"条款 {note.article!r} 说明了两次")
                else:
                    uncited[note.article] = note

    # a revision's inherited examples move into its window (revision.shift_dates)
    steps = 0
    if parent is not None and meta is not None:
        steps = revision.shift_steps(revision.earliest_date(parent.example_base), meta.effective)
    if own("examples/base.yaml"):
        base_doc = _load(folder / "examples" / "base.yaml", problems)
        example_base: dict[str, Any] = (
            base_doc.data if base_doc.ok and isinstance(base_doc.data, dict) else {}
        )
    else:
        assert parent is not None
        example_base = revision.shift_dates(parent.example_base, steps)

    rules: list[CompiledRule] = []
    seen: set[str] = set()
    article_ids = {a.id for a in articles}
    parsed: list[tuple[RuleSpec, LoadedDocument]] = []
    for rule_path in sorted((folder / "rules").glob("*.yaml")):
        doc = _load(rule_path, problems)
        if not doc.ok:
            continue
        spec = _model(RuleSpec, doc, doc.data, problems)
        if spec is None:
            continue
        if spec.id in seen:
            problems.add(rule_path, 1, f"规则编号 {spec.id} 重复")
        seen.add(spec.id)
        if rule_path.stem != spec.id:
            problems.add(rule_path, 1, f"文件名应与规则编号一致：{spec.id}.yaml")
        for article in spec.articles:
            if article not in article_ids:
                problems.add(rule_path, doc.locate(("articles",))[0], f"articles.yaml 中没有条款 {article!r}")
        parsed.append((spec, doc))
    params = dict(meta.params) if meta is not None else {}
    if parent is not None and meta is not None:
        replaced = {spec.id for spec, _doc in parsed}
        for gone in meta.drop_rules:
            if not any(r.spec.id == gone for r in parent.rules):
                problems.add(
                    meta_doc.path, meta_doc.locate(("drop_rules",))[0], f"{parent.id} 中没有规则 {gone}"
                )
        for inherited in parent.rules:
            if inherited.spec.id in replaced or inherited.spec.id in meta.drop_rules:
                continue
            raw = inherited.raw or inherited.spec
            shifted = raw.model_copy(
                update={
                    "examples": [
                        ExampleSpec.model_validate(revision.shift_dates(e.model_dump(), steps))
                        for e in raw.examples
                        if not (steps and e.keep_dates)
                    ]
                }
            )
            rules.append(
                CompiledRule(
                    spec=_with_params(shifted, params),
                    path=inherited.path,
                    programs=inherited.programs,
                    expanded=inherited.expanded,
                    bound=inherited.bound,
                    example_lines=inherited.example_lines,
                    raw=shifted,
                    inherited_from=inherited.inherited_from or parent.id,
                )
            )
    declared = _declared(meta, local_fields, [spec for spec, _doc in parsed])
    for spec, doc in parsed:
        compiled = _compile_rule(spec, doc, problems, roles, declared)
        compiled.raw, compiled.spec = spec, _with_params(spec, params)
        rules.append(compiled)
    rules.sort(key=lambda r: r.spec.id)

    if problems.lines or meta is None or lifecycle is None:
        raise GovsiteError(
            f"政策包 {folder} 有 {len(problems.lines)} 处错误：\n  " + "\n  ".join(problems.lines),
            "修正政策包后再运行；可用 govsite policy test 检查。",
        )
    return PolicyPack(
        meta=meta,
        path=folder,
        articles=articles,
        roles=roles,
        lifecycle=lifecycle,
        rules=rules,
        example_base=example_base,
        material_kinds=material_kinds,
        local_fields=local_fields,
        retired_fields=retired_fields,
        uncited=uncited,
        parent=parent,
        template=(folder / "template.yaml")
        if (folder / "template.yaml").is_file()
        else (parent.template if parent else None),
    )


class _TransitionSpec(_Spec):
    source: Stage = Field(alias="from")
    to: list[Stage]
    types: list[ProjectType] = Field(default_factory=lambda: list(ProjectType))
    article: str = ""
    # the roles (roles.yaml) that decide this step: their approval is what the merge records
    by: list[str] = Field(default_factory=list)


class _PauseSpec(_Spec):
    """Suspension (暂停) or termination (终止): from which stages, under which article, decided by whom.
    A suspended project resumes at the stage it was suspended from, decided by the same roles."""

    source: list[Stage] = Field(alias="from", min_length=1)
    article: str
    by: list[str] = Field(min_length=1)


class _LifecycleSpec(_Spec):
    entry: list[Stage]
    suspend: _PauseSpec | None = None
    terminate: _PauseSpec | None = None
    # the roles that receive a new project at an entry stage: {declared: [data_bureau]}
    entry_by: dict[Stage, list[str]] = Field(default_factory=dict)
    transitions: list[_TransitionSpec]


def _load_lifecycle(path: Path, problems: _Problems) -> Lifecycle | None:
    doc = _load(path, problems)
    if not doc.ok:
        return None
    spec = _model(_LifecycleSpec, doc, doc.data, problems)
    if spec is None:
        return None
    transitions = tuple(
        Transition(
            source=t.source, target=target, types=frozenset(t.types), article=t.article, by=tuple(t.by)
        )
        for t in spec.transitions
        for target in t.to
    )
    for name, pause in (("suspend", spec.suspend), ("terminate", spec.terminate)):
        if pause is not None and {Stage.SUSPENDED, Stage.TERMINATED} & set(pause.source):
            problems.add(path, doc.locate((name, "from"))[0], f"{name}.from 不能包含 suspended 或 terminated")
    ending = list(spec.terminate.source) if spec.terminate else []
    if spec.suspend is not None:
        for stage in spec.suspend.source:
            transitions += (
                Transition(stage, Stage.SUSPENDED, article=spec.suspend.article, by=tuple(spec.suspend.by)),
                Transition(
                    Stage.SUSPENDED,
                    stage,
                    article=spec.suspend.article,
                    by=tuple(spec.suspend.by),
                    resumes=True,
                ),
            )
        if spec.terminate is not None:
            ending.append(Stage.SUSPENDED)
    if spec.terminate is not None:
        transitions += tuple(
            Transition(stage, Stage.TERMINATED, article=spec.terminate.article, by=tuple(spec.terminate.by))
            for stage in ending
        )
    return Lifecycle(
        entry=frozenset(spec.entry),
        transitions=transitions,
        entry_by={stage: tuple(roles) for stage, roles in spec.entry_by.items()},
    )


def pack_digest(folder: Path) -> str:
    """What a pack was built from: every file of its folder, and the govsite code that reads it."""
    return folder_digest(folder)


def _district_of_broken(folder: Path) -> DistrictInfo | str:
    """What a pack that does not load says about its district, read leniently (its key, and its name
    and prefix when given), so its district's projects can be told; "" when unreadable."""
    data = _policy_yaml(folder)
    if not isinstance(data, dict) or not isinstance(data.get("district"), str):
        return ""
    key: str = data["district"]
    name, prefix = data.get("district_name"), data.get("id_prefix")
    if isinstance(name, str) and isinstance(prefix, str) and district_registry.valid_prefix(prefix):
        return DistrictInfo(key, name, prefix)
    return key


def load_packs(
    policies: Path | Sequence[Path],
    cache: Cache | None = None,
    districts: Sequence[str] | None = None,
    isolate: bool = False,
) -> list[PolicyPack]:
    """Every pack below the folder (or folders: a pack of a later folder replaces the one of the same
    name in an earlier one, as a registry's own `policies/` does the packs shipped with govsite),
    of the `districts` given (default: all). With a cache, a pack whose files and govsite's code are
    unchanged comes from it (it was fully checked when it was cached) and compiles lazily.

    The districts the packs declare are registered (govsite/districts.py). With `isolate`, a pack
    that does not load is set aside and marked broken for its district (`districts.broken`), whose
    projects are then told so; the other districts are judged as usual."""
    folders_in = [policies] if isinstance(policies, Path) else list(policies)
    if isinstance(policies, Path) and not policies.is_dir():
        raise GovsiteError(f"找不到政策目录 {policies}", "在仓库根目录运行，或用 --policies 指定政策目录。")
    by_name: dict[str, Path] = {}
    for policies_dir in folders_in:
        if policies_dir.is_dir():
            for folder in policies_dir.iterdir():
                if (folder / "policy.yaml").is_file():
                    by_name[folder.name] = folder
    if not by_name:
        shown = "、".join(str(p) for p in folders_in)
        raise GovsiteError(f"{shown} 下没有政策包", "每个政策包是一个含 policy.yaml 的文件夹。")
    loaded: dict[str, PolicyPack | None] = {}  # None: it does not load
    keys: dict[str, str] = {}

    def fail(name: str, exc: GovsiteError, parent: PolicyPack | None) -> None:
        if not isolate:
            raise exc
        found = _district_of_broken(by_name[name])
        if not found and parent is not None:
            found = DistrictInfo(
                parent.meta.district, parent.meta.district_name or "", parent.meta.id_prefix or ""
            )
        district = found.key if isinstance(found, DistrictInfo) else found
        if districts is not None and district and district not in districts:
            return
        if isinstance(found, DistrictInfo) and found.name and found.id_prefix:
            with contextlib.suppress(GovsiteError):
                district_registry.register([found])
        district_registry.mark_broken(district, exc.message)

    def load(name: str, chain: tuple[str, ...] = ()) -> PolicyPack | None:
        if name in loaded:
            return loaded[name]
        folder = by_name[name]
        loaded[name] = None
        parent: PolicyPack | None = None
        parent_name = _extends_of(folder)
        try:
            if parent_name is not None:
                if parent_name == name or parent_name in chain:
                    raise GovsiteError(
                        f"政策包 {folder}：extends 形成了循环（{' → '.join((*chain, name, parent_name))}）",
                        "修订的政策包 extends 它的前一版，前一版不能再 extends 它。",
                    )
                if parent_name not in by_name:
                    raise GovsiteError(
                        f"政策包 {folder}：找不到 extends 的政策包 {parent_name}",
                        f"extends 写前一版政策包的文件夹名；现有：{'、'.join(sorted(by_name))}。",
                    )
                parent = load(parent_name, (*chain, name))
                if parent is None:
                    raise GovsiteError(
                        f"政策包 {folder}：所继承的政策包 {parent_name} 有错误，本政策包也无法载入",
                        f"先修正 {parent_name}（govsite policy test）。",
                    )
            key = ""
            if cache is not None and cache.enabled:
                # a revision is what its folder and its predecessor hold together
                key = pack_digest(folder) + (f"+{keys[parent_name]}" if parent_name else "")
            keys[name] = key
            cached = cache.get("pack", key) if key and cache is not None else None
            if isinstance(cached, PolicyPack):
                cached.path, cached.digest, cached.parent = folder, key, parent
                loaded[name] = cached
                return cached
            pack = load_pack(folder, parent)
        except GovsiteError as exc:
            fail(name, exc, parent)
            return None
        pack.digest = key
        if key and cache is not None:
            cache.put("pack", key, pack)
        loaded[name] = pack
        return pack

    packs = [pack for pack in (load(name) for name in sorted(by_name)) if pack is not None]
    problems = overlap_problems(packs)
    if problems:
        error = GovsiteError("政策包的有效期重叠：\n  " + "\n  ".join(problems), _OVERLAP_HINT)
        if not isolate:
            raise error
        overlapping = {p.meta.district for p in packs if any(p.id in line for line in problems)}
        for district in overlapping:
            district_registry.mark_broken(district, error.message)
        packs = [p for p in packs if p.meta.district not in overlapping]
    if districts is not None:
        wanted = set(districts)
        packs = [p for p in packs if p.meta.district in wanted]
    register_districts(packs)
    return packs


def _policy_yaml(folder: Path) -> Any:
    """policy.yaml read leniently (before, or instead of, loading the pack), with libyaml."""
    import yaml

    try:
        return yaml.load(
            (folder / "policy.yaml").read_bytes(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        )
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None


def _extends_of(folder: Path) -> str | None:
    """The `extends` of a pack's policy.yaml, read before the pack loads (its predecessor loads first)."""
    data = _policy_yaml(folder)
    value = data.get("extends") if isinstance(data, dict) else None
    return value if isinstance(value, str) else None


_OVERLAP_HINT = (
    "同一个区的两个政策包不能同时有效：较早的写明 lapses（失效日期），或较晚的写 extends（修订）"
    "或在 supersedes 中列出较早的文号（废止）。"
)


def overlap_problems(packs: Sequence[PolicyPack]) -> list[str]:
    """Two packs of one district in force at once, neither lapsing nor superseded by the other: the
    later one would silently win, so the regulation in force must be said, not guessed."""
    found = []
    by_district: dict[str, list[PolicyPack]] = {}
    for pack in packs:
        by_district.setdefault(pack.meta.district, []).append(pack)
    for mine in by_district.values():
        mine.sort(key=lambda p: p.meta.effective)
        for earlier, later in itertools.pairwise(mine):
            if earlier.meta.lapses is not None and earlier.meta.lapses <= later.meta.effective:
                continue
            replaces = later.meta.extends == earlier.id or any(
                s.document_number == earlier.meta.document_number for s in later.meta.supersedes
            )
            if not replaces:
                found.append(
                    f"{earlier.id}（{earlier.meta.effective} 起）与 {later.id}（{later.meta.effective} 起）"
                    f"自 {later.meta.effective} 起同时有效"
                )
    return found


@functools.lru_cache(maxsize=1)
def _shipped_districts() -> dict[str, DistrictInfo]:
    """The district name and id prefix each pack shipped with govsite declares."""
    from govsite.resources import POLICIES, shipped

    found: dict[str, DistrictInfo] = {}
    try:
        folder = shipped(POLICIES)
    except GovsiteError:
        return found
    for pack in sorted(folder.iterdir()):
        info = _district_of_broken(pack) if (pack / "policy.yaml").is_file() else ""
        if isinstance(info, DistrictInfo):
            found.setdefault(info.key, info)
    return found


def register_districts(packs: Sequence[PolicyPack]) -> None:
    """Each district's name and id prefix from its packs (any pack of it may carry them)."""
    found: dict[str, DistrictInfo] = {}
    for pack in packs:
        meta = pack.meta
        if meta.district_name is None and meta.id_prefix is None:
            continue
        if meta.district_name is None or meta.id_prefix is None:
            raise GovsiteError(
                f"{pack.path / 'policy.yaml'}：district_name 和 id_prefix 要一起写",
                "例如 district_name: 闵行区 与 id_prefix: MH（项目编号前缀，2 到 4 个大写字母）。",
            )
        info = DistrictInfo(meta.district, meta.district_name, meta.id_prefix)
        earlier = found.get(info.key)
        if earlier is not None and earlier != info:
            raise GovsiteError(
                f"{pack.path / 'policy.yaml'}：区 {info.key} 写作 {info.name}/{info.id_prefix}，同区的另一政策包写作 {earlier.name}/{earlier.id_prefix}",
                "同一个区的各政策包的 district_name、id_prefix 写成一样。",
            )
        found[info.key] = info
    for pack in packs:
        if pack.meta.district not in found and district_registry.info(pack.meta.district) is None:
            # a registry's copy of a shipped pack written before packs named their district: the
            # shipped pack of that district says it (data, not a table in the code)
            shipped = _shipped_districts().get(pack.meta.district)
            if shipped is not None:
                found[shipped.key] = shipped
                continue
            raise GovsiteError(
                f"{pack.path / 'policy.yaml'}：没有写区名和编号前缀（区 {pack.meta.district}）",
                "在 policy.yaml 中加上 district_name（如 闵行区）和 id_prefix（如 MH），见 docs/policy-packs.md。",
            )
    district_registry.register(found.values())


def select_pack(packs: list[PolicyPack], district: str, day: dt.date) -> tuple[PolicyPack | None, str]:
    """The pack in force for `district` on `day`, or None with a Chinese reason."""
    district = DistrictKey(district)
    mine = sorted((p for p in packs if p.meta.district == district), key=lambda p: p.meta.effective)
    if not mine:
        return None, f"没有{district.label}的政策包"
    for pack in reversed(mine):
        if pack.in_force_on(day):
            return pack, ""
    latest = mine[-1]
    if day < mine[0].meta.effective:
        return (
            None,
            f"{day} 早于{district.label}现有政策（{mine[0].meta.document_number}，{mine[0].meta.effective} 施行）",
        )
    return None, (
        f"{day} 时{district.label}没有有效的政策：{latest.meta.document_number} "
        f"已于 {latest.meta.lapses} 失效"
    )
