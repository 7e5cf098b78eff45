"""The one place untrusted record text becomes something a screen may show.

Record text (names, charges, comments, notes) can hold Rich/Textual markup (`[b]`,
`[@click=app.quit]`), terminal escapes (ESC/CSI/OSC), C1 controls and bidi overrides.
`clean()` neutralises the control characters; `text()` wraps the result in a
`rich.text.Text`, which is never parsed as markup. Build screen strings by appending
`Text` pieces, never by formatting record data into a markup string.
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

# C0 controls except tab/newline, DEL, C1 controls, and the bidi/isolate overrides that can
# make a line read differently from what it contains (Trojan Source).
_CONTROL = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c\ufeff]"
)
_ESCAPE_SEQ = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def _visible(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch == "\x1b":
        return "␛"
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ␀ ␁ ...
    return "\ufffd" if code < 0xA0 else f"<U+{code:04X}>"


def clean(value: object, *, single_line: bool = True) -> str:
    """Make record text safe for a terminal: no escapes, no controls, no bidi overrides.

    Whole escape sequences are shown as one `␛` so their payload cannot act; other
    controls become visible pictures. Newlines and tabs become spaces on a single line.
    """
    s = "" if value is None else str(value)
    if not s:
        return s
    s = _ESCAPE_SEQ.sub("␛", s)
    if single_line:
        s = s.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    s = _CONTROL.sub(_visible, s)
    return unicodedata.normalize("NFC", s)


def text(value: object, style: str = "", *, single_line: bool = True) -> Text:
    """Record text as a `Text` that renders literally (markup characters stay characters)."""
    return Text(clean(value, single_line=single_line), style=style, no_wrap=False)


def line(*pieces: Text | str | tuple[object, str]) -> Text:
    """Join pieces into one `Text`. Plain `str` pieces are trusted labels written by us;
    `(value, style)` tuples and `Text` pieces carry record data, cleaned on the way in."""
    out = Text()
    for piece in pieces:
        if isinstance(piece, Text):
            out.append_text(piece)
        elif isinstance(piece, tuple):
            out.append(clean(piece[0]), style=piece[1])
        else:
            out.append(piece)
    return out
