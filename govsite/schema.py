"""The JSON Schema a department's editor reads: Chinese titles for every field, Chinese labels for every
enum value, and per district the fields and material kinds its regulations add.

`schema/project.schema.json` is the common model; `schema/<district>.schema.json` adds what the
district's packs declare (`fields.yaml` as the properties of `local`, `materials.yaml` with the common
kinds as the values of a material's `kind`). Enum labels are given as `enumDescriptions` and
`markdownEnumDescriptions`, which yaml-language-server and VS Code show next to each value.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from govsite.districts import DistrictKey, name_of, prefix_of
from govsite.model import Project
from govsite.policy.pack import LocalField, PolicyPack
from govsite.vocabulary import FIELD_LABELS, LABELS, MaterialKind, value_label

SCHEMA_ID = "https://govsite.example/schema/{name}.schema.json"


def _label_enum(node: dict[str, Any], field: str | None) -> None:
    values = node.get("enum")
    if not isinstance(values, list) or "enumDescriptions" in node:
        return
    labels = [value_label(field, v) if field else LABELS.get(str(v), str(v)) for v in values]
    node["enumDescriptions"] = labels
    node["markdownEnumDescriptions"] = [
        f"{label}（`{value}`）" for label, value in zip(labels, values, strict=True)
    ]


def _annotate(node: Any, field: str | None = None) -> None:
    if isinstance(node, dict):
        _label_enum(node, field)
        for name, prop in (node.get("properties") or {}).items():
            if isinstance(prop, dict):
                title = FIELD_LABELS.get(name)
                if title:
                    prop["title"] = title
                prop.setdefault("description", title or name)
                _annotate(prop, name)
        for key, value in node.items():
            if key != "properties":
                _annotate(value, field if key in ("anyOf", "oneOf", "allOf", "items") else None)
    elif isinstance(node, list):
        for item in node:
            _annotate(item, field)


def project_schema() -> dict[str, Any]:
    schema = Project.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID.format(name="project")
    _annotate(schema)
    return schema


_JSON_TYPES: dict[str, dict[str, Any]] = {
    "bool": {"type": "boolean"},
    "int": {"type": "integer"},
    "number": {"type": "number"},
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "list": {"type": "array", "items": {"type": "string"}},
}


def _local_property(spec: LocalField) -> dict[str, Any]:
    node: dict[str, Any] = {
        "title": spec.description.split("（")[0].split("：")[0][:40],
        "description": spec.description,
    }
    if spec.type == "enum":
        labels = [spec.label_of(v) for v in spec.values]
        node["enum"] = list(spec.values)
        node["enumDescriptions"] = labels
        node["markdownEnumDescriptions"] = [
            f"{label}（`{v}`）" for label, v in zip(labels, spec.values, strict=True)
        ]
    else:
        node.update(_JSON_TYPES[spec.type])
    return node


def district_schema(district: DistrictKey, packs: Sequence[PolicyPack]) -> dict[str, Any]:
    """The common schema with what `district`'s packs add."""
    schema = copy.deepcopy(project_schema())
    schema["$id"] = SCHEMA_ID.format(name=district.value)
    schema["title"] = f"{district.label}政务数字化项目"
    mine = [p for p in packs if p.meta.district == district]
    props = schema["properties"]
    props["district"] = {"const": district.value, "title": "所在区", "description": district.label}
    prefix = prefix_of(district)
    if prefix is not None:
        props["id"] = {**props["id"], "pattern": f"^{prefix}-[0-9]{{4}}-[0-9]{{3,4}}$"}
        props["id"]["description"] = f"项目编号，例如 {prefix}-2026-014"
    fields: dict[str, LocalField] = {}
    kinds: dict[str, str] = {kind.value: kind.label for kind in MaterialKind}
    for pack in mine:
        fields.update(pack.local_fields)
        kinds.update(pack.material_kinds)
    props["local"] = {
        "type": "object",
        "title": "本区字段",
        "description": "、".join(p.meta.title for p in mine) + "要求的其他信息",
        "properties": {name: _local_property(spec) for name, spec in sorted(fields.items())},
        "additionalProperties": False,
    }
    material = schema["$defs"]["Material"]["properties"]["kind"]
    material["enum"] = sorted(kinds)
    material["enumDescriptions"] = [kinds[k] for k in sorted(kinds)]
    material["markdownEnumDescriptions"] = [f"{kinds[k]}（`{k}`）" for k in sorted(kinds)]
    return schema


def schemas(packs: Sequence[PolicyPack]) -> dict[str, dict[str, Any]]:
    """File name → schema: the common one and one per district that has a pack."""
    common = project_schema()
    keys = sorted({p.meta.district for p in packs})
    # the districts are the packs' (govsite/districts.py), not the model's
    common["properties"]["district"] = {
        **common["properties"]["district"],
        "enum": keys,
        "enumDescriptions": [name_of(k) for k in keys],
        "markdownEnumDescriptions": [f"{name_of(k)}（`{k}`）" for k in keys],
    }
    found = {"project.schema.json": common}
    for district in keys:
        found[f"{district.value}.schema.json"] = district_schema(district, packs)
    return found
