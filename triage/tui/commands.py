"""The command palette (ctrl+p): every action of the app's screens, by its description,
from any screen. An action of another screen takes you there first (a case action from
the queue opens the case under the cursor; a queue action from a case goes back)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp

# Screens you can be taken to; the modal ones (note, grounds, bulk...) act only inside.
ROUTABLE = ("app", "queue", "case", "stats", "whatif")


class TriageCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("ReviewApp", self.app)
        here = getattr(self.screen, "SCOPE", "")  # the screen under the palette
        out: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        ordered = sorted(
            app.known_bindings.items(), key=lambda kv: kv[0].split(".", 1)[0] not in (here, "app")
        )
        for binding_id, binding in ordered:
            scope = binding_id.split(".", 1)[0]
            if scope not in ROUTABLE and scope != here:
                continue
            title = binding.description
            if scope not in (here, "app"):
                title = f"{scope.capitalize()}: {title}"
            if title in seen:
                continue
            seen.add(title)
            keys = app.keys_for(binding_id)
            run = partial(app.run_in_scope, scope, binding.action)
            out.append((title, f"key: {keys}", run))
        return out

    async def discover(self) -> Hits:
        for title, help_text, run in self._commands():
            yield DiscoveryHit(title, run, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, run in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(score, matcher.highlight(title), run, text=title, help=help_text)
