"""The home page's charts: bars in proportion, every label escaped, the figures also as a table."""

from __future__ import annotations

import re

import pytest
from conftest import HOSTILE

from govsite.site.charts import bar_chart


def test_bars_are_in_proportion_and_the_table_has_every_figure() -> None:
    chart = bar_chart(
        "chart-x", "各区的总投资", [("闵行区", 200.0), ("青浦区", 50.5), ("杨浦区", 0.0)], "万元"
    )
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([0-9.]+)"', chart)]
    assert widths[0] == pytest.approx(4 * widths[1], rel=0.01) and widths[2] == 0
    assert 'role="img" aria-labelledby="chart-x-title"' in chart
    assert '<title id="chart-x-title">各区的总投资（单位：万元）</title>' in chart
    cells = re.findall(r'<tr><th scope="row">([^<]*)</th><td>([^<]*)</td></tr>', chart)
    assert cells == [("闵行区", "200"), ("青浦区", "50.5"), ("杨浦区", "0")]


def test_a_department_name_cannot_inject_markup() -> None:
    chart = bar_chart("chart-x", "部门", [(HOSTILE, 1.0), ('区" onload="alert(1)', 2.0)], "万元")
    assert "<script" not in chart and 'onload="' not in chart
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in chart  # the table has the name whole, as text


def test_an_empty_chart_says_so() -> None:
    assert (
        bar_chart("chart-x", "各区的总投资", [], "万元")
        == '<p class="govsite-chart-empty">各区的总投资：暂无数据。</p>'
    )


def test_chart_ids_are_checked() -> None:
    with pytest.raises(ValueError):
        bar_chart('x" onclick="alert(1)', "t", [("a", 1.0)], "万元")
