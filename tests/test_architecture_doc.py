"""docs/ARCHITECTURE.md agrees with the code: its module map and schema are generated, and every module it names exists."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_generated_parts_match_the_code() -> None:
    proc = subprocess.run([sys.executable, str(REPO / "docs" / "generate.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr


def test_every_module_the_page_names_exists() -> None:
    text = (REPO / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    prose = text.split("## Module map")[0]
    named = set(re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.py)`", prose)) | set(re.findall(r"\*\*`((?:[a-z_]+/)*[a-z_]+\.py)", prose))
    assert named
    missing = []
    for name in named:
        if (REPO / name).exists():
            continue
        if not any(p.as_posix().endswith(name) for p in (REPO / "foiatool").rglob("*.py")):
            missing.append(name)
    assert not missing, missing
