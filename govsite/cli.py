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
from typing import Any

from govsite import __version__
from govsite.errors import ExitCode, GovsiteError
from govsite.report.formats import FORMATS, Report, render
from govsite.result import RunResult


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"日期格式应为 YYYY-MM-DD：{text}") from exc


def _write(report: Report, summary: str | None) -> int:
    out, step_summary, code = report
    sys.stdout.write(out)
    target = summary or os.environ.get("GITHUB_STEP_SUMMARY")
    if step_summary is not None and target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(step_summary)
    return code


def _emit(run: RunResult, fmt: str, summary: str | None, fail_on: str = "error") -> int:
    return _write(render(run, fmt, fail_on), summary)


def cmd_validate(args: argparse.Namespace) -> int:
    from govsite.validate_run import validate_report

    report = validate_report(
        Path(args.root), args.paths, args.today, args.policies, args.format, args.fail_on
    )
    return _write(report, args.summary)


def _json_list(path: str | None, what: str) -> list[Any]:
    if not path:
        return []
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise GovsiteError(f"无法读取{what} {path}：{exc}", "传入平台 API 返回的 JSON 数组。") from exc
    if not isinstance(data, list):
        raise GovsiteError(f"{what} {path} 应为 JSON 数组", "传入平台 API 返回的 JSON 数组。")
    return [item for item in data if isinstance(item, dict)]


def _forge_input(args: argparse.Namespace) -> Any:
    from govsite.approvals.gather import ForgeInput

    return ForgeInput(
        reviews=_json_list(args.reviews, "审查记录"),
        comments=_json_list(getattr(args, "comments", None), "评论"),
        author=getattr(args, "author", None) or None,
    )


def cmd_check(args: argparse.Namespace) -> int:
    from govsite.config import config_at
    from govsite.pullrequest import check_pull_request

    run = check_pull_request(
        Path(args.root), args.base, args.head, args.today, _forge_input(args), args.require_approvals
    )
    # the base's (resolved, fetched if the clone lacked it): a pull request's own is not trusted
    run.site_url = config_at(Path(args.root), run.base or args.base).site.url
    return _emit(run, args.format, args.summary, args.fail_on)


def cmd_approve(args: argparse.Namespace) -> int:
    import datetime as dt

    from govsite.approvals.approve import approve, review_block

    key = Path(args.key).expanduser()
    when = dt.datetime.fromisoformat(os.environ["GOVSITE_NOW"]) if os.environ.get("GOVSITE_NOW") else None
    approval = approve(
        Path(args.root),
        args.target,
        args.role,
        key,
        base=args.base,
        today=args.today,
        person_id=args.person,
        decision=args.decision,
        opinion=args.opinion,
        ref=args.ref,
        when=when,
    )
    if args.print:
        sys.stdout.write(review_block(approval))
        return ExitCode.OK
    target = Path(args.root) / approval.path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(approval.signed.to_json(), encoding="utf-8")
    print(f"已写入 {approval.path}")
    print(
        f"提交并推送到合并请求的分支：git add {approval.path} && git commit -m '审批 {args.target}' && git push"
    )
    return ExitCode.OK


def cmd_audit(args: argparse.Namespace) -> int:
    from govsite.audit import audit
    from govsite.cache import Cache
    from govsite.gitio import open_repo
    from govsite.report.audit import render_audit_json, render_audit_text

    # this user's own cache only (entries carry its HMAC): a clone's verifier starts empty
    result = audit(open_repo(Path(args.root)), args.branch, Cache(Path(args.root)))
    sys.stdout.write(render_audit_json(result) if args.format == "json" else render_audit_text(result))
    return ExitCode.OK if result.ok else ExitCode.FINDINGS


def cmd_record(args: argparse.Namespace) -> int:
    from govsite.approvals.record import record

    written = record(Path(args.root), args.base, args.head, _forge_input(args), Path(args.key), args.today)
    for path in written:
        print(f"已记录 {path}")
    if not written:
        print("没有需要转录的审查意见")
    return ExitCode.OK


def cmd_comment(args: argparse.Namespace) -> int:
    from govsite.forge.github import comment_request

    try:
        number = int(args.number)
    except ValueError as exc:
        raise GovsiteError(f"合并请求编号应为数字：{args.number!r}", "传入 github.event 中的编号。") from exc
    markdown = Path(args.markdown).read_text(encoding="utf-8")
    request = comment_request(args.repository, number, markdown, _json_list(args.comments, "评论"))
    print(
        json.dumps({"method": request.method, "path": request.path, "body": request.body}, ensure_ascii=False)
    )
    return ExitCode.OK


def cmd_policy_test(args: argparse.Namespace) -> int:
    from govsite import districts
    from govsite.policy.coverage import coverage_problems
    from govsite.policy.lint import lint
    from govsite.policy.selftest import iter_examples
    from govsite.resources import registry_packs

    # every pack is loaded and checked: one with errors is reported, the others still run
    packs = registry_packs(Path(args.root), args.policies, isolate=True)
    broken = [why for key in districts.broken_keys() for why in districts.broken(key)]
    if args.pack:
        broken = [why for why in broken if f"/{args.pack}" in why.splitlines()[0]]
        packs = [p for p in packs if p.id == args.pack]
        if not packs and not broken:
            raise GovsiteError(
                f"没有政策包 {args.pack}", "政策包编号即 policies/ 下的文件夹名，如 minhang-2025。"
            )
    for why in broken:
        print(f"ERROR {why}")
    if args.rule and not any(r.spec.id == args.rule for p in packs for r in p.rules):
        raise GovsiteError(f"没有规则 {args.rule}", "规则编号即 rules/ 下的文件名，如 MH-08。")
    passed = failed = 0
    linted = 0
    for problem in lint(packs):
        if args.rule and problem.rule != args.rule:
            continue
        linted += 1
        print(f"LINT {problem.test_id}: {problem.message}")
    if not args.rule:  # coverage is a property of the whole pack, not of one rule
        for pack in packs:
            for gap in coverage_problems(pack):
                linted += 1
                print(f"LINT {gap.test_id}: {gap.message}")
    # --rule: that rule's examples only, each judged by the whole pack (rules read each other's facts)
    for outcome in iter_examples(packs, args.rule):
        if outcome.ok:
            passed += 1
            if args.verbose:
                print(f"PASS {outcome.test_id}")
        else:
            failed += 1
            print(f"FAIL {outcome.test_id}: {outcome.detail}")
            if outcome.where:
                print(f"    示例位置：{outcome.where}")
    rules = 1 if args.rule else sum(len(p.rules) for p in packs)
    print(
        f"{len(packs)} 个政策包，{rules} 条规则，示例 {passed} 个通过，{failed} 个失败；规则检查 {linted} 个问题"
    )
    if broken:
        print(f"{len(broken)} 个政策包有错误，未能载入（见上面的 ERROR）")
        return ExitCode.FINDINGS
    return ExitCode.OK if failed == 0 and linted == 0 else ExitCode.FINDINGS


def cmd_policy_impact(args: argparse.Namespace) -> int:
    from govsite.cache import Cache
    from govsite.gitio import open_repo
    from govsite.impact import policy_impact
    from govsite.shallow import commits_for_check

    root = Path(args.root)
    repo = open_repo(root)
    base, head = commits_for_check(repo, args.base, args.head)
    run = RunResult(mode="impact", base=base, head=head)
    run.impact = policy_impact(repo, base, head, args.today, Cache(root))
    return _emit(run, args.format, args.summary)


def cmd_policy_coverage(args: argparse.Namespace) -> int:
    from govsite.policy.coverage import coverage_markdown
    from govsite.resources import registry_packs

    root = Path(args.root)
    text = coverage_markdown(registry_packs(root, args.policies))
    return _write_or_check(root / args.out, text, args.check, "政策包", "govsite policy coverage")


def cmd_cache_prune(args: argparse.Namespace) -> int:
    from govsite.cache import Cache, keep_days

    cache = Cache(Path(args.root))
    if not cache.enabled:
        print("缓存未启用（GOVSITE_NO_CACHE，或无法创建本用户的缓存密钥），没有可清理的条目。")
        return 0
    if args.days is not None and args.days < 0:
        raise GovsiteError(
            f"天数不能为负：{args.days}", "写 0 删除全部条目，或写保留的天数，例如 --days 30。"
        )
    days = keep_days() if args.days is None else args.days
    deleted = cache.prune(days)
    count, size = cache.size()
    kept = "全部删除" if days == 0 else f"超过 {days} 天未使用"
    print(
        f"删除了 {deleted} 个缓存条目（{kept}）；{cache.database} 现有 {count} 个条目，{size / 1e6:.1f} MB。"
    )
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from govsite.resources import registry_packs
    from govsite.schema import schemas

    folder = Path(args.root) / "schema"
    wanted = {
        name: json.dumps(schema, ensure_ascii=False, indent=2) + "\n"
        for name, schema in schemas(registry_packs(Path(args.root), args.policies)).items()
    }
    if args.check:
        stale = [
            name
            for name, text in wanted.items()
            if not (folder / name).is_file() or (folder / name).read_text(encoding="utf-8") != text
        ]
        if stale:
            print(
                f"{folder} 中的 {'、'.join(stale)} 与模型和政策包不一致：运行 govsite schema 重新生成",
                file=sys.stderr,
            )
            return ExitCode.FINDINGS
        return ExitCode.OK
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in wanted.items():
        (folder / name).write_text(text, encoding="utf-8")
    print(f"已写入 {folder}/：{'、'.join(wanted)}")
    return ExitCode.OK


def cmd_codeowners(args: argparse.Namespace) -> int:
    from govsite.owners import CODEOWNERS, owner_rules, render_codeowners
    from govsite.resources import registry_packs
    from govsite.reviewers import load_reviewers

    root = Path(args.root)
    text = render_codeowners(owner_rules(registry_packs(root, args.policies), load_reviewers(root)))
    return _write_or_check(
        root / CODEOWNERS, text, args.check, "政策包的角色和 reviewers.yaml ", "govsite codeowners"
    )


def _write_or_check(target: Path, text: str, check: bool, source: str, command: str) -> int:
    """Write a generated file, or (check) say whether the file on disk is what would be written."""
    if check:
        if not target.is_file() or target.read_text(encoding="utf-8") != text:
            print(f"{target} 与{source}不一致：运行 {command} 重新生成", file=sys.stderr)
            return ExitCode.FINDINGS
        return ExitCode.OK
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    print(f"已写入 {target}")
    return ExitCode.OK


def cmd_build(args: argparse.Namespace) -> int:
    from govsite.site.build import build_site

    report = build_site(
        Path(args.root),
        Path(args.out),
        today=args.today,
        run_mkdocs=not args.markdown_only,
        public=args.public,
        policies=args.policies,
    )
    print(report)
    return ExitCode.OK


def cmd_serve(args: argparse.Namespace) -> int:
    from govsite.site.build import build_site
    from govsite.site.serve import serve

    out = Path(args.out)
    print(build_site(Path(args.root), out, today=args.today, policies=args.policies))
    serve(out, args.host, args.port)
    return ExitCode.OK


def cmd_new(args: argparse.Namespace) -> int:
    from govsite import districts
    from govsite.config import load_config
    from govsite.policy.pack import select_pack
    from govsite.resources import registry_packs
    from govsite.scaffold import create_declaration

    root = Path(args.root)
    packs = registry_packs(root, args.policies)
    if districts.info(args.district) is None:
        raise GovsiteError(
            f"本登记册没有区 {args.district!r} 的政策包",
            f"--district 写以下之一：{districts.listing()}；新的区先在 policies/ 中加入它的政策包。",
        )
    district = districts.DistrictKey(args.district)
    pack, reason = select_pack(packs, district, args.today)
    if pack is None:
        print(f"注意：{reason}；按通用模板生成。", file=sys.stderr)
    path = create_declaration(root, district, args.today, args.id, pack, load_config(root).site.url)
    print(
        f"已生成 {path}：按文件中的注释填写（“某某”“（请填写）”处都要改），然后运行 govsite validate {path}"
    )
    return ExitCode.OK


def cmd_init(args: argparse.Namespace) -> int:
    from govsite.bootstrap import init_registry

    root = Path(args.directory)
    forges = tuple(dict.fromkeys(f.strip() for part in args.forge for f in part.split(",") if f.strip()))
    report = init_registry(
        root,
        list(dict.fromkeys(args.district)),
        forges or None,
        site_name=args.name,
        package=args.package,
        hook_repo=args.hook_repo,
        hook_rev=args.hook_rev,
        today=args.today,
    )
    for path in report.written:
        print(f"已写入 {root / path}")
    for path in report.kept:
        print(f"已存在，未改动：{root / path}")
    if report.git:
        print(f"已在 {root} 创建 git 仓库（主分支 main）")
    print(
        "下一步：govsite new --district "
        f"{args.district[0]} 生成第一个申报文件；govsite validate 检查；govsite serve 预览网站；"
        "提交并推送到代码托管平台。"
    )
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
    check.add_argument("--reviews", help="平台返回的审查记录（GitHub：pulls/N/reviews 的 JSON）")
    check.add_argument("--comments", help="平台返回的评论（GitHub：issues/N/comments 的 JSON）")
    check.add_argument("--author", help="合并请求的提交人（平台账号），不能审批自己的申报")
    check.add_argument(
        "--require-approvals",
        action="store_true",
        help="每个须审批的角色都已同意当前版本才算通过（必需的状态检查用）",
    )
    _common(check)
    _reporting(check)
    check.set_defaults(func=cmd_check)

    approve = sub.add_parser("approve", help="审批：对本分支中一个项目（或受保护的文件）签署决定")
    approve.add_argument("target", help="项目编号（如 MH-2026-014），或受保护文件的路径")
    approve.add_argument(
        "--role",
        required=True,
        help="以哪个角色审批（roles.yaml 中的编号，如 data_bureau；维护人员为 maintainers）",
    )
    approve.add_argument(
        "--as", dest="person", help="你在 reviewers.yaml 中的人员编号（默认按 git 的 user.email 识别）"
    )
    approve.add_argument(
        "--key", default="~/.ssh/id_ed25519", help="签名用的 SSH 私钥（默认 ~/.ssh/id_ed25519）"
    )
    approve.add_argument(
        "--decision",
        choices=("approve", "reject", "return"),
        default="approve",
        help="同意 / 不同意 / 退回补正",
    )
    approve.add_argument("--opinion", help="意见")
    approve.add_argument("--ref", help="机构出具的文号")
    approve.add_argument("--base", default="origin/main", help="合并请求的目标分支（默认 origin/main）")
    approve.add_argument(
        "--print", action="store_true", help="不写文件，打印一段可粘贴到平台审查意见中的审批记录"
    )
    _common(approve)
    approve.set_defaults(func=cmd_approve)

    audit = sub.add_parser("audit", help="核验主分支上每次合并的审批（从克隆即可核验）")
    audit.add_argument("--branch", default="HEAD", help="核验哪个分支（默认当前分支）")
    audit.add_argument("--format", choices=("text", "json"), default="text")
    audit.add_argument("--root", default=".")
    audit.set_defaults(func=cmd_audit)

    record_cmd = sub.add_parser("record", help="合并时把平台审查中的审批转录为签名的审批记录（工作流使用）")
    record_cmd.add_argument("--base", required=True, help="合并进去的提交（合并提交的第一个父提交）")
    record_cmd.add_argument("--head", required=True, help="合并提交")
    record_cmd.add_argument("--reviews", required=True, help="平台返回的审查记录 JSON")
    record_cmd.add_argument("--key", required=True, help="登记册记录程序的 SSH 私钥")
    _common(record_cmd)
    record_cmd.set_defaults(func=cmd_record)

    comment = sub.add_parser("comment", help="生成更新检查评论的请求（GitHub；工作流使用）")
    comment.add_argument("--repository", required=True, help="owner/repo")
    comment.add_argument("--number", required=True, help="合并请求编号")
    comment.add_argument("--markdown", required=True, help="govsite check --format markdown 的输出文件")
    comment.add_argument("--comments", required=True, help="平台返回的现有评论 JSON")
    comment.set_defaults(func=cmd_comment)

    policy = sub.add_parser("policy", help="政策包工具")
    policy_sub = policy.add_subparsers(dest="policy_command", required=True)
    policy_test = policy_sub.add_parser("test", help="运行每条规则自带的通过/不通过示例")
    _common(policy_test)
    policy_test.add_argument("-v", "--verbose", action="store_true")
    policy_test.add_argument("--pack", help="只检查这个政策包（如 minhang-2025）")
    policy_test.add_argument("--rule", help="只检查这条规则（如 MH-08）")
    policy_test.set_defaults(func=cmd_policy_test)
    policy_impact = policy_sub.add_parser(
        "impact", help="政策包修改的影响：按目标分支和修改后的政策包分别判断整个登记册，列出结论改变的项目"
    )
    policy_impact.add_argument("--base", required=True, help="修改前（目标分支或提交）")
    policy_impact.add_argument("--head", default="HEAD", help="修改后（默认 HEAD）")
    policy_impact.add_argument("--root", default=".", help="登记仓库根目录（默认当前目录）")
    policy_impact.add_argument(
        "--today", type=_date, default=None, help="按哪一天判断时限（默认今天，或环境变量 GOVSITE_TODAY）"
    )
    _reporting(policy_impact)
    policy_impact.set_defaults(func=cmd_policy_impact)
    policy_coverage = policy_sub.add_parser(
        "coverage", help="生成条款覆盖表（每条条款由哪些规则检查，或为什么不检查）"
    )
    _common(policy_coverage)
    policy_coverage.add_argument(
        "--out", default="docs/coverage.md", help="写到这个文件（默认 docs/coverage.md）"
    )
    policy_coverage.add_argument("--check", action="store_true", help="只检查文件是否与政策包一致")
    policy_coverage.set_defaults(func=cmd_policy_coverage)

    new = sub.add_parser("new", help="按模板生成一个新的申报文件")
    new.add_argument("--district", required=True, help="所在区（政策包中的区，如 minhang）")
    new.add_argument("--id", help="项目编号（默认自动取下一个）")
    _common(new)
    new.set_defaults(func=cmd_new)

    init = sub.add_parser(
        "init", help="新建一个登记仓库：配置、各区文件夹、流水线、pre-commit、README 与 CODEOWNERS"
    )
    init.add_argument("directory", nargs="?", default=".", help="登记仓库的目录（默认当前目录）")
    init.add_argument(
        "--district",
        action="append",
        required=True,
        help="受理哪个区的项目（政策包中的区，如 minhang）；可写多次",
    )
    init.add_argument(
        "--forge",
        action="append",
        default=[],
        help="为哪些代码托管平台生成流水线：github、gitlab、forgejo、gitea（可写多次或用逗号分隔；默认前三个）",
    )
    init.add_argument("--name", help="网站名称（默认“某某区政务数字化项目公开目录”）")
    init.add_argument("--package", help="流水线安装的 govsite（pip 的写法，默认本版本：govsite==X.Y.Z）")
    init.add_argument("--hook-repo", default=None, help="pre-commit 钩子所在的 govsite 仓库地址")
    init.add_argument("--hook-rev", help="pre-commit 钩子的版本（标签，默认 vX.Y.Z）")
    init.add_argument(
        "--today", type=_date, default=None, help="按哪一天（默认今天，或环境变量 GOVSITE_TODAY）"
    )
    init.set_defaults(func=cmd_init)

    cache = sub.add_parser("cache", help="缓存 .govsite-cache/ 的维护")
    cache_sub = cache.add_subparsers(dest="cache_command", required=True)
    cache_prune = cache_sub.add_parser(
        "prune", help="删除多日未使用的缓存条目（运行时每天也会自动清理一次，默认保留 30 天）"
    )
    cache_prune.add_argument("--root", default=".", help="登记仓库根目录（默认当前目录）")
    cache_prune.add_argument(
        "--days",
        type=int,
        default=None,
        help="删除超过这么多天未使用的条目（默认环境变量 GOVSITE_CACHE_DAYS，或 30）；0 表示全部删除",
    )
    cache_prune.set_defaults(func=cmd_cache_prune)

    schema = sub.add_parser("schema", help="生成 schema/ 下的 JSON Schema（通用的和每个区的）")
    _common(schema)
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
    build.add_argument(
        "--public",
        action="store_true",
        help="作为政府网站发布：govsite.toml 的 [site] 缺少主办单位、网站标识码、备案号等任何一项时拒绝生成",
    )
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
