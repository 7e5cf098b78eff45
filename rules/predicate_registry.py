"""The predicate registry: how a pack's `predicate = "..."` finds its function.

A predicate is an ordinary function taking the `Facts` of one conviction plus keyword-only,
typed parameters, and answering with a `Result`: did it match, and a plain sentence saying
why ("age 48 at 2019-11-11 < 50"). `@predicate()` registers it under its name and records
its parameter types, so a pack's parameters are checked when the pack loads
(`check_params`): a typo in a pack is a load error, not a wrong answer at run time.
The predicates themselves live in `rules.predicates`.
"""

from __future__ import annotations

import datetime as dt
import inspect
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from rules.facts import Facts


@dataclass(frozen=True, slots=True)
class Result:
    """A predicate's answer: matched or not, why (plain words), and values for reasons."""

    matched: bool
    detail: str
    values: Mapping[str, str] = field(default_factory=dict)
    # The record lacks a fact the answer depends on (a date, say): neither yes nor no. The
    # engine then sends the conviction to a person with `detail` as the reason, rather than
    # let the step fall through as if the answer were "no".
    undecided: bool = False


# Parameter types a pack may use, with the words used in error messages.
_TYPE_NAMES: dict[object, str] = {
    int: "a whole number",
    float: "a number",
    bool: "true or false",
    str: "text",
    dt.date: "a date (YYYY-MM-DD)",
    tuple[str, ...]: "a list of text values",
}


@dataclass(frozen=True, slots=True)
class PredicateSpec:
    """A registered predicate: its function, typed parameters and the reason fields it fills."""

    name: str
    fn: Callable[..., Result]
    params: Mapping[str, object]  # parameter name -> type
    defaults: Mapping[str, object]
    provides: frozenset[str]
    doc: str

    def __call__(self, facts: Facts, params: Mapping[str, object]) -> Result:
        return self.fn(facts, **params)


PREDICATES: dict[str, PredicateSpec] = {}

_F = typing.TypeVar("_F", bound=Callable[..., Result])


def predicate(*, provides: tuple[str, ...] = ()) -> Callable[[_F], _F]:
    """Register a predicate under its function name.

    `provides` names extra fields the predicate puts in `Result.values` for reason
    templates (e.g. `{charge}`), so templates can be checked when the pack loads.
    """

    def register(fn: _F) -> _F:
        hints = typing.get_type_hints(fn)
        params: dict[str, object] = {}
        defaults: dict[str, object] = {}
        for name, p in inspect.signature(fn).parameters.items():
            if name == "facts":
                continue
            if p.kind is not inspect.Parameter.KEYWORD_ONLY:
                raise TypeError(f"predicate {fn.__name__}: parameter {name} must be keyword-only")
            if hints[name] not in _TYPE_NAMES and typing.get_origin(hints[name]) is not Literal:
                raise TypeError(f"predicate {fn.__name__}: unsupported type for {name}")
            params[name] = hints[name]
            if p.default is not inspect.Parameter.empty:
                defaults[name] = p.default
        PREDICATES[fn.__name__] = PredicateSpec(
            name=fn.__name__,
            fn=fn,
            params=params,
            defaults=defaults,
            provides=frozenset(provides),
            doc=inspect.cleandoc(fn.__doc__ or ""),
        )
        return fn

    return register


def _convert(value: object, kind: object) -> object:
    """Turn a TOML/JSON value into the parameter's type, or raise ValueError."""
    if typing.get_origin(kind) is Literal:
        if value in typing.get_args(kind):
            return value
    elif kind is bool:
        if isinstance(value, bool):
            return value
    elif kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    elif kind is float:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    elif kind is str:
        if isinstance(value, str):
            return value
    elif kind is dt.date:
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
    elif kind == tuple[str, ...]:
        if isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
            return tuple(value)
    raise ValueError(f"must be {_type_name(kind)}")


def check_params(name: str, given: Mapping[str, object]) -> dict[str, object]:
    """Validate `given` against predicate `name`'s signature; return converted values.

    Raises ValueError with a message naming the predicate and parameter.
    """
    spec = PREDICATES.get(name)
    if spec is None:
        known = ", ".join(sorted(PREDICATES))
        raise ValueError(f"unknown predicate '{name}' (known: {known})")
    out: dict[str, object] = {}
    for key, value in given.items():
        if key not in spec.params:
            allowed = ", ".join(spec.params) or "none"
            raise ValueError(f"predicate '{name}' has no parameter '{key}' (parameters: {allowed})")
        try:
            out[key] = _convert(value, spec.params[key])
        except ValueError as exc:
            raise ValueError(f"predicate '{name}': parameter '{key}' {exc}") from None
    for key in spec.params:
        if key not in out:
            if key not in spec.defaults:
                raise ValueError(f"predicate '{name}' needs parameter '{key}'")
            out[key] = spec.defaults[key]
    return out


def _type_name(kind: object) -> str:
    """Plain words for a parameter type, for `policy show` and error messages."""
    if typing.get_origin(kind) is Literal:
        return "one of " + ", ".join(f'"{v}"' for v in typing.get_args(kind))
    return _TYPE_NAMES.get(kind, str(kind))
