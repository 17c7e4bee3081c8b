"""The registry as open data: `registry.json` with its JSON Schema, `registry.csv`, `registry.xlsx`, and
an Atom feed of declarations, approvals and stage changes. Pure but for the cache `exports` keeps
them in.

Everything here is built from the site's `ProjectEntry`s, after the registry was judged, so the exports
show exactly what the pages show: a material marked `public: false` keeps only its kind and that it is
withheld, never its title, file or digest (the same rule as `collect.material_view`).

Spreadsheets run what looks like a formula: a cell a department wrote as `=HYPERLINK(…)` would become
a live link (or worse) on the reader's machine. Text cells that begin with `=`, `+`, `-`, `@` or a
control character are prefixed with an apostrophe in the CSV and stored as text in the XLSX.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import heapq
import io
import itertools
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from xml.etree import ElementTree

from govsite.cache import NO_CACHE, Cache, code_version
from govsite.schema import project_schema
from govsite.site.collect import ProjectEntry, SiteData
from govsite.site.spreadsheet import workbook
from govsite.vocabulary import label

EXPORT_VERSION = 1
JSON_NAME = "registry.json"
SCHEMA_NAME = "registry.schema.json"
CSV_NAME = "registry.csv"
XLSX_NAME = "registry.xlsx"
FEED_NAME = "feed.xml"
FEED_ENTRIES = 200  # a feed is for what is new; the whole record is in registry.json
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_ATOM = "http://www.w3.org/2005/Atom"
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def page_path(project_id: str) -> str:
    """A project page's address relative to the site's root."""
    return f"projects/{project_id}/"


def public_project(entry: ProjectEntry) -> dict[str, Any]:
    """The project as its file says, without what is not public; it loads back as a `Project` when
    every material is public."""
    data = entry.project.model_dump(mode="json", exclude_none=True)
    data["materials"] = [
        m.model_dump(mode="json", exclude_none=True) if m.public else {"kind": m.kind, "public": False}
        for m in entry.project.materials
    ]
    return data


def overdue_clocks(entry: ProjectEntry) -> list[dict[str, str]]:
    return [{"what": d.what, "due": d.due, "article": d.article, "rule": d.rule} for d in entry.overdue]


def registry_record(entry: ProjectEntry) -> dict[str, Any]:
    return {
        "id": entry.project.id,
        "page": page_path(entry.project.id),
        "policy": entry.pack.meta.document_number if entry.pack else None,
        "major": entry.major,
        "overdue": overdue_clocks(entry),
        "project": public_project(entry),
    }


def registry_json_head(data: SiteData, source: str | None) -> str:
    """`registry.json` begins: what it is and which commit it was built from (outside the cached
    part), then every project that has a page, in the registry's order, one per line (indented JSON
    goes through the json module's pure-Python encoder: ten seconds for a city's registry)."""
    head = {
        "version": EXPORT_VERSION,
        "generated": data.today.isoformat(),
        "source": source,
        "schema": SCHEMA_NAME,
    }
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "projects": ['


def registry_json_projects(data: SiteData) -> bytes:
    """The projects part, UTF-8, written record by record: a city's is 28 million characters — 56 MB
    as a str (Chinese text makes every character two bytes), twice that while a list of lines was
    joined, the peak of a city's build."""
    out = io.BytesIO()
    for index, entry in enumerate(data.projects):
        out.write(b",\n" if index else b"\n")
        out.write(json.dumps(registry_record(entry), ensure_ascii=False).encode())
    out.write(b"\n]}\n" if data.projects else b"]}\n")
    return out.getvalue()


def registry_schema() -> dict[str, Any]:
    """The JSON Schema of `registry.json`: the project model's own schema under `projects[].project`,
    where a withheld material is only its kind."""
    project = copy.deepcopy(project_schema())
    defs = project.pop("$defs", {})
    material = defs.get("Material")
    if material is not None:
        withheld = {
            "type": "object",
            "title": "不公开的材料",
            "description": "标为不公开的材料只列出类别",
            "properties": {"kind": material["properties"]["kind"], "public": {"const": False}},
            "required": ["kind", "public"],
            "additionalProperties": False,
        }
        defs["Material"] = {"anyOf": [material, withheld]}
    for key in ("$schema", "$id"):
        project.pop(key, None)
    clock = {
        "type": "object",
        "properties": {k: {"type": "string"} for k in ("what", "due", "article", "rule")},
        "required": ["what", "due", "article", "rule"],
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "政务数字化项目登记册（开放数据）",
        "type": "object",
        "required": ["version", "generated", "projects"],
        "properties": {
            "version": {"const": EXPORT_VERSION, "description": "导出格式的版本"},
            "generated": {"type": "string", "format": "date", "description": "生成日期"},
            "source": {"type": ["string", "null"], "description": "生成时登记仓库的提交号"},
            "schema": {"type": "string"},
            "projects": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": ["id", "page", "project"],
                    "properties": {
                        "id": {"type": "string", "description": "项目编号"},
                        "page": {"type": "string", "description": "项目页相对网站根目录的地址"},
                        "policy": {"type": ["string", "null"], "description": "适用政策的文号"},
                        "major": {"type": ["boolean", "null"], "description": "是否重大项目"},
                        "overdue": {"type": "array", "items": clock, "description": "已逾期的时限"},
                        "project": {"$ref": "#/$defs/Project"},
                    },
                },
            },
        },
        "$defs": {**defs, "Project": project},
    }


@dataclass(frozen=True)
class Column:
    """One column of the CSV and XLSX: its heading, what it says of a project, and how wide the
    workbook shows it (in characters of the default font)."""

    heading: str
    meaning: str
    width: float = 12


COLUMNS: tuple[Column, ...] = (
    Column("项目编号", "登记册中的项目编号，也是项目页的地址", 14),
    Column("项目名称", "项目名称", 40),
    Column("所在区", "项目所在的区", 9),
    Column("项目单位", "建设或申报项目的单位", 28),
    Column("预算主管部门", "项目单位的预算主管部门", 24),
    Column("项目类型", "建设、运维或购买服务等", 10),
    Column("当前阶段", "项目目前所处的阶段", 9),
    Column("资金安排年度", "项目资金安排的年度", 13),
    Column("总投资（万元）", "项目总投资，单位万元", 14),
    Column("重大项目", "按适用政策是否为重大项目（空白：政策未作区分）", 9),
    Column("首次登记日期", "第一条阶段记录的日期", 13),
    Column("最近阶段日期", "最近一条阶段记录的日期", 13),
    Column("逾期事项数", "按适用政策已超过时限的事项数", 11),
    Column("适用政策", "审核所依据的政策文号", 26),
    Column("项目统一代码", "投资项目在线审批监管平台赋予的代码（如有）", 26),
    Column("项目页", "项目页的地址", 40),
)


def _row(entry: ProjectEntry, site_url: str) -> list[object]:
    p = entry.project
    major = "" if entry.major is None else ("是" if entry.major else "否")
    return [
        p.id,
        p.name,
        label(p.district),
        p.project_unit,
        p.budget_authority,
        label(p.type),
        label(p.stage),
        p.budget_year,
        p.budget.total,
        major,
        p.stages[0].date.isoformat(),
        p.stages[-1].date.isoformat(),
        len(entry.overdue),
        entry.pack.meta.document_number if entry.pack else "",
        p.unified_code or "",
        site_url + page_path(p.id),
    ]


def _inert(value: object) -> object:
    """Text a spreadsheet will show, never evaluate: control characters (which XLSX cannot hold and
    which can drive a terminal that shows the CSV) and bidirectional overrides are dropped, and a
    formula's first character is quoted."""
    if not isinstance(value, str):
        return value
    value = _CONTROLS.sub("", value)
    return "'" + value if value.startswith(_FORMULA_START) else value


def rows(data: SiteData, site_url: str = "") -> Iterator[list[object]]:
    """One row per project, made as it is written (a city's rows are not held all at once)."""
    return ([_inert(v) for v in _row(entry, site_url)] for entry in data.projects)


def registry_csv(data: SiteData, site_url: str = "") -> bytes:
    """UTF-8 with a byte-order mark and CRLF line ends: what Excel needs to open Chinese text as such."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([c.heading for c in COLUMNS])
    writer.writerows(rows(data, site_url))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(data: SiteData, site_url: str = "") -> bytes:
    # dated the day the site is built for, not the moment: the same registry gives the same bytes
    midnight = dt.datetime.combine(data.today, dt.time())
    heading = [c.heading for c in COLUMNS]
    return workbook(
        "项目登记册", itertools.chain([heading], rows(data, site_url)), midnight, [c.width for c in COLUMNS]
    )


@dataclass(frozen=True)
class FeedItem:
    when: dt.date
    project_id: str
    key: str  # distinguishes the items of one project
    title: str
    summary: str


def feed_items(data: SiteData) -> list[FeedItem]:
    """Declarations and stage changes from the project files; approvals from the audit of the history.
    Newest first.

    Only the newest `FEED_ENTRIES` are made into items: a city's registry has 50,000 records, and
    their titles and summaries took 1.5 s of every rebuild for the 200 a feed shows."""
    candidates: list[tuple[dt.date, str, str, ProjectEntry, int]] = []
    for entry in data.projects:
        p = entry.project
        for index, record in enumerate(p.stages):
            if record.date <= data.today:  # a record dated ahead is not news yet
                candidates.append((record.date, p.id, f"stage-{index}", entry, index))
        for index, row in enumerate(entry.approvals):
            # an approval the audit could not verify is the project page's to explain
            if row.verified and row.date <= data.today:
                candidates.append((row.date, p.id, f"approval-{index}", entry, index))
    # nlargest is sorted(..., reverse=True)[:n], ties kept in the registry's order as before
    newest = heapq.nlargest(FEED_ENTRIES, candidates, key=lambda c: c[:3])
    return [_feed_item(*candidate) for candidate in newest]


def _feed_item(when: dt.date, project_id: str, key: str, entry: ProjectEntry, index: int) -> FeedItem:
    p = entry.project
    if key.startswith("stage-"):
        record = p.stages[index]
        what = "申报" if index == 0 else label(record.stage)
        details = [f"阶段：{label(record.stage)}"]
        if record.ref:
            details.append(f"文号：{record.ref}")
        if record.by:
            details.append(f"决定机构：{record.by}")
        return FeedItem(when, project_id, key, f"{p.id} {p.name}：{what}", "；".join(details))
    row = entry.approvals[index]
    summary = f"{row.role_name}：{row.status}" + (f"（依据 {row.basis}）" if row.basis else "")
    return FeedItem(when, project_id, key, f"{p.id} {p.name}：{row.what}", summary)


def _stamp(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00+08:00"


def atom_feed(data: SiteData, site_name: str, site_url: str) -> str:
    """An Atom feed (RFC 4287). Without a configured site URL links are relative to the feed."""
    ElementTree.register_namespace("", _ATOM)

    def add(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> None:
        child = ElementTree.SubElement(parent, f"{{{_ATOM}}}{tag}", attrs)
        if text is not None:
            child.text = text

    items = feed_items(data)
    feed = ElementTree.Element(f"{{{_ATOM}}}feed", {"xml:lang": "zh-CN"})
    add(feed, "title", f"{site_name}：申报、审批与阶段变化")
    add(feed, "id", site_url + FEED_NAME if site_url else "urn:govsite:registry")
    add(feed, "updated", _stamp(items[0].when if items else data.today))
    add(feed, "link", rel="self", href=site_url + FEED_NAME if site_url else FEED_NAME)
    add(feed, "link", rel="alternate", href=site_url or "./")
    author = ElementTree.SubElement(feed, f"{{{_ATOM}}}author")
    add(author, "name", site_name)
    for item in items:
        entry = ElementTree.SubElement(feed, f"{{{_ATOM}}}entry")
        add(entry, "title", item.title)
        add(entry, "id", f"urn:govsite:{item.project_id}:{item.key}")
        add(entry, "updated", _stamp(item.when))
        add(entry, "link", rel="alternate", href=site_url + page_path(item.project_id))
        add(entry, "summary", item.summary)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(feed, encoding="unicode") + "\n"


@dataclass(frozen=True)
class DictionaryRow:
    path: str
    title: str
    kind: str
    required: bool
    description: str


def _kind(node: dict[str, Any], defs: dict[str, Any]) -> str:
    if "$ref" in node:
        return "对象"
    if "enum" in node:
        return "取值之一：" + "、".join(str(v) for v in node.get("enumDescriptions", node["enum"]))
    if "anyOf" in node:
        kinds = [_kind(n, defs) for n in node["anyOf"] if n.get("type") != "null"]
        return "或".join(dict.fromkeys(kinds))
    kind = node.get("type")
    if kind == "array":
        return "列表"
    if node.get("format") == "date":
        return "日期（YYYY-MM-DD）"
    return {"string": "文字", "integer": "整数", "number": "数值", "boolean": "是/否", "object": "对象"}.get(
        str(kind), str(kind or "")
    )


def _target(node: dict[str, Any], defs: dict[str, Any]) -> dict[str, Any] | None:
    """The object definition a property holds (directly, in a list, or as an optional value)."""
    for candidate in (node, node.get("items") or {}, *(node.get("anyOf") or [])):
        ref = candidate.get("$ref") if isinstance(candidate, dict) else None
        if isinstance(ref, str):
            found = defs.get(ref.rsplit("/", 1)[-1])
            return found if isinstance(found, dict) else None
    return None


def data_dictionary() -> list[DictionaryRow]:
    """Every field of a project, with its Chinese title, from the model's schema (nested fields as
    `budget.total`; list items as `stages[].date`)."""
    schema = project_schema()
    defs = schema.get("$defs", {})
    found: list[DictionaryRow] = []

    def walk(node: dict[str, Any], prefix: str, seen: tuple[str, ...]) -> None:
        required = set(node.get("required", []))
        for name, prop in (node.get("properties") or {}).items():
            path = prefix + name
            found.append(
                DictionaryRow(
                    path,
                    str(prop.get("title") or name),
                    _kind(prop, defs),
                    name in required,
                    str(prop.get("description") or ""),
                )
            )
            target = _target(prop, defs)
            if target is not None and target.get("title") not in seen:
                listed = "items" in prop or any("items" in n for n in prop.get("anyOf", []))
                walk(target, path + ("[]." if listed else "."), (*seen, str(target.get("title"))))

    walk(schema, "", ())
    return found


def export_files() -> tuple[str, ...]:
    """The files `exports` makes, relative to the site's root."""
    names = (XLSX_NAME, JSON_NAME, CSV_NAME, TABLE_NAME, SCHEMA_NAME)
    return (*(f"data/{name}" for name in names), FEED_NAME)


def exports(
    data: SiteData,
    site_name: str,
    site_url: str,
    source: str | None,
    cache: Cache = NO_CACHE,
    page_keys: Sequence[str] = (),
) -> dict[str, str | bytes]:
    """Files of the `data/` folder and the feed, relative to the site's root.

    They say nothing the project pages do not (`page_keys`: what each page was rendered from, in
    order), so with the pages' keys, the site's name and URL they are cached whole: a rebuild after
    one merge writes them again but builds them only when a project changed. The commit the site is
    built from is in registry.json's head, outside the cached part."""
    key = ""
    if cache.enabled and page_keys and all(page_keys):
        digest = hashlib.sha256(f"exports\0{code_version()}\0{site_name}\0{site_url}\0{data.today}".encode())
        for page_key in page_keys:
            digest.update(page_key.encode())
        key = digest.hexdigest()
        cached = cache.get("exports", key)
        if isinstance(cached, dict):
            body = cached.pop(JSON_NAME)
            return {f"data/{JSON_NAME}": registry_json_head(data, source).encode() + body, **cached}
    # made here, one after the other, while mkdocs runs on the other core: together about 1.3 s for
    # a city's registry (forked workers for each were slower: three processes on two cores, and the
    # files, 40 MB, sent back through pipes)
    built: dict[str, str | bytes] = {
        f"data/{XLSX_NAME}": xlsx_bytes(data, site_url),
        JSON_NAME: registry_json_projects(data),
        f"data/{CSV_NAME}": registry_csv(data, site_url),
        f"data/{TABLE_NAME}": table_json(data),
        FEED_NAME: atom_feed(data, site_name, site_url),
    }
    built[f"data/{SCHEMA_NAME}"] = json.dumps(registry_schema(), ensure_ascii=False, indent=1) + "\n"
    if key:
        cache.put("exports", key, dict(built))
    body = built.pop(JSON_NAME)
    assert isinstance(body, bytes)
    return {f"data/{JSON_NAME}": registry_json_head(data, source).encode() + body, **built}


TABLE_NAME = "projects.min.json"
TABLE_COLUMNS = (
    "id",
    "name",
    "unit",
    "authority",
    "district",
    "stage",
    "type",
    "year",
    "amount",
    "major",
    "overdue",
    "refs",
)
AMOUNT_BANDS = (
    ("0-50", "50 万元以下"),
    ("50-200", "50–200 万元"),
    ("200-500", "200–500 万元"),
    ("500-1000", "500–1000 万元"),
    ("1000-", "1000 万元及以上"),
)


def table_json(data: SiteData) -> str:
    """What 项目一览 filters in the browser: the column names once, then one short array per project
    (about 200 bytes each before compression)."""
    rows = []
    for entry in data.projects:
        p = entry.project
        refs = [s.ref for s in p.stages if s.ref] + [c.ref for c in p.changes if c.ref]
        rows.append(
            [
                p.id,
                p.name,
                p.project_unit,
                p.budget_authority,
                p.district.value,
                p.stage.value,
                p.type.value,
                p.budget_year,
                p.budget.total,
                entry.major,
                len(entry.overdue),
                " ".join(refs),
            ]
        )
    present = {
        kind: sorted({str(row[i]) for row in rows})
        for kind, i in (("district", 4), ("stage", 5), ("type", 6))
    }
    labels = {kind: {value: label(value) for value in values} for kind, values in present.items()}
    document = {"generated": data.today.isoformat(), "columns": TABLE_COLUMNS, "labels": labels, "rows": rows}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def present_types(data: SiteData) -> list[tuple[str, str]]:
    """(value, label) of the project types the registry has, for 项目一览's filter."""
    return sorted({(e.project.type.value, label(e.project.type)) for e in data.projects})
