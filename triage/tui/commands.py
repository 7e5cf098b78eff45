"""The command palette (ctrl+p): every binding of the current screen and the app, by
its description, plus a few commands that have no key."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from triage.tui.app import ReviewApp


class TriageCommands(Provider):
    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = cast("ReviewApp", self.app)
        screen = self.screen  # the screen under the palette
        out: list[tuple[str, str, Callable[[], object]]] = []
        seen: set[str] = set()
        for binding_id, binding in app.known_bindings.items():
            scope = binding_id.split(".", 1)[0]
            owner = app if scope == "app" else screen
            if scope != "app" and getattr(screen, "SCOPE", "") != scope:
                continue
            if binding.description in seen:
                continue
            seen.add(binding.description)
            keys = app.keys_for(binding_id)
            out.append(
                (binding.description, f"key: {keys}", partial(owner.run_action, binding.action))
            )
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
