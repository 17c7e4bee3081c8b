"""Run mkdocs on the rendered pages, in a child process, through mkdocs' Python API.

A child process keeps mkdocs' global state (its loggers, plugin singletons, jieba's dictionary) out
of govsite and out of the tests, and a crash in it cannot take the caller down. The child is this
module run as `python -m govsite.site.mkdocs_run`; it prints mkdocs' warnings and errors to stderr
and exits non-zero when there was any, since a warning means a page the generator got wrong (a broken
link, an unknown anchor) and such a site is not published.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Sequence
from pathlib import Path

from govsite.errors import GovsiteError

_TAIL = 20

# The body of a long table a page writes as HTML (a district's list: 2,000 rows and more), from a
# line that is `<tbody>` to the next line that is `</tbody>`. python-markdown passes an HTML block
# through as it is, but only after parsing every tag of it: a city's five lists were 1.1 s of the
# 2.8 s mkdocs takes. Such bodies are set aside before mkdocs runs and put back into the HTML it
# writes. Department text in a cell never holds "<" (it is escaped), so it cannot close the body
# early or pass for the mark left in its place.
_TABLE_BODY = re.compile(r"^<tbody>\n.*?^</tbody>$", re.S | re.M)
_ROWS_MARK = "<!-- govsite-rows-{} -->"
SET_ASIDE_AT = 20_000  # characters: smaller bodies stay where they are (the home page's tables)


def set_aside_rows(pages: dict[str, str | bytes]) -> dict[str, list[str]]:
    """Replace each long table body of the Markdown pages in `pages` by a mark; return the bodies,
    by page, for `put_back_rows`."""
    found: dict[str, list[str]] = {}
    for name, text in pages.items():
        if not name.endswith(".md") or not isinstance(text, str) or len(text) < SET_ASIDE_AT:
            continue
        bodies: list[str] = []

        def mark(match: re.Match[str], bodies: list[str] = bodies) -> str:
            if len(match.group(0)) < SET_ASIDE_AT:
                return match.group(0)
            bodies.append(match.group(0))
            return "<tbody>\n" + _ROWS_MARK.format(len(bodies) - 1) + "\n</tbody>"

        changed = _TABLE_BODY.sub(mark, text)
        if bodies:
            pages[name] = changed
            found[name] = bodies
    return found


def put_back_rows(site_dir: Path, set_aside: dict[str, list[str]]) -> None:
    """Put the bodies `set_aside_rows` took back into the pages mkdocs built from them (each mark
    must be there exactly once, or the site is not published)."""
    for name, bodies in set_aside.items():
        stem = name[: -len(".md")]
        page = site_dir / (stem[: -len("index")] if stem.endswith("index") else stem + "/") / "index.html"
        text = page.read_text(encoding="utf-8")
        for index, body in enumerate(bodies):
            mark = "<tbody>\n" + _ROWS_MARK.format(index) + "\n</tbody>"
            if text.count(mark) != 1:
                raise GovsiteError(
                    f"mkdocs 生成的 {page.relative_to(site_dir)} 中找不到表格内容的位置，已发布的网站保持不变",
                    "site_templates/overrides 中的模板必须原样输出页面正文（page.content）。",
                )
            text = text.replace(mark, body)
        page.write_text(text, encoding="utf-8")


class MkdocsRun:
    """mkdocs building `docs_dir` into `site_dir` with the settings of `config_file`, in its child
    process, while the caller does other work (the build makes the open data meanwhile): started
    when made, `finish` waits for it, `stop` ends it."""

    def __init__(
        self,
        config_file: Path,
        docs_dir: Path,
        site_dir: Path,
        today: str,
        identity: dict[str, str | None] | None = None,
    ) -> None:
        command = [
            sys.executable,
            "-m",
            "govsite.site.mkdocs_run",
            "--config",
            str(config_file),
            "--docs",
            str(docs_dir),
            "--site",
            str(site_dir),
            "--today",
            today,
            "--identity",
            json.dumps(identity or {}, ensure_ascii=False),
        ]
        # its output goes to a file, not a pipe: nobody reads while the caller works, and a full
        # pipe would stop mkdocs until somebody did; it lives until `finish` or `stop` closes it
        self._output = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=self._output)
        except BaseException:
            self._output.close()
            raise

    def finish(self) -> list[str]:
        """Wait for mkdocs; return its warnings, or raise GovsiteError with its last lines."""
        returncode = self._process.wait()
        self._output.seek(0)
        text = self._output.read().decode("utf-8", errors="replace")
        self._output.close()
        lines = [line for line in text.splitlines() if line.strip()]
        # Warnings stay visible to whoever runs the build; on failure the last lines go into the error.
        for line in lines if returncode == 0 else lines[:-_TAIL]:
            print(line, file=sys.stderr)
        if returncode != 0:
            tail = "\n  ".join(lines[-_TAIL:]) or "（mkdocs 没有输出）"
            raise GovsiteError(
                f"mkdocs 生成网站失败（退出码 {returncode}），已发布的网站保持不变：\n  {tail}",
                "按上面的 mkdocs 提示修正 mkdocs.yml 或 site_templates/ 中的模板后重新运行 govsite build。",
            )
        return lines

    def stop(self) -> None:
        """End mkdocs (the caller failed meanwhile): nothing it leaves is published."""
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        self._output.close()


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _build(config_file: str, docs: str, site: str, today: str, identity: dict[str, object]) -> int:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logger = logging.getLogger("mkdocs")
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(logging.Formatter("mkdocs %(levelname)s %(message)s"))
    stream.setLevel(logging.WARNING)
    counter = _Counter()
    logger.addHandler(stream)
    logger.addHandler(counter)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        config = load_config(config_file, docs_dir=docs, site_dir=site, strict=True)
        config.extra["govsite_today"] = today
        if identity.get("name"):  # govsite.toml [site] name over mkdocs.yml's site_name
            config["site_name"] = identity["name"]
        # the footer's identity (govsite.toml [site]); a value mkdocs.yml's extra sets is the default
        site_extra = dict(config.extra.get("govsite_site") or {})
        site_extra.update({k: v for k, v in identity.items() if v})
        config.extra["govsite_site"] = site_extra
        build(config)
    except MkDocsException as exc:
        print(f"mkdocs ERROR {exc}", file=sys.stderr)
        return 1
    return 1 if counter.count else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govsite.site.mkdocs_run")
    parser.add_argument("--config", required=True)
    parser.add_argument("--docs", required=True)
    parser.add_argument("--site", required=True)
    parser.add_argument("--today", required=True)
    parser.add_argument("--identity", default="{}")
    args = parser.parse_args(argv)
    # jieba (last released 2020) imports pkg_resources; the notice is not about our site.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    try:  # jieba announces at debug level, through its own handler, that it loads its dictionary
        import jieba

        jieba.setLogLevel(logging.WARNING)
    except ImportError:  # pragma: no cover - a dependency; without it search has no Chinese words
        print("mkdocs WARNING 未安装 jieba：搜索索引不会切分中文词语", file=sys.stderr)
    return _build(args.config, args.docs, args.site, args.today, json.loads(args.identity))


if __name__ == "__main__":
    sys.exit(main())
