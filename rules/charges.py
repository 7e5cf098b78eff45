"""Reading a charge out of the DOJ's OFFENSE_DESCR text.

The DOJ writes a charge as a code section followed by a description, e.g.
`11357(C) HS-POSSESS MARIJUANA` or `664/11359 HS-ATTEMPT SELL`. The part before the first
`-` names the law; triage reads from it:

* the **code** (HS Health & Safety, PC Penal, VC Vehicle, BP Business & Professions, MV
  Military & Veterans, WI Welfare & Institutions, ...), written before or after the section,
  with or without spaces or an ampersand (`HS 11359`, `H&S 11359`, `11359HS`);
* the **section** (`11359`, `186.22`, `288a`) and its **subdivision** path, lower-cased
  (`11360(A)(2)` → section 11360, subdivision a, 2);
* an **attempt** (PC 664) or **conspiracy** (PC 182) prefix, however it is joined
  (`664/11359`, `664.11357(C)`, `66411357(A)`), or written last (`11359 HS 664`,
  `187-664 PC`);
* a subdivision written after the code (`11357 HS(B)`, `11357 HS (B)`);
* a **second charge** on the same row (`11357(C)HS/11359HS`, `459 PC/11359 HS`). A row is
  one conviction, so the charge is read as the first Prop 64 section the row names (else its
  first charge); the others stay on `Charge.others`, where the disqualifying-offense checks
  also look, and the `MULTIPLE_CHARGES` flag asks a person which one the court convicted of.

Nothing is guessed silently. Each doubt becomes a flag a reviewer sees:
`NO_CODE` (a section with no code letters; a Prop 64 section is still treated as one),
`WRONG_CODE` (a Prop 64 section number under another code, e.g. `11357(A)PC`: most likely
a data-entry error; every pack still classifies it, see `Charge.looks_prop64`),
`MULTIPLE_CHARGES` (above), `UNPARSED_CHARGE` (nothing recognisable as a section),
`ATTEMPT_OR_CONSPIRACY`, `CHARGE_IN_COMMENT` (OFFENSE_DESCR blank or `SEE COMMENT FOR
CHARGE`: the charge was read from COMMENT_TEXT) and `OTHER_P64_IN_COMMENT` (the comment
names a different Prop 64 charge than the one on the row, see `other_p64_in_comment`).

Look-alike sections such as HS 11357.5, 11359.5, 11360.5 and 11361 are read as exactly
what they say and are not Prop 64 sections.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from rules.model import PROP64_SECTIONS, Charge, Flag

# Code abbreviations seen in DOJ data, plus spelled-out variants mapped to the usual form.
KNOWN_CODES: frozenset[str] = frozenset(
    {
        "HS", "PC", "VC", "BP", "MV", "WI", "FG", "GC", "CC", "RT", "UI", "EC", "ED", "HN",
        "PR", "FA", "LC", "IC", "SH", "PU", "FC", "CCP", "CCR", "MC", "CO", "WC", "AG", "USC",
    }
)  # fmt: skip
_CODE_ALIASES: dict[str, str] = {"HSC": "HS", "BPC": "BP", "WIC": "WI", "VEH": "VC", "PEN": "PC"}

SEE_COMMENT = "SEE COMMENT FOR CHARGE"

# 11357 subdivisions that a county flow treats alike (pre-Prop 64 lettering: (a)/(b) were
# dismissed together, (c)/(d) sent to review together). A comment naming 11357 in the
# other group is worth a reviewer's look; one in the same group is not.
_11357_GROUPS: dict[str, str] = {"a": "ab", "b": "ab", "c": "cd", "d": "cd"}

_PRE_CODE = re.compile(r"([A-Z][A-Z&.\s]{0,6}?)\s*(?=[0-9])")
_MODIFIER = re.compile(r"(664|182)((?:\s*\([A-Z0-9]{1,4}\))*)\s*(?:PC)?\s*([/.]?)\s*(?=[0-9])")
_SECTION = re.compile(r"([0-9]+)(?:\.([0-9]+))?([A-Z]{1,3})?")
_SUBDIVISION = re.compile(r"\s*\(\s*([A-Z0-9]{1,4})\s*\)")
_CODE_TOKEN = re.compile(r"(?:([A-Z])\s*[&.]\s*([A-Z])\.?|([A-Z]{2,4}))(?![A-Z])")
_TRAILING_MODIFIER = re.compile(r"\s*(664|182)\s*([A-Z&\s]{0,5}?)\s*(?:-\s*(.*))?$", re.S)
# A charge-like token inside free text: optional 664/182 prefix, a section not part of a
# date (no '/' or digit around it), optional suffix letters, subdivisions and code.
_COMMENT_TOKEN = re.compile(
    r"(?<![\w./])(?P<body>(?:(?:664|182)[/.]?)?[1-9][0-9]{1,5}(?:\.[0-9]{1,3})?[A-Z]{0,3}"
    r"(?:\s?\([A-Z0-9]{1,4}\))*)(?P<code>\s?(?:[A-Z]\s?&\s?[A-Z]|[A-Z]{2,3})(?![A-Z]))?(?![0-9/])"
)


@dataclass(frozen=True, slots=True)
class _Head:
    code: str | None
    section: str | None
    subdivision: tuple[str, ...]
    attempt: bool
    conspiracy: bool
    more: tuple[_Head, ...] = ()  # further charges the same text names (`11357HS/11359HS`)


_UNPARSED = _Head(None, None, (), False, False)
# After the code: a 664/182 modifier written last (`11359 HS 664`, `11359 HS/664`).
_TAIL_MODIFIER = re.compile(r"[\s/.]*(664|182)(?:\s*PC)?[\s.]*")
# What may join two charges named in one OFFENSE_DESCR (`11357(C)HS/11359HS`).
_JOINER = re.compile(r"[\s/&,;+]*(?:AND\b)?[\s/&,;+]*")


def _normalize_code(text: str) -> str | None:
    letters = "".join(ch for ch in text if ch.isalpha())
    letters = _CODE_ALIASES.get(letters, letters)
    return letters if letters in KNOWN_CODES else None


def _leading_code(text: str) -> tuple[str | None, str]:
    """A code at the start of `text` (HS, H&S, H.S.), and what follows it."""
    m = _CODE_TOKEN.match(text)
    if m is None:
        return None, text
    raw = m.group(3) or (m.group(1) + m.group(2))
    code = _normalize_code(raw)
    if code is None:
        return None, text
    return code, text[m.end() :]


def _parse_head(head: str) -> _Head:
    """Parse the law part of a charge (upper-case text before the first '-')."""
    s = head.strip()
    code: str | None = None
    m = _PRE_CODE.match(s)
    if m is not None:
        code = _normalize_code(m.group(1))
        s = s[m.end() :]
    attempt = conspiracy = False
    m = _MODIFIER.match(s)
    if m is not None:
        rest = s[m.end() :]
        run = len(rest) - len(rest.lstrip("0123456789"))
        # '/' always joins a modifier; '.' or a space only before a full section number
        # (so `182.5 PC` stays section 182.5).
        if m.group(3) == "/" or run >= 3:
            attempt, conspiracy = m.group(1) == "664", m.group(1) == "182"
            s = rest
    if not (attempt or conspiracy) and s[:3] in ("664", "182"):
        run = len(s) - len(s.lstrip("0123456789"))
        if run >= 6:  # `66411357`: no real section has six digits, so it is 664 + 11357
            attempt, conspiracy = s[:3] == "664", s[:3] == "182"
            s = s[3:]
    m = _SECTION.match(s)
    if m is None:
        return _UNPARSED
    number, decimal, suffix = m.group(1), m.group(2), m.group(3)
    s = s[m.end() :]
    subdivision: list[str] = []
    if suffix is not None:
        glued_code = _normalize_code(suffix)
        if glued_code is not None:
            # `11359HS`, `11359HS(B)`: the letters are the code, not a section suffix (no
            # California section ends in the letters of a code abbreviation).
            code = code or glued_code
            suffix = None
        elif number in PROP64_SECTIONS and decimal is None and suffix in ("A", "B", "C", "D"):
            # `11357B`: no section 11357b exists; it is subdivision (b) typed without parens.
            subdivision.append(suffix.lower())
            suffix = None
    section = number + (f".{decimal}" if decimal is not None else "")
    section += suffix.lower() if suffix else ""
    s = _subdivisions(s, subdivision)
    s = s.strip(" \t.,;:")
    if s and code is None:
        code, s = _leading_code(s)
        # `11357 HS(B)`, `11357 HS (B)`: the subdivision written after the code.
        s = _subdivisions(s, subdivision)
    if (tail := _TAIL_MODIFIER.fullmatch(s)) is not None and not (attempt or conspiracy):
        attempt, conspiracy = tail.group(1) == "664", tail.group(1) == "182"
        s = ""
    return _with_more(_Head(code, section, tuple(subdivision), attempt, conspiracy), s)


def _subdivisions(text: str, into: list[str]) -> str:
    """Read `(B)(2)`-style subdivisions at the start of `text` into `into`; return the rest."""
    while (sm := _SUBDIVISION.match(text)) is not None:
        into.append(sm.group(1).lower())
        text = text[sm.end() :]
    return text


def _with_more(head: _Head, rest: str) -> _Head:
    """`head`, with any further charge named in `rest` (what followed its code)."""
    joiner = _JOINER.match(rest)
    joined = rest[joiner.end() :] if joiner is not None else rest
    if not joined or not (joined[0].isdigit() or _PRE_CODE.match(joined)):
        return head
    other = _parse_head(joined)
    if other.section is None:
        return head
    digits = len(other.section) - len(other.section.lstrip("0123456789"))
    if digits < 3 and other.code is None:
        return head  # `11359 HS 2 CTS`: a count, not a section
    # `11357/11359 HS`: one code written for both.
    code = head.code or other.code
    more = (replace(other, code=other.code or code, more=()), *other.more)
    return replace(head, code=code, more=more)


def _split(text: str) -> tuple[str, str]:
    head, _, description = text.partition("-")
    return head, description.strip()


def _charge_from(text: str, source: str, extra: tuple[Flag, ...]) -> Charge:
    upper = text.upper()
    head_text, _ = _split(upper)
    _, description = _split(text)
    head = _parse_head(head_text)
    if head.section is not None and not (head.attempt or head.conspiracy):
        # `187-664 PC`: the modifier written after the dash, as some agencies do.
        m = _TRAILING_MODIFIER.match(description.upper())
        if m is not None and (not m.group(2).strip() or _normalize_code(m.group(2))):
            head = _Head(
                head.code or _normalize_code(m.group(2)),
                head.section,
                head.subdivision,
                m.group(1) == "664",
                m.group(1) == "182",
            )
            tail = m.group(3) or ""
            if len(description.upper()) == len(description) and tail:
                tail = description[m.start(3) :]  # keep the original letter case
            description = tail.strip()
    if head.section is None and source == "comment":
        # A comment may word the charge freely; take the first charge-like token in it.
        found = _COMMENT_TOKEN.search(upper)
        if found is not None:
            head = _parse_head(found.group(0))
    if not head.more:
        return _charge(head, text, source, extra, description)
    # One row naming several charges: the row is one conviction, so it is read as the first
    # Prop 64 charge it names (else its first charge), the others kept beside it, and the
    # MULTIPLE_CHARGES flag says a person should check which charge the court convicted of.
    named = (replace(head, more=()), *head.more)
    first = next((h for h in named if h.section in PROP64_SECTIONS), named[0])
    others = tuple(_charge(h, text, source, (), description) for h in named if h is not first)
    charge = _charge(first, text, source, (*extra, Flag.MULTIPLE_CHARGES), description)
    return replace(charge, others=others)


def _charge(
    head: _Head, text: str, source: str, extra: tuple[Flag, ...], description: str
) -> Charge:
    flags = list(extra)
    if head.section is None:
        flags.append(Flag.UNPARSED_CHARGE)
    else:
        if head.code is None:
            flags.append(Flag.NO_CODE)
        elif head.section in PROP64_SECTIONS and head.code != "HS":
            flags.append(Flag.WRONG_CODE)
        if head.attempt or head.conspiracy:
            flags.append(Flag.ATTEMPT_OR_CONSPIRACY)
    return Charge(
        raw=text,
        code=head.code,
        section=head.section,
        subdivision=head.subdivision,
        attempt=head.attempt,
        conspiracy=head.conspiracy,
        source=source,
        flags=tuple(flags),
        description=description if head.section is not None else "",
    )


def _is_see_comment(offense_descr: str) -> bool:
    text = " ".join(offense_descr.split()).upper()
    return not text or text.startswith("SEE COMMENT")


# 65,536 entries is about 40 MB at worst: enough for every distinct OFFENSE_DESCR of a county
# file (they repeat heavily) without letting unique comments grow memory without bound.
@lru_cache(maxsize=1 << 16)
def parse_charge(offense_descr: str, comment: str = "") -> Charge:
    """The charge an OFFENSE_DESCR names (from COMMENT_TEXT when it says to look there).

    Always returns a `Charge`; text that names no section gives `section=None` and the
    `UNPARSED_CHARGE` flag. Results are cached: the same text always gives the same charge.
    """
    if _is_see_comment(offense_descr):
        charge = _charge_from(comment, "comment", (Flag.CHARGE_IN_COMMENT,))
        others = _without_first_match(comment_charges(comment), charge)
    else:
        charge = _charge_from(offense_descr, "offense", ())
        others = comment_charges(comment) if comment.strip() else ()
    if others and other_p64_in_comment(charge, others):
        charge = _with_flag(charge, Flag.OTHER_P64_IN_COMMENT)
    return charge


def _without_first_match(mentions: tuple[Charge, ...], charge: Charge) -> tuple[Charge, ...]:
    """The comment's mentions other than the one the charge itself was read from."""
    for i, mention in enumerate(mentions):
        if (mention.section, mention.subdivision) == (charge.section, charge.subdivision):
            return mentions[:i] + mentions[i + 1 :]
    return mentions


def _with_flag(charge: Charge, flag: Flag) -> Charge:
    return replace(charge, flags=(*charge.flags, flag))


@lru_cache(maxsize=1 << 14)
def comment_charges(comment: str) -> tuple[Charge, ...]:
    """Every charge-like mention in a free-text comment, in order (source="comment").

    A mention is a section number of three or more digits (two if a code follows, as in
    `37 PC`) with optional 664/182 prefix, subdivisions and code. Numbers inside dates
    (`04/11/1981`) are not mentions. Mentions without a code carry `NO_CODE` as usual.
    """
    found: list[Charge] = []
    for m in _COMMENT_TOKEN.finditer(comment.upper()):
        token = m.group(0)
        if m.group("code") and _normalize_code(m.group("code")) is None:
            token = m.group("body")  # `11358 ON`: the letters are a word, not a code
        head = _parse_head(token)
        if head.section is None:
            continue
        digits = len(head.section) - len(head.section.lstrip("0123456789"))
        if digits < 3 and head.code is None:
            continue
        found.append(_charge_from(token, "comment", ()))
    return tuple(found)


def _p64_identity(charge: Charge) -> tuple[str | None, str]:
    """What makes two Prop 64 charges "the same" for the comment check."""
    if not charge.is_prop64:
        return None, ""
    group = ""
    if charge.section == "11357" and charge.subdivision:
        group = _11357_GROUPS.get(charge.subdivision[0], charge.subdivision[0])
    return charge.section, group


def other_p64_in_comment(charge: Charge, mentions: tuple[Charge, ...]) -> bool:
    """Does any mention name a Prop 64 charge different from `charge`?

    Different means another section (11359 vs 11358; any Prop 64 section when the row's own
    charge is not Prop 64), or for 11357 a subdivision in the other group ((b) vs (d), but
    not (c) vs (d)). A mention without a subdivision is not evidence of a different one.
    """
    own_section, own_group = _p64_identity(charge)
    for mention in mentions:
        section, group = _p64_identity(mention)
        if section is None:
            continue
        if section != own_section:
            return True
        if group and own_group and group != own_group:
            return True
    return False
