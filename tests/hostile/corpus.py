"""The hostile corpus as cases: the files of `files/` and the ones generated here (see README.md).

Each case is a path under submissions/ and what should be found there. A case is written into a
registry by `place`; `modes` says which commands can meet it (a FIFO cannot be committed to git, a
submodule entry exists only in git).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
FILES = HERE / "files"
XSS = [line for line in (HERE / "xss.txt").read_text(encoding="utf-8").splitlines() if line.strip()]
MINHANG = "submissions/minhang"
GOOD = f"{MINHANG}/MH-2026-001.yaml"
GOOD_ID = "MH-2026-001"

# A valid declaration (the body every generated case starts from), dated for check's --today 2026-03-04.
VALID = """id: {id}
name: {name}
district: minhang
project_unit: {unit}
budget_authority: {unit}
type: construction
mode: new
category: [application]
budget_year: 2026
summary: {summary}
attributes:
  mlps_level: 2
deployment:
  government_cloud: true
  government_extranet: true
budget:
  total: 120
  hardware: 0
  software_development: 100
stage: declared
stages:
  - {{stage: requirement, date: 2025-06-10, note: {note}}}
  - {{stage: declared, date: 2026-03-02, ref: {ref}, by: {unit}}}
materials:
  - {{kind: construction_plan, title: {title}, date: 2026-02-28}}
  - {{kind: crypto_application_plan, title: 密码应用方案, date: 2026-02-28}}
  - {{kind: crypto_plan_evaluation, title: 密码应用方案专家意见, date: 2026-03-01}}
"""


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar holding `text` exactly."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def valid(project_id: str, **fields: str) -> str:
    values = {
        "id": project_id,
        "name": "闵行区示例业务管理系统建设项目",
        "unit": "区示例局",
        "summary": "建设示例业务管理系统。",
        "note": "需求评审通过",
        "ref": "闵示申〔2026〕1号",
        "title": "建设方案",
    }
    values.update(fields)
    return VALID.format(**{k: (v if k == "id" else _quoted(v)) for k, v in values.items()})


@dataclass(frozen=True)
class Case:
    name: str
    path: str  # repository-relative
    rule: str | None  # the finding expected on `path`; None: the file loads as a project
    line: int | None = None
    modes: frozenset[str] = frozenset({"validate", "check", "build"})
    write: Callable[[Path], None] | None = field(default=None, compare=False)
    # text that must appear in no output of any command (content from outside the registry …)
    never_shown: tuple[str, ...] = ()
    xss: str | None = None  # the payload this case writes into every text field


def _file_cases() -> list[Case]:
    cases = []
    for source in sorted(FILES.glob("*.yaml")):
        head = source.read_bytes().split(b"\n", 1)[0].decode("utf-8-sig")
        match = re.match(r"# hostile: rule=(\S+)(?: line=(\d+))?", head)
        assert match, f"{source.name}: the first line must say `# hostile: rule=… line=…`"
        rule = None if match.group(1) == "none" else match.group(1)
        line = int(match.group(2)) if match.group(2) else None

        def write(root: Path, source: Path = source) -> None:
            (root / MINHANG / source.name).write_bytes(source.read_bytes())

        cases.append(
            Case(
                f"files/{source.name}",
                f"{MINHANG}/{source.name}",
                rule,
                line,
                write=write,
                never_shown=("root:x:0:0",),
            )
        )
    return cases


def _bytes(path: str, data: bytes | Callable[[], bytes]) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data() if callable(data) else data)

    return write


def _symlink(path: str, target: str) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        link = root / path
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)

    return write


def _fifo(path: str) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        os.mkfifo(root / path)

    return write


def nested_flow(depth: int) -> bytes:
    body = (
        valid("MH-2026-954") + "evaluations:\n  - kind: self_evaluation\n    date: 2026-03-01\n    inputs: "
    )
    return (body + "{a: " * depth + "1" + "}" * depth + "\n").encode()


def nested_block(depth: int) -> bytes:
    lines = [valid("MH-2026-955") + "local:"]
    for level in range(1, depth + 1):
        lines.append("  " * level + f"k{level}:")
    lines[-1] += " 1"
    return ("\n".join(lines) + "\n").encode()


def alias_bomb() -> bytes:
    lines = [valid("MH-2026-956"), 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 10):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return ("\n".join(lines) + "\n").encode()


def _line_of(data: bytes, needle: bytes) -> int:
    return data[: data.index(needle)].count(b"\n") + 1


def generated_cases() -> list[Case]:
    m = MINHANG
    deep_line = _line_of(nested_flow(300), b"inputs:")
    cases = [
        Case(
            "10 MB",
            f"{m}/MH-2026-950.yaml",
            "file-too-large",
            1,
            write=_bytes(f"{m}/MH-2026-950.yaml", lambda: b"#" * (10 * 1024 * 1024)),
        ),
        Case(
            "100k lines over the size limit",
            f"{m}/MH-2026-951.yaml",
            "file-too-large",
            1,
            write=_bytes(f"{m}/MH-2026-951.yaml", lambda: valid("MH-2026-951").encode() + b"# x\n" * 100_000),
        ),
        Case(
            "100k comment lines under the limit: loads",
            f"{m}/MH-2026-952.yaml",
            None,
            write=_bytes(f"{m}/MH-2026-952.yaml", lambda: valid("MH-2026-952").encode() + b"#\n" * 100_000),
        ),
        Case(
            "flow nesting 40,000 deep (under the size limit)",
            f"{m}/MH-2026-953.yaml",
            "yaml-depth",
            deep_line,
            write=_bytes(
                f"{m}/MH-2026-953.yaml", lambda: nested_flow(40_000).replace(b"MH-2026-954", b"MH-2026-953")
            ),
        ),
        Case(
            "flow nesting 300 deep in an evaluation's inputs",
            f"{m}/MH-2026-954.yaml",
            "yaml-depth",
            deep_line,
            write=_bytes(f"{m}/MH-2026-954.yaml", lambda: nested_flow(300)),
        ),
        Case(
            "block nesting 200 deep",
            f"{m}/MH-2026-955.yaml",
            "yaml-depth",
            None,
            write=_bytes(f"{m}/MH-2026-955.yaml", lambda: nested_block(200)),
        ),
        Case(
            "alias bomb",
            f"{m}/MH-2026-956.yaml",
            "yaml-anchor",
            None,
            write=_bytes(f"{m}/MH-2026-956.yaml", alias_bomb),
        ),
        Case(
            "5,000 unknown keys",
            f"{m}/MH-2026-957.yaml",
            "schema",
            None,
            write=_bytes(
                f"{m}/MH-2026-957.yaml",
                lambda: valid("MH-2026-957").encode() + "".join(f"k{i}: {i}\n" for i in range(5000)).encode(),
            ),
        ),
        Case(
            "empty file", f"{m}/MH-2026-958.yaml", "file-empty", 1, write=_bytes(f"{m}/MH-2026-958.yaml", b"")
        ),
        Case(
            "only comments",
            f"{m}/MH-2026-959.yaml",
            "file-empty",
            1,
            write=_bytes(f"{m}/MH-2026-959.yaml", b"# x\n# y\n"),
        ),
        Case(
            "UTF-16",
            f"{m}/MH-2026-960.yaml",
            "file-encoding",
            1,
            write=_bytes(f"{m}/MH-2026-960.yaml", lambda: valid("MH-2026-960").encode("utf-16")),
        ),
        Case(
            "symlink out of the repository",
            f"{m}/MH-2026-961.yaml",
            "layout",
            1,
            write=_symlink(f"{m}/MH-2026-961.yaml", "/etc/passwd"),
            never_shown=("root:x:0:0",),
        ),
        Case(
            "symlink to another project",
            f"{m}/MH-2026-962.yaml",
            "layout",
            1,
            write=_symlink(f"{m}/MH-2026-962.yaml", "MH-2026-001.yaml"),
        ),
        Case(
            "symlinked folder",
            "submissions/evil",
            "layout",
            1,
            write=_symlink("submissions/evil", "/etc"),
            never_shown=("root:x:0:0",),
        ),
        Case(
            "hidden file",
            f"{m}/.MH-2026-963.yaml",
            "layout",
            1,
            write=_bytes(f"{m}/.MH-2026-963.yaml", lambda: valid("MH-2026-963").encode()),
        ),
        Case(
            "underscore file",
            f"{m}/_MH-2026-964.yaml",
            "layout",
            1,
            write=_bytes(f"{m}/_MH-2026-964.yaml", lambda: valid("MH-2026-964").encode()),
        ),
        Case(
            "file in a hidden folder",
            f"{m}/_drafts/MH-2026-965.yaml",
            "layout",
            1,
            write=_bytes(f"{m}/_drafts/MH-2026-965.yaml", lambda: valid("MH-2026-965").encode()),
        ),
        Case(
            "non-ASCII file name",
            f"{m}/项目.yaml",
            "layout",
            1,
            write=_bytes(f"{m}/项目.yaml", lambda: valid("MH-2026-966").encode()),
        ),
        Case(
            "file name with a newline and a workflow command",
            f"{m}/x\n::error file=y::z.yaml",
            "layout",
            1,
            write=_bytes(f"{m}/x\n::error file=y::z.yaml", lambda: valid("MH-2026-967").encode()),
        ),
        Case(
            ".yml twin of an existing project",
            f"{m}/MH-2026-001.yml",
            "duplicate-id",
            1,
            write=_bytes(
                f"{m}/MH-2026-001.yml", lambda: valid(GOOD_ID, name="闵行区冒名系统建设项目").encode()
            ),
        ),
        Case(
            "lower-case twin",
            f"{m}/mh-2026-001.yaml",
            "duplicate-id",
            1,
            write=_bytes(f"{m}/mh-2026-001.yaml", lambda: valid(GOOD_ID).encode()),
        ),
        Case(
            "upper-case extension twin",
            f"{m}/MH-2026-001.YAML",
            "duplicate-id",
            1,
            write=_bytes(f"{m}/MH-2026-001.YAML", lambda: valid(GOOD_ID).encode()),
        ),
        Case(
            "same id in another district's folder",
            "submissions/qingpu/MH-2026-001.yaml",
            "duplicate-id",
            1,
            write=_bytes("submissions/qingpu/MH-2026-001.yaml", lambda: valid(GOOD_ID).encode()),
        ),
        Case(
            "a FIFO (validate only: git cannot hold one)",
            f"{m}/MH-2026-968.yaml",
            "layout",
            1,
            modes=frozenset({"validate", "build"}),
            write=_fifo(f"{m}/MH-2026-968.yaml"),
        ),
        Case(
            "material path through an in-repository link",
            f"{m}/MH-2026-969.yaml",
            None,
            write=_material_through_link,
            never_shown=("root:x:0:0",),
        ),
    ]
    for index, payload in enumerate(XSS, start=1):
        project_id = f"MH-2026-{800 + index:03d}"
        text = valid(
            project_id,
            name=f"闵行区{payload}系统建设项目",
            unit=payload,
            summary=payload,
            note=payload,
            ref=payload,
            title=payload,
        )
        cases.append(
            Case(
                f"xss {index}",
                f"{m}/{project_id}.yaml",
                None,
                write=_bytes(f"{m}/{project_id}.yaml", text.encode()),
                xss=payload,
            )
        )
    return cases


def _material_through_link(root: Path) -> None:
    link = root / "submissions/minhang/plans/passwd.md"
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to("/etc/passwd")
    text = valid("MH-2026-969").replace(
        '  - {kind: construction_plan, title: "建设方案", date: 2026-02-28}',
        '  - {kind: construction_plan, title: "建设方案", date: 2026-02-28, path: submissions/minhang/plans/passwd.md}',
    )
    (root / "submissions/minhang/MH-2026-969.yaml").write_text(text, encoding="utf-8")


def all_cases() -> list[Case]:
    return _file_cases() + generated_cases()


def gitlink(root: Path, path: str) -> None:
    """A submodule entry (mode 160000) in the index: only git can hold one."""
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
    subprocess.run(
        ["git", "update-index", "--add", "--cacheinfo", f"160000,{head},{path}"], cwd=root, check=True
    )
