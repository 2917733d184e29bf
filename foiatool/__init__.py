"""foiatool: threads, people, timelines and reports from a dump of exported emails.

The core (reading, parsing, indexing, threading, analysis) imports neither click
nor rich, so it can be used as a library.
"""
from .model import Address, Attachment, Document, Message, Problem, Source


def __getattr__(name: str) -> str:
    # The version is looked up when asked for: importlib.metadata costs a listing
    # command a third of its start-up.
    if name == "__version__":
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("foiatool")
        except PackageNotFoundError:  # running from a source tree that was never installed
            return "0.0.0"
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["Address", "Attachment", "Document", "Message", "Problem", "Source", "__version__"]
