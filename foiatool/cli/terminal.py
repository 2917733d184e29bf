"""The two output streams: data to stdout, messages and progress to stderr, colour only when wanted.

A ``Terminal`` holds stdout and stderr and knows whether each is a terminal,
so tests swap in ``io.StringIO`` objects instead of patching ``sys``. Every
Rich Console it makes has markup, highlighting and emoji codes switched off:
text from the mail (subjects, names, file names) is printed as written.

Colour is decided once, in this order:

1. ``--color`` / ``--no-color`` given on the command line wins;
2. otherwise a non-empty ``NO_COLOR`` turns colour off (https://no-color.org),
   even when ``FORCE_COLOR`` is set too: the user's standing wish for no
   colour beats a tool's or CI's wish for it; an explicit ``--color`` still
   beats both, because it was typed for this very run;
3. otherwise a non-empty ``FORCE_COLOR`` turns colour on (https://force-color.org);
4. otherwise each stream is coloured when it is a terminal.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

import click

from ..render.escape import terminal_safe

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

_META_KEY = "foiatool.terminal"
F = TypeVar("F", bound=Callable[..., Any])


def _isatty(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressTask:
    """What a command holds while work goes on; this base class shows nothing."""

    def advance(self, amount: int = 1) -> None:
        """Count ``amount`` more items done."""

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        """Change the expected total (once it is known) or the label."""


class _RichProgressTask(ProgressTask):
    def __init__(self, progress: Progress, task_id: TaskID) -> None:
        self._progress = progress
        self._task_id = task_id

    def advance(self, amount: int = 1) -> None:
        self._progress.advance(self._task_id, amount)

    def update(self, *, total: int | None = None, description: str | None = None) -> None:
        if total is not None:
            self._progress.update(self._task_id, total=total)
        if description is not None:
            self._progress.update(self._task_id, description=terminal_safe(description, multiline=False))


class Terminal:
    """stdout and stderr, whether each is a terminal, and whether to colour them.

    ``color`` is the command-line choice (True, False, or None for "decide
    from the environment"); ``quiet`` silences ``info`` and progress bars but
    never warnings or errors. ``env`` defaults to ``os.environ``; ``width``
    fixes the console width (tests), otherwise Rich measures the terminal.
    """

    def __init__(
        self,
        stdout: TextIO | None = None,
        stderr: TextIO | None = None,
        *,
        color: bool | None = None,
        quiet: bool = False,
        env: Mapping[str, str] | None = None,
        stdout_isatty: bool | None = None,
        stderr_isatty: bool | None = None,
        width: int | None = None,
    ) -> None:
        self.stdout: TextIO = stdout if stdout is not None else sys.stdout
        self.stderr: TextIO = stderr if stderr is not None else sys.stderr
        self.stdout_isatty = _isatty(self.stdout) if stdout_isatty is None else stdout_isatty
        self.stderr_isatty = _isatty(self.stderr) if stderr_isatty is None else stderr_isatty
        self.env: Mapping[str, str] = os.environ if env is None else env
        self.quiet = quiet
        self.width = width
        self._color = color
        self._consoles: dict[int, Console] = {}

    @classmethod
    def from_flags(cls, color: bool | None = None, *, quiet: bool = False) -> Terminal:
        """The process's real stdout/stderr with the global ``--color``/``--quiet`` choices applied."""
        return cls(color=color, quiet=quiet)

    @property
    def color(self) -> bool | None:
        return self._color

    @color.setter
    def color(self, value: bool | None) -> None:
        self._color = value
        self._consoles.clear()

    def color_enabled(self, isatty: bool) -> bool:
        """Whether a stream that is (or is not) a terminal gets colour; see the module docstring."""
        if self._color is not None:
            return self._color
        if self.env.get("NO_COLOR", ""):
            return False
        if self.env.get("FORCE_COLOR", ""):
            return True
        return isatty

    @property
    def stdout_color(self) -> bool:
        return self.color_enabled(self.stdout_isatty)

    @property
    def stderr_color(self) -> bool:
        return self.color_enabled(self.stderr_isatty)

    def console_for(self, stream: TextIO) -> Console:
        """A markup-free Rich Console writing to ``stream`` (one per stream, made on first use)."""
        console = self._consoles.get(id(stream))
        if console is not None and console.file is stream:
            return console
        from rich.console import Console

        if stream is self.stdout:
            isatty = self.stdout_isatty
        elif stream is self.stderr:
            isatty = self.stderr_isatty
        else:
            isatty = _isatty(stream)
        colored = self.color_enabled(isatty)
        console = Console(
            file=stream,
            markup=False,
            highlight=False,
            emoji=False,
            # Colour forced onto a pipe needs Rich to believe it has a terminal.
            force_terminal=isatty or colored,
            force_interactive=isatty,
            color_system=("auto" if isatty else "standard") if colored else None,
            no_color=not colored,
            width=self.width,
            _environ=dict(self.env),
        )
        self._consoles[id(stream)] = console
        return console

    @property
    def console_out(self) -> Console:
        return self.console_for(self.stdout)

    @property
    def console_err(self) -> Console:
        return self.console_for(self.stderr)

    def _message(self, prefix: str, style: str, text: str) -> None:
        from rich.text import Text

        message = Text.assemble((prefix, style), terminal_safe(text))
        # soft_wrap: a long message stays one line in a log instead of being cut at 80 columns.
        self.console_err.print(message, soft_wrap=True)

    def info(self, text: str) -> None:
        """A note for the user on stderr; silent with ``quiet``."""
        if not self.quiet:
            self._message("", "", text)

    def warn(self, text: str) -> None:
        self._message("foiatool: warning: ", "yellow", text)

    def error(self, text: str) -> None:
        self._message("foiatool: error: ", "bold red", text)

    @contextmanager
    def progress(self, total: int | None, description: str, *, quiet: bool = False) -> Iterator[ProgressTask]:
        """A progress bar on stderr with count, rate and time left.

        Does nothing (but still hands back a task to advance) when stderr is
        not a terminal, or the terminal or this call is ``quiet``, so piped
        runs and logs stay clean. ``total`` may be None while the amount of
        work is unknown.
        """
        if quiet or self.quiet or not self.stderr_isatty:
            yield ProgressTask()
            return
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            Task,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class RateColumn(ProgressColumn):
            def render(self, task: Task) -> Text:
                return Text(f"{task.speed:,.0f}/s" if task.speed else "")

        with Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeRemainingColumn(),
            console=self.console_err,
        ) as progress:
            task_id = progress.add_task(terminal_safe(description, multiline=False), total=total)
            yield _RichProgressTask(progress, task_id)


def current_terminal(ctx: click.Context | None = None) -> Terminal:
    """The Terminal of the running command.

    Looked up in this order: one installed with ``use_terminal`` (or by
    ``color_option``); the root context's ``obj`` when it is a Terminal or
    carries one as ``.terminal``; else a Terminal on the real streams, made
    once per invocation. Outside any Click command a fresh one is returned.
    """
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return Terminal()
    installed = ctx.meta.get(_META_KEY)
    if isinstance(installed, Terminal):
        return installed
    root_obj = ctx.find_root().obj
    carried = root_obj if isinstance(root_obj, Terminal) else getattr(root_obj, "terminal", None)
    if isinstance(carried, Terminal):
        return carried
    terminal = ctx.meta[_META_KEY] = Terminal()
    return terminal


def use_terminal(ctx: click.Context, terminal: Terminal) -> None:
    """Make ``terminal`` the one every command under ``ctx`` writes through (tests, embedding)."""
    ctx.meta[_META_KEY] = terminal


def _set_color(ctx: click.Context, _param: click.Parameter, value: bool | None) -> None:
    # Not given here: keep what an outer command decided.
    if value is not None:
        current_terminal(ctx).color = value


def color_option(f: F) -> F:
    """``--color/--no-color`` for the top-level group; the choice lands on ``current_terminal()``."""
    return click.option(
        "--color/--no-color",
        default=None,
        expose_value=False,
        callback=_set_color,
        help="Colour output always / never (default: when writing to a terminal; honours NO_COLOR and FORCE_COLOR).",
    )(f)
