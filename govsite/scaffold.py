"""`govsite new`: write a new declaration from the commented template.

ruamel.yaml's round-trip mode keeps the template's comments, which is what a department reads while
filling the file in.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from importlib import resources
from pathlib import Path

from ruamel.yaml import YAML

from govsite.errors import GovsiteError
from govsite.layout import ID_PREFIX
from govsite.vocabulary import District


def next_id(folder: Path, district: District, year: int) -> str:
    prefix = f"{ID_PREFIX[district.value]}-{year}-"
    used = [
        int(match.group(1))
        for path in folder.glob(f"{prefix}*.y*ml")
        if (match := re.fullmatch(re.escape(prefix) + r"(\d{3,4})", path.stem))
    ]
    return f"{prefix}{max(used, default=0) + 1:03d}"


def render_template(project_id: str, district: District, today: dt.date) -> str:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    # our loader refuses anchors; never let the dumper invent one for a value used twice
    yaml.representer.ignore_aliases = lambda *_: True
    template = resources.files("govsite").joinpath("templates/project.yaml").read_text(encoding="utf-8")
    data = yaml.load(template)
    data["id"] = project_id
    data["district"] = district.value
    data["budget_year"] = today.year + 1
    data["stages"][0]["date"] = today
    for material in data["materials"]:
        material["date"] = today
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def create_declaration(root: Path, district: District, today: dt.date, project_id: str | None = None) -> Path:
    folder = root / "submissions" / district.value
    folder.mkdir(parents=True, exist_ok=True)
    project_id = project_id or next_id(folder, district, today.year)
    if not project_id.startswith(ID_PREFIX[district.value] + "-"):
        raise GovsiteError(
            f"{district.label}的项目编号应以 {ID_PREFIX[district.value]}- 开头：{project_id}",
            "省略 --id 让 govsite 自动编号。",
        )
    target = folder / f"{project_id}.yaml"
    if target.exists():
        raise GovsiteError(f"{target} 已存在，不会覆盖", "换一个编号，或省略 --id 自动取下一个编号。")
    target.write_text(render_template(project_id, district, today), encoding="utf-8")
    return target
