"""The ``redactions`` help, as ``foiatool --help`` and ``foiatool redactions --help`` print it."""
from __future__ import annotations

from test_index_incremental import foiatool


def test_the_command_list_gives_the_whole_first_sentence() -> None:
    listing = foiatool("--help").stdout
    lines = listing.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip().startswith("redactions "))
    entry = lines[start].strip()[len("redactions"):].strip()
    for line in lines[start + 1:]:
        if not line.startswith(" " * 8):  # a wrapped entry continues deeper than the command names
            break
        entry += " " + line.strip()
    # click cuts a docstring's first line at its first full stop ("Gov.") and ends it with "..."
    assert entry == "Count redaction marks by exemption code, thread, sender, month or field."


def test_the_command_help_names_the_marks_and_the_stamp_rows() -> None:
    text = " ".join(foiatool("redactions", "--help").stdout.split())
    assert "Count redaction marks by exemption code, thread, sender, month or field." in text
    assert "(b)(6) (b)(7)(C) B6 Gov. Code 6254(c) [REDACTED]" in text
    assert '"Stamped docs" counts the released documents whose release stamp cites the code' in text
    assert 'a row "full" counts the documents stamped RELEASE IN FULL' in text
    assert "..." not in text.split("Options:")[0].split("[PATHS]...", 1)[1]
