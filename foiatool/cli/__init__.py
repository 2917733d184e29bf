"""The ``foiatool`` command: read options, call the core, hand results to a renderer. Nothing else."""
from __future__ import annotations

import importlib
import os
import sys

import click

from ..errors import FoiatoolError
from .common import App
from .status import ExitStatus

# Command name -> module under foiatool.cli; modules are imported only when their command runs,
# so `foiatool --help` and small pipelines start fast.
COMMANDS = {
    "index": "index_cmd",
    "messages": "messages",
    "problems": "problems",
    "documents": "documents",
    "threads": "threads",
    "show": "show",
    "search": "search",
    "people": "people",
    "timeline": "timeline",
    "summary": "summary",
    "redactions": "redactions",
    "gaps": "gaps",
    "attachments": "attachments",
    "report": "report",
    "graph": "graph",
}

EPILOG = """\b
Examples:
  foiatool summary samples/dump samples/release   what is in this release
  foiatool messages dump/ --from morton           messages from one person
  foiatool threads dump/ --since 2011-03 -f ids | foiatool show - --db INDEX
  find dump -name '*.eml' | foiatool messages - -f ndjson | jq .subject
  foiatool report dump/ -o report.md              a markdown report to publish from
"""


class StdoutClosed(Exception):
    """The reader of stdout went away (``| head``).

    Raised in place of BrokenPipeError, which Click's own main loop would turn
    into exit status 1 before ``main`` could see it.
    """


# The group's own options, which a user may also type after the command name
# (`foiatool messages --no-color`); all are flags, so moving them changes nothing else.
GLOBAL_FLAGS = ("--color", "--no-color", "--traceback")


def hoist_global_flags(args: list[str]) -> list[str]:
    """``args`` with the global flags given after the command name moved in front of it.

    Everything after a ``--`` is left alone: there it is a value, not an option.
    """
    command_at = next((i for i, arg in enumerate(args) if not arg.startswith("-")), None)
    if command_at is None:
        return list(args)
    head, rest = list(args[: command_at + 1]), args[command_at + 1 :]
    end = rest.index("--") if "--" in rest else len(rest)
    moved = [arg for arg in rest[:end] if arg in GLOBAL_FLAGS]
    kept = [arg for arg in rest[:end] if arg not in GLOBAL_FLAGS] + list(rest[end:])
    return head[:command_at] + moved + head[command_at:] + kept


class LazyGroup(click.Group):
    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, hoist_global_flags(args))

    def resolve_command(self, ctx: click.Context, args: list[str]):
        name = args[0] if args else ""
        if name and not name.startswith("-") and name not in COMMANDS:
            import difflib

            near = difflib.get_close_matches(name.lower(), list(COMMANDS), n=1, cutoff=0.5)
            hint = f" Did you mean {near[0]!r}?" if near else ""
            ctx.fail(f"No such command {name!r}.{hint} Commands: {', '.join(COMMANDS)}.")
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except BrokenPipeError as exc:
            raise StdoutClosed() from exc

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        module = COMMANDS.get(name)
        if module is None:
            return None
        mod = importlib.import_module(f"{__name__}.{module}")
        return mod.command


@click.group(cls=LazyGroup, epilog=EPILOG, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(None, "--version", package_name="foiatool", prog_name="foiatool")
@click.option("--color/--no-color", default=None, help="Colour on the terminal (default: auto; NO_COLOR is honoured).")
@click.option("--traceback", is_flag=True, hidden=True, help="Show the Python traceback of a failure.")
@click.pass_context
def cli(ctx: click.Context, color: bool | None, traceback: bool) -> None:
    """Turn a dump of exported emails into threads, people, timelines and reports.

    PATHs may be .eml files, mbox files, maildirs, Outlook .msg/.pst, PDFs of
    printed emails, zip/tar archives, or folders holding any mix of them; '-'
    reads a list of paths from stdin. The first run builds an index in your
    cache directory; later runs re-read only what changed.
    """
    from .terminal import Terminal

    ctx.obj = App(terminal=Terminal.from_flags(color), traceback=traceback)


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every failure becomes a message on stderr and a documented exit code."""
    args = sys.argv[1:] if argv is None else argv
    show_traceback = "--traceback" in args
    _buffer_piped_stdout()
    try:
        cli.main(args=args, prog_name="foiatool", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except (click.exceptions.Abort, KeyboardInterrupt):
        _exit_interrupted()
    except click.UsageError as exc:
        exc.show()
        sys.exit(int(ExitStatus.USAGE))
    except click.ClickException as exc:
        exc.show()
        sys.exit(int(ExitStatus.FAILURE) if exc.exit_code == 1 else exc.exit_code)
    except (BrokenPipeError, StdoutClosed):
        # The reader of our stdout went away (`| head`): not an error of ours.
        _silence_stdout()
        sys.exit(int(ExitStatus.OK))
    except FoiatoolError as exc:
        from ..errors import UsageError

        sys.stderr.write(f"foiatool: error: {exc}\n")
        sys.exit(int(ExitStatus.USAGE if isinstance(exc, UsageError) else ExitStatus.FAILURE))
    except OSError as exc:
        if show_traceback:
            raise
        sys.stderr.write(f"foiatool: error: {exc}\n")
        sys.exit(int(ExitStatus.FAILURE))
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()


def _buffer_piped_stdout() -> None:
    """Data to a pipe or file goes out in blocks, as from grep or sort, even where PYTHONUNBUFFERED
    (set by many container images) left stdout unbuffered: there every row of a listing would be a
    system call of its own, a third of the time of a long one. A terminal keeps its stream as it is."""
    import io

    out = sys.stdout
    raw = getattr(out, "buffer", None)
    if type(raw) is not io.FileIO or out.isatty():
        return
    sys.stdout = io.TextIOWrapper(io.BufferedWriter(raw), encoding=out.encoding, errors=out.errors)


def _silence_stdout() -> None:
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


__all__ = ["cli", "main"]


def _exit_interrupted() -> None:
    """Leave at once with exit code 130 after Ctrl-C.

    What was read is already committed (the indexer commits whole files before it
    re-raises). A plain exit would run the interpreter's exit hooks, and the process
    pool's hook joins its manager thread, which can wait forever on a result pipe a
    stopped worker left half-written: so the streams are flushed and the process ends here.
    """
    sys.stderr.write("foiatool: interrupted\n")
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(int(ExitStatus.INTERRUPTED))
