"""The names a rule uses, checked when its pack loads: every variable, field path, function, message
placeholder, `kind` and finding `field` against what a project and the pack really have.

The CEL library govsite uses compiles an expression without declarations (a wrong name surfaces only
when the expression runs, as `无法判定`, with no line). So this module declares what a rule may read:
the project's shape (from the model's JSON Schema, `local` from the pack's fields.yaml), the pack's
params, the lets and derives of the rule, and the functions govsite registers; and it reads the
expression's identifier chains itself (`project.attributes.mlps_level`, `v.name`, comprehension
variables bound by `exists(a, …)`). Each problem comes with a "did you mean" from the known names.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterator, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from govsite.vocabulary import RULE_KIND_LABELS, Stage


@dataclass
class Shape:
    """What a value may hold: named properties, list elements, or anything (`open`)."""

    props: dict[str, Shape] = field(default_factory=dict)
    items: Shape | None = None
    open: bool = False

    def child(self, name: str) -> Shape | None:
        if self.open:
            return ANY
        return self.props.get(name)


ANY = Shape(open=True)
LEAF = Shape()  # a scalar: no properties


def _from_schema(node: Any, defs: Mapping[str, Any], seen: tuple[str, ...] = ()) -> Shape:
    if not isinstance(node, dict):
        return ANY
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            return ANY
        return _from_schema(defs.get(name), defs, (*seen, name))
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in node.get(key, []) if not (isinstance(o, dict) and o.get("type") == "null")]
        if options:
            shapes = [_from_schema(o, defs, seen) for o in options]
            merged = Shape(open=any(s.open for s in shapes))
            for shape in shapes:
                merged.props.update(shape.props)
                merged.items = merged.items or shape.items
            return merged
    if node.get("type") == "array" or "items" in node:
        return Shape(items=_from_schema(node.get("items"), defs, seen))
    props = node.get("properties")
    if isinstance(props, dict):
        shape = Shape(props={name: _from_schema(p, defs, seen) for name, p in props.items()})
        shape.open = node.get("additionalProperties") not in (None, False)
        return shape
    if node.get("type") == "object" or node.get("additionalProperties"):
        return ANY
    return LEAF


@lru_cache(maxsize=1)
def _project_shape() -> Shape:
    from govsite.model import Project

    schema = Project.model_json_schema()
    shape = _from_schema(schema, schema.get("$defs", {}))
    budget = shape.props.get("budget")
    if budget is not None:  # computed into the CEL data by the engine (policy/engine.py)
        budget.props.setdefault("hardware", LEAF)
        budget.props.setdefault("software_development", LEAF)
    return shape


def project_shape(local_fields: Mapping[str, Any]) -> Shape:
    base = _project_shape()
    shape = Shape(props=dict(base.props))
    shape.props["local"] = Shape(props={name: LEAF for name in local_fields})
    return shape


def _value_shape(value: Any) -> Shape:
    if isinstance(value, dict):
        return Shape(props={str(k): _value_shape(v) for k, v in value.items()})
    if isinstance(value, list):
        return Shape(items=_value_shape(value[0]) if value else ANY)
    return LEAF


FIGURES = ("total", "hardware", "software_development", "hardware_share", "itemised")


def variables(
    local_fields: Mapping[str, Any], params: Mapping[str, Any], facts: set[str]
) -> dict[str, Shape]:
    """The CEL variables every rule sees (policy/engine.py project_variables) and their shapes."""
    stage = Shape(props={s.value: LEAF for s in Stage})
    return {
        "project": project_shape(local_fields),
        "params": _value_shape(dict(params)),
        "policy": Shape(props={"id": LEAF, "effective": LEAF, "lapses": LEAF}),
        "facts": Shape(props=dict.fromkeys(facts, ANY)),
        "figures": Shape(props=dict.fromkeys(FIGURES, LEAF)),
        "reached": Shape(items=LEAF),
        "stage_dates": stage,
        "materials": Shape(items=LEAF),
        "changes_new": Shape(items=_project_shape().props.get("changes", Shape(items=ANY)).items or ANY),
        "transition": Shape(props={"from": LEAF, "to": LEAF, "new": LEAF}),
        "today": LEAF,
        "declared_on": LEAF,
    }


# CEL's standard functions and macros (the ones the library accepts), and the operators' names
STANDARD_FUNCTIONS = frozenset(
    {
        "size", "has", "matches", "contains", "startsWith", "endsWith", "string", "int", "uint",
        "double", "bool", "bytes", "timestamp", "duration", "type", "dyn", "max", "min",
        "getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfWeek", "getDayOfYear",
        "getHours", "getMinutes", "getSeconds", "getMilliseconds", "all", "exists", "exists_one",
        "map", "filter",
    }
)  # fmt: skip
_MACROS = ("all", "exists", "exists_one", "map", "filter")


@dataclass(frozen=True)
class NameProblem:
    message: str


def suggest(name: str, known: Any) -> str:
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"，是不是 {close[0]}？" if close else ""


# string literals, or a chain of names with dots: project.attributes.mlps_level, v.x, a.kind
_TOKEN = re.compile(
    r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|(?<![.\w])([A-Za-z_]\w*)((?:\s*\.\s*[A-Za-z_]\w*)*)(\s*\()?"""
)
# a comprehension's variable: `<target>.exists(a, …)`; the target, when it is a plain chain, gives its shape
_COMPREHENSION = re.compile(r"""\.\s*(?:all|exists|exists_one|map|filter)\(\s*([A-Za-z_]\w*)\s*,""")
_BINDING = re.compile(
    r"""([A-Za-z_][\w.]*)\s*\.\s*(?:all|exists|exists_one|map|filter)\(\s*([A-Za-z_]\w*)\s*,"""
)


def _strip_strings(source: str) -> str:
    return re.sub(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""", "''", source)


def _walk(shape: Shape, path: list[str], root: str) -> str | None:
    """None if the path exists in `shape`; else what is wrong, with a suggestion."""
    current = shape
    walked = [root]
    for part in path:
        if current.open:
            return None
        child = current.props.get(part)
        if child is None:
            where = ".".join(walked)
            if current.items is not None and not current.props:
                return f"{where} 是列表，不能直接取 .{part}（用 exists、all、map 或下标）"
            if current is LEAF or (not current.props and current.items is None):
                return f"{where} 没有下级字段 .{part}"
            return f"{where} 没有字段 {part}{suggest(part, current.props)}"
        current = child
        walked.append(part)
    return None


def expression_problems(
    source: str,
    scope: dict[str, Shape],
    lets: set[str],
    functions: set[str],
    bound_extra: dict[str, Shape] | None = None,
) -> Iterator[str]:
    """What is wrong with the names of one CEL expression (Chinese, one problem per item)."""
    text = _strip_strings(source)
    bound: dict[str, Shape] = dict(bound_extra or {})
    for match in _COMPREHENSION.finditer(text):
        bound.setdefault(match.group(1), ANY)
    for match in _BINDING.finditer(text):
        parts = [p for p in re.split(r"\s*\.\s*", match.group(1)) if p]
        shape = _resolve(parts, scope, bound)
        if shape is not None and shape.items is not None:
            bound[match.group(2)] = shape.items
    for match in _TOKEN.finditer(text):
        root = match.group(1)
        if root is None:
            continue
        chain = [p for p in re.split(r"\s*\.\s*", match.group(2) or "") if p]
        called = bool(match.group(3))
        if called:  # the last name is a function or a method
            name = chain.pop() if chain else root
            if name not in functions:
                yield f"没有函数 {name}(){suggest(name, functions)}"
            if not chain and name == root:
                continue
        if root in ("true", "false", "null", "in") or root in _MACROS:
            continue
        if root == "v":
            if not chain:
                yield "v 后面应写 let 中的名字（v.名字）"
            elif chain[0] not in lets:
                yield f"let 中没有 {chain[0]}{suggest(chain[0], lets) or ('（可用：' + '、'.join(sorted(lets)) + '）' if lets else '（本规则没有 let）')}"
            continue
        shape = bound.get(root) or scope.get(root)
        if shape is None:
            known = set(scope) | set(bound) | {"v"}
            yield f"没有变量 {root}{suggest(root, known)}"
            continue
        problem = _walk(shape, chain, root)
        if problem:
            yield problem


def _resolve(parts: list[str], scope: dict[str, Shape], bound: dict[str, Shape]) -> Shape | None:
    if not parts:
        return None
    shape = bound.get(parts[0]) or scope.get(parts[0])
    for part in parts[1:]:
        if shape is None:
            return None
        shape = shape.child(part)
    return shape


def field_problem(path: str, shape: Shape, lets: AbstractSet[str] = frozenset()) -> str | None:
    """A finding's `field` (dotted; `{index}` for the element of a for_each, `{name}` a let's value
    from there on): does it exist?"""
    parts = [p for p in path.split(".") if p]
    current = shape
    walked: list[str] = []
    for part in parts:
        if current.open:
            return None
        if part.startswith("{") and part.endswith("}") and part != "{index}":
            name = part[1:-1]
            return None if name in lets else f"field {path}：{part} 不是 let 中的名字{suggest(name, lets)}"
        if part == "{index}" or part.isdigit():
            if current.items is None:
                return f"field {path}：{'.'.join(walked) or 'project'} 不是列表，不能写 {part}"
            current = current.items
        else:
            child = current.props.get(part)
            if child is None:
                return f"field {path}：没有字段 {part}{suggest(part, current.props)}"
            current = child
        walked.append(part)
    return None


def kind_problems(kinds: list[str]) -> Iterator[str]:
    for kind in kinds:
        if kind not in RULE_KIND_LABELS:
            yield f"kind 中没有 {kind}{suggest(kind, RULE_KIND_LABELS)}（可用：{'、'.join(RULE_KIND_LABELS)}）"


_FORMATTER = string.Formatter()


def placeholder_names(template: str) -> list[str] | str:
    """The names `{…}` placeholders use, or what is wrong with the template's braces."""
    names = []
    try:
        for _literal, name, _spec, _conversion in _FORMATTER.parse(template):
            if name:
                names.append(name)
    except ValueError as exc:
        return f"花括号不成对（{exc}）：文字中的花括号写成 {{{{ 和 }}}}"
    return names


def placeholder_problems(template: str, values: set[str], params: Mapping[str, Any]) -> Iterator[str]:
    found = placeholder_names(template)
    if isinstance(found, str):
        yield found
        return
    for name in found:
        root = re.split(r"[.\[]", name, maxsplit=1)[0]
        if root == "params":
            key = name[len("params.") :].split(".")[0].split("[")[0] if name.startswith("params.") else ""
            if not key or key not in params:
                yield f"占位符 {{{name}}}：params 中没有 {key or '（名字）'}{suggest(key, params) if key else ''}"
            continue
        if root not in values:
            yield f"占位符 {{{name}}} 没有值{suggest(root, values) or ''}（可用：{'、'.join(sorted(values))}、params.名字）"
