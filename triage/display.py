"""The one place untrusted record text becomes something a screen may show.

Record text (names, charges, comments, notes) can hold Rich/Textual markup (`[b]`,
`[@click=app.quit]`), terminal escapes (ESC/CSI/OSC), C1 controls and bidi overrides.
`clean()` neutralises the control characters and marks invisible ones (`<U+200B>`); `text()` wraps the result in a
`rich.text.Text`, which is never parsed as markup. Build screen strings by appending
`Text` pieces, never by formatting record data into a markup string.
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

# Characters that change what a line seems to say without showing themselves: bidi marks,
# embeddings, overrides and isolates (Trojan Source), zero-width spaces and joiners, word
# joiner and invisible operators, soft hyphen, Mongolian vowel separator, the byte-order
# mark inside text, and the Unicode line and paragraph separators (U+2028/U+2029, which
# some terminals and spreadsheets break lines on). "MOR<U+200B>GAN" is not "MORGAN" to a
# search, so the difference must be visible.
INVISIBLE = (
    "\u00ad\u061c\u180e\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
)
_INVISIBLE = re.compile(f"[{INVISIBLE}]")
# C0 controls except tab/newline, DEL, C1 controls, and the invisible characters above.
_CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f{INVISIBLE}]")
_ESCAPE_SEQ = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def _visible(match: re.Match[str]) -> str:
    ch = match.group(0)
    if ch == "\x1b":
        return "␛"
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)  # control pictures: ␀ ␁ ...
    return "\ufffd" if code < 0xA0 else f"<U+{code:04X}>"


def mark_invisible(value: str) -> str:
    """Show each invisible character (`INVISIBLE`) as `<U+XXXX>`, changing nothing else:
    for text that keeps its line breaks and tabs, such as a spreadsheet cell."""
    return _INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", value)


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
