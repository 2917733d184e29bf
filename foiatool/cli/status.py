"""Exit codes, documented in one place (the README's "Exit codes" table repeats this)."""
from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    PROBLEMS = 1        # input items could not be read, and --strict was given
    USAGE = 2           # the command line was wrong (unknown option, bad date, unknown id)
    FAILURE = 3         # the work could not be done (unusable index, missing tool, unwritable output)
    INTERRUPTED = 130   # Ctrl-C
