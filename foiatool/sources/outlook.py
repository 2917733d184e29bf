"""What the Outlook readers (.msg through extract-msg, .pst through libpff) and the payload re-reader share:
property reads that may fail, MAPI times as UTC, opening and closing an item or store."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, BinaryIO


class OutlookOpenError(Exception):
    """An Outlook file could not be opened; the text says why, ready for a Problem or a PayloadError."""


def safe(read: Callable[[], Any]) -> Any:
    """``read()``, or None when it raises."""
    try:
        return read()
    except Exception:  # one unreadable property leaves that field empty, the rest is still read
        return None


def mapi_utc(value: Any) -> datetime | None:
    """An Outlook time as an aware UTC datetime in whole seconds; None when absent or before 1971 (unset)."""
    if not isinstance(value, datetime) or value.year < 1971:
        return None
    # mail dates carry whole seconds; MAPI times keep fractions that would set copies apart
    value = value.replace(microsecond=0)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def close_quietly(opened: Any) -> None:
    """Close an extract-msg item or a libpff store, ignoring the failure a damaged one gives."""
    try:
        opened.close()
    except Exception:  # closing after a failed read can fail again; nothing is left to release
        pass


def open_msg(source: str | bytes) -> Any:
    """The extract-msg object for a .msg path or its bytes; OutlookOpenError says why there is none."""
    try:
        import extract_msg
    except ImportError as error:
        raise OutlookOpenError(f"Outlook .msg reader unavailable: {error}") from error
    try:
        return extract_msg.openMsg(source, strict=False)
    except Exception as error:  # extract-msg raises many kinds of errors on damaged or non-Outlook OLE files
        raise OutlookOpenError(f"not a readable Outlook .msg file: {type(error).__name__}: {error}") from error


def open_pst(opened: str | BinaryIO) -> Any:
    """An open libpff store for a .pst path or seekable stream; OutlookOpenError says why there is none."""
    try:
        import pypff
    except ImportError as error:
        raise OutlookOpenError(f"Outlook .pst reader unavailable: {error}") from error
    store = pypff.file()
    try:
        if isinstance(opened, str):
            store.open(opened)
        else:
            store.open_file_object(opened)
    except Exception as error:  # libpff reports every kind of damage as OSError or IOError
        raise OutlookOpenError(f"damaged or unsupported Outlook .pst file: {error}") from error
    return store
