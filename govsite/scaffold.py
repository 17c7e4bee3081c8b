"""`govsite new`: write a new declaration from the template of the district's regulation.

Each pack may carry `template.yaml`: a commented declaration in that district's form (its naming
rule, its materials, its articles). Values a department must fill in say so with "某某" or
"（请填写）", which validation reports as the only findings of an untouched template. Every
pack-local field of `fields.yaml` the template does not already show is added with its description,
so a new field reaches the template without anyone editing it. ruamel.yaml's round-trip mode keeps
the template's comments, which is what a department reads while filling the file in.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from importlib import resources
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from govsite.districts import DistrictKey, prefix_of
from govsite.errors import GovsiteError
from govsite.policy.pack import LocalField, PolicyPack

SCHEMA_COMMENT = "# yaml-language-server: $schema={ref}"


def schema_ref(root: Path, district: str, site_url: str | None) -> str:
    """Where the file's editor finds the district's schema: the registry's own schema/ folder (written
    by govsite schema, relative to submissions/<district>/), else the published site's copy."""
    if (root / "schema" / f"{district}.schema.json").is_file() or not site_url:
        return f"../../schema/{district}.schema.json"
    return f"{site_url}schema/{district}.schema.json"


def _prefix(district: DistrictKey) -> str:
    prefix = prefix_of(district)
    if prefix is None:
        raise GovsiteError(
            f"没有{district}区的政策包，不知道它的项目编号前缀", "先在 policies/ 中加入该区的政策包。"
        )
    return prefix


def next_id(folder: Path, district: DistrictKey, year: int) -> str:
    prefix = f"{_prefix(district)}-{year}-"
    used = [
        int(match.group(1))
        for path in folder.glob(f"{prefix}*.y*ml")
        if (match := re.fullmatch(re.escape(prefix) + r"(\d{3,4})", path.stem))
    ]
    return f"{prefix}{max(used, default=0) + 1:03d}"


def _placeholder(spec: LocalField, today: dt.date) -> Any:
    return {
        "bool": False,
        "int": 0,
        "number": 0,
        "string": "（请填写）",
        "date": today,
        "enum": "（请填写）",
        "list": [],
    }[spec.type]


def _yaml() -> YAML:
    yaml = YAML(typ="rt")
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    # our loader refuses anchors; never let the dumper invent one for a value used twice
    yaml.representer.ignore_aliases = lambda *_: True
    return yaml


def template_text(pack: PolicyPack | None) -> str:
    if pack is not None and pack.template is not None and pack.template.is_file():
        return pack.template.read_text(encoding="utf-8")
    return resources.files("govsite").joinpath("templates/project.yaml").read_text(encoding="utf-8")


def _dates(node: Any, today: dt.date) -> None:
    """Every date the template carries becomes today: the declaration is being written now."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, dt.date):
                node[key] = today
            else:
                _dates(value, today)
    elif isinstance(node, list):
        for item in node:
            _dates(item, today)


def render_template(
    project_id: str,
    district: DistrictKey,
    today: dt.date,
    pack: PolicyPack | None = None,
    schema: str | None = None,
) -> str:
    yaml = _yaml()
    data = yaml.load(template_text(pack))
    data["id"] = project_id
    data["district"] = district.value
    if isinstance(data.get("name"), str):  # the generic template's name starts with 某某区
        data["name"] = data["name"].replace("某某区", district.label, 1)
    data["budget_year"] = today.year + 1
    _dates(data, today)
    if pack is not None and pack.local_fields:
        local = data.get("local")
        if not isinstance(local, dict):
            local = CommentedMap()
            data["local"] = local
        for name, spec in pack.local_fields.items():
            if name not in local:
                local[name] = _placeholder(spec, today)
                local.yaml_add_eol_comment(spec.description, name)
    out = io.StringIO()
    yaml.dump(data, out)
    text = out.getvalue()
    lines = [line for line in text.splitlines() if "yaml-language-server" not in line]
    ref = schema or f"../../schema/{district}.schema.json"
    return SCHEMA_COMMENT.format(ref=ref) + "\n" + "\n".join(lines) + "\n"


def create_declaration(
    root: Path,
    district: DistrictKey,
    today: dt.date,
    project_id: str | None = None,
    pack: PolicyPack | None = None,
    site_url: str | None = None,
) -> Path:
    folder = root / "submissions" / district.value
    folder.mkdir(parents=True, exist_ok=True)
    project_id = project_id or next_id(folder, district, today.year)
    if not project_id.startswith(_prefix(district) + "-"):
        raise GovsiteError(
            f"{district.label}的项目编号应以 {_prefix(district)}- 开头：{project_id}",
            "省略 --id 让 govsite 自动编号。",
        )
    target = folder / f"{project_id}.yaml"
    if target.exists():
        raise GovsiteError(f"{target} 已存在，不会覆盖", "换一个编号，或省略 --id 自动取下一个编号。")
    ref = schema_ref(root, district, site_url)
    target.write_text(render_template(project_id, district, today, pack, ref), encoding="utf-8")
    return target
