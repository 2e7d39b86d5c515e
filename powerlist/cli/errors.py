"""The CLI's one error path: every refusal is one Chinese line on stderr, exit 2 for bad input.

`main` runs the Typer app without Click's own error handling and answers here instead:
`UserError` (domain code) and Click's usage errors (unknown command, missing file, bad value)
become `错误：…` plus what to do next; an unexpected error is one line too, its traceback shown
only with `--debug` (or POWERLIST_DEBUG=1). Commands call `fail(message)` to refuse.
"""

from __future__ import annotations

import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import NoReturn

import typer

from powerlist.errors import UserError
from powerlist.missing_db import refuse_missing_databases


def _exception_classes(name: str) -> tuple[type[BaseException], ...]:
    """Click's exception class `name` as Typer raises it: Typer >= 0.25 vendors its own Click."""
    found: list[type[BaseException]] = []
    for module in ("typer.exceptions", "typer._click.exceptions", "click.exceptions"):
        try:
            cls = getattr(__import__(module, fromlist=[name]), name, None)
        except ImportError:
            continue
        if isinstance(cls, type) and cls not in found:
            found.append(cls)
    return tuple(found)


EXIT = _exception_classes("Exit")
ABORT = _exception_classes("Abort")
CLICK_ERROR = _exception_classes("ClickException")
USAGE_ERROR = _exception_classes("UsageError")
NO_SUCH_OPTION = _exception_classes("NoSuchOption")
MISSING = _exception_classes("MissingParameter")
BAD_PARAMETER = _exception_classes("BadParameter")

EXIT_BAD_INPUT = 2
DEBUG_FLAG = "--debug"


def fail(message: str, code: int = EXIT_BAD_INPUT) -> NoReturn:
    """Refuse with one Chinese line (what is wrong and what to do) and exit `code` (2: input)."""
    raise UserError(message) if code == EXIT_BAD_INPUT else _Refusal(message, code)


class _Refusal(UserError):
    """A refusal with its own exit code (e.g. 1: the input was read and rejected)."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def run_app(app: typer.Typer, argv: Sequence[str] | None = None) -> NoReturn:
    """Run the CLI app with `argv` and exit with its code, answering every error in Chinese."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = DEBUG_FLAG in args or os.environ.get("POWERLIST_DEBUG", "") not in ("", "0")
    args = [a for a in args if a != DEBUG_FLAG]
    refuse_missing_databases()
    try:
        code = app(args=args, prog_name="powerlist", standalone_mode=False)
    except UserError as error:
        _say(str(error))
        code = getattr(error, "code", EXIT_BAD_INPUT)
    except EXIT as done:
        code = getattr(done, "exit_code", 0)
    except ABORT:
        _say("已取消", prefix="")
        code = 1
    except CLICK_ERROR as error:
        if type(error).__name__ != "NoArgsIsHelpError":  # the help was shown: enough said
            _say(usage_message(error))
        code = EXIT_BAD_INPUT if isinstance(error, USAGE_ERROR) else 1
    except KeyboardInterrupt:
        _say("已中断", prefix="")
        code = 130
    except Exception as error:
        if debug:
            traceback.print_exc()
        _say(
            f"内部错误（{type(error).__name__}）：{_first_line(error)}；"
            f"加 {DEBUG_FLAG} 重新运行可查看详情，并告知维护人员"
        )
        code = 1
    sys.exit(code if isinstance(code, int) else 0)


def _say(message: str, prefix: str = "错误：") -> None:
    typer.echo(f"{prefix}{message}", err=True)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0][:200] if text else "无详细信息"


def usage_message(error: BaseException) -> str:
    """Click's usage error as one Chinese line with the command to get help."""
    ctx = getattr(error, "ctx", None)
    command = getattr(ctx, "command_path", None) or "powerlist"
    help_hint = f"；用 {command} --help 查看用法"
    message = str(getattr(error, "message", "") or error)
    if isinstance(error, NO_SUCH_OPTION):
        possible = getattr(error, "possibilities", None) or []
        near = f"（是否要用 {'、'.join(possible)}？）" if possible else ""
        return f"没有选项 {getattr(error, 'option_name', '')}{near}{help_hint}"
    if isinstance(error, MISSING):
        return f"缺少{_param_name(getattr(error, 'param', None))}{help_hint}"
    if isinstance(error, BAD_PARAMETER):
        return f"{_param_name(getattr(error, 'param', None))}{_bad_value(message)}"
    unknown = re.match(r"No such command '(.+)'\.", message)
    if unknown:
        known = _commands(ctx)
        listed = f"：可用的命令有 {known}" if known else ""
        return f"没有命令“{unknown.group(1)}”{listed}{help_hint}"
    extra = re.match(r"Got unexpected extra arguments? \((.+)\)", message)
    if extra:
        return f"多余的参数：{extra.group(1)}{help_hint}"
    return f"{message}{help_hint}"


def _commands(ctx: object) -> str:
    command = getattr(ctx, "command", None)
    lister = getattr(command, "list_commands", None)
    return "、".join(lister(ctx)) if lister is not None else ""


def _param_name(param: object) -> str:
    if param is None:
        return "参数"
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    if opts:
        return f"选项 {max(opts, key=len)}"
    name = getattr(param, "human_readable_name", None) or getattr(param, "name", "") or ""
    return f"参数 {str(name).upper()}"


def _bad_value(message: str) -> str:
    """What is wrong with the value, read from Click's (English) message."""
    quoted = re.search(r"'(.*?)'", message)
    value = quoted.group(1) if quoted else ""
    if "does not exist" in message:
        return f"：找不到“{value}”：请检查路径和文件名"
    if "is a directory" in message:
        return f"：“{value}”是文件夹：请给出一个文件"
    if "is a file" in message:
        return f"：“{value}”是文件：请给出一个文件夹"
    if "is not readable" in message or "is not writable" in message:
        return f"：无法读写“{value}”：请检查权限"
    if "valid integer" in message or re.search(r"not a valid int\b", message):
        return " 的值不是整数：请填写数字"
    if "valid number" in message or "not a valid float" in message:
        return " 的值不是数字"
    if "valid date" in message or "does not match the format" in message:
        return " 的值不是日期：请按 2026-11-02 填写"
    choices = re.search(r"is not (?:one of )?(.+)\.$", message)
    if choices and quoted:
        valid = "、".join(re.findall(r"'(.*?)'", choices.group(1)))
        return f" 的值“{value}”无效：可选 {valid}"
    bound = re.search(r"(greater|less) than( or equal to)? (\S+?)\.?$", message)
    if bound:
        word = {("greater", True): "不小于", ("greater", False): "大于", ("less", True): "不大于",
                ("less", False): "小于"}[(bound.group(1), bool(bound.group(2)))]  # fmt: skip
        return f" 的值应{word} {bound.group(3)}"
    click_range = re.search(r"is not in the range (.+?)\.?$", message)
    if click_range:  # Click's own wording: x>=1, x<10, 1<=x<=5
        return f" 的值应{_range_zh(click_range.group(1))}"
    return f" 的值无效：{message}"


def _range_zh(bounds: str) -> str:
    """Click's range (`x>=1`, `x<10`, `1<=x<=5`) in words: 不小于 1, 小于 10, 在 1 到 5 之间."""
    both = re.fullmatch(r"(\S+?)<=?x<=?(\S+)", bounds)
    if both:
        return f"在 {both.group(1)} 到 {both.group(2)} 之间"
    one = re.fullmatch(r"x(>=|>|<=|<)(\S+)", bounds)
    if one is None:
        return f"在 {bounds} 范围内"
    word = {">=": "不小于", ">": "大于", "<=": "不大于", "<": "小于"}[one.group(1)]
    return f"{word} {one.group(2)}"
