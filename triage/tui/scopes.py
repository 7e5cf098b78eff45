"""The review app's screens and their scopes, derived from the screen classes themselves.

Every screen with keys inherits `Scoped` and names its scope in the class statement:
`class QueueScreen(Scoped, Screen[None], scope="queue", title="Queue")`. The scope is the
first part of its binding ids (`queue.search`), its table in keys.toml, and the heading
under which help, the README key table and the command palette list its keys. Defining
the class registers it, and a binding outside the screen's scope (or a screen with keys
and no scope) is refused when the class is defined, so a new screen's keys cannot be left
out of the keymap, help or the palette.
"""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding

APP_SCOPE = "app"
APP_TITLE = "Everywhere"
# The order help lists the scopes in (the way through the app). A scope not named here is
# listed after these, never left out.
_ORDER = (
    "app", "queue", "case", "note", "filter", "bulk", "grounds", "conflict", "stats",
    "packs", "whatif", "help",
)  # fmt: skip

_SCREENS: list[type[Scoped]] = []


class Scoped:
    """Base for the app's screens (put it first among the bases)."""

    SCOPE: ClassVar[str] = ""
    SCOPE_TITLE: ClassVar[str] = ""

    def __init_subclass__(cls, *, scope: str = "", title: str = "", **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        name = cls.__qualname__
        if "SCOPE" in cls.__dict__ and not scope:
            raise TypeError(f"{name}: name the scope in the class statement (scope=)")
        if scope and not title:
            raise TypeError(f"{name}: scope={scope!r} needs a title= for help")
        taken = [s for s in _SCREENS if s.SCOPE == scope and s.__qualname__ != name]
        if scope and (taken or scope == APP_SCOPE):
            raise TypeError(f"{name}: scope {scope!r} is already taken")
        own = scope or cls.SCOPE
        for binding in cls.__dict__.get("BINDINGS", []):
            binding_id = binding.id if isinstance(binding, Binding) else None
            if not own or not (binding_id or "").startswith(own + "."):
                raise TypeError(
                    f"{name}: binding {binding!r} needs an id '{own or '<scope>'}.NAME' "
                    "(and the class a scope=)"
                )
        if scope:  # registered last: a refused class leaves no trace
            cls.SCOPE, cls.SCOPE_TITLE = scope, title
            _SCREENS[:] = [s for s in _SCREENS if s.__qualname__ != name] + [cls]


def screens() -> tuple[type[Scoped], ...]:
    """Every scoped screen class defined so far (the app imports all of its screens)."""
    return tuple(_SCREENS)


def forget(cls: type[Scoped]) -> None:
    """Unregister a screen class (for a test's throwaway screen)."""
    _SCREENS.remove(cls)


def titles() -> dict[str, str]:
    """Scope -> heading, in help's order: the app's own keys first."""
    found = {APP_SCOPE: APP_TITLE} | {s.SCOPE: s.SCOPE_TITLE for s in _SCREENS}
    rank = {scope: n for n, scope in enumerate(_ORDER)}
    return dict(sorted(found.items(), key=lambda kv: rank.get(kv[0], len(rank))))
