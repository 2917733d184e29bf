"""Domain errors, defined once; the CLI turns them into exit codes and stderr messages."""
from __future__ import annotations


class FoiatoolError(Exception):
    """A user-facing failure: bad input, a missing tool, a corrupt index. Never a bug."""


class UsageError(FoiatoolError):
    """The user asked for something that cannot be done as asked."""


class IndexBusyError(FoiatoolError):
    """Another foiatool process holds the index for writing."""


class MissingToolError(FoiatoolError):
    """An optional system tool (tesseract, notmuch) is not installed."""
