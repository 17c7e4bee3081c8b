"""Command line: parse arguments, call one function, print, return an exit code.

Exit codes: 0 clean; 1 findings of severity error; 2 usage or internal error (see errors.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from govsite import __version__
from govsite.errors import ExitCode, GovsiteError
from govsite.result import RunResult
from govsite.vocabulary import District

FORMATS = ("text", "json", "github")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def _emit(run: RunResult, fmt: str, summary: str | None, fail_on: str = "error") -> int:
    from govsite.report.github import render_github, render_summary
    from govsite.report.json_report import render_json
    from govsite.report.text import render_text

    if fmt == "json":
        sys.stdout.write(render_json(run))
    elif fmt == "github":
        sys.stdout.write(render_github(run))
        target = summary or os.environ.get("GITHUB_STEP_SUMMARY")
        if target:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(render_summary(run))
    else:
        sys.stdout.write(render_text(run))
    from govsite.findings import Severity

    failing = run.count(Severity.ERROR) + (run.count(Severity.WARNING) if fail_on == "warning" else 0)
    return ExitCode.FINDINGS if failing else ExitCode.OK


def cmd_validate(args: argparse.Namespace) -> int:
    from govsite.policy.pack import load_packs
    from govsite.registry import validate_paths

    root = Path(args.root)
    packs = load_packs(root / args.policies)
    paths = [Path(p) for p in args.paths] or [root / "submissions"]
    for path in paths:
        if not path.exists():
            raise GovsiteError(f"找不到 {path}", "给出项目文件或 submissions/ 下的目录。")
    run = validate_paths(paths, packs, root, args.today)
    return _emit(run, args.format, args.summary, args.fail_on)


def cmd_check(args: argparse.Namespace) -> int:
    from govsite.pullrequest import check_pull_request

    run = check_pull_request(Path(args.root), args.base, args.head, args.today)
    return _emit(run, args.format, args.summary, args.fail_on)


def cmd_policy_test(args: argparse.Namespace) -> int:
    from govsite.policy.pack import load_packs
    from govsite.policy.selftest import iter_examples

    packs = load_packs(Path(args.root) / args.policies)
    passed = failed = 0
    for outcome in iter_examples(packs):
        if outcome.ok:
            passed += 1
            if args.verbose:
                print(f"PASS {outcome.test_id}")
        else:
            failed += 1
            print(f"FAIL {outcome.test_id}: {outcome.detail}")
    rules = sum(len(p.rules) for p in packs)
    print(f"{len(packs)} 个政策包，{rules} 条规则，示例 {passed} 个通过，{failed} 个失败")
    return ExitCode.OK if failed == 0 else ExitCode.FINDINGS


def cmd_schema(args: argparse.Namespace) -> int:
    from govsite.model import project_json_schema

    target = Path(args.root) / "schema" / "project.schema.json"
    text = json.dumps(project_json_schema(), ensure_ascii=False, indent=2) + "\n"
    if args.check:
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            print(f"{target} 与模型不一致：运行 govsite schema 重新生成", file=sys.stderr)
            return ExitCode.FINDINGS
        return ExitCode.OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"已写入 {target}")
    return ExitCode.OK


def cmd_codeowners(args: argparse.Namespace) -> int:
    from govsite.owners import CODEOWNERS, owner_rules, render_codeowners
    from govsite.policy.pack import load_packs
    from govsite.reviewers import load_reviewers

    root = Path(args.root)
    text = render_codeowners(owner_rules(load_packs(root / args.policies), load_reviewers(root)))
    target = root / CODEOWNERS
    if args.check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            print(
                f"{target} 与政策包的角色和 reviewers.yaml 不一致：运行 govsite codeowners 重新生成",
                file=sys.stderr,
            )
            return ExitCode.FINDINGS
        return ExitCode.OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"已写入 {target}")
    return ExitCode.OK


def cmd_build(args: argparse.Namespace) -> int:
    from govsite.site.build import build_site

    report = build_site(Path(args.root), Path(args.out), today=args.today, run_mkdocs=not args.markdown_only)
    print(report)
    return ExitCode.OK


def cmd_serve(args: argparse.Namespace) -> int:
    from govsite.site.build import build_site
    from govsite.site.serve import serve

    out = Path(args.out)
    print(build_site(Path(args.root), out, today=args.today))
    serve(out, args.host, args.port)
    return ExitCode.OK


def cmd_new(args: argparse.Namespace) -> int:
    from govsite.scaffold import create_declaration
    from govsite.vocabulary import District

    path = create_declaration(Path(args.root), District(args.district), args.today, args.id)
    print(f"已生成 {path}：按文件中的注释填写，然后运行 govsite validate {path}")
    return ExitCode.OK


def _default_today() -> dt.date:
    """GOVSITE_TODAY pins the date (reproducible CI runs, tests); otherwise today."""
    pinned = os.environ.get("GOVSITE_TODAY")
    if pinned:
        try:
            return dt.date.fromisoformat(pinned)
        except ValueError as exc:
            raise GovsiteError(f"GOVSITE_TODAY 的日期格式不对：{pinned}", "写成 2026-03-02 的格式。") from exc
    return dt.date.today()


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--root", default=".", help="登记仓库根目录（默认当前目录）")
    parser.add_argument("--policies", default="policies", help="政策包目录，相对于根目录")
    parser.add_argument(
        "--today", type=_date, default=None, help="按哪一天判断时限（默认今天，或环境变量 GOVSITE_TODAY）"
    )


def _reporting(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text", help="输出格式")
    parser.add_argument("--summary", help="github 格式：Markdown 摘要写到此文件（默认 $GITHUB_STEP_SUMMARY）")
    parser.add_argument(
        "--fail-on",
        choices=("error", "warning"),
        default="error",
        help="有哪一级的发现时以退出码 1 结束（默认 error；warning 表示警告也算不通过）",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="govsite", description="政务数字化项目登记、校验与公开")
    parser.add_argument("--version", action="version", version=f"govsite {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    validate = sub.add_parser("validate", help="按现状校验项目文件")
    validate.add_argument("paths", nargs="*", help="项目文件或目录（默认 submissions/）")
    _common(validate)
    _reporting(validate)
    validate.set_defaults(func=cmd_validate)

    check = sub.add_parser("check", help="检查合并请求：阶段变化、规则、审批路由与时限")
    check.add_argument("--base", required=True, help="目标分支或提交（政策从这里读取）")
    check.add_argument("--head", default="HEAD", help="合并请求的提交（默认 HEAD）")
    _common(check)
    _reporting(check)
    check.set_defaults(func=cmd_check)

    policy = sub.add_parser("policy", help="政策包工具")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    policy_test = policy_sub.add_parser("test", help="运行每条规则自带的通过/不通过示例")
    _common(policy_test)
    policy_test.add_argument("-v", "--verbose", action="store_true")
    policy_test.set_defaults(func=cmd_policy_test)

    new = sub.add_parser("new", help="按模板生成一个新的申报文件")
    new.add_argument("--district", required=True, choices=[d.value for d in District], help="所在区")
    new.add_argument("--id", help="项目编号（默认自动取下一个）")
    _common(new)
    new.set_defaults(func=cmd_new)

    schema = sub.add_parser("schema", help="生成 schema/project.schema.json")
    schema.add_argument("--root", default=".")
    schema.add_argument("--check", action="store_true", help="只检查是否与模型一致")
    schema.set_defaults(func=cmd_schema)

    codeowners = sub.add_parser("codeowners", help="由政策包的角色和 reviewers.yaml 生成 .github/CODEOWNERS")
    _common(codeowners)
    codeowners.add_argument("--check", action="store_true", help="只检查是否一致")
    codeowners.set_defaults(func=cmd_codeowners)

    build = sub.add_parser("build", help="生成公开网站（项目登记册与政策手册）")
    _common(build)
    build.add_argument("--out", default="site", help="网站输出目录")
    build.add_argument("--markdown-only", action="store_true", help="只生成 Markdown，不运行 mkdocs")
    build.set_defaults(func=cmd_build)

    serve = sub.add_parser("serve", help="生成网站并在本机预览")
    _common(serve)
    serve.add_argument("--out", default="site")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its message; usage errors are exit 2
        return int(exc.code or 0)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        if getattr(args, "today", False) is None:
            args.today = _default_today()
        return int(func(args))
    except GovsiteError as exc:
        print(f"govsite：{exc}", file=sys.stderr)
        return ExitCode.USAGE_OR_INTERNAL
    except KeyboardInterrupt:
        return 130
    except Exception:
        traceback.print_exc()
        print("govsite：内部错误（上面是调试信息）。请把这段输出附在问题报告中。", file=sys.stderr)
        return ExitCode.USAGE_OR_INTERNAL
