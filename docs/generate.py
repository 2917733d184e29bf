"""Regenerate the parts of docs/ARCHITECTURE.md that the code states: the module map and the index schema.

``python docs/generate.py`` rewrites them in place; ``--check`` exits 1 when the page has drifted
from the code (tests/test_architecture_doc.py runs it).
"""
from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent
PAGE = DOCS / "ARCHITECTURE.md"
PACKAGE = REPO / "foiatool"


def module_map() -> str:
    lines = ["```"]
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
        first = doc.strip().splitlines()[0] if doc.strip() else ""
        if path.name == "__init__.py" and not first:
            continue
        lines.append(f"{relative:<40} {first}".rstrip())
    lines.append("```")
    return "\n".join(lines)


def schema() -> str:
    sys.path.insert(0, str(REPO))
    from foiatool.index.store import SCHEMA, SCHEMA_VERSION

    return f"Schema version {SCHEMA_VERSION}, as `foiatool/index/store.py` creates it:\n\n```sql\n{SCHEMA.strip()}\n```"


def render(text: str) -> str:
    for name, body in (("modules", module_map()), ("schema", schema())):
        pattern = re.compile(rf"(<!-- generated:{name} -->).*?(<!-- /generated:{name} -->)", re.DOTALL)
        if not pattern.search(text):
            raise SystemExit(f"{PAGE}: no <!-- generated:{name} --> block")
        text = pattern.sub(lambda m, body=body: f"{m.group(1)}\n{body}\n{m.group(2)}", text)
    return text


def main(argv: list[str]) -> int:
    current = PAGE.read_text(encoding="utf-8")
    wanted = render(current)
    if "--check" in argv:
        if wanted != current:
            print(f"{PAGE} has drifted from the code: run python docs/generate.py", file=sys.stderr)
            return 1
        return 0
    PAGE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
