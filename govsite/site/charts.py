"""Bar charts drawn at build time as SVG, each with the same figures as a table for screen readers.

No chart library and no script: the page shows the chart before any JavaScript runs, prints, and
works offline. The SVG is an image with a text title (`role="img"`, `aria-labelledby`); the table
below it in a `<details>` carries the figures for anyone who cannot see the bars. Every text is
escaped here, since labels (department names) come from project files.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from govsite.safetext import Md

BAR = 22  # px per bar
GAP = 8
LABEL_WIDTH = 150
VALUE_WIDTH = 90
CHART_WIDTH = 480  # drawn at about this width on a phone, so its 14px text stays readable
LABEL_CHARS = 10  # a longer label is cut (the table has it whole)


def _number(value: float) -> str:
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1] + "…"


def bar_chart(chart_id: str, title: str, items: Sequence[tuple[str, float]], unit: str) -> Md:
    """A horizontal bar chart of `items` (label, value) and its table, as one HTML block; `chart_id`
    (letters, digits, "-") names it on the page."""
    if not chart_id.replace("-", "").isalnum() or not chart_id.isascii():
        raise ValueError(f"refusing chart id {chart_id!r}")
    esc = html.escape
    if not items:
        return Md(f'<p class="govsite-chart-empty">{esc(title)}：暂无数据。</p>')
    largest = max(value for _, value in items) or 1.0
    span = CHART_WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = len(items) * (BAR + GAP) + GAP
    parts = [
        f'<figure class="govsite-chart" id="{chart_id}">',
        f'<svg viewBox="0 0 {CHART_WIDTH} {height}" role="img" aria-labelledby="{chart_id}-title" '
        f'preserveAspectRatio="xMinYMin meet">',
        f'<title id="{chart_id}-title">{esc(title)}（单位：{esc(unit)}）</title>',
    ]
    for index, (name, value) in enumerate(items):
        y = GAP + index * (BAR + GAP)
        width = max(1.0, span * value / largest) if value > 0 else 0.0
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + BAR * 0.7:.1f}" text-anchor="end" '
            f'class="govsite-chart-label">{esc(_short(name))}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{y}" width="{width:.1f}" height="{BAR}" class="govsite-chart-bar"/>'
            f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{y + BAR * 0.7:.1f}" '
            f'class="govsite-chart-value">{esc(_number(value))}</text>'
        )
    parts.append("</svg>")
    parts.append(f"<figcaption>{esc(title)}</figcaption>")
    rows = "".join(
        f'<tr><th scope="row">{esc(name)}</th><td>{esc(_number(value))}</td></tr>' for name, value in items
    )
    parts.append(
        f"<details><summary>{esc(title)}的数据表</summary>"
        f'<table><thead><tr><th scope="col">类别</th><th scope="col">{esc(unit)}</th></tr></thead>'
        f"<tbody>{rows}</tbody></table></details>"
    )
    parts.append("</figure>")
    return Md("".join(parts))
