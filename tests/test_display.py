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
