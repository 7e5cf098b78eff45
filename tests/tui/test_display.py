"""Record text reaches the screen literally: no markup, no escapes, no bidi tricks."""

from __future__ import annotations

import pytest
from rich.console import Console
from rich.text import Text

from triage.display import clean, line, text

HOSTILE = [
    "[b]bold[/b]",
    "[/b]",
    "[@click=app.quit]x[/]",
    "[link=https://example.invalid]click[/link]",
    "[@==",
    "\x1b[31mred\x1b[0m",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "\x1b]0;title\x07",
    "a\x9bb",  # C1 CSI
    "abc\u202edcba",  # right-to-left override
    "x\u2066y\u2069",
    "nul\x00byte",
    "line\nbreak\r\ttab",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_clean_leaves_no_control_characters(value: str) -> None:
    out = clean(value)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
    assert "\u202e" not in out and "\u2066" not in out


@pytest.mark.parametrize("value", HOSTILE)
def test_text_renders_markup_literally(value: str) -> None:
    console = Console(width=200, color_system=None, record=True, file=open("/dev/null", "w"))
    console.print(text(value))
    rendered = console.export_text()
    if "[" in value and "\x1b" not in value:
        # The brackets survive: nothing was interpreted as a tag.
        assert "[" in rendered
    assert "\x1b" not in rendered


def test_escape_sequence_payload_cannot_act() -> None:
    # The whole OSC sequence is neutralised, so no hyperlink or title change reaches the terminal.
    assert "\x1b" not in clean("\x1b]8;;http://evil\x1b\\x")
    assert clean("\x1b[2J") == "␛"


def test_plain_text_unchanged() -> None:
    assert clean("SKYWALKER,LUKE S") == "SKYWALKER,LUKE S"
    assert clean("11357(C) HS-POSSESS MARIJUANA") == "11357(C) HS-POSSESS MARIJUANA"
    assert clean(None) == ""


def test_multiline_kept_when_asked() -> None:
    assert clean("a\nb", single_line=False) == "a\nb"
    assert clean("a\nb") == "a b"


def test_line_joins_pieces_without_markup() -> None:
    joined = line("name: ", ("[b]x[/b]", "bold"), Text(" ok"))
    assert joined.plain == "name: [b]x[/b] ok"


INVISIBLE_CASES = {
    "MOR\u200bGANFIELD": "MOR<U+200B>GANFIELD",  # zero-width space
    "A\u200cB\u200dC": "A<U+200C>B<U+200D>C",  # zero-width non-joiner, joiner
    "NOTE\u2060X": "NOTE<U+2060>X",  # word joiner
    "\ufeffNOTE": "<U+FEFF>NOTE",  # a byte-order mark inside text
    "LINE\u2028SEP\u2029PARA": "LINE<U+2028>SEP<U+2029>PARA",
    "SOFT\u00adHYPHEN": "SOFT<U+00AD>HYPHEN",
}


@pytest.mark.parametrize(("value", "shown"), INVISIBLE_CASES.items())
def test_invisible_characters_are_marked_on_screen(value: str, shown: str) -> None:
    """Issue 10: a name with a zero-width character or a line separator looks like another
    name; on screen and in CLI output the difference is visible."""
    assert clean(value) == shown
    assert clean(value, single_line=False) == shown
    console = Console(width=200, color_system=None, record=True, file=open("/dev/null", "w"))
    console.print(text(value))
    assert console.export_text().rstrip("\n") == shown


@pytest.mark.parametrize(("value", "shown"), INVISIBLE_CASES.items())
def test_spreadsheet_csv_marks_invisible_characters_machine_keeps_them(
    value: str, shown: str
) -> None:
    from triage.export.csvfmt import MACHINE, SPREADSHEET, encode_row

    assert encode_row([value, "x"], SPREADSHEET) == f"{shown},x\r\n"
    assert encode_row([value, "x"], MACHINE) == f"{value},x\n"  # byte-exact


def test_spreadsheet_csv_keeps_line_breaks_and_marks_bidi() -> None:
    from triage.export.csvfmt import SPREADSHEET, encode_row

    assert encode_row(["a\nb", "x\u202ey"], SPREADSHEET) == '"a\nb",x<U+202E>y\r\n'
    assert encode_row(["\u200b=1+1"], SPREADSHEET) == "<U+200B>=1+1\r\n"
