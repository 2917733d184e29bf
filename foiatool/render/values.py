"""How one value of a row is written: machine text, human text, or a JSON value."""
from __future__ import annotations

import dataclasses
import enum
import json
import re
from collections.abc import Mapping, Set
from datetime import UTC, date, datetime, tzinfo
from pathlib import PurePath
from typing import Any


def _as_utc(moment: datetime) -> datetime:
    # The model keeps aware UTC datetimes; a naive one can only have meant UTC.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso_utc(moment: datetime) -> str:
    """``YYYY-MM-DDTHH:MM:SSZ``: the one date form every machine format uses, whatever ``--tz`` says."""
    return _as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_display(moment: datetime, tz: tzinfo | None) -> str:
    """``YYYY-MM-DD HH:MM ZONE`` in ``tz`` (None: this machine's zone), for people to read."""
    shown = _as_utc(moment).astimezone(tz) if tz is not None else _as_utc(moment).astimezone()
    zone = shown.strftime("%Z")
    return shown.strftime("%Y-%m-%d %H:%M") + (f" {zone}" if zone else "")


def _parse_iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def _is_nested(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple, Set)) or (
        dataclasses.is_dataclass(value) and not hasattr(value, "label")
    )


def _summary(value: Any) -> str:
    """A nested structure in a one-line cell: its size only; JSON carries the content."""
    if isinstance(value, Mapping) or dataclasses.is_dataclass(value):
        count = len(value) if isinstance(value, Mapping) else len(dataclasses.fields(value))
        return f"{count} field" if count == 1 else f"{count} fields"
    count = len(value)
    return f"{count} item" if count == 1 else f"{count} items"


def _scalar_text(value: Any, *, human: bool, kind: str, tz: tzinfo | None) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        if human:
            return "yes" if value else "no"
        return "true" if value else "false"
    if isinstance(value, datetime):
        return local_display(value, tz) if human else iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and human and kind == "float":
        return f"{value:.2f}"
    if isinstance(value, enum.Enum):
        return str(value.value)
    label = getattr(value, "label", None)
    if callable(label):  # an Address and the like: show it as its header would
        return str(label())
    return str(value)


def cell_text(value: Any, *, human: bool, kind: str = "text", tz: tzinfo | None = None) -> str:
    """One cell as text, before escaping for the target.

    None is empty; a list of plain values is joined with "; "; a nested
    structure (a dict, a list of dicts such as a thread's messages) becomes
    "3 items" / "2 fields". ``human`` selects the table/markdown forms (dates in
    ``tz``, yes/no, floats to two places) instead of the stable machine forms.
    """
    # Fast paths first: these run for every cell of every row.
    if type(value) is str:
        if human and kind == "date" and "T" in value:
            # A stored ISO timestamp shown to people goes into their zone like a datetime would.
            moment = _parse_iso(value)
            if moment is not None:
                return local_display(moment, tz)
        return value
    if type(value) is int:
        return str(value)
    if value is None:
        return ""
    if isinstance(value, (list, tuple, Set)):
        items = sorted(value, key=str) if isinstance(value, Set) else value
        if any(_is_nested(item) for item in items):
            return _summary(value)
        return "; ".join(_scalar_text(item, human=human, kind=kind, tz=tz) for item in items)
    if _is_nested(value):
        return _summary(value)
    return _scalar_text(value, human=human, kind=kind, tz=tz)


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    if isinstance(value, Set):
        return sorted(value, key=str)
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, PurePath):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: getattr(value, field.name) for field in dataclasses.fields(value)}
    raise TypeError(f"cannot write a {type(value).__name__} as JSON")


# json.dumps(ensure_ascii=False) leaves these raw. C1 controls can act on some
# terminals, U+2028/U+2029 split lines for str.splitlines() and JavaScript
# readers, and lone surrogates cannot be encoded as UTF-8; escaped, they
# parse back to the same string.
_JSON_RAW_HAZARD = re.compile("[\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escape_hazard(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def json_text(value: Any, *, indent: int | None = None) -> str:
    """``value`` as JSON text: UTF-8 kept readable, dates as ISO 8601 UTC, dataclasses as objects."""
    text = json.dumps(value, ensure_ascii=False, indent=indent, default=_json_default)
    if _JSON_RAW_HAZARD.search(text):
        text = _JSON_RAW_HAZARD.sub(_escape_hazard, text)
    return text
