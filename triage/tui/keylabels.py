"""Short labels for the key bar at 80 columns, and the pairs shown as one item.

A binding's `description` is its full text (help, command palette, README, the key bar
at 120 columns and wider); the short label here is what fits every key of a screen into
two lines at 80 columns. A test checks that every binding id has one.
"""

from __future__ import annotations

SHORT: dict[str, str] = {
    "app.help": "help",
    "app.stats": "stats",
    "queue.open": "open",
    "queue.search": "search",
    "queue.filter": "filter",
    "queue.sort": "sort",
    "queue.reverse": "reverse",
    "queue.mark": "mark",
    "queue.bulk": "bulk",
    "queue.undo": "undo",
    "queue.undecided": "undecided",
    "queue.same_reason": "same reason",
    "queue.clear": "clear",
    "queue.claim_next": "take next",
    "queue.reload": "reload",
    "queue.down": "move",
    "queue.up": "up",
    "queue.page_down": "page",
    "queue.page_up": "page",
    "queue.first": "first/last",
    "queue.last": "last",
    "queue.quit": "quit",
    "case.dismiss": "dismiss",
    "case.reduce": "reduce",
    "case.not_eligible": "not elig.",
    "case.defer": "defer",
    "case.accept": "accept",
    "case.undo": "undo",
    "case.note": "note",
    "case.mark": "mark",
    "case.events": "events",
    "case.trace": "trace",
    "case.down": "conviction",
    "case.up": "conviction",
    "case.next_case": "case",
    "case.previous_case": "case",
    "case.detail_down": "scroll",
    "case.detail_up": "scroll",
    "case.back": "back",
    "note.save": "save",
    "note.cancel": "cancel",
    "filter.apply": "apply",
    "filter.cancel": "cancel",
    "grounds.toggle": "pick",
    "grounds.save": "record",
    "grounds.cancel": "cancel",
    "help.close": "close",
    "help.down": "scroll",
    "help.up": "up",
    "stats.back": "back",
    "stats.reload": "reload",
    "stats.whatif": "what-if",
    "stats.down": "scroll",
    "stats.up": "up",
    "conflict.close": "close",
    "bulk.dismiss": "dismiss",
    "bulk.reduce": "reduce",
    "bulk.not_eligible": "not elig.",
    "bulk.defer": "defer",
    "bulk.cancel": "cancel",
    "bulk.confirm": "include flagged",
    "packs.cancel": "cancel",
    "whatif.back": "back",
    "whatif.down": "scroll",
    "whatif.up": "up",
}

# Bindings shown as one item in the short key bar ("j/k conviction"): first key of each.
PAIRS: dict[str, str] = {
    "queue.down": "queue.up",
    "queue.page_down": "queue.page_up",
    "queue.first": "queue.last",
    "case.down": "case.up",
    "case.next_case": "case.previous_case",
    "case.detail_down": "case.detail_up",
    "help.down": "help.up",
    "stats.down": "stats.up",
    "whatif.down": "whatif.up",
}

PAIRED = frozenset(PAIRS.values())


def short(binding_id: str, description: str) -> str:
    return SHORT.get(binding_id, description)
