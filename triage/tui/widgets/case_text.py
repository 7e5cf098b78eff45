"""Text for the case screen: person header, timeline, conviction detail, history.

Pure functions from service-layer dataclasses to `rich.text.Text`. Record text enters
only as `(value, style)` pieces of `display.line` or through `display.text`, so markup
and control characters in the data stay literal.
"""

from __future__ import annotations

from rich.cells import set_cell_size
from rich.text import Text

from triage.display import clean, line, text
from triage.review import CaseView, ConvictionItem, DecisionEntry, Note
from triage.tui import fmt

# Which raw field is the evidence for a review flag.
_FLAG_EVIDENCE = {
    "charge_in_comment": "comment",
    "other_p64_in_comment": "comment",
    "attempt_or_conspiracy": "offense",
    "wrong_code": "offense",
    "no_code": "offense",
    "unparsed_charge": "offense",
    "partial_date": "date",
    "missing_date": "date",
    "pre_2016_subdivision": "offense",
    "multiple_charges": "offense",
    "impossible_date": "date",
}


def decidable(c: ConvictionItem) -> bool:
    """A conviction the pack classified (only those take decisions)."""
    return c.outcome is not None


def suggestion(c: ConvictionItem) -> str | None:
    """The decision `accept` records: the pack's suggestion, else its outcome."""
    for value in (c.suggested_outcome, c.outcome):
        if value in ("dismiss", "reduce", "not_eligible"):
            return value
    return None


def person_header(
    case: CaseView, place: str, claim_note: Text | None, outcome: str | None = "review"
) -> Text:
    """Who, and how much is left: `outcome` is the queue's, so "to decide" counts what
    the queue asks about (the `?` rows of the timeline)."""
    age = "" if case.age_at_compute is None else f" ({case.age_at_compute} at {case.compute_at})"
    out = line(
        (case.name or "(no name)", "bold"),
        " · DOB ",
        (fmt.show_date(case.dob), ""),
        age,
        " · CII ",
        (case.cii or "—", ""),
        " · SUBJECT ",
        (case.subject_id, ""),
    )
    if case.deceased:
        out.append("  ✝ deceased", style="bold red")
    out.append("\n")
    relevant = [c for c in case.convictions if decidable(c)]
    undecided = sum(
        1 for c in relevant if c.decision is None and (outcome is None or c.outcome == outcome)
    )
    out.append(f"{len(case.convictions)} convictions · {len(relevant)} classified · ")
    out.append(f"{undecided} to decide", style="bold yellow" if undecided else "green")
    if place:
        out.append(" · " + place)
    if claim_note is not None:
        out.append(" · ")
        out.append_text(claim_note)
    return out


_SHORT_OUTCOME = {"not_eligible": "not elig.", "defer": "deferred"}


def _short(outcome: str | None) -> str:
    return _SHORT_OUTCOME.get(outcome or "", fmt.outcome(outcome))


def timeline_row(
    c: ConvictionItem, *, focused: bool, marked: bool, width: int, queued: bool = True
) -> Text:
    """One conviction: cursor, bulk mark, Prop 64 star, date, county (° = other county),
    F/M, charge, then the decision state (`?` undecided, `✓ dismiss`) and the pack's
    outcome. Columns shrink with `width`; the decision state is never the one cut."""
    out = Text("▶" if focused else " ", style="bold")
    out.append("●" if marked else " ", style="bold magenta")
    out.append("★" if c.prop64 else " ", style="bold yellow")
    out.append(fmt.show_date(c.date) + " ")
    out.append(set_cell_size(clean(c.county), 11), style="" if c.in_county else "dim")
    out.append(" " if c.in_county else "°", style="dim")
    out.append("F " if c.felony else "M ", style="bold" if c.felony else "")
    show_sentence = width >= 90
    charge_w = max(10, width - (59 if show_sentence else 49))
    charge = clean(c.section or c.offense)
    out.append(set_cell_size(charge, charge_w) + " ", style="bold" if c.prop64 else "")
    if show_sentence:
        out.append(fmt.sentence(c.sentence_days)[:9].ljust(10), style="dim")
    if decidable(c):
        if c.decision is None:
            # `?` only where the queue asks for a decision (e.g. review outcomes).
            out.append(("?" if queued else "").ljust(11), style="bold yellow")
        else:
            style = "bold " + fmt.OUTCOME_STYLES.get(c.decision, "")
            out.append(("✓ " + _short(c.decision)).ljust(11), style=style)
        out.append(_short(c.outcome), style=fmt.OUTCOME_STYLES.get(c.outcome or "", ""))
    else:
        out.append("—", style="dim")
    if focused:
        out.stylize("reverse")
    return out


def event_row(event: tuple[str, str, str, str]) -> Text:
    date, kind, county, offense = event
    style = "bold red" if kind.strip().upper() == "DECEASED" else "dim"
    return line(
        "   ",
        (fmt.show_date(date), "dim"),
        " ",
        (fmt.event_kind(kind).ljust(11), style),
        " ",
        (county[:12], "dim"),
        " ",
        (offense, "dim"),
    )


def _always_shown(kind: str) -> bool:
    return kind.strip().upper() not in ("ARREST/DETAINED/CITED", "COURT ACTION")


def timeline(
    case: CaseView,
    cursor: int,
    marked: set[str],
    width: int,
    *,
    all_events: bool = False,
    events_key: str = "e",
    outcome: str | None = None,
) -> tuple[Text, int]:
    """The record by date: convictions, with other events (deaths, registrations; arrests
    and court actions too when `all_events`) dimmed between them. Returns the text and the
    line the cursor is on."""
    rows: list[tuple[str, Text]] = []
    for i, c in enumerate(case.convictions):
        row = timeline_row(
            c,
            focused=i == cursor,
            marked=c.key in marked,
            width=width,
            queued=outcome is None or c.outcome == outcome,
        )
        rows.append((c.date, row))
    hidden = 0
    for event in case.events:
        if all_events or _always_shown(event[1]):
            rows.append((event[0], event_row(event)))
        else:
            hidden += 1
    rows.sort(key=lambda r: r[0])  # stable: a conviction keeps its place among equal dates
    out = Text(no_wrap=True, overflow="ellipsis")
    cursor_line = 0
    for n, (_date, row) in enumerate(rows):
        if row.plain.startswith("▶"):
            cursor_line = n
        if n:
            out.append("\n")
        out.append_text(row)
    if not rows:
        out.append("(no convictions on the record)", style="dim")
    if hidden:
        out.append(
            f"\n   + {hidden} arrests and court actions ({events_key} shows them)", style="dim"
        )
    return out, cursor_line


def _field(label: str, value: Text) -> Text:
    out = Text(label.ljust(10), style="bold")
    out.append_text(value)
    out.append("\n")
    return out


def no_suggestion_why(c: ConvictionItem) -> str:
    """Why `accept` has nothing to record: the question that would resolve the case when
    the pack states one, else what the reviewer has to settle."""
    if c.question:
        return c.question
    if c.flags:
        return "settle the flags below, then choose a decision key"
    return "the pack decides nothing for this step; choose a decision key"


def _flag_lines(c: ConvictionItem, width: int) -> tuple[Text, Text]:
    """One line per flag: its name and the raw field it comes from, with what it means
    when that fits too. Returns those lines and, for the meanings that did not fit, lines
    to show further down."""
    out, later = Text(), Text()
    for flag in c.flags:
        head = line("⚑ ", (flag, "bold magenta"))
        words = fmt.flag_words(flag)
        evidence = _FLAG_EVIDENCE.get(flag)
        proof = Text()
        if evidence:
            raw = {"comment": c.comment, "offense": c.offense, "date": c.date}[evidence]
            label = {"comment": "COMMENT_TEXT", "offense": "OFFENSE_DESCR", "date": "date"}
            proof = line("  ", (label[evidence], "dim"), " │", (raw or "(blank)", "italic"), "│")
        said = line("  ", (words, "")) if words else Text()
        if head.cell_len + said.cell_len + proof.cell_len <= width:
            head.append_text(said)
        elif words:
            later.append_text(line("⚑ ", (flag, "bold magenta"), ": ", (words, "")))
            later.append("\n")
        head.append_text(proof)
        out.append_text(head)
        out.append("\n")
    if c.flags and c.forced_review:
        later.append("(the pack sends every conviction with these flags to review)\n", style="dim")
    return out, later


def _decision_line(c: ConvictionItem) -> Text:
    if c.decision is None:
        return Text(f"undecided · version {c.decision_version}", style="bold yellow")
    return line(
        (fmt.outcome(c.decision), "bold " + fmt.OUTCOME_STYLES.get(c.decision, "")),
        f" · version {c.decision_version} · by ",
        (c.decided_by or "?", "bold"),
        " ",
        (fmt.show_time(c.decided_at), ""),
    )


def _facts(c: ConvictionItem) -> Text:
    end = fmt.sentence_end(c.date, c.sentence_days)
    return line(
        (c.section or "no section", "bold"),
        " · felony" if c.felony else " · misdemeanor",
        " · sentence " + fmt.sentence(c.sentence_days),
        f" (ended {end})" if end else "",
        " · Prop 64" if c.prop64 else "",
    )


def _where(c: ConvictionItem) -> Text:
    return line(
        (c.key, "bold"),
        "  ",
        (fmt.show_date(c.date), ""),
        " · ",
        (c.county, ""),
        " (in county)" if c.in_county else " (other county)",
        " · court ",
        (c.court_number or "—", ""),
    )


def detail(
    c: ConvictionItem, *, show_trace: bool = False, trace_key: str = "w", width: int = 80
) -> Text:
    """What the reviewer needs first, in order: outcome, reason, the suggestion (or why
    there is none), the flags with their evidence, the charge; then the rest. The rule
    trace is folded unless `show_trace`, so the first screenful at 80x24 holds the case."""
    if not decidable(c):
        return _unclassified(c)
    out = Text()
    style = fmt.OUTCOME_STYLES.get(c.outcome or "", "")
    out.append_text(
        _field("Outcome", line((fmt.outcome(c.outcome), "bold " + style), " — ", (c.label, "bold")))
    )
    out.append_text(_field("Reason", text(c.reason)))
    sugg = suggestion(c)
    if sugg:
        lead = Text(fmt.outcome(sugg), style="bold " + fmt.OUTCOME_STYLES.get(sugg, ""))
        why = c.suggested_reason if c.suggested_reason != c.reason else ""
        if why:
            lead.append(" — ")
        below = "Why"
    else:
        lead, why, below = Text("no suggestion: ", style="bold"), no_suggestion_why(c), "Question"
    # Two lines at most here, so the flags and the charge stay in the first screenful; a
    # longer text is given whole below the charge (the margin allows for word wrapping).
    room = max(20, 2 * width - 10 - lead.cell_len - 16)
    folded = len(why) > room
    brief = why[:room].rsplit(" ", 1)[0] + " … (below)" if folded else why
    lead.append_text(text(brief))
    out.append_text(_field("Suggests", lead))
    flag_lines, meanings = _flag_lines(c, width)
    out.append_text(flag_lines)
    out.append_text(_field("Charge", text(c.offense or "(blank)", "bold")))
    if folded:
        out.append_text(_field(below, text(why)))
    out.append_text(meanings)
    shown_as_evidence = any(_FLAG_EVIDENCE.get(f) == "comment" for f in c.flags)
    if c.comment and not shown_as_evidence:
        out.append_text(_field("Comment", text(c.comment, "italic")))
    out.append_text(_field("Decision", _decision_line(c)))
    out.append_text(_field("Section", _facts(c)))
    if c.citation:
        out.append_text(_field("Citation", text(c.citation)))
    out.append_text(_field("Where", _where(c)))
    out.append_text(_trace(c, show_trace, trace_key))
    return out


def _unclassified(c: ConvictionItem) -> Text:
    out = Text()
    out.append_text(_field("Charge", text(c.offense or "(blank)", "bold")))
    out.append_text(_field("Section", _facts(c)))
    out.append_text(_field("Where", _where(c)))
    if c.comment:
        out.append_text(_field("Comment", text(c.comment, "italic")))
    if not c.prop64:
        why = "not a Prop 64 conviction"
    elif not c.in_county:
        why = "a Prop 64 conviction outside the run's county"
    else:
        why = "the pack did not classify it"
    out.append(f"Not classified: {why}. Nothing to decide here.\n", style="dim")
    return out


def _trace(c: ConvictionItem, show: bool, key: str) -> Text:
    out = Text()
    if c.trace and show:
        out.append(f"Rule trace ({key} folds it)\n", style="bold")
        for step_id, matched, why in c.trace:
            mark = Text("  ✓ " if matched else "  ✗ ", style="green" if matched else "dim")
            out.append_text(line(mark, (step_id, "bold" if matched else ""), "  ", (why, "")))
            out.append("\n")
    elif c.trace:
        hit = sum(1 for _s, matched, _w in c.trace if matched)
        out.append(
            f"Rule trace: {len(c.trace)} step{'s' if len(c.trace) != 1 else ''}, {hit} matched "
            f"({key} shows them)\n",
            style="dim",
        )
    return out


def history(entries: tuple[DecisionEntry, ...], notes: tuple[Note, ...]) -> Text:
    """Decisions and notes on this person, newest first, with who and when."""
    items: list[tuple[str, int, Text]] = []
    for e in entries:
        if e.action == "undo":
            what = line(
                ("undo", "bold"),
                " → ",
                (fmt.outcome(e.decision), ""),
                " (was ",
                (fmt.outcome(e.previous), ""),
                ")",
            )
        else:
            what = line(
                (fmt.outcome(e.decision), "bold " + fmt.OUTCOME_STYLES.get(e.decision or "", ""))
            )
        row = line(
            (fmt.show_time(e.created_at), "dim"),
            "  ",
            (e.reviewer.ljust(10), "bold"),
            "  ",
            what,
            "  ",
            (e.key, "dim"),
            f" v{e.version}",
            "  (bulk)" if e.batch else "",
        )
        items.append((e.created_at, 0, row))
    for n in notes:
        row = line(
            (fmt.show_time(n.created_at), "dim"),
            "  ",
            (n.reviewer.ljust(10), "bold"),
            "  ",
            ("note", "bold cyan"),
            " ",
            (n.key or "on the person", "dim"),
            "  ",
            (n.text, ""),
        )
        items.append((n.created_at, 1, row))
    items.sort(key=lambda i: (i[0], i[1]), reverse=True)
    out = Text()
    if not items:
        out.append("No decisions or notes yet.", style="dim")
    for i, (_at, _kind, row) in enumerate(items):
        if i:
            out.append("\n")
        out.append_text(row)
    return out
