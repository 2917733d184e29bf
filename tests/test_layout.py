"""The package's layout holds: imports go one way, from reading up to the CLI, and modules stay readable."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "foiatool"

# Floors from the ground up: a room imports only rooms on lower floors (its own modules aside).
FLOORS: dict[str, int] = {
    "model": 0, "errors": 0,
    "mail": 1,
    "sources": 2, "index": 2,
    "derive": 3, "analysis": 3,
    "refresh": 4, "render": 4,
    "cli": 5,
}
# The package root re-exports the model; __main__ starts the CLI.
TOP = {"__init__": 1, "__main__": 6}
MAX_LINES = 600


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def _room(path: Path) -> str:
    parts = path.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def _floor(room: str) -> int:
    return FLOORS[room] if room in FLOORS else TOP[room]


def _imported_rooms(path: Path) -> set[str]:
    """Every room of foiatool that ``path`` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = path.relative_to(PACKAGE).with_suffix("").parts
    package = list(here[:-1]) if here[-1] != "__init__" else list(here[:-1])
    if path.name == "__init__.py":
        package = list(here[:-1])
    rooms: set[str] = set()
    for node in ast.walk(tree):
        targets: list[list[str]] = []
        if isinstance(node, ast.Import):
            targets = [a.name.split(".")[1:] for a in node.names if a.name.split(".")[0] == "foiatool"]
        elif isinstance(node, ast.ImportFrom):
            if node.level == 0:
                if not node.module or node.module.split(".")[0] != "foiatool":
                    continue
                base = node.module.split(".")[1:]
            else:
                base = package[: len(package) - (node.level - 1)] + (node.module.split(".") if node.module else [])
            targets = [base + [alias.name] for alias in node.names] if not base else [base]
        for parts in targets:
            if parts and parts[0] != "__version__":
                rooms.add(parts[0])
    return rooms


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down_the_floors(path: Path) -> None:
    room = _room(path)
    floor = _floor(room)
    upward = sorted(other for other in _imported_rooms(path) - {room} if _floor(other) >= floor)
    assert not upward, f"{path.relative_to(PACKAGE)} ({room}, floor {floor}) imports {upward} on the same floor or above"


def test_the_core_imports_neither_click_nor_rich() -> None:
    for path in _modules():
        if _room(path) in {"cli", "render"}:  # the terminal table is rich's; the core never needs it
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else [])
            for name in names:
                assert name.split(".")[0] not in {"click", "rich"}, f"{path.relative_to(PACKAGE)} imports {name}"


def test_no_module_is_long_without_saying_why() -> None:
    long = []
    for path in _modules():
        lines = path.read_text(encoding="utf-8").count("\n")
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        if lines > MAX_LINES and "Long because" not in doc:
            long.append(f"{path.relative_to(PACKAGE)} ({lines} lines)")
    assert not long, "modules over 600 lines without a 'Long because ...' in the docstring: " + ", ".join(long)


def test_no_sql_in_the_cli() -> None:
    import re

    sql = re.compile(r"\b(?:SELECT|INSERT|UPDATE|DELETE)\b\s+[\w*(]|\.execute\(")
    found = [str(p.relative_to(PACKAGE)) for p in (PACKAGE / "cli").rglob("*.py") if sql.search(p.read_text(encoding="utf-8"))]
    assert not found, f"SQL in the CLI: {found}"
