"""PDF helpers: untrusted record text never breaks a document, in either font mode."""

from __future__ import annotations

import io

import pypdf
import pytest

from triage.export.pdf import Document, _unicode_font

HOSTILE = [
    "A" * 400,  # no break opportunity in a narrow column
    "\x00\x07\x1b[31mred\x1b[0m",  # NUL, BEL, terminal escapes
    "\u202eevil\u202c [b]bold[/b] [@click=app.quit]",  # bidi override, markup
    "\U0001f600 \u540d\u524d",  # emoji, CJK
    "line one\nline two\ttab",
    "",
]


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("unicode_font", [True, False])
def test_hostile_text_renders(unicode_font: bool) -> None:
    doc = Document("Exhibit \u202e", "subtitle", landscape=True, unicode_font=unicode_font)
    doc.grid(["Name", "DOB", "Note"], [[h, h, h] for h in HOSTILE], widths=(40, 20, 60))
    doc.bars("Chart", [(h or "blank", i) for i, h in enumerate(HOSTILE)])
    doc.paragraph(" ".join(HOSTILE))
    text = _text(doc.render())
    assert "Page 1 of" in text
    assert "[b]bold[/b]" in text  # markup characters print as characters
    assert "\x1b" not in text and "\u202e" not in text and "\x00" not in text
    assert "<U+202E>" in text  # the override is shown, not obeyed


def test_latin1_fallback_keeps_accents_and_replaces_the_rest() -> None:
    doc = Document("t", "s", unicode_font=False)
    assert doc.safe("Jos\u00e9 \u540d") == "Jos\u00e9 ?"
    assert doc.safe("\uff21\uff22") == "AB"  # full-width letters fold to ASCII


@pytest.mark.skipif(_unicode_font() is None, reason="no DejaVu Sans on this system")
def test_unicode_font_prints_non_latin_names() -> None:
    doc = Document("t", "s")
    doc.grid(
        ["Name"], [["\u0411\u041e\u0411 \u00c9MILE \u0393\u03b9\u03ac\u03bd\u03bd\u03b7\u03c2"]]
    )
    text = _text(doc.render())
    assert "\u0411\u041e\u0411" in text and "\u00c9MILE" in text
    assert doc.safe("\u540d") == "?"  # no CJK glyph in DejaVu Sans: replaced, not warned


def test_long_tables_repeat_headings_and_cap_huge_cells() -> None:
    doc = Document("t", "s", landscape=True)
    rows = [
        [f"PERSON {i:04d}", "01/02/1980", "x " * 3000 if i == 7 else "short"] for i in range(300)
    ]
    doc.grid(["Name", "DOB", "Note"], rows, widths=(40, 20, 60))
    reader = pypdf.PdfReader(io.BytesIO(doc.render()))
    assert len(reader.pages) > 3
    pages = [p.extract_text() for p in reader.pages]
    assert all("Name DOB Note" in text for text in pages)
    joined = "\n".join(pages)
    assert all(f"PERSON {i:04d}" in joined for i in range(300))
    assert "[... continued in the CSV file]" in joined
