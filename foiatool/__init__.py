"""foiatool: threads, people, timelines and reports from a dump of exported emails.

The core (reading, parsing, indexing, threading, analysis) imports neither click
nor rich, so it can be used as a library.
"""
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _version

try:
    __version__ = _version("foiatool")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

from .model import Address, Attachment, Document, Message, Problem, Source  # noqa: E402

__all__ = ["Address", "Attachment", "Document", "Message", "Problem", "Source", "__version__"]
