"""What makes judging a city's registry faster must not change one judgement: lets used more than
once are bound (evaluated once) instead of inlined, the CEL context holding a pack's params is
lent from project to project, and `matching` stands in for CEL's `matches` over a word list."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from support import POLICIES

from govsite.policy import celext as cel
from govsite.policy import engine
from govsite.policy.engine import Situation, _lend, evaluate
from govsite.policy.functions import matching
from govsite.policy.pack import CompiledRule, _LetBinder, flatten_paths, load_pack, load_packs
from govsite.policy.selftest import iter_examples
from govsite.validation import validate_project
from govsite.vocabulary import Stage
from govsite.yamlload import LoadedDocument

PACKS = sorted(p.name for p in POLICIES.iterdir() if (p / "policy.yaml").is_file())


def test_binder_binds_only_lets_used_twice_counting_uses_inside_lets() -> None:
    binder = _LetBinder({"a": "x.filter(i, i > 1)", "b": "size(v.a)", "c": "v.b + v.b", "d": "1"})
    assert binder.bind("v.d + 1") is None  # d once
    assert binder.bind("size(v.a) > 0") is None  # a once
    # c uses b twice, and b uses a: both b and a are used twice; a is outermost
    assert (
        binder.bind("v.c > 0")
        == "[x.filter(i, i > 1)].map(_v_a, [size(_v_a)].map(_v_b, (_v_b + _v_b) > 0)[0])[0]"
    )
    context = cel.Context({"x": [1, 2, 3]})
    bound = binder.bind("v.c > 3 && v.d == 1")
    assert bound is not None
    assert cel.compile(bound).execute(context) is True


def test_binder_leaves_a_name_a_let_may_not_use_as_written() -> None:
    """A let can use only the lets before it (as when inlined): a later one, or itself, is left for
    CEL to report, never expanded (which would not end)."""
    binder = _LetBinder({"a": "v.b + v.a", "b": "2"})
    assert binder.bind("v.a + v.a") == "[v.b + v.a].map(_v_a, _v_a + _v_a)[0]"


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Every expression that has a bound form is evaluated in both forms where the engine runs it."""
    seen: dict[str, Any] = {"same": 0, "fallback": 0, "different": []}
    original = engine._Scope.run

    def run(self: engine._Scope, rule: CompiledRule, source: str) -> Any:
        if source in rule.bound:
            try:
                inlined = rule.program(source, self.index, bound=False).execute(self.context)
            except Exception:
                inlined = "error"
            try:
                bound = rule.program(source, self.index).execute(self.context)
            except Exception:
                seen["fallback"] += 1  # the engine evaluates the inlined form then
            else:
                if bound == inlined and type(bound) is type(inlined):
                    seen["same"] += 1
                else:
                    seen["different"].append((rule.spec.id, source, bound, inlined))
        return original(self, rule, source)

    monkeypatch.setattr(engine._Scope, "run", run)
    return seen


def test_bound_and_inlined_forms_agree_on_every_example(compared: dict[str, Any]) -> None:
    packs = load_packs(POLICIES)
    outcomes = list(iter_examples(packs))
    assert outcomes and all(o.ok for o in outcomes), [o for o in outcomes if not o.ok][:3]
    assert compared["different"] == []
    assert compared["same"] > 1000  # the comparison did run


def _guarded_pack(tmp_path: Path) -> Path:
    """闵行 MH-06 with a let that fails when evaluated for a project of fewer than nine stages,
    used twice behind a condition that does not reach it for a project not built on 一网通办/统管
    (for which the rule gives nothing at all: lets are evaluated for a finding's message too)."""
    pack = shutil.copytree(POLICIES / "minhang-2025", tmp_path / "minhang-2025")
    rule = pack / "rules" / "MH-06.yaml"
    text = rule.read_text(encoding="utf-8")
    old = "  - when: v.build in ['yiwangtongban', 'yiwangtongguan']\n"
    assert text.count(old) == 1
    text = text.replace(
        old,
        "  - when: v.build in ['yiwangtongban', 'yiwangtongguan']"
        " && (size(project.stages) < 9 || v.ninth.stage == v.ninth.stage)\n",
    )
    text = text.replace("let:\n", "let:\n  ninth: project.stages[8]\n", 1)
    rule.write_text(text, encoding="utf-8")
    return pack


def _town_project(pack_folder: Path, town: bool = True) -> Any:
    data = yaml.safe_load((pack_folder / "examples" / "base.yaml").read_text(encoding="utf-8"))
    if town:
        data["attributes"]["unit_level"] = "town"
        data["attributes"]["involves_district_departments"] = ["区民政局"]
    data["stage"] = "requirement"
    data["stages"] = [{"stage": "requirement", "date": dt.date(2026, 3, 2)}]
    project, errors = validate_project(LoadedDocument(path="MH.yaml", data=data))
    assert project is not None, errors
    return project


def test_a_let_that_fails_where_the_inlined_form_does_not_reach_it_decides_as_inlined(tmp_path: Path) -> None:
    guarded = load_pack(_guarded_pack(tmp_path))
    plain = load_pack(POLICIES / "minhang-2025")
    project = _town_project(POLICIES / "minhang-2025", town=False)
    # asked again for the stage it has: not a submission, so MH-06 routes nothing either
    situation = Situation(Stage.REQUIREMENT, Stage.REQUIREMENT, today=dt.date(2026, 3, 3))
    rule = next(r for r in guarded.rules if r.spec.id == "MH-06")
    source = next(s for s in rule.bound if "ninth" in s)
    context = engine._Scope(engine.project_variables(project, guarded, situation), guarded).context
    with pytest.raises(Exception):  # noqa: B017 - the CEL runtime's own error type
        rule.program(source).execute(context)  # the bound form fails here …
    assert rule.program(source, bound=False).execute(context) is False  # … the inlined does not
    result = evaluate(project, guarded, situation)
    assert not [f for f in result.findings if f.rule == "MH-06"]
    expected = evaluate(project, plain, situation)
    assert result.findings == expected.findings and result.route == expected.route


def test_a_context_is_lent_to_one_scope_at_a_time() -> None:
    params = {"x": 1}
    first = _lend(params)
    assert first is not None
    assert _lend(params) is None  # a scope made while it is lent gets a context of its own
    first.busy = False
    again = _lend(params)
    assert again is first
    again.busy = False


def test_projects_judged_one_after_another_are_judged_as_each_alone() -> None:
    """The lent context keeps nothing of the project before: each evaluation equals one made on a
    fresh context, in either order."""
    pack = load_pack(POLICIES / "minhang-2025")
    base = POLICIES / "minhang-2025"
    town = _town_project(base)
    data = yaml.safe_load((base / "examples" / "base.yaml").read_text(encoding="utf-8"))
    other, _ = validate_project(LoadedDocument(path="MH2.yaml", data=data))
    assert other is not None
    situation = Situation(None, Stage.REQUIREMENT, today=dt.date(2026, 3, 3))

    def alone(project: Any) -> Any:
        engine._SHARED.clear()
        return evaluate(project, pack, situation)

    expected = {id(town): alone(town), id(other): alone(other)}
    assert expected[id(town)] != expected[id(other)]
    for order in ([town, other, town], [other, town, other]):
        engine._SHARED.clear()
        for project in order:
            assert evaluate(project, pack, situation) == expected[id(project)]


NAMES = ["通讯费", "专线租用费", "宽带租金", "网络租赁", "服务器采购", "WIFI 覆盖", "wi-fi 改造", "IDC 机柜", "idc",
         "机房改造", "数据采购服务", "购买数据", "通信服务费", "智慧社区平台", ""]  # fmt: skip


@pytest.mark.parametrize("name", NAMES)
def test_matching_finds_what_cel_matches_finds(name: str) -> None:
    params = load_pack(POLICIES / "yangpu-2023").meta.params
    for patterns in (params["excluded_item_names"], params["excluded_om_item_names"]):
        by_cel = cel.compile("patterns.filter(p, name.matches('(?i)' + p.pattern))").execute(
            cel.Context({"patterns": patterns, "name": name})
        )
        assert matching(name, patterns) == list(by_cel)


def test_a_list_made_from_a_maps_keys_reads_the_same_every_run() -> None:
    """CEL gives a map's keys in a new order in every context: 杨浦's missing-material messages
    sort them, so the same project gets the same words however often it is judged."""
    pack = load_pack(POLICIES / "yangpu-2023")
    data = yaml.safe_load((POLICIES / "yangpu-2023" / "examples" / "base.yaml").read_text(encoding="utf-8"))
    data["materials"] = []
    project, errors = validate_project(LoadedDocument(path="YP.yaml", data=data))
    assert project is not None, errors
    situation = Situation(None, project.stage, today=project.stages[-1].date + dt.timedelta(days=1))
    messages = set()
    for _ in range(8):
        engine._SHARED.clear()
        result = evaluate(project, pack, situation)
        messages.add(tuple(f.message for f in result.findings if f.rule in ("YP-07", "YP-14")))
    assert len(messages) == 1
    (shown,) = messages
    assert shown and any("、" in m for m in shown)  # a list of several materials, in one order


def test_sorted_sorts_what_cel_gives_it() -> None:
    for _ in range(5):
        context = engine._new_context({"m": {"b": 1, "a": 2, "c": 3, "d": 4}})
        assert cel.compile("sorted(m.filter(k, true))").execute(context) == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("project.budget.total > 0.0", "_project_budget.total > 0.0"),
        ("project.name == 'project.name'", "_project_name == 'project.name'"),  # never inside quotes
        ('params.item_kinds[item.kind] + "params.x"', '_params_item_kinds[item.kind] + "params.x"'),
        ("size(project.budget.items) > 0", "size(_project_budget_items) > 0"),  # the list the rule iterates
        ("project.stages.filter(s, s.stage == 'x')", "_project_stages.filter(s, s.stage == 'x')"),
        ("x.project.budget == y.params.z", "x.project.budget == y.params.z"),  # fields named so
        (
            "has(project.review_track) && project.x",
            "has(project.review_track) && project.x",
        ),  # has() needs it
        ("projects.size() + paramsx", "projects.size() + paramsx"),
        (
            "xs.exists(project, project.id == 'a') || project.id == 'b'",  # the comprehension's own name
            "xs.exists(project, project.id == 'a') || project.id == 'b'",
        ),
    ],
)
def test_paths_are_read_from_variables_of_their_own(written: str, read: str) -> None:
    assert flatten_paths(written, frozenset({"budget.items"})) == read


def test_every_flattened_expression_of_every_pack_compiles_and_reads_nothing_whole() -> None:
    """No shipped rule reads `project` or `params` whole, so neither is converted into a context
    twice; and every expression, flattened, is still CEL."""
    for pack in load_packs(POLICIES):
        for rule in pack.rules:
            assert rule.reads_whole() == set(), rule.spec.id
            for source in rule.expanded:
                rule.program(source)
                if rule.spec.for_each:
                    rule.program(source, 0)


def test_a_rule_that_reads_the_project_whole_still_has_it(tmp_path: Path) -> None:
    pack_folder = shutil.copytree(POLICIES / "minhang-2025", tmp_path / "minhang-2025")
    rule = pack_folder / "rules" / "MH-06.yaml"
    text = rule.read_text(encoding="utf-8")
    old = "applies: project.type == 'construction'\n"
    assert old in text
    rule.write_text(
        text.replace(
            old, "applies: project.type == 'construction' && size(project) > 0 && size(params) > 0\n"
        ),
        encoding="utf-8",
    )
    whole = load_pack(pack_folder)
    assert next(r for r in whole.rules if r.spec.id == "MH-06").reads_whole() == {"project", "params"}
    project = _town_project(POLICIES / "minhang-2025")
    situation = Situation(None, Stage.REQUIREMENT, today=dt.date(2026, 3, 3))
    result = evaluate(project, whole, situation)
    expected = evaluate(project, load_pack(POLICIES / "minhang-2025"), situation)
    assert not [f for f in result.findings if "无法判定" in f.message]
    assert result.findings == expected.findings and result.route == expected.route
    assert any(r.rule == "MH-06" for r in result.route)


def test_threads_judging_at_once_each_get_a_context_of_their_own() -> None:
    from concurrent.futures import ThreadPoolExecutor

    pack = load_pack(POLICIES / "minhang-2025")
    projects = [
        _town_project(POLICIES / "minhang-2025"),
        _town_project(POLICIES / "minhang-2025", town=False),
    ]
    situation = Situation(None, Stage.REQUIREMENT, today=dt.date(2026, 3, 3))
    expected = [evaluate(p, pack, situation) for p in projects]
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda i: evaluate(projects[i % 2], pack, situation), range(40)))
    assert results == [expected[i % 2] for i in range(40)]


@pytest.mark.parametrize(
    ("pattern", "says"),
    [("'(通讯+)+费'", "重复的重复"), ("'通讯(费'", "不是有效的正则表达式")],
)
def test_a_word_list_pattern_that_could_run_for_ever_is_refused_at_load(
    tmp_path: Path, pattern: str, says: str
) -> None:
    """`matching` uses Python's backtracking expressions on text a department writes."""
    from govsite.errors import GovsiteError

    pack = shutil.copytree(POLICIES / "yangpu-2023", tmp_path / "yangpu-2023")
    policy = pack / "policy.yaml"
    text = policy.read_text(encoding="utf-8")
    old = "- {pattern: '通讯(服务)?费|"
    assert old in text
    line = text[: text.index(old)].count("\n") + 1
    policy.write_text(text.replace(old, "- {pattern: " + pattern + ", x: '", 1), encoding="utf-8")
    with pytest.raises(GovsiteError) as raised:
        load_pack(pack)
    assert f"{policy}:{line}:" in raised.value.message and says in raised.value.message


def test_a_value_cel_cannot_hold_does_not_keep_the_context_lent() -> None:
    pack = load_pack(POLICIES / "minhang-2025")
    project = _town_project(POLICIES / "minhang-2025")
    situation = Situation(None, Stage.REQUIREMENT, today=dt.date(2026, 3, 3))
    evaluate(project, pack, situation)  # the pack's context exists
    variables = engine.project_variables(project, pack, situation)
    variables["today"] = object()
    with pytest.raises(Exception):  # noqa: B017 - the CEL binding's own error type
        engine._Scope(variables, pack)
    shared = _lend(pack.meta.params)
    assert shared is not None  # not left busy
    shared.busy = False
