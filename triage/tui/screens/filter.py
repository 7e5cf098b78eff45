"""The filter form: every QueueFilter field, keyboard only (tab / shift+tab between fields)."""

from __future__ import annotations

import dataclasses

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from rules.model import Flag
from triage.db import DECISIONS, OUTCOMES
from triage.review import QueueFilter
from triage.tui import fmt
from triage.tui.scopes import Scoped

_ANY = "any"
_TEXT_FIELDS = (
    ("reason", "Reason (exact)"),
    ("county", "County"),
    ("court_case", "Court number"),
    ("reviewer", "Decided by"),
)


class FilterScreen(Scoped, ModalScreen[QueueFilter | None], scope="filter", title="Filter form"):
    BINDINGS = [
        Binding("ctrl+s", "apply", "Apply filter", id="filter.apply", priority=True),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
    ]

    def __init__(self, current: QueueFilter) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        c = self.current
        decided = {None: _ANY, False: "undecided", True: "decided"}[c.decided]
        with Vertical(id="filter-box"):
            yield Static(Text("Filter the queue", style="bold"), markup=False)
            with Grid(id="filter-grid"):
                yield Label("Outcome")
                yield Select(
                    [(fmt.outcome(o), o) for o in (_ANY, *OUTCOMES)],
                    value=c.outcome or _ANY,
                    allow_blank=False,
                    id="f-outcome",
                    compact=True,
                )
                yield Label("Review flag")
                yield Select(
                    [(f.value, f.value) for f in Flag] + [(_ANY, _ANY)],
                    value=c.flag or _ANY,
                    allow_blank=False,
                    id="f-flag",
                    compact=True,
                )
                yield Label("Decision")
                yield Select(
                    [(fmt.outcome(d), d) for d in (_ANY, *DECISIONS)],
                    value=c.decision or _ANY,
                    allow_blank=False,
                    id="f-decision",
                    compact=True,
                )
                yield Label("Decided")
                yield Select(
                    [(v, v) for v in (_ANY, "undecided", "decided")],
                    value=decided,
                    allow_blank=False,
                    id="f-decided",
                    compact=True,
                )
                for name, label in _TEXT_FIELDS:
                    yield Label(label)
                    yield Input(
                        getattr(c, name) or "", placeholder=_ANY, id=f"f-{name}", compact=True
                    )
            yield Static(
                Text(
                    "tab moves · enter in a box or ctrl+s applies · escape cancels\n"
                    "tip: = on a queue row filters by that row's reason",
                    style="dim",
                ),
                markup=False,
            )

    def on_mount(self) -> None:
        self.query_one("#f-outcome", Select).focus()

    def on_input_submitted(self) -> None:
        self.action_apply()

    def _value(self) -> QueueFilter:
        def pick(widget_id: str) -> str | None:
            value = self.query_one(widget_id, Select).value
            return None if value in (_ANY, Select.BLANK) else str(value)

        decided = pick("#f-decided")
        changes: dict[str, object] = {
            "outcome": pick("#f-outcome"),
            "flag": pick("#f-flag"),
            "decision": pick("#f-decision"),
            "decided": None if decided is None else decided == "decided",
        }
        for name, _label in _TEXT_FIELDS:
            changes[name] = self.query_one(f"#f-{name}", Input).value.strip() or None
        return dataclasses.replace(self.current, **changes)  # type: ignore[arg-type]

    def action_apply(self) -> None:
        self.dismiss(self._value())

    def action_cancel(self) -> None:
        self.dismiss(None)


def describe(flt: QueueFilter) -> Text:
    """The filter as a compact line (`outcome=review  flag=*  …`); values are record-like
    text typed by the user, so they go in as plain pieces."""
    from triage.display import line

    parts: list[Text | str | tuple[object, str]] = ["Filter: "]
    fields = [
        ("outcome", flt.outcome),
        ("reason", flt.reason),
        ("flag", flt.flag),
        ("county", flt.county),
        ("court", flt.court_case),
        ("by", flt.reviewer),
        ("decision", flt.decision),
    ]
    for name, value in fields:
        if name in ("outcome",) or value is not None:
            parts += [f"{name}=", (value if value is not None else "*", "bold"), "  "]
    if flt.decided is not None:
        parts += [("undecided only" if not flt.decided else "decided only", "bold"), "  "]
    if flt.search:
        parts += ["search=", (flt.search, "bold reverse"), "  "]
    return line(*parts)
